// `npm run drift -- <Cloudflare's openapi.json>`: what moved between our spec and
// Cloudflare's published schema. For each of our operations it finds the upstream
// operation with the same operationId and compares the method and path, the
// parameters, the request body (fields, types, required set) and the success
// result (fields, types, required set), then prints every difference.
//
// Known departures are marked in our spec itself: `x-fix: n` (or a list) on the node
// that departs on purpose, beside its `# FIX(n):` comment. A difference found at a
// node carrying x-fix (or at a $ref to it, or an allOf part of it) is known; any other
// is new drift. Where a difference is found:
//   - a field's type, format or enum: at the field's schema;
//   - an object's fields or required set (a field missing on one side): at the object;
//   - a field only we have: at that field;
//   - a parameter's presence, `required` or schema: at the parameter (or its schema);
//   - a request body or result missing on one side: at the operation;
//   - an operationId missing upstream, or a method or path that differs: never known;
//   - a request body's `required`: at the request body.
// An x-fix on a compared node where nothing differs any more is reported too:
// Cloudflare may have fixed its schema, and the FIX item can go.
//
// Exit status: 0 no new drift, 1 new drift, 2 bad usage or an unreadable file.
import { readFileSync } from "node:fs";
import path from "node:path";
import { root } from "./run-tool.mjs";

const METHODS = ["get", "put", "post", "delete", "patch"];
const USAGE =
  "usage: npm run drift -- <cloudflare-openapi.json> [--ours <openapi.json>] [--json]\n" +
  "Compares our operations with the same operationIds in Cloudflare's published schema.";

class UsageError extends Error {}

function parseArgs(argv) {
  const options = { ours: path.join(root, "generated", "openapi.json"), json: false };
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--json") options.json = true;
    else if (arg === "--ours") {
      options.ours = argv[++i];
      if (!options.ours) throw new UsageError("--ours needs a file");
    } else if (arg === "--help" || arg === "-h") options.help = true;
    else if (arg.startsWith("-")) throw new UsageError(`unknown option ${arg}`);
    else files.push(arg);
  }
  if (!options.help && files.length !== 1) throw new UsageError("give exactly one upstream file");
  options.upstream = files[0];
  return options;
}

function loadDocument(file, what) {
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${file}: ${error.code ?? error.message}`);
  }
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${what} ${file} is not JSON: ${error.message}`);
  }
  if (doc === null || typeof doc !== "object" || typeof doc.paths !== "object" || !doc.paths) {
    throw new UsageError(`${what} ${file} is not an OpenAPI document (no "paths")`);
  }
  return doc;
}

const unescape = (s) => s.replace(/~1/g, "/").replace(/~0/g, "~");
const escape = (s) => s.replace(/~/g, "~0").replace(/\//g, "~1");

/** A document with $ref resolution that remembers every node passed on the way. */
function documentOf(doc) {
  const lookup = (pointer) => {
    let node = doc;
    for (const key of pointer.replace(/^#\/?/, "").split("/").filter(Boolean)) {
      node = node?.[unescape(key)];
    }
    return node;
  };
  /** Follows $refs from `node` (at `pointer`): the final node, and every node on the way. */
  const resolve = (node, pointer) => {
    const chain = [];
    const seen = new Set();
    while (node && typeof node === "object" && typeof node.$ref === "string") {
      if (!node.$ref.startsWith("#") || seen.has(node.$ref)) break;
      seen.add(node.$ref);
      chain.push({ node, pointer });
      pointer = node.$ref.slice(1);
      node = lookup(node.$ref);
    }
    chain.push({ node, pointer });
    return { node, pointer, chain };
  };
  return { doc, resolve };
}

function operationsOf(doc) {
  const out = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const operation = item?.[method];
      if (operation?.operationId) {
        out.push({ operationId: operation.operationId, method, path: template, item, operation });
      }
    }
  }
  return out;
}

const fixesOf = (node) => {
  const value = node?.["x-fix"];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((n) => `FIX(${n})`);
};

/**
 * A schema with its allOf parts merged: type set, format, enum, properties (each with
 * the pointer it came from), required set, items, variants. `chain` lists every node
 * the merge read, for x-fix.
 */
