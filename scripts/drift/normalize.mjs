// The normalized form drift compares: each operation reduced to what a client relies
// on ($refs resolved, allOf merged, descriptions and examples dropped). The upstream
// baseline in spec/ is this form, as JSON. On our spec, each normalized node also
// carries (under the MARKS symbol, which JSON leaves out) the x-fix markers of the
// nodes it was read from: the node itself, every $ref on the way to it, allOf parts.

/** The x-fix markers a normalized node came from: [{ fixes: ["FIX(6)"], pointer }]. */
export const MARKS = Symbol("x-fix markers");

export const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

/** Paths whose operations drift follows: Secondary DNS, the DNS settings, and /ips (setup's ranges). */
export const isFollowed = (template) =>
  template.includes("/secondary_dns/") ||
  /\/dns_settings(\/|$)/.test(template) ||
  template === "/ips";

// Constraints compared as plain values (type, enum and the rest are read apart).
export const SCALARS = [
  "format",
  "pattern",
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minItems",
  "maxItems",
  "uniqueItems",
  "minProperties",
  "maxProperties",
];
const MAX_DEPTH = 64;

const unescape = (s) => s.replace(/~1/g, "/").replace(/~0/g, "~");
export const escape = (s) => s.replace(/~/g, "~0").replace(/\//g, "~1");
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

/** x-fix on one node, as a marker list (empty when there is none). */
function marksOf(node, pointer) {
  const value = node?.["x-fix"];
  if (value === undefined) return [];
  const fixes = (Array.isArray(value) ? value : [value]).map((n) => `FIX(${n})`);
  return [{ fixes, pointer }];
}

/** Reads one document: $ref lookup, and whether markers are kept. */
export function reader(doc, { marks = false } = {}) {
  const lookup = (ref) => {
    let node = doc;
    for (const key of ref.replace(/^#\/?/, "").split("/").filter(Boolean)) {
      node = isObject(node) || Array.isArray(node) ? node[unescape(key)] : undefined;
    }
    return node;
  };
  /** Follows $refs from node: the final node, its pointer, the markers on the way. */
  const resolve = (node, pointer) => {
    const found = [];
    const seen = new Set();
    while (isObject(node) && typeof node.$ref === "string") {
      if (marks) found.push(...marksOf(node, pointer));
      if (!node.$ref.startsWith("#") || seen.has(node.$ref))
        return { node: {}, pointer, marks: found };
      seen.add(node.$ref);
      pointer = node.$ref.slice(1);
      node = lookup(node.$ref);
    }
    if (marks) found.push(...marksOf(node, pointer));
    return { node, pointer, marks: found };
  };
  return { doc, resolve, marks, expanding: new Set() };
}

const withMarks = (out, marks) => {
  if (marks.length) out[MARKS] = [...(out[MARKS] ?? []), ...marks];
  return out;
};

function typesOf(s) {
  const types = new Set(Array.isArray(s.type) ? s.type : s.type ? [s.type] : []);
  if (s.nullable === true) types.add("null");
  return types;
}

const sortedValues = (values) =>
  [...values].sort((x, y) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1));

/** The constraints of one schema node itself, without its allOf parts. */
function ownConstraints(r, s, at, depth) {
  const out = {};
  const types = typesOf(s);
  if (types.size) out.type = [...types].sort();
  if (s.const !== undefined) out.enum = [s.const];
  else if (Array.isArray(s.enum)) out.enum = sortedValues(s.enum);
  for (const key of SCALARS) if (s[key] !== undefined) out[key] = s[key];
  if (Array.isArray(s.required) && s.required.length)
    out.required = [...new Set(s.required)].sort();
  if (isObject(s.properties)) {
    out.properties = {};
    for (const name of Object.keys(s.properties).sort()) {
      const at2 = `${at}/properties/${escape(name)}`;
      out.properties[name] = schemaOf(r, s.properties[name], at2, depth + 1);
    }
  }
  if (s.additionalProperties === false) out.additionalProperties = false;
  else if (isObject(s.additionalProperties) && Object.keys(s.additionalProperties).length) {
    out.additionalProperties = schemaOf(
      r,
      s.additionalProperties,
      `${at}/additionalProperties`,
      depth + 1,
    );
  }
  if (isObject(s.items)) out.items = schemaOf(r, s.items, `${at}/items`, depth + 1);
  for (const key of ["anyOf", "oneOf"]) {
    if (Array.isArray(s[key])) {
      out[key] = s[key].map((v, i) => schemaOf(r, v, `${at}/${key}/${i}`, depth + 1));
    }
  }
  return out;
}

/** allOf: a value must satisfy every part, so types narrow and requirements add up. */
function mergePart(out, part) {
  if (part.type) {
    out.type = out.type ? out.type.filter((t) => part.type.includes(t)) : part.type;
  }
  for (const key of ["enum", ...SCALARS, "additionalProperties", "items", "anyOf", "oneOf"]) {
    if (out[key] === undefined && part[key] !== undefined) out[key] = part[key];
  }
  if (part.required)
    out.required = [...new Set([...(out.required ?? []), ...part.required])].sort();
  if (part.properties) {
    // A later part's field replaces an earlier one's: Cloudflare's envelopes declare
    // a loose `result` first and the operation's own `result` after it.
    out.properties = { ...(out.properties ?? {}), ...part.properties };
  }
  return withMarks(out, part[MARKS] ?? []);
}

/** One schema, normalized (see the top of this file). */
export function schemaOf(r, node, pointer, depth = 0) {
  const { node: s, pointer: at, marks } = r.resolve(node, pointer);
  if (!isObject(s)) return withMarks({}, marks);
  if (depth > MAX_DEPTH || r.expanding.has(at)) return withMarks({ recursive: at }, marks);
  r.expanding.add(at);
  let out = ownConstraints(r, s, at, depth);
  (Array.isArray(s.allOf) ? s.allOf : []).forEach((part, i) => {
    out = mergePart(out, schemaOf(r, part, `${at}/allOf/${i}`, depth + 1));
  });
  r.expanding.delete(at);
  if (!out.type && out.properties) out.type = ["object"];
  if (!out.type && out.items) out.type = ["array"];
  if (out.properties) out.properties = sortKeys(out.properties);
  return withMarks(out, marks);
}

const sortKeys = (object) =>
  Object.fromEntries(
    Object.keys(object)
      .sort()
      .map((key) => [key, object[key]]),
  );

/** Security as scheme names: each alternative its schemes joined by "+", sorted. */
function securityOf(doc, operation) {
  const list = Array.isArray(operation.security) ? operation.security : doc.security;
  if (!Array.isArray(list)) return [];
  const names = list.filter(isObject).map((req) => Object.keys(req).sort().join("+") || "(none)");
  return [...new Set(names)].sort();
}

function parametersOf(r, { item, operation, method }, base) {
  const found = {};
  const add = (list, at) =>
    (Array.isArray(list) ? list : []).forEach((p, i) => {
      const { node, pointer, marks } = r.resolve(p, `${at}/parameters/${i}`);
      if (!isObject(node) || !node.in || !node.name) return;
      const param = { required: node.required === true };
      if (node.schema) param.schema = schemaOf(r, node.schema, `${pointer}/schema`);
      found[`${node.in} ${node.name}`] = withMarks(param, marks);
    });
  add(item.parameters, base);
  add(operation.parameters, `${base}/${method}`);
  return sortKeys(found);
}

/** A media type's marks and JSON schema (absent when it declares none). */
function jsonMedia(r, content, at) {
  const media = isObject(content) ? content["application/json"] : undefined;
  if (!isObject(media)) return { marks: [] };
  const mediaAt = `${at}/content/application~1json`;
  const marks = r.marks ? marksOf(media, mediaAt) : [];
  if (!media.schema) return { marks };
  return { marks, schema: schemaOf(r, media.schema, `${mediaAt}/schema`) };
}

function requestBodyOf(r, operation, at) {
  if (!operation.requestBody) return undefined;
  const { node, pointer, marks } = r.resolve(operation.requestBody, `${at}/requestBody`);
  if (!isObject(node)) return undefined;
  const media = jsonMedia(r, node.content, pointer);
  const body = { required: node.required === true, media: Object.keys(node.content ?? {}).sort() };
  if (media.schema) body.schema = media.schema;
  return withMarks(body, [...marks, ...media.marks]);
}

/** The `result` of the lowest 2xx JSON response (the whole body when it has none). */
function resultOf(r, operation, at) {
  const responses = isObject(operation.responses) ? operation.responses : {};
  const status = Object.keys(responses)
    .filter((s) => /^2/.test(s))
    .sort()[0];
  if (!status) return undefined;
  const resolved = r.resolve(responses[status], `${at}/responses/${escape(status)}`);
  const media = jsonMedia(r, resolved.node?.content, resolved.pointer);
  if (!media.schema) return undefined;
  const result = media.schema.properties?.result ?? media.schema;
  return withMarks({ ...result }, [...resolved.marks, ...media.marks]);
}

/** Every operation of a document, unnormalized: { key: "GET /path", operationId, ... }. */
export function listOperations(doc) {
  const out = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!isObject(item)) continue;
    for (const method of METHODS) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      const key = `${method.toUpperCase()} ${path}`;
      out.push({ key, path, method, item, operation, operationId: operation.operationId });
    }
  }
  return out;
}

/** One operation, normalized. */
export function normalizeOperation(r, op) {
  const at = `/paths/${escape(op.path)}/${op.method}`;
  const out = { operationId: op.operationId ?? null, security: securityOf(r.doc, op.operation) };
  out.parameters = parametersOf(r, op, `/paths/${escape(op.path)}`);
  const body = requestBodyOf(r, op.operation, at);
  if (body) out.requestBody = body;
  const result = resultOf(r, op.operation, at);
  if (result) out.result = result;
  return withMarks(out, r.marks ? marksOf(op.operation, at) : []);
}

/** Our security schemes' markers, by scheme name. */
export function schemeMarks(r) {
  const schemes = r.doc.components?.securitySchemes;
  const out = {};
  for (const name of Object.keys(isObject(schemes) ? schemes : {})) {
    out[name] = r.resolve(schemes[name], `/components/securitySchemes/${escape(name)}`).marks;
  }
  return out;
}

/** The baseline: every upstream operation under the followed paths, normalized. */
export function baselineOf(doc) {
  const r = reader(doc);
  const operations = {};
  for (const op of listOperations(doc).filter((o) => isFollowed(o.path))) {
    operations[op.key] = normalizeOperation(r, op);
  }
  return sortKeys(operations);
}
