/**
 * Check 5 of issue 4, property-based: whatever a server answers, the client
 * resolves with a value the spec allows or rejects with a SecondaryDnsError, and
 * never hangs; and valid configurations survive create then get.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ApiError,
  createSecondaryDnsClient,
  SecondaryDnsError,
  ValidationError,
} from "../../src/index.js";
import { strictResults } from "../../src/strict.js";
import { operationById, operations, requestValidator, responseValidator } from "../support/spec.js";
import { envelope, failure, startServer, type TestServer } from "../support/server.js";
import {
  anyResult,
  failureEnvelope,
  identifier,
  successEnvelope,
  VALID_RESULTS,
  zoneInput,
} from "./arbitraries.js";
import { SOA_SERIAL_MAX } from "../../generated/constants.js";
import { OPERATIONS } from "../../generated/operations.js";
import { bodyExample } from "../support/examples.js";
import { CLIENT_CALLS, clientCall, takesBody } from "./client-calls.js";
import { startRawServer, type RawServer } from "./raw-server.js";

const TOKEN = "property-token-0123456789abcdefghijklmn";
const ZONE = "023e105f4ecef8ad9ca31a8372d0c353";
const ACCOUNT = "01a7362d577a6c3019a474fd6f485823";
/** A valid body for the operations whose facade method takes one: the spec's own example. */
const bodyOf = (id: string) => (takesBody(OPERATIONS[id]!.operation) ? bodyExample(id) : undefined);
const CALL_TIMEOUT_MS = 2_000;
const HANG_MS = 6_000;

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

const status = fc.oneof(
  fc.constantFrom(200, 201, 204, 400, 401, 403, 404, 405, 408, 409, 429, 500, 502, 503, 504),
  fc.integer({ min: 200, max: 599 }),
);

const headers = fc
  .record(
    {
      "content-type": fc.constantFrom(
        "application/json",
        "application/json; charset=UTF-8",
        "text/html",
        "text/plain",
        "application/octet-stream",
      ),
      "cf-ray": fc.stringMatching(/^[0-9a-f]{16}-[A-Z]{3}$/),
      "retry-after": fc.oneof(
        fc.nat().map(String),
        fc.constantFrom("soon", "-3", "Wed, 21 Oct 2015 07:28:00 GMT", "99999999999999999999"),
      ),
      "content-encoding": fc.constantFrom("gzip", "br"),
      "x-extra": fc.stringMatching(/^[\x20-\x7e]{0,40}$/),
    },
    { requiredKeys: [] },
  )
  .map((h) => Object.fromEntries(Object.entries(h)) as Record<string, string>);

/** Bodies: valid envelopes (with results good and bad), any JSON, any text, any bytes. */
const body = fc.oneof(
  successEnvelope(anyResult).map(encode),
  failureEnvelope.map(encode),
  fc.jsonValue().map(encode),
  fc.string({ unit: "grapheme", maxLength: 200 }).map((s) => new TextEncoder().encode(s)),
  fc.uint8Array({ maxLength: 512 }),
);

const operationId = fc.constantFrom(...Object.keys(CLIENT_CALLS));

