import { describe, expect, it } from "vitest";
import {
  ApiError,
  createSecondaryDnsClient,
  TimeoutError,
  ValidationError,
  VERSION,
} from "../../src/index.js";
import { rawClient } from "../../src/raw.js";
import { OPERATIONS, type BodySchema, type ResultSchema } from "../../generated/operations.js";
import { clientCall, parameterNames } from "../contract/client-calls.js";
import { DEFAULT_SETTINGS } from "../../src/emulator/handlers/dns-settings.js";
import { envelope, PEER_A, PEER_B, sampleZone, ZONE, serverForTests } from "../support/server.js";

const server = serverForTests();

const token = "test-token-0123456789abcdef";
const ACCOUNT = "01a7362d577a6c3019a474fd6f485823";

const peer = {
  id: PEER_A,
  name: "ns1-backup",
  ip: "127.0.0.2",
  port: 53,
  ixfr_enable: false,
  tsig_id: "69cd1e104af3e6ed3cb344f263fd0d5a",
};
const tsig = {
  id: "69cd1e104af3e6ed3cb344f263fd0d5a",
  name: "tsig.example.com.",
  algo: "hmac-sha256.",
  secret: "l3qJr97PJWH4YV4k2uPsiVuPfmmcjV1t+8HbhItnu9U=",
};
const acl = { id: "b4ae99a55280e68a888defc35bb0cf97", name: "local", ip_range: "127.0.0.16/28" };
const without = ({ id: _, ...rest }: { id: string }) => rest;

/** A body of each schema, as the caller passes it and the server gets it. */
const BODIES: Record<BodySchema, { passed: unknown; sent: unknown }> = {
  OutgoingZoneInput: {
    passed: { name: "www.example.com.", peers: [PEER_A, PEER_B] },
    sent: { name: "www.example.com.", peers: [PEER_A, PEER_B] },
  },
  PeerInput: { passed: without(peer), sent: without(peer) },
  TsigInput: { passed: without(tsig), sent: without(tsig) },
  AclInput: { passed: without(acl), sent: without(acl) },
  // The facade's delete takes no body; it sends `{}`, as Cloudflare's schema asks.
  EmptyBody: { passed: undefined, sent: {} },
  IncomingZoneInput: {
    passed: { name: "www.example.com.", peers: [PEER_A], auto_refresh_seconds: 86400 },
    sent: { name: "www.example.com.", peers: [PEER_A], auto_refresh_seconds: 86400 },
  },
  ZoneDnsSettingsInput: { passed: { multi_provider: true }, sent: { multi_provider: true } },
  AccountDnsSettingsInput: {
    passed: { zone_defaults: { ns_ttl: 3600 } },
    sent: { zone_defaults: { ns_ttl: 3600 } },
  },
};

/** A result of each schema, as the server answers it. */
const SAMPLES: Record<ResultSchema, unknown> = {
  OutgoingZone: sampleZone,
  DeleteResult: { id: sampleZone.id },
  ActionResult: "OK",
  TransferStatus: "Enabled",
  Peer: peer,
  "Peer[]": [peer, { id: PEER_B, name: "ns2" }],
  Tsig: tsig,
  "Tsig[]": [tsig],
  Acl: acl,
  "Acl[]": [acl, { ...acl, id: "e6af8abf1b1b121a68af5bd7d52df413", ip_range: "::1/128" }],
  CloudflareIps: { ipv4_cidrs: ["192.0.2.0/24"], ipv6_cidrs: ["2001:db8::/32"], etag: "e1" },
  IncomingZone: {
    id: sampleZone.id,
    name: sampleZone.name,
    peers: sampleZone.peers,
    auto_refresh_seconds: 86400,
    soa_serial: sampleZone.soa_serial,
    checked_time: sampleZone.checked_time,
    created_time: sampleZone.created_time,
    modified_time: sampleZone.created_time,
  },
  ZoneDnsSettings: DEFAULT_SETTINGS,
  AccountDnsSettings: { zone_defaults: DEFAULT_SETTINGS },
};

// Each method of the facade, from the operations table: what it must send, and
// what the server answers. Every path parameter gets an id of its own, so a
// swapped parameter shows.
const cases = Object.entries(OPERATIONS)
  .filter(([, info]) => info.resource !== undefined)
  .map(([operationId, { resource, method: name, operation }]) => {
    const names = parameterNames(operation.path);
    const ids = Object.fromEntries(
      names.map((param, i) => [
        param,
        param === "accountId" ? ACCOUNT : `${ZONE.slice(0, 31)}${i}`,
      ]),
    );
    const path = `/client/v4${operation.path.replace(/\{(\w+)\}/g, (_, p: string) => ids[p.replace(/_(\w)/g, (_m, c: string) => c.toUpperCase())]!)}`;
    return {
      name: `${resource}.${name}`,
      call: (c: Client) =>
        clientCall(operationId)(c, ids, operation.body && BODIES[operation.body].passed),
      method: operation.method,
      path,
      sent: operation.body && BODIES[operation.body].sent,
      result: SAMPLES[operation.result],
    };
  });