function flatten(d, node, pointer, depth = 0) {
  const { node: schema, pointer: at, chain } = d.resolve(node, pointer);
  const out = {
    chain: [...chain],
    pointer: at,
    types: new Set(),
    format: undefined,
    enum: undefined,
    properties: new Map(),
    required: new Set(),
    items: undefined,
    variants: undefined,
  };
  if (!schema || typeof schema !== "object" || depth > 20) return out;
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  for (const t of types) out.types.add(t);
  if (schema.nullable === true) out.types.add("null");
  if (schema.const !== undefined) out.enum = [schema.const];
  if (Array.isArray(schema.enum)) out.enum = schema.enum;
  if (schema.format) out.format = schema.format;
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    out.properties.set(name, { node: prop, pointer: `${at}/properties/${escape(name)}` });
  }
  for (const name of schema.required ?? []) out.required.add(name);
  if (schema.items) out.items = { node: schema.items, pointer: `${at}/items` };
  for (const key of ["oneOf", "anyOf"]) {
    if (Array.isArray(schema[key])) {
      out.variants = schema[key].map((v, i) => ({ node: v, pointer: `${at}/${key}/${i}` }));
    }
  }
  (schema.allOf ?? []).forEach((part, i) => {
    const merged = flatten(d, part, `${at}/allOf/${i}`, depth + 1);
    out.chain.push(...merged.chain);
    if (merged.types.size > 0) {
      out.types = out.types.size > 0 ? intersect(out.types, merged.types) : merged.types;
    }
    out.format ??= merged.format;
    out.enum ??= merged.enum;
    for (const [name, prop] of merged.properties) out.properties.set(name, prop);
    for (const name of merged.required) out.required.add(name);
    out.items ??= merged.items;
    out.variants ??= merged.variants;
  });
  if (out.types.size === 0 && out.properties.size > 0) out.types.add("object");
  if (out.types.size === 0 && out.items) out.types.add("array");
  return out;
}

const intersect = (a, b) => new Set([...a].filter((x) => b.has(x)));
const typeText = (types) => (types.size === 0 ? "any" : [...types].sort().join("|"));
const listText = (names) => [...names].sort().join(", ");

