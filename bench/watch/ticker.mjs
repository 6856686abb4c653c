// The watcher of `outgoing doctor --watch` in a process of its own, ticking back to
// back against the emulator the orchestrator runs (bench/sections/watch.mjs), so its
// CPU and memory are its own. Prints one JSON object: a sample per tick and per scrape.
// Usage: node --expose-gc bench/watch/ticker.mjs <dist root> <api url> <dns port> <account> <ticks> <zone id>...
import { pathToFileURL } from "node:url";
import path from "node:path";
import { gzipSync } from "node:zlib";

const [distRoot, url, dnsPort, account, ticks, ...zoneIds] = process.argv.slice(2);
const load = (file) => import(pathToFileURL(path.join(distRoot, file)).href);
const { createSecondaryDnsClient } = await load("src/index.js");
const { ZoneWatcher, createWatchMetrics, countingFetch } = await load("src/dns/watch.js");

const metrics = createWatchMetrics();
const client = createSecondaryDnsClient({
  baseUrl: url,
  apiToken: "bench-token",
  accountId: account,
  maxRetries: 0,
  fetch: countingFetch(metrics),
});
const watcher = new ZoneWatcher(client, {
  zoneIds,
  primary: { host: "127.0.0.1", port: Number(dnsPort) },
  accountId: account,
  intervalMs: 1000,
  timeoutMs: 2000,
  metrics,
});

const samples = [];
for (let tick = 0; tick < Number(ticks); tick++) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await watcher.tick();
  const used = process.cpuUsage(cpu);
  const wallMs = performance.now() - started;
  globalThis.gc(); // outside the measured time: the memory figures are what the watcher keeps
  const memory = process.memoryUsage();
  samples.push({
    tick,
    api: tick % 5 === 0, // the API is read at start and every 5 ticks
    cpuMs: (used.user + used.system) / 1000,
    wallMs,
    rss: memory.rss,
    heapUsed: memory.heapUsed,
  });
}
const scrapes = [];
for (let i = 0; i < 20; i++) {
  const cpu = process.cpuUsage();
  const text = await metrics.registry.metrics();
  const used = process.cpuUsage(cpu);
  scrapes.push({ cpuMs: (used.user + used.system) / 1000, bytes: Buffer.byteLength(text) });
}
const text = await metrics.registry.metrics();
const inSync = (text.match(/^cf_secondary_dns_peer_in_sync\{.*\} 1$/gm) ?? []).length;
const series = text.split("\n").filter((line) => line && !line.startsWith("#")).length;
const gzipBytes = gzipSync(text).length;
process.stdout.write(JSON.stringify({ samples, scrapes, inSync, series, gzipBytes }));
