#!/usr/bin/env node
/**
 * Records the fixtures of the 15 account operations (peers, TSIGs, ACLs),
 * and of the public GET /ips, against the local emulator, one per
 * (operation, declared status):
 *
 *   node scripts/record-accounts.mjs [--out DIR]
 *
 * scripts/record.mjs records one exchange with the live API; no Enterprise
 * account was at hand, so these come from the emulator (src/emulator, bundled
 * here with esbuild), each exchange from a fresh emulator seeded with the
 * spec's example account. Statuses the emulator never gives for an operation
 * (403, a 404 of a list or create, a 4XX where no rule of the emulator
 * applies) are written by hand in the emulator's and the API's shapes, and say
 * so in `source`. Everything goes through scripts/scrub.mjs like a recording:
 * the token and every TSIG secret become "[REDACTED]".
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { root } from "./run-tool.mjs";
import { createScrubber, REDACTED } from "./scrub.mjs";

export const TOKEN = "recording-token-0123456789abcdef";
export const ACCOUNT = "01a7362d577a6c3019a474fd6f485823";
const IDS = {
  peers: "23ff594956f20c2a721606e94745a8aa",
  tsigs: "69cd1e104af3e6ed3cb344f263fd0d5a",
  acls: "b4ae99a55280e68a888defc35bb0cf97",
};
export const MISSING = "0123456789abcdef0123456789abcdef";
export const ZONE = "023e105f4ecef8ad9ca31a8372d0c353";
const BODIES = {
  peers: { name: "ns3-backup", ip: "192.0.2.4", port: 53, ixfr_enable: false, tsig_id: IDS.tsigs },
  tsigs: {
    name: "tsig2.example.com.",
    algo: "hmac-sha256.",
    secret: "pQ8nS3rX0vY2mF6tJ9wL4kB7cD1eG5hA0zU3iO6qR2s=",
  },
  acls: { name: "local-transfers-2", ip_range: "192.0.2.32/28" },
};
const OPERATION_IDS = {
  peers: {
    list: "secondary-dns-(-peer)-list-peers",
    create: "secondary-dns-(-peer)-create-peer",
    get: "secondary-dns-(-peer)-peer-details",
    update: "secondary-dns-(-peer)-update-peer",
    delete: "secondary-dns-(-peer)-delete-peer",
  },
  tsigs: {
    list: "secondary-dns-(-tsig)-list-tsi-gs",
    create: "secondary-dns-(-tsig)-create-tsig",
    get: "secondary-dns-(-tsig)-tsig-details",
    update: "secondary-dns-(-tsig)-update-tsig",
    delete: "secondary-dns-(-tsig)-delete-tsig",
  },
  acls: {
    list: "secondary-dns-(-acl)-list-ac-ls",
    create: "secondary-dns-(-acl)-create-acl",
    get: "secondary-dns-(-acl)-acl-details",
    update: "secondary-dns-(-acl)-update-acl",
    delete: "secondary-dns-(-acl)-delete-acl",
  },
};
const METHODS = { list: "GET", create: "POST", get: "GET", update: "PUT", delete: "DELETE" };
const KEPT_HEADERS = ["cf-ray", "content-type", "retry-after", "allow"];
export const SOURCE = "Recorded from the emulator (src/emulator) by scripts/record-accounts.mjs.";
const HAND =
  "Hand-written by scripts/record-accounts.mjs: the emulator never answers this operation with this status.";

/**
 * The emulator, bundled from this checkout's src/ into its own dist/ (ignored by
 * git). Not node_modules/.cache: where node_modules is a link to another checkout's
 * (a git worktree), Node loads the bundle from the link's target, and the emulator,
 * which looks for generated/openapi.json in the folders above itself, would read
 * that checkout's spec. Its packages resolve through this checkout's node_modules.
 */
