// Writes generated/operations.ts, the one table of the API's operations, from the
// bundled spec (generated/openapi.json, so a spec split over several files works
// the same). Called by scripts/generate.mjs; `--check` compares its output with
// the committed file. Each operation becomes an exported constant named after its
// operationId (less the "secondary-dns-(-tag)-" prefix), holding only what a call
// needs at run time, so a bundle keeps just the operations its resources use:
//
//   method      the HTTP method, upper case
//   path        the path template, typed as a key of the generated `paths`
//   idempotent  whether a repeat is harmless (retried after a timeout or a 5xx):
//               the spec's `x-idempotent`, written only where it differs from
//               the default, which is every method but POST (see idempotentOf)
//   body        the name of the request body's schema, when there is a body
//   bodyCheck   that schema itself, an exported constant of its own (`peerInputSchema`)
//               that the facade checks the body against; BODY_SCHEMAS lists them by name
//   optional    the body may be left out (the facade then sends `{}`)
//   result      the name of the schema of a 200's `result` (`Name[]` for a list)
//   secrets     the fields of the body and result whose format is `password`: the
//               client's redactor learns their values (src/client/call.ts)
//
// The spec's `x-client-method: <resource>.<method>` (or `<resource>.<group>.<method>`)
// names the facade method of an operation: scripts/client.mjs writes the client's
// methods from it (generated/client/), and each resource gets a map
// `<resource>Operations` from method name to operation, which the CLI reads.
// `x-client-result` names the type of an operation's result when its schema's name
// would not do (`Deleted`); `x-client-doc`, the method's JSDoc when the
// operation's description would not. `OPERATIONS` maps
// each operationId to its constant, resource, method and summary, for the CLI,
// the recorder and the tests; the facade does not import it.

const METHODS = ["get", "post", "put", "patch", "delete"];

/** "secondary-dns-(-primary-zone)-force-dns-notify" -> "forceDnsNotify" */
export function constantName(operationId) {
  const words = operationId
    .replace(/^.*\)-/, "")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  return words
    .map((word, i) => (i === 0 ? word.toLowerCase() : word[0].toUpperCase() + word.slice(1)))
    .join("");
}

function refName(schema) {
  return typeof schema?.$ref === "string" ? schema.$ref.split("/").pop() : undefined;
}

function resolve(spec, schema) {
  const name = refName(schema);
  return name ? spec.components.schemas[name] : schema;
}

/** The schema name of an envelope's `result`, looking through `$ref` and `allOf`. */
function resultName(spec, schema, where) {
  const envelope = resolve(spec, schema);
  for (const part of [envelope, ...(envelope?.allOf ?? []).map((s) => resolve(spec, s))]) {
    const result = part?.properties?.result;
    if (!result) continue;
    const name = refName(result);
    if (name) return name;
    const item = refName(resolve(spec, result)?.items);
    if (resolve(spec, result)?.type === "array" && item) return `${item}[]`;
    throw new Error(
      `${where}: the 200 result is not a $ref to a named schema (or an array of one)`,
    );
  }
  throw new Error(`${where}: the 200 response has no result property`);
}

/**
 * The top-level fields of an object schema (or of a list's items) whose format
 * is `password`: secrets, which the client's redactor learns from every body it
 * sends and every result it reads (src/client/call.ts).
 */
function passwordFields(spec, schema) {
  const node = schema && resolve(spec, schema);
  if (!node) return [];
  if (node.type === "array") return passwordFields(spec, node.items);
  return Object.entries(node.properties ?? {})
    .filter(([, field]) => resolve(spec, field)?.format === "password")
    .map(([name]) => name);
}

