// Regression tests for the defects of issue 10 (and issue 12's item 10): each was
// reproduced on the client before the fix.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import {
  ApiError,
  ConnectionError,
  createSecondaryDnsClient,
  TimeoutError,
  type ClientOptions,
} from "../../src/index.js";
import { rawClient } from "../../src/raw.js";
import { MAX_BODY_BYTES, parseRetryAfter } from "../../src/client/transport.js";
import { envelope, sampleZone, serverForTests, ZONE, type Reply } from "../support/server.js";

const api = serverForTests();
const elsewhere = serverForTests();

const TOKEN = "tok-hardening-0123456789";
const EMAIL = "ops@example.com";
const KEY = "key-hardening-0123456789";
const STATUS = `/zones/{zone_id}/secondary_dns/outgoing/status` as const;

const client = (options: ClientOptions = {}) =>
  createSecondaryDnsClient({ apiToken: TOKEN, baseUrl: api.baseUrl, maxRetries: 0, ...options });

async function settle<T>(work: Promise<T>): Promise<unknown> {
  return work.then(
    () => "resolved",
    (error: unknown) => error,
  );
}

describe("middleware on the raw client", () => {
  it("a clone-and-read logger leaves facade and raw calls intact", async () => {
    api.handle(() => ({ body: envelope(sampleZone) }));
    const c = client();
    const raw = rawClient(c);
    const logged: string[] = [];
    raw.use({
      onResponse: async ({ response }) => {
        logged.push(await response.clone().text());
      },
    });
    await expect(c.outgoing.get(ZONE)).resolves.toEqual(sampleZone);
    await expect(c.outgoing.create(ZONE, { name: "a.example.", peers: [] })).resolves.toEqual(
      sampleZone,
    );
    const { data } = await raw.GET("/zones/{zone_id}/secondary_dns/outgoing", {
      params: { path: { zone_id: ZONE } },
    });
    expect(data?.result).toEqual(sampleZone);
    // The facade's calls do not go through raw's middleware; raw's do.
    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0]!).result).toEqual(sampleZone);
  });

  it("an onRequest middleware that drops the signal cannot defeat the timeout", async () => {
    api.handle(() => ({ delayMs: 600, body: envelope("OK") }));
    const c = client({ timeoutMs: 100 });
    const raw = rawClient(c);
    raw.use({
      onRequest: ({ request }) =>
        new Request(request.url, { method: request.method, headers: request.headers }),
    });
    let started = Date.now();
    const viaRaw = await settle(raw.GET(STATUS, { params: { path: { zone_id: ZONE } } }));
    expect(viaRaw).toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(450);
    started = Date.now();
    expect(await settle(c.outgoing.status(ZONE))).toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(450);
  });
});

describe("redirects are refused", () => {
  const credentials: [string, ClientOptions][] = [
    ["a token", { apiToken: TOKEN }],
    ["email and key", { apiEmail: EMAIL, apiKey: KEY }],
  ];
  const calls: [string, (c: ReturnType<typeof client>) => Promise<unknown>][] = [
    ["GET status", (c) => c.outgoing.status(ZONE)],
    ["POST enable", (c) => c.outgoing.enable(ZONE)],
    ["POST create with a body", (c) => c.outgoing.create(ZONE, { name: "a.example.", peers: [] })],
  ];
  const cases = [301, 302, 303, 307, 308].flatMap((status) =>
    credentials.flatMap(([who, auth]) =>
      calls.map(([what, call]) => ({ status, who, auth, what, call })),
    ),
  );

  it.each(cases)(
    "$status on $what with $who: an ApiError naming status and Location, nothing sent there",
    async ({ status, auth, call }) => {
      const target = `${elsewhere.baseUrl}/stolen`;
      api.handle(() => ({ status, headers: { location: target }, body: "" }));
      elsewhere.handle(() => ({ body: envelope("Enabled") }));
      const seenElsewhere = elsewhere.requests.length;
      const error = await settle(
        call(createSecondaryDnsClient({ ...auth, baseUrl: api.baseUrl, maxRetries: 2 })),
      );
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).status).toBe(status);
      expect((error as ApiError).message).toContain(`failed with ${status}`);
      expect((error as ApiError).message).toContain(target);
      expect(elsewhere.requests.length).toBe(seenElsewhere);
    },
  );

  it("through the raw client as well", async () => {
    api.handle(() => ({ status: 302, headers: { location: `${elsewhere.baseUrl}/x` }, body: "" }));
    const seenElsewhere = elsewhere.requests.length;
    const error = await settle(
      rawClient(client()).POST("/zones/{zone_id}/secondary_dns/outgoing/enable", {
        params: { path: { zone_id: ZONE } },
      }),
    );
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(302);
    expect(elsewhere.requests.length).toBe(seenElsewhere);
  });

  it.each(credentials)("from https:// to plain http:// with %s: nothing sent", async (_, auth) => {
    // The API is "https://api.example.test"; a fetch that only changes the
    // scheme and host carries it to the loopback server, which redirects to
    // plain http on the other loopback server.
    const httpsBase = "https://api.example.test/client/v4";
    const fetch = (request: Request, init?: RequestInit) =>
      globalThis.fetch(new Request(request.url.replace(httpsBase, api.baseUrl), request), init);
    for (const status of [301, 302, 303, 307, 308]) {
      api.handle(() => ({ status, headers: { location: `${elsewhere.baseUrl}/plain` }, body: "" }));
      const seenElsewhere = elsewhere.requests.length;
      const c = createSecondaryDnsClient({ ...auth, baseUrl: httpsBase, fetch, maxRetries: 0 });
      const error = await settle(c.outgoing.enable(ZONE));
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).status).toBe(status);
      expect(elsewhere.requests.length).toBe(seenElsewhere);
    }
  });
});

