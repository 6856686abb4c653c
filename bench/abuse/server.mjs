// The emulator as a DNS primary, in a process of its own so its RSS and event
// loop are measured apart from the attackers: `node bench/abuse/server.mjs
// <package root> <records> <state folder>`. It serves one zone, bench.test, of
// <records> A records plus SOA and NS, transfers open to 127.0.0.1, a state file
// in <state folder>; prints {"dns": port} once ready, answers "rss" on stdin
// with {"rss": bytes, "peak": bytes} (the peak sampled every 20 ms), and exits
// on "exit" after a clean close. Loopback only.
import path from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

const [root, count, folder] = process.argv.slice(2);
const emulatorModule = pathToFileURL(path.join(root, "dist/src/emulator/index.js")).href;
const dnsModule = pathToFileURL(path.join(root, "dist/src/dns/index.js")).href;
const { startEmulator } = await import(emulatorModule);
const { minimalZone } = await import(dnsModule);

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const ZONE_ID = "fedcba9876543210fedcba9876543210";
const emulator = await startEmulator({
  seed: {},
  dnsPort: 0,
  stateFile: path.join(folder, "state.json"),
});
const api = async (method, route, body) => {
  const response = await fetch(`${emulator.url}${route}`, {
    method,
    headers: { authorization: "Bearer bench", "content-type": "application/json" },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const json = await response.json();
  if (!json.success) throw new Error(`${method} ${route}: ${JSON.stringify(json.errors)}`);
  return json.result;
};
const peer = await api("POST", `/accounts/${ACCOUNT}/secondary_dns/peers`, {
  name: "bench",
  ip: "127.0.0.1",
});
await api("POST", `/zones/${ZONE_ID}/secondary_dns/outgoing`, {
  name: "bench.test.",
  peers: [peer.id],
});
await api("POST", `/zones/${ZONE_ID}/secondary_dns/outgoing/enable`);
const records = [...minimalZone("bench.test", 1)];
for (let i = 0; i < Number(count); i++) {
  records.push({
    name: `h${i}.bench.test`,
    ttl: 300,
    type: "A",
    data: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
  });
}
await emulator.setRecords(ZONE_ID, records);

let peak = process.memoryUsage().rss;
// memoryUsage.rss() alone: the full memoryUsage() walks the heap (over 15 ms at 200k
// records), which would land inside the measured latencies.
setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20).unref();
console.log(JSON.stringify({ dns: emulator.dns.port }));
for await (const line of createInterface({ input: process.stdin })) {
  if (line === "rss") {
    const rss = process.memoryUsage().rss;
    console.log(JSON.stringify({ rss, peak: Math.max(peak, rss) }));
    peak = rss;
  } else if (line === "exit") {
    await emulator.close();
    process.exit(0);
  }
}
