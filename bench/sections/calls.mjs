// 1. Per call: each app in its own client process against one node:http server
// on 127.0.0.1, modes alternated over rounds; medians and ratios to raw fetch.
import { spawn } from "node:child_process";
import path from "node:path";
import { once } from "node:events";
import { bundleApp } from "../apps/build.mjs";
import { benchDir, builtDir } from "../lib/paths.mjs";
import { check } from "../lib/proc.mjs";
import { fmt, median, medianRatio, rotate, table } from "../lib/stats.mjs";

export const CALL_MODES = ["fetch", "fetch-timeout", "openapi-fetch", "ours", "cloudflare"];
const LABELS = {
  fetch: "(a) raw fetch + res.json()",
  "fetch-timeout": "(a') raw fetch + its own AbortController timeout",
  "openapi-fetch": "(b) bare openapi-fetch",
  ours: "(c) cf-secondary-dns",
  cloudflare: "(d) cloudflare 7.3.0, maxRetries 0",
};

async function startServer() {
  const server = spawn(process.execPath, [path.join(benchDir, "calls", "server.mjs")], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [chunk] = await once(server.stdout, "data");
  return { server, port: Number(String(chunk).trim()) };
}

export async function runCalls({ rounds, warmup, calls, concurrency, log }) {
  for (const mode of CALL_MODES) {
    await bundleApp(mode, {
      platform: "node",
      minify: false,
      outfile: path.join(builtDir, `${mode}.mjs`),
    });
  }
  const { server, port } = await startServer();
  const samples = Object.fromEntries(CALL_MODES.map((m) => [m, []]));
  try {
    for (let round = 0; round < rounds; round++) {
      for (const mode of rotate(CALL_MODES, round)) {
        const args = [path.join(builtDir, `${mode}.mjs`), port, warmup, calls, concurrency];
        const { stdout } = await check(process.execPath, [
          path.join(benchDir, "calls", "client.mjs"),
          ...args.map(String),
        ]);
        samples[mode].push(JSON.parse(stdout));
        log(`calls round ${round + 1}/${rounds} ${mode}: ${stdout.trim()}`);
      }
    }
  } finally {
    server.kill();
  }
  return summarize(samples);
}

function summarize(samples) {
  const pick = (mode, kind, field) => samples[mode].map((s) => s[kind][field]);
  const rows = [];
  for (const kind of ["sequential", "concurrent"]) {
    for (const mode of CALL_MODES) {
      const rps = pick(mode, kind, "rps");
      const cpuUs = pick(mode, kind, "cpuUs");
      rows.push({
        kind,
        mode,
        rps: median(rps),
        cpuUs: median(cpuUs),
        rpsRatio: medianRatio(rps, pick("fetch", kind, "rps")),
        cpuRatio: medianRatio(cpuUs, pick("fetch", kind, "cpuUs")),
        cpuRatioTimeout: medianRatio(cpuUs, pick("fetch-timeout", kind, "cpuUs")),
      });
    }
  }
  return { rows, samples };
}

export function callsMarkdown({ rows }, { calls, concurrency }) {
  return table(
    ["calls", "client", "req/s", "CPU µs/call", "req/s vs (a)", "CPU vs (a)", "CPU vs (a')"],
    rows.map((r) => [
      r.kind === "sequential"
        ? `${fmt.int(calls)} sequential`
        : `${fmt.int(calls)} at concurrency ${concurrency}`,
      LABELS[r.mode],
      fmt.int(r.rps),
      fmt.int(r.cpuUs),
      fmt.ratio(r.rpsRatio),
      fmt.ratio(r.cpuRatio),
      fmt.ratio(r.cpuRatioTimeout),
    ]),
  );
}