describe("Retry-After", () => {
  it.each(["-1", "1.5", "+5", "1e3", "0x10", "soon", "", "Tomorrow", "2026-11-28T10:00:00Z"])(
    "%j is not a wait",
    (value) => {
      expect(parseRetryAfter(value)).toBeUndefined();
    },
  );

  it("accepts the three HTTP-date forms", () => {
    const now = Date.parse("Sun, 06 Nov 1994 08:49:30 GMT");
    expect(parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now)).toBe(7000);
    expect(parseRetryAfter("Sunday, 06-Nov-94 08:49:37 GMT", now)).toBe(7000);
    expect(parseRetryAfter("Sun Nov  6 08:49:37 1994", now)).toBe(7000);
  });

  it("garbage gets the normal backoff, not a burst of retries", async () => {
    api.handle(() => ({ status: 503, headers: { "retry-after": "-1" }, body: "" }));
    const before = api.requests.length;
    const started = Date.now();
    await settle(client({ maxRetries: 1 }).outgoing.status(ZONE));
    expect(api.requests.length - before).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350); // backoff: 375..500 ms
  });
});

describe("redaction", () => {
  it("covers every logger field, cf-ray included", async () => {
    api.handle(() => ({ headers: { "cf-ray": `ray-${TOKEN}` }, body: envelope("Enabled") }));
    const lines: unknown[] = [];
    const record = (message: string, data?: unknown) => lines.push([message, data]);
    const logger = { debug: record, info: record, warn: record, error: record };
    await client({ logger }).outgoing.status(ZONE);
    const text = JSON.stringify(lines);
    expect(text).toContain("ray-[REDACTED]");
    expect(text).not.toContain(TOKEN);
  });

  it('covers a credential with " and \\ as a server echoes it, JSON-escaped', async () => {
    const token = 'tok-"quoted"\\slash-0123';
    const escaped = JSON.stringify(token).slice(1, -1);
    api.handle(() => ({
      status: 403,
      body: `{"success":false,"errors":[{"code":10000,"message":"token \\"${escaped.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}\\" denied"}],"messages":[],"result":null}`,
      headers: { "content-type": "application/json" },
    }));
    const error = (await settle(client({ apiToken: token }).outgoing.status(ZONE))) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    const everything = JSON.stringify([error.message, error.errors, error.stack]);
    expect(error.errors[0]!.message).toContain("[REDACTED]");
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(escaped);
  });
});

describe("limits", () => {
  /** A server that sends `bytes` of body, chunked or with a Content-Length. */
  async function bigServer(bytes: number, withLength: boolean) {
    let total = 0;
    const server = http.createServer((_req, res) => {
      let written = 0;
      res.writeHead(200, {
        "content-type": "application/json",
        ...(withLength ? { "content-length": String(bytes) } : {}),
      });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (written < bytes) {
          written += chunk.length;
          total += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        res.end();
      };
      res.on("close", () => res.destroy());
      pump();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    return {
      baseUrl: `http://127.0.0.1:${port}/client/v4`,
      written: () => total,
      close: () => {
        server.closeAllConnections();
        return new Promise<void>((r) => server.close(() => r()));
      },
    };
  }

  it.each([
    ["chunked", false],
    ["with a Content-Length", true],
  ])("a 20 MB body (%s) rejects with an ApiError, not read to the end", async (_, withLength) => {
    const big = await bigServer(20 * 1024 * 1024, withLength as boolean);
    try {
      for (const c of [client({ baseUrl: big.baseUrl }), client({ baseUrl: big.baseUrl })]) {
        const error = await settle(c.outgoing.get(ZONE));
        expect(error).toBeInstanceOf(ApiError);
        expect((error as ApiError).message).toContain(`over ${MAX_BODY_BYTES} bytes`);
      }
      const viaRaw = await settle(
        rawClient(client({ baseUrl: big.baseUrl })).GET(STATUS, {
          params: { path: { zone_id: ZONE } },
        }),
      );
      expect(viaRaw).toBeInstanceOf(ApiError);
      // Three requests of 20 MB: reading stopped soon after the limit, or before it.
      expect(big.written()).toBeLessThan(3 * 16 * 1024 * 1024);
    } finally {
      await big.close();
    }
  });

  it("an error with many items keeps a short message and the full arrays", async () => {
    const errors = Array.from({ length: 5_000 }, (_, i) => ({
      code: 1000 + i,
      message: `problem ${i} ${"x".repeat(300)}`,
    }));
    const reply: Reply = {
      status: 404,
      body: { success: false, errors, messages: errors, result: null },
    };
    api.handle(() => reply);
    const error = (await settle(client().outgoing.get(ZONE))) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message.length).toBeLessThan(1000);
    expect(error.message).toContain("(and 4997 more)");
    expect(error.errors).toHaveLength(5_000);
    expect(error.messages).toHaveLength(5_000);
  });
});

describe("a custom fetch that throws what is not an Error", () => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  it.each([
    ["Object.create(null)", () => Object.create(null) as unknown],
    ["a revoked Proxy", () => proxy],
  ])("%s: ConnectionError from the facade and from the raw client", async (_, thrown) => {
    const c = client({
      fetch: () => {
        throw thrown();
      },
    });
    expect(await settle(c.outgoing.status(ZONE))).toBeInstanceOf(ConnectionError);
    expect(
      await settle(rawClient(c).GET(STATUS, { params: { path: { zone_id: ZONE } } })),
    ).toBeInstanceOf(ConnectionError);
    const rejecting = client({ fetch: () => Promise.reject(thrown()) });
    expect(
      await settle(rawClient(rejecting).GET(STATUS, { params: { path: { zone_id: ZONE } } })),
    ).toBeInstanceOf(ConnectionError);
  });
});