/** The comparison: every difference, and the x-fix nodes it looked at. */
function compare(ours, upstream) {
  const a = documentOf(ours);
  const b = documentOf(upstream);
  const differences = [];
  const visited = new Map(); // our node -> pointer, for x-fix nodes reached
  const explained = new Set(); // our nodes whose x-fix explained a difference

  const note = (operation, where, message, chain) => {
    for (const { node, pointer } of chain) if (fixesOf(node).length) visited.set(node, pointer);
    const fixing = chain.find(({ node }) => fixesOf(node).length > 0);
    if (fixing) explained.add(fixing.node);
    differences.push({
      operationId: operation.operationId,
      where,
      message,
      known: fixing ? fixesOf(fixing.node) : [],
      pointer: fixing?.pointer ?? chain.at(-1)?.pointer,
    });
  };
  const visit = (chain) => {
    for (const { node, pointer } of chain) if (fixesOf(node).length) visited.set(node, pointer);
  };

  const schemas = (op, where, oursRef, upRef, depth = 0) => {
    const x = flatten(a, oursRef.node, oursRef.pointer);
    const y = flatten(b, upRef.node, upRef.pointer);
    visit(x.chain);
    if (depth > 20) return;
    if (typeText(x.types) !== typeText(y.types)) {
      note(op, where, `type: ours ${typeText(x.types)}, upstream ${typeText(y.types)}`, x.chain);
    }
    if ((x.format ?? "") !== (y.format ?? "")) {
      note(
        op,
        where,
        `format: ours ${x.format ?? "none"}, upstream ${y.format ?? "none"}`,
        x.chain,
      );
    }
    const enumText = (e) => (e ? JSON.stringify([...e].map(String).sort()) : "none");
    if (enumText(x.enum) !== enumText(y.enum)) {
      note(op, where, `enum: ours ${enumText(x.enum)}, upstream ${enumText(y.enum)}`, x.chain);
    }
    const field = (name) => (where ? `${where}.${name}` : name);
    for (const [name, prop] of x.properties) {
      if (!y.properties.has(name)) {
        const propChain = a.resolve(prop.node, prop.pointer).chain;
        note(op, field(name), "only ours has this field", propChain);
      }
    }
    for (const [name] of y.properties) {
      if (!x.properties.has(name)) note(op, field(name), "only upstream has this field", x.chain);
    }
    const onlyOurs = [...x.required].filter((n) => !y.required.has(n));
    const onlyUp = [...y.required].filter((n) => !x.required.has(n));
    if (onlyOurs.length || onlyUp.length) {
      const parts = [];
      if (onlyUp.length) parts.push(`upstream also requires ${listText(onlyUp)}`);
      if (onlyOurs.length) parts.push(`ours also requires ${listText(onlyOurs)}`);
      note(op, where || "(body)", `required: ${parts.join("; ")}`, x.chain);
    }
    for (const [name, prop] of x.properties) {
      const other = y.properties.get(name);
      if (other) schemas(op, field(name), prop, other, depth + 1);
    }
    if (x.items && y.items) schemas(op, `${where}[]`, x.items, y.items, depth + 1);
    if (x.variants || y.variants) {
      const n = x.variants?.length ?? 0;
      const m = y.variants?.length ?? 0;
      if (n !== m) note(op, where, `variants (oneOf/anyOf): ours ${n}, upstream ${m}`, x.chain);
      else
        (x.variants ?? []).forEach((v, i) =>
          schemas(op, `${where}<${i}>`, v, y.variants[i], depth + 1),
        );
    }
  };

  const parameters = (d, { item, operation, path: template, method }) => {
    const map = new Map();
    const base = `/paths/${escape(template)}`;
    const add = (list, at) =>
      (list ?? []).forEach((p, i) => {
        const r = d.resolve(p, `${at}/parameters/${i}`);
        if (r.node?.in && r.node?.name) map.set(`${r.node.in} ${r.node.name}`, r);
      });
    add(item.parameters, base);
    add(operation.parameters, `${base}/${method}`);
    return map;
  };

  const jsonBody = (d, op) => {
    if (!op.operation.requestBody) return undefined;
    const r = d.resolve(
      op.operation.requestBody,
      `/paths/${escape(op.path)}/${op.method}/requestBody`,
    );
    const media = r.node?.content?.["application/json"];
    return {
      ...r,
      schema: media?.schema && {
        node: media.schema,
        pointer: `${r.pointer}/content/application~1json/schema`,
      },
    };
  };

  /** The `result` of the lowest 2xx JSON response, or the whole body when it has none. */
  const result = (d, op) => {
    const statuses = Object.keys(op.operation.responses ?? {})
      .filter((s) => /^2/.test(s))
      .sort();
    if (statuses.length === 0) return undefined;
    const status = statuses[0];
    const r = d.resolve(
      op.operation.responses[status],
      `/paths/${escape(op.path)}/${op.method}/responses/${status}`,
    );
    const schema = r.node?.content?.["application/json"]?.schema;
    if (!schema) return undefined;
    const body = { node: schema, pointer: `${r.pointer}/content/application~1json/schema` };
    const flat = flatten(d, body.node, body.pointer);
    return flat.properties.get("result") ?? body;
  };

  const upstreamById = new Map(operationsOf(upstream).map((op) => [op.operationId, op]));
  const ourOps = operationsOf(ours);
  const ourIds = new Set(ourOps.map((op) => op.operationId));
  for (const op of ourOps) {
    const opChain = [{ node: op.operation, pointer: `/paths/${escape(op.path)}/${op.method}` }];
    visit(opChain);
    const up = upstreamById.get(op.operationId);
    if (!up) {
      note(op, "", "no upstream operation has this operationId", []);
      continue;
    }
    if (up.method !== op.method || up.path !== op.path) {
      note(
        op,
        "",
        `method and path: ours ${op.method.toUpperCase()} ${op.path}, upstream ${up.method.toUpperCase()} ${up.path}`,
        [], // never a departure on purpose: no x-fix can cover it
      );
    }

    const ourParams = parameters(a, op);
    const upParams = parameters(b, up);
    for (const [key, p] of ourParams) {
      const other = upParams.get(key);
      visit(p.chain);
      if (!other) {
        note(op, `parameter ${key}`, "only ours has this parameter", p.chain);
        continue;
      }
      if (Boolean(p.node.required) !== Boolean(other.node.required)) {
        note(
          op,
          `parameter ${key}`,
          `required: ours ${Boolean(p.node.required)}, upstream ${Boolean(other.node.required)}`,
          p.chain,
        );
      }
      if (p.node.schema || other.node.schema) {
        schemas(
          op,
          `parameter ${key}`,
          { node: p.node.schema ?? {}, pointer: `${p.pointer}/schema` },
          { node: other.node.schema ?? {}, pointer: `${other.pointer}/schema` },
        );
      }
    }
    for (const [key] of upParams) {
      if (!ourParams.has(key))
        note(op, `parameter ${key}`, "only upstream has this parameter", opChain);
    }

    const ourBody = jsonBody(a, op);
    const upBody = jsonBody(b, up);
    if (!ourBody && upBody) note(op, "request body", "only upstream has a request body", opChain);
    else if (ourBody && !upBody) note(op, "request body", "only ours has a request body", opChain);
    else if (ourBody && upBody) {
      visit(ourBody.chain);
      if (Boolean(ourBody.node.required) !== Boolean(upBody.node.required)) {
        note(
          op,
          "request body",
          `required: ours ${Boolean(ourBody.node.required)}, upstream ${Boolean(upBody.node.required)}`,
          ourBody.chain,
        );
      }
      if (ourBody.schema && upBody.schema) schemas(op, "body", ourBody.schema, upBody.schema);
      else if (ourBody.schema || upBody.schema) {
        note(
          op,
          "request body",
          `JSON schema: ${ourBody.schema ? "only ours has one" : "only upstream has one"}`,
          ourBody.chain,
        );
      }
    }

    const ourResult = result(a, op);
    const upResult = result(b, up);
    if (ourResult && upResult) schemas(op, "result", ourResult, upResult);
    else if (ourResult || upResult) {
      note(
        op,
        "result",
        `${ourResult ? "only ours" : "only upstream"} declares a JSON success body`,
        opChain,
      );
    }
  }

  // Upstream operations on our paths that we do not have (a new or renamed operation).
  const ourPaths = new Set(ourOps.map((op) => op.path));
  const extra = operationsOf(upstream).filter(
    (op) => ourPaths.has(op.path) && !ourIds.has(op.operationId),
  );
  for (const op of extra) {
    differences.push({
      operationId: op.operationId,
      where: "",
      message: `only upstream has this operation: ${op.method.toUpperCase()} ${op.path}`,
      known: [],
    });
  }

  const stale = [...visited]
    .filter(([node]) => !explained.has(node))
    .map(([node, pointer]) => ({ fixes: fixesOf(node), pointer }));
  return { operations: ourOps.length, differences, stale };
}

