#!/usr/bin/env node
/**
 * Records one exchange with the live API as a contract fixture:
 *
 *   npm run record -- <operation> <zone_id> [--name N] [--peer ID ...] [--scenario NAME]
 *                     [--account ID] [--description TEXT] [--out DIR] [--dry-run]
 *
 * <operation> is a method of client.outgoing (get, create, update, delete,
 * enable, disable, force-notify, status: the spec's x-client-method) or a spec
 * operationId. Credentials come
 * from CLOUDFLARE_API_TOKEN (or CLOUDFLARE_EMAIL with CLOUDFLARE_API_KEY), the
 * base URL from CLOUDFLARE_BASE_URL. The request goes out with plain fetch, so
 * the fixture holds what the API said, not what the client made of it. The
 * exchange is scrubbed (scripts/scrub.mjs) and not written if anything known
 * survives the scrub. Writes test/fixtures/<operationId>/<scenario>.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createScrubber, REDACTED } from "./scrub.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SPEC_FILE = join(ROOT, "generated/openapi.json");

/**
 * Short names of the operations, from the spec's `x-client-method`: a method of
 * client.outgoing in kebab-case ("force-notify"), or `<resource>.<method>` for
 * the other resources. Maps to the operationId.
 */
export function shortNames(spec = JSON.parse(readFileSync(SPEC_FILE, "utf8"))) {
  const names = {};
  for (const item of Object.values(spec.paths)) {
    for (const op of Object.values(item)) {
      const clientMethod = op?.["x-client-method"];
      if (typeof clientMethod !== "string") continue;
      const [resource, ...rest] = clientMethod.split("."); // "dnsSettings.zone.get" has a group
      const method = rest.join(".");
      const kebab = method.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
      names[resource === "outgoing" ? kebab : `${resource}.${kebab}`] = op.operationId;
    }
  }
  return names;
}
export const SHORT_NAMES = shortNames();
/** The response headers a fixture keeps; the rest (cookies, caching, tracing) are dropped. */
const KEPT_HEADERS = ["cf-ray", "content-type", "retry-after", "ratelimit", "ratelimit-policy"];

const USAGE = `usage: npm run record -- <operation> <zone_id> [--name N] [--peer ID ...] [--scenario NAME]
                         [--account ID] [--description TEXT] [--out DIR] [--dry-run]
operations: ${Object.keys(SHORT_NAMES).join(", ")} (or an operationId)`;

export function parseArgs(argv) {
  const options = { peers: [], dryRun: false };
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = () => {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      return value;
    };
    if (arg === "--name") options.name = next();
    else if (arg === "--peer") options.peers.push(next());
    else if (arg === "--scenario") options.scenario = next();
    else if (arg === "--account") options.accountId = next();
    else if (arg === "--description") options.description = next();
    else if (arg === "--out") options.out = next();
    else if (arg === "--dry-run") options.dryRun = true;
    else if (arg.startsWith("--")) throw new Error(`unknown option ${arg}\n${USAGE}`);
    else positional.push(arg);
  }
  if (positional.length !== 2) throw new Error(USAGE);
  [options.operation, options.zoneId] = positional;
  return options;
}

/** The spec's operation (method, path template, whether it takes a body) by short name or operationId. */
export function findOperation(name, spec = JSON.parse(readFileSync(SPEC_FILE, "utf8"))) {
  const operationId = shortNames(spec)[name] ?? name;
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (op?.operationId === operationId) {
        return {
          operationId,
          method: method.toUpperCase(),
          path,
          takesBody: Boolean(op.requestBody),
          server: spec.servers[0].url,
        };
      }
    }
  }
  throw new Error(`no operation "${name}" in the spec\n${USAGE}`);
}

/** Credentials from the environment, as request headers plus the values to scrub. */
export function credentialsFrom(env) {
  if (env.CLOUDFLARE_API_TOKEN) {
    return {
      headers: { authorization: `Bearer ${env.CLOUDFLARE_API_TOKEN}` },
      secrets: [env.CLOUDFLARE_API_TOKEN],
      emails: [],
    };
  }
  if (env.CLOUDFLARE_EMAIL && env.CLOUDFLARE_API_KEY) {
    return {
      headers: { "x-auth-email": env.CLOUDFLARE_EMAIL, "x-auth-key": env.CLOUDFLARE_API_KEY },
      secrets: [env.CLOUDFLARE_API_KEY],
      emails: [env.CLOUDFLARE_EMAIL],
    };
  }
  throw new Error(
    "set CLOUDFLARE_API_TOKEN (or CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY) to record",
  );
}

