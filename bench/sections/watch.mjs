// 8. `outgoing doctor --watch`: 100 zones x 3 peers against the emulator (its API
// and its DNS primary; the 3 peers are its DNS server too, so all 300 answer in
// sync). The watcher runs in a child (bench/watch/ticker.mjs), ticking back to
// back; CPU is that child's user + system time per tick, memory its RSS and heap.
// Run alone with `node bench/sections/watch.mjs` (prints the section's table).
import path from "node:path";
import { pathToFileURL } from "node:url";
import { benchDir, root } from "../lib/paths.mjs";
import { check } from "../lib/proc.mjs";
import { fmt, median, table } from "../lib/stats.mjs";

export const WATCH = { zones: 100, peers: 3, ticks: 120 };
const ACCOUNT = "0123456789abcdef0123456789abcdef";

async function emulatorWithZones(zones, peers) {
  const load = (file) => import(pathToFileURL(path.join(root, "dist", file)).href);
  const { startEmulator } = await load("src/emulator/index.js");
  const { createSecondaryDnsClient } = await load("src/index.js");
  const emulator = await startEmulator({ dnsPort: 0, seed: {} });
  const admin = createSecondaryDnsClient({
    baseUrl: emulator.url,
    apiToken: "bench-token",
    accountId: ACCOUNT,
  });
  const linked = [];
  for (let i = 0; i < peers; i++) {
    const port = emulator.dns.port;
    linked.push((await admin.peers.create({ name: `ns${i + 1}`, ip: "127.0.0.1", port })).id);
  }
  const zoneIds = [];
  for (let i = 0; i < zones; i++) {
    const id = i.toString(16).padStart(32, "0");
    await admin.outgoing.create(id, { name: `zone${i}.bench.test.`, peers: linked });
    await admin.outgoing.enable(id);
    zoneIds.push(id);
  }
  return { emulator, zoneIds };
}

/** What section 8 measures, for RESULTS.md. */
export const WATCH_TEXT = `${WATCH.zones} zones x ${WATCH.peers} peers against the emulator, the watcher in a process of its own ticking back to back (no interval between ticks) for ${WATCH.ticks} ticks, the first 5 left out. Each tick asks the primary and the 3 peers of every zone for the SOA serial (400 UDP queries, 16 zones at a time); the API (100 configurations and statuses, 3 peers) is read at the first tick and every 5th, in the background. CPU is the watcher process's user + system time per tick; memory is read after a forced GC, so it is what the watcher keeps. The 3 peers are the emulator's own DNS server, so wall time includes the emulator answering 400 queries on the same 2 cores.`;

const quantile = (values, q) =>
  [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))];

export async function runWatch({ log = () => {} } = {}) {
  const { emulator, zoneIds } = await emulatorWithZones(WATCH.zones, WATCH.peers);
  try {
    log(`watch: ${WATCH.zones} zones x ${WATCH.peers} peers, ${WATCH.ticks} ticks`);
    const ticker = path.join(benchDir, "watch", "ticker.mjs");
    const { stdout } = await check(process.execPath, [
      "--expose-gc",
      ticker,
      path.join(root, "dist"),
      emulator.url,
      String(emulator.dns.port),
      ACCOUNT,
      String(WATCH.ticks),
      ...zoneIds,
    ]);
    return { ...WATCH, ...JSON.parse(stdout) };
  } finally {
    await emulator.close();
  }
}

export function watchMarkdown(result) {
  // The first 5 ticks warm up (JIT, sockets). The API round runs in the background,
  // so its CPU falls into whichever ticks it overlaps: the mean carries it.
  const measured = result.samples.slice(5);
  const cpu = measured.map((s) => s.cpuMs);
  const mean = cpu.reduce((a, b) => a + b, 0) / cpu.length;
  const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  const first = measured[0];
  const last = measured.at(-1);
  const scrapeCpu = median(result.scrapes.map((s) => s.cpuMs));
  return [
    table(
      ["ticks", "median CPU", "p90 CPU", "mean CPU", "median wall", "max wall"],
      [
        [
          String(measured.length),
          `${fmt.one(median(cpu))} ms`,
          `${fmt.one(quantile(cpu, 0.9))} ms`,
          `${fmt.one(mean)} ms`,
          `${fmt.one(median(measured.map((s) => s.wallMs)))} ms`,
          `${fmt.one(Math.max(...measured.map((s) => s.wallMs)))} ms`,
        ],
      ],
    ),
    "",
    table(
      ["memory (after a GC)", `after tick ${first.tick + 1}`, `after tick ${last.tick + 1}`],
      [
        ["RSS", mb(first.rss), mb(last.rss)],
        ["heap used", mb(first.heapUsed), mb(last.heapUsed)],
      ],
    ),
    "",
    `Peers in sync at the end: ${result.inSync} of ${result.zones * result.peers}. ` +
      `/metrics: ${fmt.int(result.series)} series, ${fmt.kb(result.scrapes[0].bytes)} (${fmt.kb(result.gzipBytes)} gzipped, as Prometheus asks for it), ` +
      `${fmt.one(scrapeCpu)} ms CPU to render (median of ${result.scrapes.length}).`,
  ].join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runWatch({ log: console.error });
  console.log(watchMarkdown(result));
}