function report({ operations, differences, stale }, options) {
  const lines = [`drift: ${options.ours} (${operations} operations) against ${options.upstream}`];
  let current;
  for (const d of differences) {
    if (d.operationId !== current) {
      current = d.operationId;
      lines.push("", current);
    }
    const tag = d.known.length ? `known ${d.known.join(" ")}` : "NEW";
    lines.push(`  ${tag.padEnd(14)} ${d.where ? `${d.where}: ` : ""}${d.message}`);
  }
  if (stale.length) {
    lines.push("", "Marked x-fix but no longer different (Cloudflare may have fixed it):");
    for (const s of stale) lines.push(`  ${s.fixes.join(" ")} at #${s.pointer}`);
  }
  const known = differences.filter((d) => d.known.length).length;
  const fresh = differences.length - known;
  lines.push(
    "",
    fresh === 0
      ? `No new drift (${known} known departure${known === 1 ? "" : "s"}).`
      : `${fresh} new difference${fresh === 1 ? "" : "s"}, ${known} known departure${known === 1 ? "" : "s"}.`,
  );
  return lines.join("\n");
}

function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
    if (options.help) {
      console.log(USAGE);
      return 0;
    }
    const ours = loadDocument(options.ours, "our spec");
    const upstream = loadDocument(options.upstream, "upstream schema");
    const outcome = compare(ours, upstream);
    if (options.json) console.log(JSON.stringify(outcome, null, 2));
    else console.log(report(outcome, options));
    return outcome.differences.some((d) => d.known.length === 0) ? 1 : 0;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`drift: ${error.message}\n${USAGE}`);
    return 2;
  }
}

process.exitCode = main();
