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

/** JSON when the text starts as JSON does, YAML otherwise (YAML's core schema: no dates). */
function parseText(text, file, what) {
  const first = text.trimStart()[0];
  if (first === "{" || first === "[") {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new UsageError(`${what} ${file} is not JSON: ${error.message}`);
    }
  }
  try {
    return yaml.load(text, { schema: yaml.CORE_SCHEMA, filename: file });
  } catch (error) {
    const reason = error.reason ?? error.message;
    throw new UsageError(`${what} ${file} is neither JSON nor YAML: ${reason}`);
  }
}

/** An OpenAPI document from a .json, .yaml or .gz file, or a UsageError saying why not. */
export function loadDocument(file, what) {
  const doc = parseText(readText(file, what), file, what);
  if (doc === null || typeof doc !== "object" || typeof doc.paths !== "object" || !doc.paths) {
    throw new UsageError(`${what} ${file} is not an OpenAPI document (no "paths")`);
  }
  return doc;
}