/** Reads the operations out of a bundled spec, in the spec's order. */
export function readOperations(spec) {
  const out = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const where = `${method.toUpperCase()} ${path}`;
      if (!op.operationId) throw new Error(`${where} has no operationId`);
      const json = op.responses?.["200"]?.content?.["application/json"]?.schema;
      const bodySchema = op.requestBody?.content?.["application/json"]?.schema;
      const body = bodySchema ? refName(bodySchema) : undefined;
      const optional = bodySchema && op.requestBody.required !== true ? true : undefined;
      if (bodySchema && !body) throw new Error(`${where}: the request body is not a $ref`);
      const idempotent = op["x-idempotent"];
      if (idempotent !== undefined && typeof idempotent !== "boolean") {
        throw new Error(`${where}: x-idempotent must be true or false`);
      }
      const clientMethod = op["x-client-method"];
      if (
        clientMethod !== undefined &&
        !/^[a-z][A-Za-z]*(?:\.[a-z][A-Za-z]*)+$/.test(clientMethod)
      ) {
        throw new Error(
          `${where}: x-client-method must read "resource.method" (or "resource.group.method"), e.g. outgoing.get`,
        );
      }
      const [resource, ...clientPath] = clientMethod?.split(".") ?? [];
      const clientName = clientPath.length > 0 ? clientPath.join(".") : undefined;
      const clientResult = op["x-client-result"];
      if (clientResult !== undefined && !/^[A-Z][A-Za-z0-9]*$/.test(clientResult)) {
        throw new Error(`${where}: x-client-result must be a type name, e.g. Deleted`);
      }
      const result = resultName(spec, json, where);
      const secrets = [
        ...new Set([
          ...passwordFields(spec, body && { $ref: `#/components/schemas/${body}` }),
          ...passwordFields(spec, { $ref: `#/components/schemas/${result.replace(/\[\]$/, "")}` }),
        ]),
      ];
      out.push({
        operationId: op.operationId,
        resource,
        clientName,
        name: constantName(op.operationId),
        method: method.toUpperCase(),
        path,
        idempotent: idempotent === (method !== "post") ? undefined : idempotent,
        body,
        optional,
        result,
        secrets: secrets.length > 0 ? secrets : undefined,
        summary: op.summary ?? "",
        // For the facade's generator (scripts/client.mjs):
        clientPath,
        clientResult,
        doc: op["x-client-doc"] ?? op.description ?? op.summary ?? "",
        tag: op.tags?.[0],
      });
    }
  }
  const seen = new Map();
  for (const op of out) {
    for (const key of [op.name, op.resource && `${op.resource}.${op.clientName}`]) {
      const other = key && seen.get(key);
      if (other) throw new Error(`${op.operationId} and ${other} both become "${key}"`);
      if (key) seen.set(key, op.operationId);
    }
  }
  return out;
}

const union = (names) =>
  names.length === 0 ? "never" : [...new Set(names)].map((n) => JSON.stringify(n)).join(" | ");

/** Schema keywords the facade's body check reads (src/client/body.ts); the rest are documentation. */
const BODY_KEYWORDS = [
  "type",
  "required",
  "additionalProperties",
  "properties",
  "items",
  "enum",
  "minLength",
  "maxLength",
  "pattern",
  "format",
  "minimum",
  "maximum",
  "minItems",
  "maxItems",
  "uniqueItems",
  "minProperties",
  "maxProperties",
  "anyOf",
  "oneOf",
  "allOf",
];
/** Formats the check knows: addresses it tests, and `password`, whose value no message shows. */
const BODY_FORMATS = ["ipv4", "ipv6", "password"];
/** Results may also hold timestamps: strictResults (src/client/results.ts) tests `date-time`. */
const RESULT_FORMATS = [...BODY_FORMATS, "date-time"];

/**
 * How a message names what a field must be, for a field whose rule reads badly
 * as keywords (alternatives, a pattern, an address format): the first sentence
 * of its description ("The peer's IPv4 or IPv6 address." -> "the peer's IPv4 or
 * IPv6 address"), else its title, else its alternatives' titles.
 */
function wording(node) {
  const described = node.description ?? node.title;
  if (described) {
    const first = described
      .replace(/\s+/g, " ")
      .trim()
      .split(/\.(?:\s|$)/)[0];
    // "The peer's..." -> "the peer's...", but "IPv4..." stays.
    return /^[A-Z][a-z]/.test(first) ? first[0].toLowerCase() + first.slice(1) : first;
  }
  const titles = (node.anyOf ?? node.oneOf ?? []).map((alt) => alt.title);
  return titles.length > 0 && titles.every(Boolean) ? titles.join(" or ") : undefined;
}

/**
 * A body schema, compact: `$ref`s inlined, each keeping its name as `ref` (the
 * facade has its own wording for some named schemas, such as DnsName), only the
 * keywords the check reads, and `what`, the wording of wording() where it helps.
 */
