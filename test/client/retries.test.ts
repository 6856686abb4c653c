import net from "node:net";
import { describe, expect, it } from "vitest";
import {
  ConnectionError,
  createSecondaryDnsClient,
  RateLimitError,
  ServerError,
  TimeoutError,
} from "../../src/index.js";
import { backoffDelayMs, parseRetryAfter } from "../../src/client/transport.js";
import {
  envelope,
  failure,
  PEER_A,
  sampleZone,
  ZONE,
  type Reply,
  serverForTests,
} from "../support/server.js";

const server = serverForTests();

const body = { name: "www.example.com.", peers: [PEER_A] };
/** Answers the scripted replies in order, then the last one forever; counts calls. */
function script(...replies: Reply[]) {
  const state = { calls: 0 };
  server.handle(() => replies[Math.min(state.calls++, replies.length - 1)]!);
  return state;
}
const client = (options: { maxRetries?: number; timeoutMs?: number } = {}) =>
  createSecondaryDnsClient({ apiToken: "tok-retries-0001", baseUrl: server.baseUrl, ...options });
const now = { "retry-after": "0" }; // retry at once, to keep tests fast

describe("the backoff schedule", () => {
  it("starts near 0.5 s, doubles, and is capped at 8 s, with up to 25% jitter taken off", () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n, () => 0))).toEqual([
      500, 1000, 2000, 4000, 8000, 8000, 8000,
    ]);
    expect([0, 1, 4].map((n) => backoffDelayMs(n, () => 1))).toEqual([375, 750, 6000]);
    for (let i = 0; i < 100; i++) {
      const d = backoffDelayMs(1);
      expect(d).toBeGreaterThanOrEqual(750);
      expect(d).toBeLessThanOrEqual(1000);
    }
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    expect(parseRetryAfter("7")).toBe(7000);
    expect(parseRetryAfter(" 0 ")).toBe(0);
    expect(parseRetryAfter(new Date(10_000 + 30_000).toUTCString(), 10_000)).toBe(30_000);
    expect(parseRetryAfter(new Date(0).toUTCString(), 10_000)).toBe(0);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it("waits the backoff when the server gives no Retry-After", async () => {
    const state = script({ status: 503, body: "" }, { body: envelope("Enabled") });
    const started = Date.now();
    await expect(client().outgoing.status(ZONE)).resolves.toBe("Enabled");
    const waited = Date.now() - started;
    expect(state.calls).toBe(2);
    expect(waited).toBeGreaterThanOrEqual(370);
    expect(waited).toBeLessThan(2000);
  });
});

describe("idempotent operations are retried", () => {
  it.each([408, 429, 500, 502, 503, 504])("after %i, up to maxRetries times", async (status) => {
    const state = script({ ...failure(status, 10001, "try again", now) });
    await expect(client({ maxRetries: 2 }).outgoing.get(ZONE)).rejects.toMatchObject({ status });
    expect(state.calls).toBe(3);
  });

  it("and succeed when a retry does", async () => {
    const state = script(
      failure(502, 10001, "bad gateway", now),
      failure(503, 10001, "unavailable", now),
      { body: envelope(sampleZone) },
    );
    await expect(client().outgoing.update(ZONE, body)).resolves.toEqual(sampleZone);
    expect(state.calls).toBe(3);
  });

  it.each([400, 401, 403, 404, 409])("but never after %i", async (status) => {
    const state = script(failure(status, 1000, "no", now));
    await expect(client().outgoing.delete(ZONE)).rejects.toMatchObject({ status });
    expect(state.calls).toBe(1);
  });

  it("maxRetries: 0 makes one attempt only; a per-call maxRetries overrides the client's", async () => {
    const state = script(failure(503, 10001, "unavailable", now));
    await expect(client({ maxRetries: 0 }).outgoing.enable(ZONE)).rejects.toBeInstanceOf(
      ServerError,
    );
    expect(state.calls).toBe(1);
    const again = script(failure(503, 10001, "unavailable", now));
    await expect(
      client({ maxRetries: 0 }).outgoing.enable(ZONE, { maxRetries: 3 }),
    ).rejects.toBeInstanceOf(ServerError);
    expect(again.calls).toBe(4);
  });

  it("after a timeout", async () => {
    const state = script({ delayMs: 400, body: envelope("OK") }, { body: envelope("OK") });
    await expect(client({ timeoutMs: 100 }).outgoing.forceNotify(ZONE)).resolves.toBe("OK");
    expect(state.calls).toBe(2);
  });

  it("after the connection was reset mid-request", async () => {
    const state = script({ destroy: true }, { body: envelope("Disabled") });
    await expect(client().outgoing.disable(ZONE)).resolves.toBe("Disabled");
    expect(state.calls).toBe(2);
  });
});