type Client = ReturnType<typeof createSecondaryDnsClient>;

describe.each(cases)("$name", ({ call, method, path, sent, result }) => {
  it(`sends ${method} with the right path, headers and body, and returns the unwrapped result`, async () => {
    server.handle(() => ({ body: envelope(result) }));
    const client = createSecondaryDnsClient({
      apiToken: token,
      baseUrl: server.baseUrl,
      userAgent: "tests/1",
    });
    const before = server.requests.length;

    await expect(call(client)).resolves.toEqual(result);

    expect(server.requests).toHaveLength(before + 1);
    const request = server.requests.at(-1)!;
    expect(request.method).toBe(method);
    expect(request.path).toBe(path);
    expect(request.headers.authorization).toBe(`Bearer ${token}`);
    expect(request.headers["user-agent"]).toBe(`cf-secondary-dns/${VERSION} tests/1`);
    expect(request.headers["x-auth-key"]).toBeUndefined();
    if (sent === undefined) {
      expect(request.body).toBe("");
      expect(request.headers["content-type"]).toBeUndefined();
    } else {
      expect(JSON.parse(request.body)).toEqual(sent);
      expect(request.headers["content-type"]).toBe("application/json");
    }
  });
});

describe("authentication", () => {
  it("sends X-Auth-Email and X-Auth-Key for a Global API Key, and no Authorization", async () => {
    server.handle(() => ({ body: envelope("Enabled") }));
    const client = createSecondaryDnsClient({
      apiEmail: "ops@example.com",
      apiKey: "key-0123456789",
      baseUrl: server.baseUrl,
    });
    await client.outgoing.status(ZONE);
    const request = server.requests.at(-1)!;
    expect(request.headers["x-auth-email"]).toBe("ops@example.com");
    expect(request.headers["x-auth-key"]).toBe("key-0123456789");
    expect(request.headers.authorization).toBeUndefined();
  });
});

describe("rawClient (cf-secondary-dns/raw)", () => {
  it("is the typed openapi-fetch client with the same auth, returning the whole response", async () => {
    server.handle(() => ({
      status: 404,
      body: {
        success: false,
        errors: [{ code: 1003, message: "not found" }],
        messages: [],
        result: null,
      },
    }));
    const client = rawClient(
      createSecondaryDnsClient({ apiToken: token, baseUrl: server.baseUrl }),
    );
    const { data, error, response } = await client.GET("/zones/{zone_id}/secondary_dns/outgoing", {
      params: { path: { zone_id: ZONE } },
    });
    expect(data).toBeUndefined();
    expect(response.status).toBe(404);
    // The 5XX response may be HTML, so the error type is the envelope or a string.
    expect(typeof error === "object" ? error.errors[0]?.code : error).toBe(1003);
    expect(server.requests.at(-1)!.headers.authorization).toBe(`Bearer ${token}`);
  });

  it("rejects an HTML page on a 200 with an ApiError, not openapi-fetch's SyntaxError", async () => {
    server.handle(() => ({ body: "<html><body><h1>Please sign in</h1></body></html>" }));
    const client = rawClient(
      createSecondaryDnsClient({ apiToken: token, baseUrl: server.baseUrl }),
    );
    const error = await client
      .GET("/zones/{zone_id}/secondary_dns/outgoing/status", {
        params: { path: { zone_id: ZONE } },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toBe(
      `GET /zones/${ZONE}/secondary_dns/outgoing/status failed with 200: the body is not JSON: Please sign in (cf-ray 8c1f3b2e9d4a51f2-LHR)`,
    );
  });

  it("times out like the facade does", async () => {
    server.handle(() => ({ delayMs: 1000, body: envelope("OK") }));
    const client = rawClient(
      createSecondaryDnsClient({
        apiToken: token,
        baseUrl: server.baseUrl,
        timeoutMs: 100,
        maxRetries: 0,
      }),
    );
    await expect(
      client.POST("/zones/{zone_id}/secondary_dns/outgoing/force_notify", {
        params: { path: { zone_id: ZONE } },
      }),
    ).rejects.toBeInstanceOf(TimeoutError);
  });

  it("is made only from a client of createSecondaryDnsClient; the client has no raw of its own", () => {
    expect(() => rawClient({} as never)).toThrow(ValidationError);
    expect(() => rawClient({} as never)).toThrow(
      "Invalid client: must be a client made by createSecondaryDnsClient",
    );
    expect("raw" in createSecondaryDnsClient({ apiToken: token })).toBe(false);
  });

  it("retries an idempotent GET like the facade does", async () => {
    let calls = 0;
    server.handle(() =>
      ++calls === 1
        ? { status: 503, headers: { "retry-after": "0" }, body: "" }
        : { body: envelope(sampleZone) },
    );
    const client = rawClient(
      createSecondaryDnsClient({ apiToken: token, baseUrl: server.baseUrl }),
    );
    const { data } = await client.GET("/zones/{zone_id}/secondary_dns/outgoing", {
      params: { path: { zone_id: ZONE } },
    });
    expect(data?.result.id).toBe(sampleZone.id);
    expect(calls).toBe(2);
  });
});