export async function loadEmulator() {
  const outfile = join(root, "dist", "record-accounts", "emulator.mjs");
  await build({
    entryPoints: [join(root, "src", "emulator", "index.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    packages: "external",
    outfile,
    logLevel: "silent",
  });
  return import(`${pathToFileURL(outfile).href}?${Date.now()}`);
}

function pathOf(resource, method, { account = ACCOUNT, id = IDS[resource] } = {}) {
  const base = `/client/v4/accounts/${account}/secondary_dns/${resource}`;
  return method === "list" || method === "create" ? base : `${base}/${id}`;
}

function bodyOf(resource, method) {
  if (method === "create" || method === "update") return structuredClone(BODIES[resource]);
  return method === "delete" ? {} : null;
}

/**
 * One exchange with a fresh emulator. `prepare(url)` sets up state first;
 * `auth: false` leaves the credentials out (the fixture still shows the header,
 * scrubbed: the replay sends one, and the recorded answer is what counts);
 * `auth: "none"` neither sends nor shows one (a public operation). `extra`
 * headers are sent but not shown, likewise.
 */
export async function exchange(
  startEmulator,
  request,
  { options = {}, prepare, auth = true, extra = {} } = {},
) {
  const emulator = await startEmulator(options);
  try {
    if (prepare) await prepare(emulator.url);
    const headers = {
      ...(auth === "none" ? {} : { authorization: `Bearer ${TOKEN}` }),
      ...(request.body === null ? {} : { "content-type": "application/json" }),
    };
    const sent = { ...headers, ...extra };
    if (auth !== true) delete sent.authorization;
    const response = await fetch(emulator.url.replace(/\/client\/v4$/, "") + request.path, {
      method: request.method,
      headers: sent,
      body: request.body === null ? undefined : JSON.stringify(request.body),
    });
    const text = await response.text();
    const kept = Object.fromEntries(
      KEPT_HEADERS.flatMap((name) =>
        response.headers.get(name) === null ? [] : [[name, response.headers.get(name)]],
      ),
    );
    const json = (kept["content-type"] ?? "").includes("json");
    return {
      request: { ...request, headers },
      response: { status: response.status, headers: kept, body: json ? JSON.parse(text) : text },
    };
  } finally {
    await emulator.close();
  }
}

export const failure = (status, code, message, headers = {}) => ({
  status,
  headers: {
    "cf-ray": "8c1f3b35ce22d3db-FRA",
    "content-type": "application/json; charset=UTF-8",
    ...headers,
  },
  body: { success: false, errors: [{ code, message }], messages: [], result: null },
});

/** Calls the emulator as a setup step, failing loudly. */
export async function api(url, method, path, body) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const envelope = await response.json();
  if (!envelope.success) throw new Error(`setup ${method} ${path}: ${JSON.stringify(envelope)}`);
  return envelope.result;
}

/** The scenarios of one operation: [scenario, description, how]. */
function scenariosOf(resource, method) {
  const request = (overrides = {}) => ({
    method: METHODS[method],
    path: pathOf(resource, method, overrides),
    body: bodyOf(resource, method),
  });
  const noun = { peers: "peer", tsigs: "TSIG", acls: "ACL" }[resource];
  const list = [];
  const add = (scenario, description, run) => list.push({ scenario, description, run });

  // 200
  const success = {
    list: `Every ${noun} of the example account, with result_info.`,
    create: `The new ${noun}.`,
    get: `One ${noun} of the example account.`,
    update: `The ${noun} after the update.`,
    delete: `The id of the removed ${noun}.`,
  }[method];
  add(
    method === "list" ? "listed" : `${method === "get" ? "found" : `${method}d`}`,
    success,
    (start) => {
      // The example TSIG is used by the example peers: take it off them before deleting it.
      const prepare =
        resource === "tsigs" && method === "delete"
          ? async (url) => {
              for (const peer of await api(
                url,
                "GET",
                `/accounts/${ACCOUNT}/secondary_dns/peers`,
              )) {
                const { id, tsig_id: _, ...rest } = peer;
                await api(url, "PUT", `/accounts/${ACCOUNT}/secondary_dns/peers/${id}`, rest);
              }
            }
          : undefined;
      return exchange(start, request(), { prepare });
    },
  );

  // 400
  add(
    "unroutable-identifier",
    "400 with code 7003: an identifier that is not 32 lowercase hex characters (the client refuses it before sending).",
    (start) =>
      exchange(
        start,
        method === "list" || method === "create"
          ? request({ account: "not-an-account" })
          : request({ id: "not-an-id" }),
      ),
  );
  if (resource === "peers" && (method === "create" || method === "update")) {
    add(
      "unknown-tsig",
      "400: the body names a TSIG the account does not have (the emulator's own code).",
      (start) => exchange(start, { ...request(), body: { ...BODIES.peers, tsig_id: MISSING } }),
    );
  }

  // 401
  add("authentication-error", "401 with code 10000: no valid credentials.", (start) =>
    exchange(start, request(), { auth: false }),
  );

  // 403
  add("no-permission", "403 with code 9109: a token without Account Settings permission.", () => ({
    request: { ...request(), headers: { authorization: `Bearer ${TOKEN}` } },
    response: failure(403, 9109, "Unauthorized to access requested resource"),
    source: HAND,
  }));

  // 404
  if (method === "list" || method === "create") {
    add("account-not-found", "404: the account does not exist or is not yours.", () => ({
      request: { ...request(), headers: { authorization: `Bearer ${TOKEN}` } },
      response: failure(
        404,
        7003,
        "Could not route to /accounts, perhaps your object identifier is invalid?",
      ),
      source: HAND,
    }));
  } else {
    add(
      `${noun.toLowerCase()}-not-found`,
      `404: the account has no ${noun} with that id.`,
      (start) => exchange(start, request({ id: MISSING })),
    );
  }

  // 429
  add("rate-limited", "429 with code 971 and Retry-After.", (start) =>
    exchange(start, request(), { options: { rateLimitShare: 1, retryAfterSeconds: 30 } }),
  );

  // 4XX
  if (resource === "peers" && method === "delete") {
    add(
      "in-use",
      "409: the peer is listed in a zone's outgoing configuration (the emulator's choice).",
      (start) =>
        exchange(start, request(), {
          prepare: (url) =>
            api(url, "POST", `/zones/${ZONE}/secondary_dns/outgoing`, {
              name: "www.example.com.",
              peers: [IDS.peers],
            }),
        }),
    );
  } else if (resource === "tsigs" && method === "delete") {
    add("in-use", "409: a peer of the account uses the TSIG (the emulator's choice).", (start) =>
      exchange(start, request()),
    );
  } else {
    add(
      "method-not-allowed",
      "405 with code 7001: the method is not available on this route (a plain 4XX).",
      () => ({
        request: { ...request(), headers: { authorization: `Bearer ${TOKEN}` } },
        response: failure(405, 7001, `Method ${METHODS[method]} not available for that URI.`),
        source: HAND,
      }),
    );
  }

  // 5XX: an envelope (500) for writes, a proxy's HTML page (502) for reads.
  const html = method === "list" || method === "get";
  add(
    html ? "bad-gateway" : "internal-error",
    html ? "502 with a proxy's HTML page." : "500 with code 10001.",
    (start) =>
      exchange(start, request(), {
        options: { serverErrorShare: 1, random: html ? () => 0.9 : () => 0 },
      }),
  );
  return list;
}

const IPS_ID = "cloudflare-i-ps-cloudflare-ip-details";

/** The scenarios of the public GET /ips, sent as the client sends it: with no credentials. */
function ipsScenarios() {
  const request = { method: "GET", path: "/client/v4/ips", body: null };
  const run = (options) => (start) => exchange(start, request, { options, auth: "none" });
  return [
    {
      scenario: "published",
      description: "Cloudflare's published ranges, as the emulator answers them (no credentials).",
      run: run({}),
    },
    {
      scenario: "rate-limited",
      description: "429 with code 971 and Retry-After.",
      run: run({ rateLimitShare: 1, retryAfterSeconds: 30 }),
    },
    {
      scenario: "headers-too-large",
      description: "431 with code 1014: request headers over 16 KB (a plain 4XX).",
      run: (start) =>
        exchange(start, request, { auth: "none", extra: { "x-padding": "a".repeat(17_000) } }),
    },
    {
      scenario: "bad-gateway",
      description: "502 with a proxy's HTML page.",
      run: run({ serverErrorShare: 1, random: () => 0.9 }),
    },
  ];
}

/** Every operation's scenarios: [operationId, scenarios]. */
function everyScenario() {
  const out = [];
  for (const [resource, methods] of Object.entries(OPERATION_IDS)) {
    for (const [method, operationId] of Object.entries(methods))
      out.push([operationId, scenariosOf(resource, method)]);
  }
  out.push([IPS_ID, ipsScenarios()]);
  return out;
}

/**
 * Records every scenario's exchange as a fixture under `--out DIR` (default
 * test/fixtures): scrubbed of `secrets`, refused if anything leaks or if the
 * token was not scrubbed (or, for an `anonymous` operation, was sent at all).
 * `scenarios` is a list of [operationId, scenarios]; record-incoming.mjs uses it too.
 */
export async function recordFixtures(argv, scenarios, { secrets, source, anonymous = [] }) {
  const out = argv[0] === "--out" && argv[1] ? argv[1] : join(root, "test", "fixtures");
  const { startEmulator } = await loadEmulator();
  const scrubber = createScrubber({ secrets });
  let count = 0;
  for (const [operationId, list] of scenarios) {
    for (const { scenario, description, run } of list) {
      const { request, response, source: from = source } = await run(startEmulator);
      const fixture = scrubber.exchange({
        operationId,
        scenario,
        description,
        source: from,
        request,
        response,
      });
      if (scrubber.leaks(fixture).length > 0) throw new Error(`${operationId}/${scenario} leaks`);
      const credentials = !anonymous.includes(operationId);
      if (credentials !== JSON.stringify(fixture.request.headers).includes(REDACTED))
        throw new Error(`${operationId}/${scenario}: the token was not scrubbed, or was sent`);
      const file = join(out, operationId, `${scenario}.json`);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, `${JSON.stringify(fixture, null, 2)}\n`);
      count++;
    }
  }
  process.stdout.write(`wrote ${count} fixtures under ${out}\n`);
}

const main = (argv) =>
  recordFixtures(argv, everyScenario(), {
    secrets: [TOKEN, BODIES.tsigs.secret],
    source: SOURCE,
    anonymous: [IPS_ID],
  });

// Run as a script; scripts/record-incoming.mjs imports the helpers above.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main(process.argv.slice(2)).catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
