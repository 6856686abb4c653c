// `node bench/drift/mutations.mjs <Cloudflare's schema> [--ours <spec>] [--baseline <file>]`
// checks `npm run drift` on a real schema: unchanged it must exit 0 with nothing new;
// each mutation below must exit 1 and name the change; the schema as YAML and as
// gzip must give the same verdict as JSON. Prints one line per case and the time and
// peak memory of each run; exits 1 when a case fails. Nothing here goes to the network.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";
import { loadDocument } from "../../scripts/drift/load.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const script = path.join(root, "scripts", "drift.mjs");
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

function deref(doc, node) {
  const seen = new Set();
  while (isObject(node) && typeof node.$ref === "string" && !seen.has(node.$ref)) {
    seen.add(node.$ref);
    node = node.$ref
      .slice(2)
      .split("/")
      .reduce((n, k) => n?.[k.replace(/~1/g, "/").replace(/~0/g, "~")], doc);
  }
  return node;
}

/** Every schema node reachable from an operation's 200 body, $refs followed once each. */
function* schemaNodes(doc, route, method) {
  const response = deref(doc, doc.paths[route][method].responses["200"]);
  const stack = [response.content["application/json"].schema];
  const seen = new Set();
  while (stack.length) {
    const node = deref(doc, stack.pop());
    if (!isObject(node) || seen.has(node)) continue;
    seen.add(node);
    yield node;
    for (const key of ["allOf", "anyOf", "oneOf"])
      if (Array.isArray(node[key])) stack.push(...node[key]);
    if (node.items) stack.push(node.items);
    if (isObject(node.properties)) stack.push(...Object.values(node.properties));
  }
}

/** The object schema that declares `field` in an operation's success body. */
function owner(doc, route, method, field) {
  for (const node of schemaNodes(doc, route, method)) if (node.properties?.[field]) return node;
  throw new Error(`no ${field} in ${method.toUpperCase()} ${route}`);
}

const PEER = "/accounts/{account_id}/secondary_dns/peers/{peer_id}";
const TSIG = "/accounts/{account_id}/secondary_dns/tsigs/{tsig_id}";
const OUTGOING = "/zones/{zone_id}/secondary_dns/outgoing";
const SETTINGS = "/zones/{zone_id}/dns_settings";

/** Each mutation: what it does, and a pattern its report must contain. */
export const MUTATIONS = [
  {
    name: "peer port number -> string (under known FIX 11)",
    apply: (doc) => {
      const peer = owner(doc, PEER, "get", "port");
      peer.properties.port = { type: "string" };
    },
    expect: /result\.port: type: was number, now string/,
  },
  {
    name: "a new operation on a new path under /secondary_dns/",
    apply: (doc) => {
      doc.paths[`${OUTGOING}/sync`] = {
        post: { operationId: "secondary-dns-sync", responses: { 200: { description: "OK" } } },
      };
    },
    expect:
      /POST \/zones\/\{zone_id\}\/secondary_dns\/outgoing\/sync[^\n]*\n\s+NEW\s+operation added upstream/,
  },
  {
    name: "delete peer loses its security (security: [])",
    apply: (doc) => {
      doc.paths[PEER].delete.security = [];
    },
    expect: /security: no longer accepts api_email\+api_key/,
  },
  {
    name: "a TSIG's required set loses secret",
    apply: (doc) => {
      const tsig = owner(doc, TSIG, "get", "secret");
      tsig.required = tsig.required.filter((n) => n !== "secret");
    },
    expect: /result: required: no longer requires secret/,
  },
  {
    name: "a new enum on a TSIG's algo",
    apply: (doc) => {
      const tsig = owner(doc, TSIG, "get", "algo");
      tsig.properties.algo = { type: "string", enum: ["hmac-sha256.", "hmac-sha512."] };
    },
    expect: /result\.algo: enum: was none, now \["hmac-sha256\.","hmac-sha512\."\]/,
  },
  {
    name: "a narrowed enum (zone DNS settings, zone_mode)",
    apply: (doc) => {
      const settings = owner(doc, SETTINGS, "get", "zone_mode");
      const mode = deref(doc, settings.properties.zone_mode);
      settings.properties.zone_mode = { ...mode, enum: mode.enum.slice(0, -1) };
    },
    expect: /zone_mode: enum: was \[[^\]]*\], now \[/,
  },
  {
    name: "a result field removed (outgoing soa_serial)",
    apply: (doc) => {
      delete owner(doc, OUTGOING, "get", "soa_serial").properties.soa_serial;
    },
    expect: /result\.soa_serial: field removed upstream/,
  },
];

function run(file, extra) {
  const started = process.hrtime.bigint();
  const result = spawnSync(
    "/usr/bin/time",
    ["-f", "%M", process.execPath, script, file, ...extra],
    {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rssKb = Number(result.stderr.trim().split("\n").at(-1));
  return { status: result.status, out: result.stdout, seconds, rssMb: Math.round(rssKb / 1024) };
}

const summary = (out) => out.trim().split("\n").at(-1);

function main(argv) {
  const [schema, ...extra] = argv;
  if (!schema) {
    console.error(
      "usage: node bench/drift/mutations.mjs <schema.{json,yaml}[.gz]> [drift options]",
    );
    return 2;
  }
  const scratch = mkdtempSync(path.join(tmpdir(), "cf-sdns-drift-mutations-"));
  try {
    return checkAll(schema, extra, scratch);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function checkAll(schema, extra, scratch) {
  const original = loadDocument(schema, "schema");
  let failures = 0;
  const report = (ok, name, r, note = "") => {
    if (!ok) failures++;
    const figures = `${r.seconds.toFixed(2)} s, ${r.rssMb} MB`;
    console.log(`${ok ? "ok  " : "FAIL"} ${name}: exit ${r.status} (${figures}) ${note}`);
  };
  const base = run(schema, extra);
  report(
    base.status === 0 && /0 new departures.*0 stale markers/.test(summary(base.out)),
    "unchanged",
    base,
    summary(base.out),
  );
  const json = run(schema, [...extra, "--json"]);
  checkFormats(original, extra, scratch, json, report);
  for (const m of MUTATIONS) {
    const doc = structuredClone(original);
    m.apply(doc);
    const file = path.join(scratch, "mutated.json");
    writeFileSync(file, JSON.stringify(doc));
    const r = run(file, extra);
    const named = m.expect.test(r.out);
    report(r.status === 1 && named, m.name, r, named ? "named" : "NOT NAMED");
  }
  return failures ? 1 : 0;
}

/** The same schema as YAML, and both gzipped, give the same JSON verdict. */
function checkFormats(original, extra, scratch, json, report) {
  const verdict = (out) => {
    const { upstream, ...rest } = JSON.parse(out);
    return JSON.stringify(rest);
  };
  const text = yaml.dump(original, { noRefs: true, lineWidth: -1 });
  const files = {
    yaml: [path.join(scratch, "schema.yaml"), text],
    "json.gz": [path.join(scratch, "schema.json.gz"), gzipSync(JSON.stringify(original))],
    "yaml.gz": [path.join(scratch, "schema.yaml.gz"), gzipSync(text)],
  };
  for (const [kind, [file, content]] of Object.entries(files)) {
    writeFileSync(file, content);
    const r = run(file, [...extra, "--json"]);
    const same = r.status === json.status && verdict(r.out) === verdict(json.out);
    report(same, `as ${kind}`, r, same ? "same verdict as JSON" : "DIFFERENT verdict");
  }
}

process.exitCode = main(process.argv.slice(2));
