// 2. Cold import: a fresh `node -e` that imports one package and exits, against
// `node -e` that imports nothing. Paired runs: each round runs the baseline and
// every package back to back, and the ratio is taken within the round.
// The child prints its own CPU time (all threads, startup included) so the table
// can show a figure that other processes on the machine disturb less than wall time.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { root, vendorDir, vendorModules } from "../lib/paths.mjs";
import { check } from "../lib/proc.mjs";
import { fmt, median, medianRatio, rotate, table } from "../lib/stats.mjs";

const PRINT_CPU = "const u=process.cpuUsage();console.log(u.user+u.system)";

function entries() {
  const shakable = path.join(vendorDir, "imports", "cloudflare-shakable.mjs");
  mkdirSync(path.dirname(shakable), { recursive: true });
  writeFileSync(
    shakable,
    'import "cloudflare/tree-shakable";\nimport "cloudflare/resources/dns/zone-transfers/outgoing/outgoing";\n',
  );
  return {
    "node -e (nothing imported)": null,
    "cf-secondary-dns (dist/src/index.js)": path.join(root, "dist", "src", "index.js"),
    "openapi-fetch 0.17.0": path.join(root, "node_modules", "openapi-fetch", "dist", "index.mjs"),
    "cloudflare 7.3.0 (main entry)": path.join(vendorModules, "cloudflare", "index.mjs"),
    "cloudflare 7.3.0 (tree-shakable + outgoing)": shakable,
  };
}

export function importCommand(file) {
  const flags = file ? ["--import", pathToFileURL(file).href] : [];
  return [...flags, "-e", PRINT_CPU];
}

export async function runImports({ rounds, log }) {
  const modes = entries();
  const names = Object.keys(modes);
  const wall = Object.fromEntries(names.map((n) => [n, []]));
  const cpu = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < rounds; round++) {
    for (const name of rotate(names, round)) {
      const { stdout, ms } = await check(process.execPath, importCommand(modes[name]), {
        cwd: root,
      });
      wall[name].push(ms);
      cpu[name].push(Number(stdout) / 1000);
    }
    log(`imports round ${round + 1}/${rounds}`);
  }
  const base = names[0];
  return names.map((name) => ({
    name,
    file: modes[name],
    wallMs: median(wall[name]),
    cpuMs: median(cpu[name]),
    wallRatio: medianRatio(wall[name], wall[base]),
    cpuRatio: medianRatio(cpu[name], cpu[base]),
  }));
}

export function importsMarkdown(rows) {
  return table(
    ["import", "wall ms", "wall vs node -e", "CPU ms", "CPU vs node -e"],
    rows.map((r) => [
      r.name,
      fmt.one(r.wallMs),
      fmt.ratio(r.wallRatio),
      fmt.one(r.cpuMs),
      fmt.ratio(r.cpuRatio),
    ]),
  );
}
