// Reading a schema for `npm run drift`: JSON or YAML, either of them gzipped.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import yaml from "js-yaml";

/** A file drift cannot use: bad usage, exit status 2. */
export class UsageError extends Error {}

// A gzipped schema may not inflate past this (Cloudflare's whole schema is ~20 MB).
const MAX_INFLATED = 512 * 1024 * 1024;

function readText(file, what) {
  let bytes;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${file}: ${error.code ?? error.message}`);
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: MAX_INFLATED });
    } catch (error) {
      throw new UsageError(`${what} ${file} is not valid gzip: ${error.code ?? error.message}`);
    }
  }
  return bytes.toString("utf8");
}

/**
 * A block-style YAML document with only the `paths` entries `keep` accepts: parsing
 * Cloudflare's schema is most of drift's time, and most of it is paths drift does
 * not follow. Anything unusual (no block `paths:`, a complex key) leaves it whole.
 */
export function sliceYamlPaths(text, keep) {
  const head = /^paths:[ \t]*(?:#.*)?$/m.exec(text);
  if (!head) return text;
  const start = text.indexOf("\n", head.index) + 1;
  const next = /^[^\s#]/m.exec(text.slice(start));
  const end = next ? start + next.index : text.length;
  const block = text.slice(start, end);
  const indent = /^( +)\S/m.exec(block)?.[1];
  if (!indent) return text;
  const starts = [...block.matchAll(new RegExp(`^${indent}(?=\\S)`, "gm"))].map((m) => m.index);
  const kept = [];
  for (let i = 0; i < starts.length; i++) {
    const entry = block.slice(starts[i], starts[i + 1] ?? block.length);
    const key = /^\s*(['"]?)(.*?)\1:(?:\s|$)/.exec(entry);
    if (!key || key[2].startsWith("?")) return text;
    if (keep(key[2])) kept.push(entry);
  }
  const paths = kept.length ? `paths:\n${kept.join("")}` : "paths: {}\n";
  return text.slice(0, head.index) + paths + text.slice(end);
}

function parseYaml(text, file, keepPath) {
  const options = { schema: yaml.CORE_SCHEMA, filename: file };
  if (keepPath) {
    try {
      return yaml.load(sliceYamlPaths(text, keepPath), options);
    } catch {
      // An alias into a dropped path, say: read the whole document below.
    }
  }
  return yaml.load(text, options);
}

/** JSON when the text starts as JSON does, YAML otherwise (YAML's core schema: no dates). */
function parseText(text, file, what, keepPath) {
  const first = text.trimStart()[0];
  if (first === "{" || first === "[") {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new UsageError(`${what} ${file} is not JSON: ${error.message}`);
    }
  }
  try {
    return parseYaml(text, file, keepPath);
  } catch (error) {
    const reason = error.reason ?? error.message;
    throw new UsageError(`${what} ${file} is neither JSON nor YAML: ${reason}`);
  }
}

/**
 * An OpenAPI document from a .json, .yaml or .gz file, or a UsageError saying why not.
 * `keepPath`, when given, may drop the other paths of a YAML document.
 */
export function loadDocument(file, what, keepPath) {
  const doc = parseText(readText(file, what), file, what, keepPath);
  if (doc === null || typeof doc !== "object" || typeof doc.paths !== "object" || !doc.paths) {
    throw new UsageError(`${what} ${file} is not an OpenAPI document (no "paths")`);
  }
  return doc;
}