function bodySchema(spec, schema, where, depth = 0, alternative = false, formats = BODY_FORMATS) {
  if (depth > 8) throw new Error(`${where}: the body schema nests too deep`);
  const ref = refName(schema);
  const node = resolve(spec, schema);
  for (const key of ["not", "$ref", "if", "patternProperties", "const"]) {
    if (node[key] !== undefined) throw new Error(`${where}: body schemas may not use ${key} (yet)`);
  }
  if (node.format !== undefined && !formats.includes(node.format)) {
    throw new Error(`${where}: the check knows no format "${node.format}" there`);
  }
  const out = ref ? { ref } : {};
  for (const key of BODY_KEYWORDS) {
    if (node[key] === undefined) continue;
    if (key === "properties") {
      out.properties = Object.fromEntries(
        Object.entries(node.properties).map(([name, s]) => [
          name,
          bodySchema(spec, s, `${where}.${name}`, depth + 1, false, formats),
        ]),
      );
    } else if (key === "items") {
      out.items = bodySchema(spec, node.items, `${where}[]`, depth + 1, false, formats);
    } else if (key === "anyOf" || key === "oneOf" || key === "allOf") {
      const parts = node[key].map((s, i) =>
        bodySchema(spec, s, `${where}.${key}[${i}]`, depth + 1, key !== "allOf", formats),
      );
      out[key] = parts;
    } else out[key] = node[key];
  }
  const tested = node.anyOf || node.oneOf || node.pattern || /^ipv/.test(node.format ?? "");
  // An alternative fails as its parent does, in the parent's words. A named schema
  // is worded by the client (src/client/body.ts); a timestamp, by what its format means.
  const what =
    node.format === "date-time"
      ? "an RFC 3339 date-time"
      : tested && !ref && !alternative
        ? wording(node)
        : undefined;
  if (what) out.what = what;
  return out;
}

/** The constant of a body schema: "OutgoingZoneInput" -> outgoingZoneInputSchema. */
const bodyConstant = (name) => `${name[0].toLowerCase()}${name.slice(1)}Schema`;

/**
 * The BodyNode interface, then one exported constant per request body schema,
 * so an operation's constant refers to its own schema and a bundle keeps only
 * the schemas of the operations it keeps.
 */
function bodyConstants(spec, ops) {
  const names = [...new Set(ops.flatMap((op) => op.body ?? []))];
  return [
    "/** A request body's schema, as the facade checks it (src/client/body.ts). */",
    "export interface BodyNode {",
    "  readonly ref?: string;",
    "  readonly type?: string;",
    "  readonly required?: readonly string[];",
    "  readonly additionalProperties?: boolean;",
    "  readonly properties?: Readonly<Record<string, BodyNode>>;",
    "  readonly items?: BodyNode;",
    "  readonly enum?: readonly unknown[];",
    "  readonly minLength?: number;",
    "  readonly maxLength?: number;",
    "  readonly pattern?: string;",
    "  readonly format?: string;",
    "  readonly minimum?: number;",
    "  readonly maximum?: number;",
    "  readonly minItems?: number;",
    "  readonly maxItems?: number;",
    "  readonly uniqueItems?: boolean;",
    "  readonly minProperties?: number;",
    "  readonly maxProperties?: number;",
    "  readonly anyOf?: readonly BodyNode[];",
    "  readonly oneOf?: readonly BodyNode[];",
    "  readonly allOf?: readonly BodyNode[];",
    "  /** What the value must be, in words, for messages. */",
    "  readonly what?: string;",
    "}",
    "",
    ...names.flatMap((name) => [
      `/** components.schemas.${name}, as the facade checks it. */`,
      `export const ${bodyConstant(name)}: BodyNode = ${JSON.stringify(bodySchema(spec, spec.components.schemas[name], name))};`,
      "",
    ]),
  ];
}

/**
 * The text of generated/results.ts: the schema of each 200's `result`, compact as
 * a body's, for strictResults (src/client/results.ts, the opt-in cf-secondary-dns/strict).
 * A file of its own, so that the default bundle never carries it.
 */
export function resultsSource(spec) {
  const names = [...new Set(readOperations(spec).map((op) => op.result))];
  const node = (name) => {
    const one = name.replace(/\[\]$/, "");
    const item = bodySchema(spec, spec.components.schemas[one], one, 0, false, RESULT_FORMATS);
    return one === name ? item : { type: "array", items: item };
  };
  return [
    "// Generated by scripts/operations.mjs from generated/openapi.json: do not edit.",
    "// Run `npm run generate` after changing the spec.",
    'import type { BodyNode, ResultSchema } from "./operations.js";',
    "",
    "/** Each 200's `result` schema, by name (`Name[]`: a list of them), as strictResults checks it. */",
    "export const RESULT_SCHEMAS: Readonly<Record<ResultSchema, BodyNode>> = {",
    ...names.map((name) => `  ${JSON.stringify(name)}: ${JSON.stringify(node(name))},`),
    "};",
    "",
  ].join("\n");
}

