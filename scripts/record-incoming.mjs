#!/usr/bin/env node
/**
 * Records the fixtures of the incoming operations (get, create, update, delete,
 * force_axfr) and of the DNS settings (zone and account, GET and PATCH) against
 * the local emulator, one per (operation, declared status), as
 * scripts/record-accounts.mjs does for the account resources (and with its
 * helpers):
 *
 *   node scripts/record-incoming.mjs [--out DIR]
 *
 * Each exchange runs on a fresh emulator seeded with the spec's example account.
 * Statuses the emulator never gives for an operation (403; a 404 of a create or
 * of the DNS settings; a 405) are written by hand in the API's shapes and say
 * so in `source`.
 */
import {
  ACCOUNT,
  api,
  exchange,
  failure,
  recordFixtures,
  TOKEN,
  ZONE,
} from "./record-accounts.mjs";

const SOURCE = "Recorded from the emulator (src/emulator) by scripts/record-incoming.mjs.";
const HAND =
  "Hand-written by scripts/record-incoming.mjs: the emulator never answers this operation with this status.";
const PEERS = ["23ff594956f20c2a721606e94745a8aa", "00920f38ce07c2e2f4df50b1f61d4194"];
const MISSING_PEER = "0123456789abcdef0123456789abcdef";
const INCOMING = { name: "www.example.com.", peers: PEERS, auto_refresh_seconds: 86400 };
const ZONE_PATH = `/zones/${ZONE}/secondary_dns`;

/** Each operation: its method, path (with a `{id}` for the zone or account), body and kind. */
const OPERATIONS = {
  "secondary-dns-(-secondary-zone)-secondary-zone-configuration-details": {
    method: "GET",
    path: "/zones/{id}/secondary_dns/incoming",
    body: null,
    kind: "incoming",
    ok: ["configured", "The zone's incoming configuration."],
  },
  "secondary-dns-(-secondary-zone)-create-secondary-zone-configuration": {
    method: "POST",
    path: "/zones/{id}/secondary_dns/incoming",
    body: INCOMING,
    kind: "create",
    ok: ["created", "A new incoming configuration pulling from two primaries."],
  },
  "secondary-dns-(-secondary-zone)-update-secondary-zone-configuration": {
    method: "PUT",
    path: "/zones/{id}/secondary_dns/incoming",
    body: { ...INCOMING, peers: [PEERS[0]], auto_refresh_seconds: 3600 },
    kind: "incoming",
    ok: ["updated", "The configuration after the update: one primary, hourly refresh."],
  },
  "secondary-dns-(-secondary-zone)-delete-secondary-zone-configuration": {
    method: "DELETE",
    path: "/zones/{id}/secondary_dns/incoming",
    body: {},
    kind: "incoming",
    ok: [
      "deleted",
      "The id of the removed configuration (an empty body, as upstream declares it).",
    ],
  },
  "secondary-dns-(-secondary-zone)-force-axfr": {
    method: "POST",
    path: "/zones/{id}/secondary_dns/force_axfr",
    body: null,
    kind: "incoming",
    ok: ["requested", 'The pull was requested: "OK".'],
  },
  "dns-settings-for-a-zone-list-dns-settings": {
    method: "GET",
    path: "/zones/{id}/dns_settings",
    body: null,
    kind: "settings",
    ok: ["defaults", "A zone never changed: Cloudflare's defaults."],
  },
  "dns-settings-for-a-zone-update-dns-settings": {
    method: "PATCH",
    path: "/zones/{id}/dns_settings",
    body: { multi_provider: true, ns_ttl: 3600 },
    kind: "settings",
    ok: ["multi-provider", "multi_provider on and a shorter NS TTL; the rest kept."],
  },
  "dns-settings-for-an-account-list-dns-settings": {
    method: "GET",
    path: "/accounts/{id}/dns_settings",
    body: null,
    kind: "settings",
    ok: ["defaults", "An account never changed: Cloudflare's defaults for its new zones."],
  },
  "dns-settings-for-an-account-update-dns-settings": {
    method: "PATCH",
    path: "/accounts/{id}/dns_settings",
    body: { zone_defaults: { multi_provider: true } },
    kind: "settings",
    ok: ["multi-provider", "New zones of the account get multi_provider on."],
  },
};