/** Settles the call, or fails loudly if it has not settled in HANG_MS. */
async function settle(promise: Promise<unknown>): Promise<{ value: unknown } | { error: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the call hung for ${HANG_MS} ms`)), HANG_MS);
  });
  try {
    return await Promise.race([
      promise.then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      ),
      hung,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether a resolved value is the result of a valid 200 of the operation. */
/**
 * The client under test: no retries (one answer, one outcome), strict results
 * (a resolved value must be spec-valid), and a timeout so a hang fails fast.
 */
function strictClient(baseUrl: string) {
  return createSecondaryDnsClient({
    apiToken: TOKEN,
    baseUrl,
    accountId: ACCOUNT,
    maxRetries: 0,
    validateResults: strictResults,
    timeoutMs: CALL_TIMEOUT_MS,
  });
}

function isValidResult(id: string, value: unknown): boolean {
  return responseValidator(operationById(id), 200)(envelopeOf(id, value));
}

/** The success envelope of an operation's result; a list's carries its one page's result_info. */
function envelopeOf(id: string, result: unknown) {
  if (!OPERATIONS[id]?.operation.result.endsWith("[]") || !Array.isArray(result))
    return envelope(result);
  const n = result.length;
  return { ...envelope(result), result_info: { count: n, page: 1, per_page: n, total_count: n } };
}

describe("whatever the server answers", () => {
  let raw: RawServer;
  beforeAll(async () => {
    raw = await startRawServer();
  });
  afterAll(() => raw.close());

  it("the client resolves with a schema-valid value or rejects with a SecondaryDnsError", async () => {
    const client = strictClient(raw.baseUrl);
    await fc.assert(
      fc.asyncProperty(operationId, status, headers, body, async (id, code, head, bytes) => {
        raw.reply = { status: code, headers: head, body: bytes };
        const outcome = await settle(clientCall(id)(client, ZONE, bodyOf(id)));
        if ("value" in outcome) {
          expect(code).toBeGreaterThanOrEqual(200);
          expect(code).toBeLessThan(300);
          expect(isValidResult(id, outcome.value), JSON.stringify(outcome.value)).toBe(true);
        } else {
          expect(outcome.error).toBeInstanceOf(SecondaryDnsError);
          // The call went out: its arguments were valid, so the answer decided.
          expect(outcome.error).not.toBeInstanceOf(ValidationError);
          expect(String((outcome.error as Error).message)).not.toContain(TOKEN);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("a valid success envelope resolves to its result; a failure envelope rejects with its codes", async () => {
    const client = strictClient(raw.baseUrl);
    // Each operation's own arbitrary (a Record by result schema, so a new one is asked for).
    const valid = operationId.chain((id) => {
      const results: fc.Arbitrary<unknown> = VALID_RESULTS[OPERATIONS[id]!.operation.result];
      return results
        .filter((result) => isValidResult(id, result))
        .map((result) => [id, result] as const);
    });
    await fc.assert(
      // 407 is left out: fetch itself turns a 407 into a network error (the Fetch
      // standard's proxy-authentication rule), so it arrives as a ConnectionError.
      fc.asyncProperty(
        valid,
        failureEnvelope,
        fc.integer({ min: 400, max: 599 }).filter((c) => c !== 407),
        async ([id, result], failed, code) => {
          const json = { "content-type": "application/json" };
          raw.reply = { status: 200, headers: json, body: encode(envelopeOf(id, result)) };
          // What JSON can carry: fc.jsonValue may draw -0, which travels as 0.
          const carried: unknown = JSON.parse(JSON.stringify(result));
          expect(await settle(clientCall(id)(client, ZONE, bodyOf(id)))).toEqual({
            value: carried,
          });

          raw.reply = { status: code, headers: json, body: encode(failed) };
          const outcome = await settle(clientCall(id)(client, ZONE, bodyOf(id)));
          expect("error" in outcome && outcome.error).toBeInstanceOf(ApiError);
          const error = (outcome as { error: ApiError }).error;
          expect(error.status).toBe(code);
          expect(error.errors.map((e) => e.code)).toEqual(failed.errors.map((e) => e.code));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("near misses the first property may draw", () => {
  let raw: RawServer;
  beforeAll(async () => {
    raw = await startRawServer();
  });
  afterAll(() => raw.close());

  const configured = {
    id: "269d8f4853475ca241c4e730be286b20",
    name: "www.example.com.",
    peers: [],
    soa_serial: 2019102400,
    checked_time: "2019-10-24T17:09:42.883908+01:00",
    created_time: "2019-10-24T17:09:42.883908+01:00",
    last_transferred_time: "2019-10-24T17:09:42.883908+01:00",
  };
  const GET = "secondary-dns-(-primary-zone)-primary-zone-configuration-details";

  // Near misses: values of the right type the spec still refuses. The timestamps
  // match a simple RFC 3339 pattern but name no real instant (a 30th of February,
  // a leap second outside 23:59 UTC).
  const nearMisses: [string, unknown][] = [
    ["last_transferred_time", "2019-02-30T10:00:00.1+01:00"],
    ["last_transferred_time", "2019-02-29T10:00:00Z"],
    ["last_transferred_time", "2019-04-31T00:00:00.5Z"],
    ["last_transferred_time", "2019-10-24T17:09:60.5+01:00"],
    ["soa_serial", "2019102400"],
    ["soa_serial", 4294967296],
    ["name", "www.example.com.."],
    ["peers", ["23ff594956f20c2a721606e94745a8aa", "23ff594956f20c2a721606e94745a8aa"]],
    ["checked_time", "2019-10-24T17:09:42"],
  ];
  it.each(nearMisses)(
    "a result with %s = %j is refused, as the spec refuses it",
    async (key, value) => {
      const result = { ...configured, [key]: value };
      expect(isValidResult(GET, result)).toBe(false);
      const client = strictClient(raw.baseUrl);
      raw.reply = {
        status: 200,
        headers: { "content-type": "application/json" },
        body: encode(envelope(result)),
      };
      expect(await settle(client.outgoing.get(ZONE))).toEqual({ error: expect.any(ApiError) });
    },
  );
});

describe("create then get", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.close());

  it("round-trips any valid configuration", async () => {
    const create = operationById("secondary-dns-(-primary-zone)-create-primary-zone-configuration");
    const validInput = requestValidator(create);
    if (!validInput) throw new Error("create takes a body");
    const client = strictClient(server.baseUrl);

    await fc.assert(
      fc.asyncProperty(
        identifier,
        zoneInput,
        fc.integer({ min: 0, max: SOA_SERIAL_MAX }),
        async (zoneId, input, serial) => {
          expect(validInput(input), JSON.stringify(validInput.errors)).toBe(true);
          // A tiny stateful API: one configuration per zone, as the real one keeps.
          const stored = new Map<string, unknown>();
          server.handle((request) => {
            const zone = /\/zones\/([0-9a-f]{32})\/secondary_dns\/outgoing$/.exec(
              request.path,
            )?.[1];
            if (!zone) return failure(404, 7003, "Could not route");
            if (request.method === "POST") {
              if (stored.has(zone))
                return failure(409, 1004, "Primary zone configuration already exists");
              const { name, peers } = JSON.parse(request.body) as { name: string; peers: string[] };
              const now = "2019-10-24T17:09:42.883908+01:00";
              const config = {
                id: zone.split("").reverse().join(""),
                name,
                peers,
                soa_serial: serial,
                checked_time: now,
                created_time: now,
                last_transferred_time: now,
              };
              stored.set(zone, config);
              return { body: envelope(config) };
            }
            if (request.method === "GET") {
              return stored.has(zone)
                ? { body: envelope(stored.get(zone)) }
                : failure(404, 1003, "Primary zone configuration not found");
            }
            return failure(405, 7001, "Method not available");
          });

          const created = await client.outgoing.create(zoneId, input);
          const read = await client.outgoing.get(zoneId);
          expect(read).toEqual(created);
          expect(read.name).toBe(input.name);
          expect([...read.peers].sort()).toEqual([...input.peers].sort());
          expect(read.soa_serial).toBe(serial);
          expect(isValidResult(create.operationId, read)).toBe(true);
          await expect(client.outgoing.create(zoneId, input)).rejects.toBeInstanceOf(ApiError);
        },
      ),
      { numRuns: 150 },
    );
  });
});

it("the properties drive every operation of the spec", () => {
  expect(Object.keys(CLIENT_CALLS).sort()).toEqual(
    operations()
      .map((o) => o.operationId)
      .sort(),
  );
});