/** The text of generated/operations.ts. */
export function operationsSource(spec) {
  const ops = readOperations(spec);
  const lines = [
    "// Generated by scripts/operations.mjs from generated/openapi.json: do not edit.",
    "// Run `npm run generate` after changing the spec.",
    'import type { paths } from "./schema.js";',
    "",
    'export type Method = "GET" | "PUT" | "POST" | "DELETE" | "PATCH";',
    "/** The schemas of request bodies, by name. */",
    `export type BodySchema = ${union(ops.flatMap((o) => o.body ?? []))};`,
    "/** Every operationId of the spec: a `Record<OperationId, ...>` makes the compiler ask for a new one. */",
    `export type OperationId = ${union(ops.map((o) => o.operationId))};`,
    "/** The schemas of a 200's `result`, by name (`Name[]`: a list of them). */",
    `export type ResultSchema = ${union(ops.map((o) => o.result))};`,
    "",
    "/** One operation: what a call needs to send it and to read its answer. */",
    "export interface Operation<P extends keyof paths = keyof paths, M extends Method = Method> {",
    "  readonly method: M;",
    "  readonly path: P;",
    "  /** Whether a repeat is harmless, so a timeout or a 5xx may be retried; see idempotentOf. */",
    "  readonly idempotent?: boolean;",
    "  /** The request body's schema, by name. */",
    "  readonly body?: BodySchema;",
    "  /** That schema itself: the facade checks the body against it before sending. */",
    "  readonly bodyCheck?: BodyNode;",
    "  /** The body may be left out; the facade then sends `{}`. */",
    "  readonly optional?: boolean;",
    "  readonly result: ResultSchema;",
    "  /** Fields of the body and result that hold a secret (format: password): never shown in errors or logs. */",
    "  readonly secrets?: readonly string[];",
    "}",
    "",
    "/** Whether a repeat of the operation is harmless: as the spec says, else every method but POST. */",
    "export const idempotentOf = (operation: Operation): boolean =>",
    '  operation.idempotent ?? operation.method !== "POST";',
    "",
  ];
  lines.push(...bodyConstants(spec, ops));
  for (const op of ops) {
    const fields = [
      `method: ${JSON.stringify(op.method)}`,
      `path: ${JSON.stringify(op.path)}`,
      ...(op.idempotent === undefined ? [] : [`idempotent: ${op.idempotent}`]),
      ...(op.body
        ? [`body: ${JSON.stringify(op.body)}`, `bodyCheck: ${bodyConstant(op.body)}`]
        : []),
      ...(op.optional ? ["optional: true"] : []),
      `result: ${JSON.stringify(op.result)}`,
      ...(op.secrets ? [`secrets: ${JSON.stringify(op.secrets)}`] : []),
    ];
    lines.push(
      `/** ${op.method} ${op.path}: ${op.summary.replace(/\*\//g, "*\\/")} */`,
      `export const ${op.name}: Operation<${JSON.stringify(op.path)}, ${JSON.stringify(op.method)}> = {`,
      ...fields.map((f) => `  ${f},`),
      "};",
      "",
    );
  }
  const bodies = [...new Set(ops.flatMap((op) => op.body ?? []))];
  lines.push(
    "/** Each request body schema, from the spec. */",
    "export const BODY_SCHEMAS: Readonly<Record<BodySchema, BodyNode>> = {",
    ...bodies.map((name) => `  ${name}: ${bodyConstant(name)},`),
    "};",
    "",
  );
  const resources = [...new Set(ops.flatMap((op) => op.resource ?? []))];
  for (const resource of resources) {
    lines.push(
      `/** The operations of client.${resource}, by method name (the spec's x-client-method). */`,
      `export const ${resource}Operations = {`,
      ...ops
        .filter((op) => op.resource === resource)
        .map((op) => `  ${JSON.stringify(op.clientName).replace(/^"(\w+)"$/, "$1")}: ${op.name},`),
      "} as const;",
      "",
    );
  }
  lines.push(
    "export interface OperationInfo {",
    "  operation: Operation;",
    "  /** The facade's resource and method (x-client-method); none for raw-only operations. */",
    "  resource?: string;",
    "  method?: string;",
    "  summary: string;",
    "}",
    "",
    "/** Every operation by operationId: for the CLI, the recorder and the tests. */",
    "export const OPERATIONS: Readonly<Record<string, OperationInfo>> = {",
    ...ops.map((op) => {
      const client = op.resource
        ? ` resource: ${JSON.stringify(op.resource)}, method: ${JSON.stringify(op.clientName)},`
        : "";
      return `  ${JSON.stringify(op.operationId)}: { operation: ${op.name},${client} summary: ${JSON.stringify(op.summary)} },`;
    }),
    "};",
    "",
  );
  return lines.join("\n");
}
