// `node bench/instructions.mjs [app...]`: instructions per call under valgrind's
// callgrind, the per-call CPU figure this shared machine cannot disturb (bench/NOTES.md,
// "Per call"). Each app (default: fetch-timeout and ours) is bundled for Node and run
// by bench/calls/client.mjs against bench/calls/server.mjs on 127.0.0.1, sequentially,
// with N = 100 and N = 400: the client makes 1 + 200 + 2N calls, so the difference of
// the two counts is 600 calls with startup cancelled out. Slow: minutes per app.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { bundleApp } from "./apps/build.mjs";
import { benchDir } from "./lib/paths.mjs";
import { check } from "./lib/proc.mjs";

const apps = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["fetch-timeout", "ours"];
const scratch = mkdtempSync(path.join(tmpdir(), "cf-sdns-callgrind-"));
const server = spawn(process.execPath, [path.join(benchDir, "calls", "server.mjs")], {
  stdio: ["ignore", "pipe", "inherit"],
});

/** Instructions callgrind counted for one client run of `n` measured calls. */
async function instructions(file, port, n) {
  const out = path.join(scratch, `callgrind.${path.basename(file)}.${n}`);
  const client = path.join(benchDir, "calls", "client.mjs");
  const args = [`--callgrind-out-file=${out}`, process.execPath, client, file, port, 200, n, 1];
  await check("valgrind", ["--tool=callgrind", ...args.map(String)]);
  return Number(/^summary: (\d+)/m.exec(readFileSync(out, "utf8"))[1]);
}

try {
  const [chunk] = await once(server.stdout, "data");
  const port = Number(String(chunk).trim());
  const perCall = {};
  for (const app of apps) {
    const file = path.join(scratch, `${app}.mjs`);
    await bundleApp(app, { platform: "node", minify: false, outfile: file });
    const [few, many] = [await instructions(file, port, 100), await instructions(file, port, 400)];
    perCall[app] = (many - few) / 600;
  }
  const base = perCall[apps[0]];
  for (const app of apps) {
    const ratio = (perCall[app] / base).toFixed(3);
    console.log(
      `${app}: ${(perCall[app] / 1e6).toFixed(3)} M instructions per call, ${ratio}x ${apps[0]}`,
    );
  }
} finally {
  server.kill();
  rmSync(scratch, { recursive: true, force: true });
}
