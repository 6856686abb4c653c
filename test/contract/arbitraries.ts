/**
 * fast-check arbitraries of the API's values: identifiers, DNS names, valid
 * configurations and envelopes, and the near misses and garbage a server or a
 * proxy might send instead.
 */
import fc from "fast-check";
import {
  MAX_PEERS,
  PORT_MAX,
  PORT_MIN,
  SOA_SERIAL_MAX,
  TSIG_ALGORITHMS,
} from "../../generated/constants.js";
import type { ResultSchema } from "../../generated/operations.js";
import { resultExamplesBySchema } from "../support/examples.js";
import { DEFAULT_SETTINGS } from "../../src/emulator/handlers/dns-settings.js";

export const identifier = fc.stringMatching(/^[0-9a-f]{32}$/);

const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,14}[a-z0-9])?$/);
/** A DNS name of the spec's DnsName, with or without the trailing dot. */
export const dnsName = fc
  .tuple(fc.array(label, { minLength: 1, maxLength: 5 }), fc.boolean())
  .map(([labels, dot]) => `${labels.join(".")}${dot ? "." : ""}`);

/** What create and update take: a name and up to MAX_PEERS distinct peers. */
export const zoneInput = fc.record({
  name: dnsName,
  peers: fc.uniqueArray(identifier, { maxLength: MAX_PEERS }),
});

const timestamp = fc
  .date({
    min: new Date("2000-01-01T00:00:00Z"),
    max: new Date("2099-12-31T23:59:59Z"),
    noInvalidDate: true,
  })
  .chain((date) =>
    fc
      .tuple(
        fc.integer({ min: 0, max: 999_999 }),
        fc.constantFrom("Z", "+01:00", "-07:30", "+00:00"),
      )
      .map(
        ([micros, offset]) =>
          `${date.toISOString().slice(0, 19)}.${String(micros).padStart(6, "0")}${offset}`,
      ),
  );

export const outgoingZone = fc.record({
  id: identifier,
  name: dnsName,
  peers: fc.uniqueArray(identifier, { maxLength: MAX_PEERS }),
  soa_serial: fc.integer({ min: 0, max: SOA_SERIAL_MAX }),
  checked_time: timestamp,
  created_time: timestamp,
  last_transferred_time: timestamp,
});

export const incomingZone = fc.record({
  id: identifier,
  name: dnsName,
  peers: fc.uniqueArray(identifier, { maxLength: MAX_PEERS }),
  auto_refresh_seconds: fc.integer({ min: 1, max: SOA_SERIAL_MAX }),
  soa_serial: fc.integer({ min: 0, max: SOA_SERIAL_MAX }),
  checked_time: timestamp,
  created_time: timestamp,
  modified_time: timestamp,
});

/** A zone's DNS settings: the emulator's defaults with the settings that matter here drawn. */
export const zoneDnsSettings = fc
  .record({ multi_provider: fc.boolean(), ns_ttl: fc.integer({ min: 30, max: 86400 }) })
  .map((drawn) => ({ ...structuredClone(DEFAULT_SETTINGS), ...drawn }));

const name = fc.string({ minLength: 1, maxLength: 30 });
const octet = fc.integer({ min: 0, max: 255 });

export const peer = fc.record(
  {
    id: identifier,
    name,
    ip: fc.oneof(fc.ipV4(), fc.ipV6()),
    port: fc.integer({ min: PORT_MIN, max: PORT_MAX }),
    ixfr_enable: fc.boolean(),
    tsig_id: identifier,
  },
  { requiredKeys: ["id", "name"] },
);

export const tsig = fc.record({
  id: identifier,
  name: dnsName.map((n) => (n.endsWith(".") ? n : `${n}.`)),
  algo: fc.constantFrom(...TSIG_ALGORITHMS),
  secret: fc.base64String({ minLength: 4, maxLength: 88 }),
});

export const acl = fc.record({
  id: identifier,
  name,
  ip_range: fc
    .tuple(octet, octet, octet, octet, fc.integer({ min: 24, max: 32 }))
    .map(([a, b, c, d, bits]) => `${a}.${b}.${c}.${d}/${bits}`),
});

/** Cloudflare's IP ranges (GET /ips): IPv4 and IPv6 CIDRs and an etag. */
export const cloudflareIps = fc.record({
  ipv4_cidrs: fc.array(
    fc
      .tuple(octet, octet, octet, octet, fc.integer({ min: 0, max: 32 }))
      .map(([a, b, c, d, bits]) => `${a}.${b}.${c}.${d}/${bits}`),
    { maxLength: 3 },
  ),
  ipv6_cidrs: fc.array(
    fc
      .tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 128 }))
      .map(([group, bits]) => `2001:db8:${group.toString(16)}::/${bits}`),
    { maxLength: 3 },
  ),
  etag: fc.stringMatching(/^[0-9a-f]{32}$/),
});