const createIncoming = (url) => api(url, "POST", `${ZONE_PATH}/incoming`, INCOMING);

function requestOf(op, { id, body = op.body } = {}) {
  const own = op.path.startsWith("/accounts") ? ACCOUNT : ZONE;
  const path = `/client/v4${op.path.replace("{id}", id ?? own)}`;
  return { method: op.method, path, body: body === null ? null : structuredClone(body) };
}

const hand = (request, response) => () => ({
  request: { ...request, headers: { authorization: `Bearer ${TOKEN}` } },
  response,
  source: HAND,
});

/** The scenarios of one operation: { scenario, description, run(startEmulator) }. */
function scenariosOf(op) {
  const list = [];
  const add = (scenario, description, run) => list.push({ scenario, description, run });
  const request = requestOf(op);
  const prepare = op.kind === "incoming" ? createIncoming : undefined;
  add(op.ok[0], op.ok[1], (start) => exchange(start, request, { prepare }));
  add(
    "unroutable-identifier",
    "400 with code 7003: an identifier that is not 32 lowercase hex characters (the client refuses it before sending).",
    (start) => exchange(start, requestOf(op, { id: "not-an-id" })),
  );
  add400s(op, add);
  add("authentication-error", "401 with code 10000: no valid credentials.", (start) =>
    exchange(start, request, { auth: false }),
  );
  add(
    "no-permission",
    "403 with code 9109: a token without the permission this call needs.",
    hand(request, failure(403, 9109, "Unauthorized to access requested resource")),
  );
  if (op.kind === "incoming") {
    add("not-configured", "404 with code 1003: the zone has no incoming configuration.", (start) =>
      exchange(start, request),
    );
  } else if (op.kind === "create") {
    const message = "Could not route to /zones, perhaps your object identifier is invalid?";
    add(
      "zone-not-found",
      "404: the zone does not exist or is not yours.",
      hand(request, failure(404, 7003, message)),
    );
  }
  add("rate-limited", "429 with code 971 and Retry-After.", (start) =>
    exchange(start, request, { options: { rateLimitShare: 1, retryAfterSeconds: 30 } }),
  );
  add4xx(op, add, request);
  const html = op.method === "GET";
  add(
    html ? "bad-gateway" : "internal-error",
    html ? "502 with a proxy's HTML page." : "500 with code 10001.",
    (start) =>
      exchange(start, request, {
        options: { serverErrorShare: 1, random: html ? () => 0.9 : () => 0 },
      }),
  );
  return list;
}

/** The emulator's own 400s where an operation has a rule that gives one. */
function add400s(op, add) {
  if (op.kind === "create") {
    add(
      "zone-is-primary",
      "400 with code 1015: the zone has an outgoing configuration; a zone is primary or secondary, not both (the emulator's own code).",
      (start) =>
        exchange(start, requestOf(op), {
          prepare: (url) =>
            api(url, "POST", `${ZONE_PATH}/outgoing`, { name: INCOMING.name, peers: [PEERS[0]] }),
        }),
    );
    add(
      "unknown-peer",
      "400 with code 1008: the body names a peer no account has (the emulator's own code).",
      (start) => exchange(start, requestOf(op, { body: { ...INCOMING, peers: [MISSING_PEER] } })),
    );
  }
}

/** A plain 4XX: no rule of the emulator gives one to a request the spec takes, so a 405. */
function add4xx(op, add, request) {
  add(
    "method-not-allowed",
    "405 with code 7001: the method is not available on this route (a plain 4XX).",
    hand(request, failure(405, 7001, `Method ${op.method} not available for that URI.`)),
  );
}

const main = (argv) =>
  recordFixtures(
    argv,
    Object.entries(OPERATIONS).map(([operationId, op]) => [operationId, scenariosOf(op)]),
    { secrets: [TOKEN], source: SOURCE },
  );

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