/** What a response names that should not be published: the configuration's id, name and peers. */
function learned(body) {
  const result = body && typeof body === "object" ? body.result : undefined;
  if (!result || typeof result !== "object") return { configIds: [], peerIds: [], zoneNames: [] };
  return {
    configIds: typeof result.id === "string" ? [result.id] : [],
    peerIds: Array.isArray(result.peers) ? result.peers.filter((p) => typeof p === "string") : [],
    zoneNames: typeof result.name === "string" ? [result.name] : [],
  };
}

/**
 * Sends the request and returns the scrubbed fixture; writes nothing. `fetch`
 * and `env` are parameters so the recorder can be tested without a network.
 */
export async function record(
  options,
  { env = process.env, fetch = globalThis.fetch, now = new Date() } = {},
) {
  const op = findOperation(options.operation);
  if (!op.path.startsWith("/zones/{zone_id}/")) {
    throw new Error(
      `${options.operation}: only zone operations are recorded here; the account ones (peers, TSIGs, ACLs) come from the emulator: node scripts/record-accounts.mjs`,
    );
  }
  const credentials = credentialsFrom(env);
  const base = (env.CLOUDFLARE_BASE_URL || op.server).replace(/\/+$/, "");
  const url = new URL(base + op.path.replace("{zone_id}", options.zoneId));
  const body = op.takesBody ? { name: options.name, peers: options.peers } : null;
  if (op.takesBody && options.name === undefined)
    throw new Error(`${options.operation} needs --name (and --peer for each peer)`);

  const headers = {
    ...credentials.headers,
    ...(body ? { "content-type": "application/json" } : {}),
  };
  const response = await fetch(url, {
    method: op.method,
    headers,
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  const kept = Object.fromEntries(
    KEPT_HEADERS.flatMap((name) =>
      response.headers.get(name) === null ? [] : [[name, response.headers.get(name)]],
    ),
  );
  let responseBody = text;
  if ((kept["content-type"] ?? "").includes("json")) {
    try {
      responseBody = JSON.parse(text);
    } catch {
      // Not JSON after all: kept as text, which the contract tests will flag.
    }
  }

  const found = learned(responseBody);
  const scrubber = createScrubber({
    secrets: credentials.secrets,
    emails: credentials.emails,
    accountIds: options.accountId ? [options.accountId] : [],
    zoneIds: [options.zoneId],
    configIds: found.configIds,
    peerIds: [...options.peers, ...found.peerIds],
    zoneNames: [...(options.name ? [options.name] : []), ...found.zoneNames],
  });
  const scenario = options.scenario ?? (response.ok ? "recorded" : `recorded-${response.status}`);
  const fixture = scrubber.exchange({
    operationId: op.operationId,
    scenario,
    description:
      options.description ??
      `${op.method} answered ${response.status}, recorded from the live API.`,
    source: `Recorded from the live API on ${now.toISOString().slice(0, 10)} by scripts/record.mjs.`,
    request: { method: op.method, path: url.pathname, headers, body },
    response: { status: response.status, headers: kept, body: responseBody },
  });
  const leaks = scrubber.leaks(fixture);
  if (leaks.length > 0)
    throw new Error(`refusing to write: ${leaks.length} sensitive value(s) survived the scrub`);
  if (!JSON.stringify(fixture.request.headers).includes(REDACTED))
    throw new Error("refusing to write: the credentials header was not scrubbed");
  return fixture;
}

export function fixturePath(fixture, out = join(ROOT, "test/fixtures")) {
  return join(out, fixture.operationId, `${fixture.scenario}.json`);
}

async function main(argv) {
  const options = parseArgs(argv);
  const fixture = await record(options);
  const text = `${JSON.stringify(fixture, null, 2)}\n`;
  if (options.dryRun) {
    process.stdout.write(text);
    return;
  }
  const file = fixturePath(fixture, options.out);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  process.stdout.write(`wrote ${file} (${fixture.response.status})\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
