// One client process of the per-call bench: loads one app (bundled for Node by
// the orchestrator), makes the warm-up calls, then N sequential calls and N at
// concurrency C, and prints req/s and CPU µs per call for each as JSON.
// Usage: node client.mjs <built app> <port> <warmup> <calls> <concurrency>
import { pathToFileURL } from "node:url";
import { API_TOKEN, ZONE_ID } from "./server.mjs";

const [file, port, warmup, calls, concurrency] = process.argv.slice(2);
const { app } = await import(pathToFileURL(file).href);
const get = app({ baseUrl: `http://127.0.0.1:${port}/client/v4`, apiToken: API_TOKEN });

const first = await get(ZONE_ID);
if (first?.id !== ZONE_ID) throw new Error(`unexpected result: ${JSON.stringify(first)}`);
for (let i = 0; i < Number(warmup); i++) await get(ZONE_ID);

async function measure(total, width) {
  let next = 0;
  const worker = async () => {
    while (next < total) {
      next++;
      await get(ZONE_ID);
    }
  };
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: width }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  return { rps: total / seconds, cpuUs: (used.user + used.system) / total };
}

const sequential = await measure(Number(calls), 1);
const concurrent = await measure(Number(calls), Number(concurrency));
console.log(JSON.stringify({ sequential, concurrent }));
