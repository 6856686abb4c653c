// The emulator's request validators, compiled ahead of time: ajv's standalone mode
// turns the schemas of generated/openapi.json into plain functions, so an installed
// package runs them without ajv (a devDependency only). `npm run generate` writes
// the result to generated/validators.ts and `npm run check:generated` compares it.
//
// What is compiled: the schema of every parameter and of every JSON request body in
// the document, and the named schemas of stored records (below), keyed by its JSON pointer. src/emulator/spec.ts looks validators up
// by the pointer it reaches while reading the routes, so it never needs ajv itself.
// ajv's generated code calls three helpers of its own runtime (string length in code
// points, deep equality, formats); they are rewritten to imports from
// src/emulator/schema-runtime.ts, which implements them without ajv.
import { createHash } from "node:crypto";
import { _ } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import standaloneCode from "ajv/dist/standalone/index.js";

const SPEC_ID = "https://cf-secondary-dns.local/openapi.json";
const RUNTIME = "../src/emulator/schema-runtime.js";
/** ajv runtime modules its code may require, and the name each has in RUNTIME. */
const RUNTIME_HELPERS = { ucs2length: "ucs2length", equal: "equal" };

const escapePointer = (s) => s.replace(/~/g, "~0").replace(/\//g, "~1");

/** The pointers of every parameter schema and JSON request-body schema in `spec`. */
export function validatedPointers(spec) {
  const found = new Set();
  const walk = (node, pointer, key) => {
    if (node === null || typeof node !== "object") return;
    if (typeof node.in === "string" && typeof node.name === "string" && node.schema) {
      found.add(`${pointer}/schema`);
    }
    const json = node.content?.["application/json"];
    if (
      (key === "requestBody" || pointer.startsWith("/components/requestBodies/")) &&
      json?.schema
    ) {
      found.add(`${pointer}/content/application~1json/schema`);
    }
    for (const [k, v] of Object.entries(node)) walk(v, `${pointer}/${escapePointer(k)}`, k);
  };
  walk(spec.paths ?? {}, "/paths");
  walk(spec.components?.parameters ?? {}, "/components/parameters");
  walk(spec.components?.requestBodies ?? {}, "/components/requestBodies");
  // Named schemas the emulator checks its stored records with (spec.schema("Peer")):
  // those of path parameters (Identifier, for the keys) and the records, objects with an id.
  const named = (ref) => typeof ref === "string" && ref.startsWith("#/components/schemas/");
  const params = (node) => {
    if (node === null || typeof node !== "object") return;
    if (node.in === "path" && named(node.schema?.$ref)) found.add(node.schema.$ref.slice(1));
    for (const v of Object.values(node)) params(v);
  };
  params(spec.paths ?? {});
  params(spec.components?.parameters ?? {});
  for (const [name, schema] of Object.entries(spec.components?.schemas ?? {})) {
    if (schema.type === "object" && schema.properties?.id) {
      found.add(`/components/schemas/${escapePointer(name)}`);
    }
  }
  return [...found].sort();
}

/** Every `format` named anywhere in the document. */
function formatsUsed(spec) {
  const names = new Set();
  const walk = (node) => {
    if (node === null || typeof node !== "object") return;
    if (typeof node.format === "string") names.add(node.format);
    for (const v of Object.values(node)) walk(v);
  };
  walk(spec);
  return [...names].sort();
}

/** The TypeScript module holding the compiled validators of the spec text `specText`. */
export function validatorsSource(specText) {
  const spec = JSON.parse(specText);
  const formats = formatsUsed(spec);
  // Options as the emulator has always judged requests: every error, not just the first.
  const ajv = new Ajv2020({
    strict: false,
    allErrors: true,
    code: { source: true, esm: true, formats: _`formats`, lines: true },
  });
  // Stand-ins: the code only names formats["x"]; schema-runtime.ts supplies the checks.
  for (const name of formats) ajv.addFormat(name, () => true);
  ajv.addSchema({ ...spec, $id: SPEC_ID });

  const pointers = validatedPointers(spec);
  const refs = {};
  pointers.forEach((pointer, i) => {
    ajv.addSchema({ $ref: `${SPEC_ID}#${pointer}` }, `v${i}`);
    refs[`v${i}`] = `v${i}`;
  });
  let code = standaloneCode(ajv, refs)
    .replace(/^"use strict";/, "")
    .replace(/export const (v\d+) = /g, "const $1 = ");
  code = code.replace(/require\("ajv\/dist\/runtime\/([a-z0-9_]+)"\)\.default/g, (_, name) => {
    const helper = RUNTIME_HELPERS[name];
    if (!helper) throw new Error(`ajv's code needs its runtime "${name}", which ${RUNTIME} lacks`);
    return helper;
  });
  if (/\brequire\(/.test(code)) {
    throw new Error(
      `ajv's standalone code still requires a module: ${code.match(/require\([^)]*\)/)[0]}`,
    );
  }
  // Of the parsed document, so that line endings or indentation do not matter.
  // The formats the code calls: each must be in schema-runtime.ts (spec.ts checks at load).
  const called = [...code.matchAll(/\bformats(?:\["([^"]+)"\]|\.([A-Za-z_$][\w$]*))/g)].map(
    ([, quoted, plain]) => quoted ?? plain,
  );
  const digest = createHash("sha256").update(JSON.stringify(spec)).digest("hex");
  return [
    "// @ts-nocheck",
    "// Generated by scripts/validators.mjs from generated/openapi.json (ajv standalone code):",
    "// do not edit. `npm run generate` rewrites it.",
    `import { ${Object.values(RUNTIME_HELPERS).join(", ")}, formats } from "${RUNTIME}";`,
    `import type { ValidateFunction } from "../src/emulator/spec.js";`,
    "",
    "/** SHA-256 of the generated/openapi.json these validators were compiled from. */",
    `export const SPEC_SHA256 = "${digest}";`,
    "/** The formats the validators call; schema-runtime.ts must check each. */",
    `export const FORMATS: readonly string[] = ${JSON.stringify([...new Set(called)].sort())};`,
    "",
    code.trim(),
    "",
    "/** A validator for each parameter and JSON request-body schema, by JSON pointer. */",
    "export const validators: Readonly<Record<string, ValidateFunction>> = {",
    ...pointers.map((pointer, i) => `  ${JSON.stringify(pointer)}: v${i},`),
    "};",
    "",
  ].join("\n");
}
