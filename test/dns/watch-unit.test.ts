/**
 * The watcher in-process, tick by tick, against the emulator: its primary, a
 * peer that is the emulator's own DNS server (so always in sync), a peer on a
 * closed port and a peer without an ip. Then the API rate-limited (429 on
 * every request): counted, backed off, never fatal.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createSecondaryDnsClient } from "../../src/index.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { minimalZone } from "../../src/dns/index.js";
import {
  countingFetch,
  createWatchMetrics,
  ZoneWatcher,
  type WatchChange,
} from "../../src/dns/watch.js";
import { freePort } from "./servers.js";
import { ACCOUNT, watchedEmulator } from "./watch-emulator.js";

const ZONE_ID = "00112233445566778899aabbccddeeff";
const ZONE = "watched.test";
const TOKEN = "watch-unit-token-must-never-show-0001";

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function setUp() {
  const setup = await watchedEmulator(TOKEN);
  emulator = setup.emulator;
  const closed = { name: "closed", ip: "127.0.0.1", port: await freePort() };
  const peers = await setup.addZone(ZONE_ID, `${ZONE}.`, [
    setup.mirror(),
    closed,
    { name: "no-ip" },
  ]);
  return { ...setup, peers };
}

function watcher(baseUrl: string, clock: { now: number }, zoneIds = [ZONE_ID]) {
  const metrics = createWatchMetrics();
  const changes: WatchChange[] = [];
  const client = createSecondaryDnsClient({
    baseUrl,
    apiToken: TOKEN,
    accountId: ACCOUNT,
    maxRetries: 0,
    fetch: countingFetch(metrics),
  });
  const watch = new ZoneWatcher(client, {
    zoneIds,
    primary: { host: "127.0.0.1", port: emulator!.dns!.port },
    accountId: ACCOUNT,
    intervalMs: 500,
    timeoutMs: 400,
    metrics,
    onChange: (change) => changes.push(change),
    now: () => clock.now,
  });
  return { watch, metrics, changes };
}

async function metricValue(
  metrics: ReturnType<typeof createWatchMetrics>,
  name: string,
  labels: Record<string, string>,
): Promise<number | undefined> {
  // A histogram's values name their series (`_count`, `_bucket`); a gauge's do not.
  const values = (await metrics.registry.getMetricsAsJSON()).flatMap((metric) =>
    metric.values.map((v) => ({
      ...v,
      series: (v as { metricName?: string }).metricName ?? metric.name,
    })),
  );
  const found = values.find(
    (v) =>
      v.series === name &&
      Object.entries(labels).every(([k, value]) => String(v.labels[k]) === value),
  );
  return found?.value;
}

describe("ZoneWatcher, tick by tick", () => {
  it("classifies each peer as doctor does, tells each change once, and moves the propagation histogram", async () => {
    const { admin } = await setUp();
    const clock = { now: Date.parse("2026-12-04T10:00:00Z") };
    const { watch, metrics, changes } = watcher(emulator!.url, clock);
    await watch.tick();
    const peerChanges = changes.filter((c) => c.subject === "peer");
    expect(Object.fromEntries(peerChanges.map((c) => [c.peer, [c.from, c.to]]))).toEqual({
      mirror: [null, "in_sync"],
      closed: [null, "unreachable"],
      "no-ip": [null, "no_ip"],
    });
    expect(changes.find((c) => c.subject === "outgoing")).toMatchObject({ to: "enabled" });
    const serial = (await admin.outgoing.get(ZONE_ID)).soa_serial;
    expect(
      await metricValue(metrics, "cf_secondary_dns_primary_serial", { zone: `${ZONE}.` }),
    ).toBe(serial);
    expect(await metricValue(metrics, "cf_secondary_dns_peer_in_sync", { peer: "mirror" })).toBe(1);
    expect(await metricValue(metrics, "cf_secondary_dns_peer_in_sync", { peer: "closed" })).toBe(0);
    expect(
      await metricValue(metrics, "cf_secondary_dns_peer_state", {
        peer: "closed",
        state: "unreachable",
      }),
    ).toBe(1);
    expect(
      await metricValue(metrics, "cf_secondary_dns_peer_state", {
        peer: "closed",
        state: "in_sync",
      }),
    ).toBe(0);
    expect(
      await metricValue(metrics, "cf_secondary_dns_probe_errors_total", {
        peer: "no-ip",
        reason: "no_ip",
      }),
    ).toBe(1);

    const before = changes.length;
    clock.now += 500;
    await watch.tick();
    expect(changes.slice(before)).toEqual([]); // nothing changed: nothing told
    expect(
      await metricValue(metrics, "cf_secondary_dns_out_of_sync_seconds", { peer: "closed" }),
    ).toBe(0.5);

    const next = await emulator!.setRecords(ZONE_ID, minimalZone(ZONE, 1));
    clock.now += 500;
    await watch.tick();
    expect(await metricValue(metrics, "cf_secondary_dns_peer_serial", { peer: "mirror" })).toBe(
      next,
    );
    expect(
      await metricValue(metrics, "cf_secondary_dns_propagation_seconds_count", { peer: "mirror" }),
    ).toBe(1);
    const text = await metrics.registry.metrics();
    expect(text).toContain(`cf_secondary_dns_api_requests_total{status="200"}`);
    expect(text).not.toContain(TOKEN);
    expect(JSON.stringify(changes)).not.toContain(TOKEN);
  });

  it("reads the API at start and every 5 ticks, each peer once per round however many zones link it", async () => {
    const { admin, peers } = await setUp();
    const OTHER = "ffeeddccbbaa99887766554433221100";
    await admin.outgoing.create(OTHER, { name: "other.test.", peers: peers.map((p) => p.id) });
    const clock = { now: 0 };
    const { watch, metrics } = watcher(emulator!.url, clock, [ZONE_ID, OTHER]);
    for (let tick = 0; tick < 11; tick++) {
      await watch.tick();
      clock.now += 500;
    }
    // Rounds at ticks 0, 5 and 10 (the later ones in the background): get and status of
    // each zone, and the 3 peers once: 7 requests a round.
    const ok = () => metricValue(metrics, "cf_secondary_dns_api_requests_total", { status: "200" });
    await expect.poll(ok).toBe(21);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await ok()).toBe(21);
  });

  it("a configuration deleted: told once, its series dropped, no more probes", async () => {
    const { admin } = await setUp();
    const clock = { now: 0 };
    const { watch, metrics, changes } = watcher(emulator!.url, clock);
    await watch.tick();
    expect(await metricValue(metrics, "cf_secondary_dns_peer_in_sync", { peer: "mirror" })).toBe(1);
    await admin.outgoing.delete(ZONE_ID);
    for (let tick = 1; tick < 8; tick++) {
      clock.now += 500;
      await watch.tick();
    }
    await expect
      .poll(() => changes.filter((c) => c.subject === "api").map((c) => c.to))
      .toEqual(["ok", "error_404"]);
    const text = await metrics.registry.metrics();
    expect(text).not.toMatch(/^cf_secondary_dns_peer_in_sync\{/m);
    expect(text).not.toMatch(/^cf_secondary_dns_primary_serial\{/m);
  });

  it("a rate-limited API: every 429 counted, the API read less often, the probes go on", async () => {
    await setUp();
    const limited = await startEmulator({ seed: {}, rateLimitShare: 1, retryAfterSeconds: 1 });
    try {
      const clock = { now: 0 };
      const { watch, metrics, changes } = watcher(limited.url, clock);
      for (let tick = 0; tick < 20; tick++) {
        await watch.tick();
        clock.now += 500;
      }
      expect(changes).toEqual([
        expect.objectContaining({ subject: "api", from: null, to: "rate_limited" }),
      ]);
      const limitedCount = await metricValue(metrics, "cf_secondary_dns_api_requests_total", {
        status: "429",
      });
      // Without backoff: a round at ticks 0, 5, 10, 15 (2 requests each). With it: 0, 10.
      expect(limitedCount).toBeGreaterThanOrEqual(1);
      expect(limitedCount).toBeLessThanOrEqual(4);
      expect(await metrics.registry.metrics()).not.toContain(TOKEN);
    } finally {
      await limited.close();
    }
  });

  it("server errors (500 and 502) and an API that is not there: counted, told once, never fatal", async () => {
    await setUp();
    const failing = await startEmulator({ seed: {}, serverErrorShare: 1 });
    const gone = `http://127.0.0.1:${await freePort()}/client/v4`;
    try {
      for (const [url, state, statuses] of [
        [failing.url, "server_error", ["500", "502"]],
        [gone, "unreachable", ["error"]],
      ] as const) {
        const clock = { now: 0 };
        const { watch, metrics, changes } = watcher(url, clock);
        for (let tick = 0; tick < 12; tick++) {
          await watch.tick();
          clock.now += 500;
        }
        expect(changes.map((c) => [c.subject, c.to])).toEqual([["api", state]]);
        const counted = await Promise.all(
          statuses.map((status) =>
            metricValue(metrics, "cf_secondary_dns_api_requests_total", { status }),
          ),
        );
        expect(counted.reduce((sum, n) => (sum ?? 0) + (n ?? 0), 0)).toBeGreaterThan(0);
      }
    } finally {
      await failing.close();
    }
  });
});
