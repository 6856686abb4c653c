// 4. Type-check: `tsc --noEmit` of a one-file consumer of each client, against a
// consumer that uses fetch alone. The consumers are written into bench/vendor/
// (git-ignored) at run time, where `cloudflare` and a link to this package resolve
// as they would in an application's node_modules. Besides wall time (paired
// runs), tsc's own counts are quoted: they do not depend on machine load.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { root, vendorDir } from "../lib/paths.mjs";
import { check } from "../lib/proc.mjs";
import { fmt, median, medianRatio, rotate, table } from "../lib/stats.mjs";

const URL_BASE = "https://api.cloudflare.com/client/v4";

export const CONSUMERS = {
  "fetch only (baseline)": `
interface Envelope { success: boolean; result: { id: string; name: string; peers: string[] } }
export async function zoneName(zoneId: string): Promise<string> {
  const response = await fetch(\`${URL_BASE}/zones/\${zoneId}/secondary_dns/outgoing\`, {
    headers: { Authorization: "Bearer token" },
  });
  const body = (await response.json()) as Envelope;
  return body.result.name;
}`,
  "cf-secondary-dns": `
import { createSecondaryDnsClient } from "cf-secondary-dns";
const client = createSecondaryDnsClient({ apiToken: "token" });
export async function zoneName(zoneId: string): Promise<string> {
  const zone = await client.outgoing.get(zoneId);
  return zone.name;
}`,
  "openapi-fetch + our generated paths": `
import createClient from "openapi-fetch";
import type { paths } from "cf-secondary-dns";
const client = createClient<paths>({ baseUrl: "${URL_BASE}", headers: { Authorization: "Bearer token" } });
export async function zoneName(zoneId: string): Promise<string | undefined> {
  const { data } = await client.GET("/zones/{zone_id}/secondary_dns/outgoing", {
    params: { path: { zone_id: zoneId } },
  });
  return data?.result?.name;
}`,
  "cloudflare (tree-shakable + outgoing)": `
import { createClient } from "cloudflare/tree-shakable";
import { BaseOutgoingResource } from "cloudflare/resources/dns/zone-transfers/outgoing/outgoing";
const client = createClient({ apiToken: "token", resources: [BaseOutgoingResource] });
export async function zoneName(zoneId: string): Promise<string | undefined> {
  const zone = await client.dns.zoneTransfers.outgoing.get({ zone_id: zoneId });
  return zone.name;
}`,
  "cloudflare (main entry)": `
import Cloudflare from "cloudflare";
const client = new Cloudflare({ apiToken: "token" });
export async function zoneName(zoneId: string): Promise<string | undefined> {
  const zone = await client.dns.zoneTransfers.outgoing.get({ zone_id: zoneId });
  return zone.name;
}`,
};

/** What an application would have: strict, NodeNext, DOM's fetch, `tsc --init`'s skipLibCheck. */
const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    lib: ["ES2022", "DOM"],
    types: [],
    strict: true,
    skipLibCheck: true,
    noEmit: true,
  },
  files: ["index.ts"],
};

const tsc = path.join(root, "node_modules", "typescript", "lib", "tsc.js");

function writeConsumers() {
  const base = path.join(vendorDir, "typecheck");
  mkdirSync(base, { recursive: true });
  writeFileSync(path.join(base, "package.json"), '{ "private": true, "type": "module" }\n');
  return Object.entries(CONSUMERS).map(([name, source], i) => {
    const dir = path.join(base, `consumer-${i}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "index.ts"), `${source.trim()}\n`);
    writeFileSync(path.join(dir, "tsconfig.json"), `${JSON.stringify(TSCONFIG, null, 2)}\n`);
    return { name, dir };
  });
}

function counts(output) {
  const read = (label) =>
    Number(output.match(new RegExp(`^${label}:\\s+([\\d,]+)`, "m"))?.[1].replace(/,/g, ""));
  return { files: read("Files"), instantiations: read("Instantiations"), types: read("Types") };
}

export async function runTypecheck({ rounds, log }) {
  const consumers = writeConsumers();
  const wall = Object.fromEntries(consumers.map((c) => [c.name, []]));
  const stats = {};
  for (const { name, dir } of consumers) {
    const { stdout } = await check(process.execPath, [tsc, "-p", dir, "--extendedDiagnostics"]);
    stats[name] = counts(stdout);
  }
  for (let round = 0; round < rounds; round++) {
    for (const { name, dir } of rotate(consumers, round)) {
      wall[name].push((await check(process.execPath, [tsc, "-p", dir])).ms);
    }
    log(`typecheck round ${round + 1}/${rounds}`);
  }
  const base = consumers[0].name;
  return consumers.map(({ name }) => ({
    name,
    ...stats[name],
    wallMs: median(wall[name]),
    ratio: medianRatio(wall[name], wall[base]),
  }));
}

export function typecheckMarkdown(rows) {
  return table(
    ["consumer", "tsc wall ms", "vs fetch only", "files", "types", "instantiations"],
    rows.map((r) => [
      r.name,
      fmt.int(r.wallMs),
      fmt.ratio(r.ratio),
      fmt.int(r.files),
      fmt.int(r.types),
      fmt.int(r.instantiations),
    ]),
  );
}