/** Arbitraries of their own for the result schemas where the spec's examples are too few to probe with. */
const HAND_RESULTS: Partial<Record<ResultSchema, fc.Arbitrary<unknown>>> = {
  OutgoingZone: outgoingZone,
  DeleteResult: fc.record({ id: identifier }),
  ActionResult: fc.constantFrom("Enabled", "Disabled", "OK"),
  TransferStatus: fc.constantFrom("Enabled", "Disabled"),
  Peer: peer,
  "Peer[]": fc.array(peer, { maxLength: 3 }),
  Tsig: tsig,
  "Tsig[]": fc.array(tsig, { maxLength: 3 }),
  Acl: acl,
  "Acl[]": fc.array(acl, { maxLength: 3 }),
  CloudflareIps: cloudflareIps,
  IncomingZone: incomingZone,
  ZoneDnsSettings: zoneDnsSettings,
  AccountDnsSettings: zoneDnsSettings.map((zone_defaults) => ({ zone_defaults })),
};

/**
 * A valid result of each of the spec's result schemas (generated/operations.ts's
 * ResultSchema): the arbitrary above, else one of the spec's own example results
 * of the operations that answer with it, so a new schema needs no edit here.
 */
export const VALID_RESULTS = Object.fromEntries(
  Object.entries(resultExamplesBySchema()).map(([schema, examples]) => [
    schema,
    HAND_RESULTS[schema as ResultSchema] ?? fc.constantFrom(...examples),
  ]),
) as Record<ResultSchema, fc.Arbitrary<unknown>>;

/** An account resource with one field changed to a near miss the spec refuses. */
const nearMissResource = fc.oneof(
  fc
    .tuple(
      peer,
      fc.constantFrom<[string, unknown]>(
        ["ip", "999.1.1.1"],
        ["port", 0],
        ["port", 70000],
        ["ixfr_enable", "false"],
        ["tsig_id", "69CD1E104AF3E6ED3CB344F263FD0D5A"],
        ["name", ""],
      ),
    )
    .map(([value, [key, bad]]) => ({ ...value, [key]: bad })),
  fc
    .tuple(
      tsig,
      fc.constantFrom<[string, unknown]>(
        ["algo", "hmac-sha256"],
        ["name", "tsig.example.com"],
        ["secret", ""],
      ),
    )
    .map(([value, [key, bad]]) => ({ ...value, [key]: bad })),
  fc
    .tuple(acl, fc.constantFrom("127.0.0.0/23", "::1/63", "127.0.0.1"))
    .map(([value, range]) => ({ ...value, ip_range: range })),
);

const message = fc.record(
  { code: fc.integer({ min: 0, max: 100_000 }), message: fc.string({ minLength: 1 }) },
  { requiredKeys: ["code", "message"] },
);

export const successEnvelope = (result: fc.Arbitrary<unknown>) =>
  fc.record({
    success: fc.constant(true),
    errors: fc.constant([]),
    messages: fc.array(message, { maxLength: 2 }),
    result,
  });

export const failureEnvelope = fc.record({
  success: fc.constant(false),
  errors: fc.array(message, { minLength: 1, maxLength: 3 }),
  messages: fc.array(message, { maxLength: 2 }),
  result: fc.constant(null),
});

/** A valid result of any operation, or something close to one. */
export const anyResult = fc.oneof(
  ...Object.values(VALID_RESULTS),
  cloudflareIps.map((ips) => ({ ...ips, ipv4_cidrs: ["2001:db8::/32"] })),
  fc.array(fc.oneof(peer, tsig, acl), { maxLength: 3 }),
  nearMissResource,
  fc.array(nearMissResource, { minLength: 1, maxLength: 2 }),
  fc.string(),
  // One field of a configuration changed to a near miss or to any JSON.
  fc
    .tuple(
      outgoingZone,
      fc.constantFrom(
        "id",
        "name",
        "peers",
        "soa_serial",
        "checked_time",
        "created_time",
        "last_transferred_time",
      ),
      fc.oneof(
        fc.constantFrom(
          "2019-02-30T10:00:00.1+01:00",
          "2019-10-24T24:00:00Z",
          "2019-10-24T17:09:60.5+01:00",
          "2019-10-24T17:09:42",
          -1,
          4294967296,
          2019102400.5,
          "2019102400",
          "www.example.com..",
          "-bad.example.",
          ["23ff594956f20c2a721606e94745a8aa", "23ff594956f20c2a721606e94745a8aa"],
        ),
        fc.jsonValue(),
      ),
    )
    .map(([zone, key, value]) => ({ ...zone, [key]: value })),
  fc.jsonValue(),
);