describe("create is not idempotent", () => {
  it.each([500, 502, 503, 504, 408])(
    "is not retried after %i, where a repeat could create twice",
    async (status) => {
      const state = script(failure(status, 10001, "failed", now));
      await expect(client().outgoing.create(ZONE, body)).rejects.toMatchObject({ status });
      expect(state.calls).toBe(1);
    },
  );

  it("is not retried after a timeout", async () => {
    const state = script({ delayMs: 300, body: envelope(sampleZone) });
    await expect(client({ timeoutMs: 100 }).outgoing.create(ZONE, body)).rejects.toBeInstanceOf(
      TimeoutError,
    );
    expect(state.calls).toBe(1);
  });

  it("is not retried after a reset connection (the server may have acted)", async () => {
    const state = script({ destroy: true });
    await expect(client().outgoing.create(ZONE, body)).rejects.toBeInstanceOf(ConnectionError);
    expect(state.calls).toBe(1);
  });

  it("is retried after 429, sending the same body again", async () => {
    const state = script(failure(429, 971, "Please wait", now), { body: envelope(sampleZone) });
    const before = server.requests.length;
    await expect(client().outgoing.create(ZONE, body)).resolves.toEqual(sampleZone);
    expect(state.calls).toBe(2);
    for (const request of server.requests.slice(before))
      expect(JSON.parse(request.body)).toEqual(body);
  });

  it("is retried when the connection was refused (nothing reached a server)", async () => {
    // A port that was free a moment ago: connections to it are refused.
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    let attempts = 0;
    const counting = createSecondaryDnsClient({
      apiToken: "tok-retries-0001",
      baseUrl: `http://127.0.0.1:${port}/client/v4`,
      maxRetries: 1,
      fetch: (input, init) => {
        attempts++;
        return fetch(input, init);
      },
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    const error = await counting.outgoing.create(ZONE, body).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toContain("ECONNREFUSED");
    expect(attempts).toBe(2);
  });
});

describe("Retry-After", () => {
  it("is obeyed: the retry waits what the server asked", async () => {
    const state = script(failure(429, 971, "Please wait", { "retry-after": "1" }), {
      body: envelope("Enabled"),
    });
    const started = Date.now();
    await expect(client().outgoing.status(ZONE)).resolves.toBe("Enabled");
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(state.calls).toBe(2);
  });

  it("longer than 60 s fails at once with RateLimitError carrying retryAfterMs", async () => {
    const state = script(failure(429, 971, "Please wait", { "retry-after": "300" }));
    const started = Date.now();
    const error = await client()
      .outgoing.get(ZONE)
      .catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(300_000);
    expect(state.calls).toBe(1);
  });

  it("exactly 60 s is still within the cap (checked without waiting: the call is aborted)", async () => {
    script(failure(429, 971, "Please wait", { "retry-after": "60" }));
    const controller = new AbortController();
    const pending = client().outgoing.get(ZONE, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 200));
    controller.abort(new Error("stop waiting"));
    await expect(pending).rejects.toThrow("stop waiting");
  });
});
