import { describe, expect, it } from "vitest";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createSecondaryDnsClient, TimeoutError } from "../../src/index.js";
import { envelope, ZONE, serverForTests } from "../support/server.js";

const server = serverForTests();

const client = (options: { timeoutMs?: number; maxRetries?: number } = {}) =>
  createSecondaryDnsClient({
    apiToken: "tok-timeouts-001",
    baseUrl: server.baseUrl,
    maxRetries: 0,
    ...options,
  });

describe("timeouts", () => {
  it("reject with TimeoutError once timeoutMs has passed", async () => {
    server.handle(() => ({ delayMs: 1000, body: envelope("OK") }));
    const started = Date.now();
    const error = await client({ timeoutMs: 150 })
      .outgoing.status(ZONE)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).timeoutMs).toBe(150);
    expect((error as TimeoutError).message).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/client\/v4\/zones\/\w+\/secondary_dns\/outgoing\/status timed out after 150 ms$/,
    );
    expect(Date.now() - started).toBeLessThan(900);
  });

  it("per call override the client's", async () => {
    server.handle(() => ({ delayMs: 1000, body: envelope("OK") }));
    await expect(
      client({ timeoutMs: 30_000 }).outgoing.status(ZONE, { timeoutMs: 100 }),
    ).rejects.toBeInstanceOf(TimeoutError);
  });

  it("cover a body that stalls after the headers", async () => {
    const stalling = http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"success":true,');
      // ...and never ends.
    });
    await new Promise<void>((r) => stalling.listen(0, "127.0.0.1", r));
    try {
      const { port } = stalling.address() as AddressInfo;
      const stalled = createSecondaryDnsClient({
        apiToken: "tok-timeouts-001",
        baseUrl: `http://127.0.0.1:${port}/client/v4`,
        maxRetries: 0,
        timeoutMs: 200,
      });
      await expect(stalled.outgoing.status(ZONE)).rejects.toBeInstanceOf(TimeoutError);
    } finally {
      stalling.closeAllConnections();
      await new Promise<void>((r) => stalling.close(() => r()));
    }
  });

  it("hold even against a custom fetch that ignores the abort signal", async () => {
    const deaf = createSecondaryDnsClient({
      apiToken: "tok-timeouts-001",
      baseUrl: server.baseUrl,
      maxRetries: 0,
      timeoutMs: 100,
      fetch: () => new Promise<Response>(() => {}),
    });
    await expect(deaf.outgoing.get(ZONE)).rejects.toBeInstanceOf(TimeoutError);
  });
});

describe("abort", () => {
  it("rejects with the signal's own reason, untouched", async () => {
    server.handle(() => ({ delayMs: 1000, body: envelope("OK") }));
    const controller = new AbortController();
    const reason = new Error("user cancelled");
    const pending = client().outgoing.forceNotify(ZONE, { signal: controller.signal });
    setTimeout(() => controller.abort(reason), 50);
    await expect(pending).rejects.toBe(reason);
  });

  it("an already-aborted signal sends nothing", async () => {
    const before = server.requests.length;
    const reason = { why: "not an Error, still passed through" };
    await expect(
      client().outgoing.enable(ZONE, { signal: AbortSignal.abort(reason) }),
    ).rejects.toBe(reason);
    expect(server.requests.length).toBe(before);
  });

  it("stops a retry that is waiting its backoff", async () => {
    let calls = 0;
    server.handle(() => (calls++, { status: 503, headers: { "retry-after": "30" }, body: "" }));
    const controller = new AbortController();
    const pending = client({ maxRetries: 2 }).outgoing.status(ZONE, { signal: controller.signal });
    setTimeout(() => controller.abort("enough"), 150);
    const started = Date.now();
    await expect(pending).rejects.toBe("enough");
    expect(Date.now() - started).toBeLessThan(1000);
    expect(calls).toBe(1);
  });

  it("the default reason is the platform's AbortError", async () => {
    server.handle(() => ({ delayMs: 1000, body: envelope("OK") }));
    const controller = new AbortController();
    const pending = client().outgoing.get(ZONE, { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
  });
});
