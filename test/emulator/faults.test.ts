/** Fault injection: latency, 429s with Retry-After, 5xx; and the client riding them out. */
import { afterEach, describe, expect, it } from "vitest";
import { createSecondaryDnsClient, RateLimitError } from "../../src/index.js";
import { startEmulator, type Emulator, type EmulatorOptions } from "../../src/emulator/index.js";
import { onlyError, outgoing, PEER_A, ZONE } from "./exchange.js";

let emulator: Emulator | undefined;
afterEach(() => emulator?.close());

const start = async (options: EmulatorOptions) => (emulator = await startEmulator(options));

/** A random source that plays the given draws in a loop. */
const draws = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length] as number;
};

describe("fault injection", () => {
  it("latencyMs delays every answer", async () => {
    const { url } = await start({ latencyMs: 150 });
    const started = performance.now();
    expect((await outgoing(url, "GET", ZONE)).status).toBe(404);
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
  });

  it("rateLimitShare answers 429 (code 971) with Retry-After, before any change is made", async () => {
    const { url } = await start({ rateLimitShare: 1, retryAfterSeconds: 7 });
    const answer = await outgoing(url, "POST", ZONE, "", {
      body: { name: "example.com.", peers: [] },
    });
    expect(answer.status).toBe(429);
    expect(answer.headers.get("retry-after")).toBe("7");
    expect(onlyError(answer).code).toBe(971);
  });

  it("serverErrorShare answers 500 with an envelope or 502 with a proxy's HTML page", async () => {
    // Each request draws twice: whether to fail, then which failure.
    const { url } = await start({ serverErrorShare: 1, random: draws(0.5, 0.1, 0.5, 0.9) });
    const api = await outgoing(url, "GET", ZONE);
    expect(api.status).toBe(500);
    expect(onlyError(api).code).toBe(10001);
    const proxy = await outgoing(url, "GET", ZONE);
    expect(proxy.status).toBe(502);
    expect(proxy.headers.get("content-type")).toMatch(/^text\/html/);
    expect(proxy.text).toContain("502 Bad Gateway");
  });

  it("shares split the draws: below rateLimitShare 429, then serverErrorShare 5xx, then a real answer", async () => {
    const { url } = await start({
      rateLimitShare: 0.2,
      serverErrorShare: 0.3,
      random: draws(0.1, 0.3, 0.1, 0.9),
    });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await outgoing(url, "GET", ZONE)).status);
    expect(statuses).toEqual([429, 500, 404]);
  });

  it("the client retries through injected 429s and 5xx to the real answer", async () => {
    // Fail, fail, then answer, for every call.
    const { url } = await start({
      rateLimitShare: 0.5,
      serverErrorShare: 0.25,
      retryAfterSeconds: 0,
      random: draws(0.1, 0.6, 0.1, 0.9),
    });
    const client = createSecondaryDnsClient({ apiToken: "t0ken", baseUrl: url, maxRetries: 2 });
    await expect(client.outgoing.status(ZONE)).rejects.toMatchObject({ status: 404 });
    const noRetries = createSecondaryDnsClient({ apiToken: "t0ken", baseUrl: url, maxRetries: 0 });
    await expect(noRetries.outgoing.get(ZONE)).rejects.toBeInstanceOf(RateLimitError);
  });

  it.each<[EmulatorOptions, RegExp]>([
    [{ rateLimitShare: 1.5 }, /rateLimitShare/],
    [{ serverErrorShare: -0.1 }, /serverErrorShare/],
    [{ rateLimitShare: 0.6, serverErrorShare: 0.6 }, /add up/],
    [{ latencyMs: Number.NaN }, /latencyMs/],
  ])("refuses %j", async (options, message) => {
    await expect(startEmulator(options)).rejects.toThrow(message);
  });

  it("a client's own body reaches the handler unchanged through the latency", async () => {
    const { url } = await start({ latencyMs: 20 });
    const body = { name: "example.com.", peers: [PEER_A] };
    expect((await outgoing(url, "POST", ZONE, "", { body })).body.result).toMatchObject(body);
  });
});
