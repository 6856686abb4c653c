// `npm run bench`: the six measurements of issue 6 and the watcher's (issue 21), one after the other, then
// bench/RESULTS.md. `npm run bench -- --quick` is a short smoke run whose report
// goes to bench/vendor/RESULTS.quick.md instead, so it never replaces real numbers.
// `--report` only renders RESULTS.md again from the last full run's numbers
// (bench/vendor/results.json), e.g. after editing bench/NOTES.md.
// `--abuse` measures section 7 alone (the DNS primary under abuse) and replaces
// only that section of RESULTS.md; `--abuse --before <folder>` adds a column for
// another checkout of the package (built, with node_modules) to compare with;
// `--abuse --report` writes that section again from bench/vendor/abuse.json.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { benchDir, vendorDir } from "./lib/paths.mjs";
import { freshDist, setup } from "./lib/setup.mjs";
import { report } from "./lib/report.mjs";
import { runCalls } from "./sections/calls.mjs";
import { runImports } from "./sections/imports.mjs";
import { runBundles } from "./sections/bundles.mjs";
import { runTypecheck } from "./sections/typecheck.mjs";
import { runFootprint } from "./sections/footprint.mjs";
import { runPipeline } from "./sections/pipeline.mjs";
import { abuseSection, runAbuse, spliceAbuse } from "./sections/abuse.mjs";
import { runWatch } from "./sections/watch.mjs";
import { loadavg } from "node:os";
import { check } from "./lib/proc.mjs";
import { root } from "./lib/paths.mjs";

const quick = process.argv.includes("--quick");
export const SETTINGS = quick
  ? {
      quick,
      calls: { rounds: 1, warmup: 50, calls: 500, concurrency: 32 },
      importRounds: 3,
      typecheckRounds: 1,
      pipelineRounds: 1,
    }
  : {
      quick,
      calls: { rounds: 5, warmup: 500, calls: 5000, concurrency: 32 },
      importRounds: 20,
      typecheckRounds: 5,
      pipelineRounds: 3,
    };

const started = Date.now();
const log = (line) =>
  console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}`);
const saved = path.join(vendorDir, quick ? "results.quick.json" : "results.json");
const out = quick ? path.join(vendorDir, "RESULTS.quick.md") : path.join(benchDir, "RESULTS.md");

if (process.argv.includes("--abuse") && process.argv.includes("--report")) {
  const { abuse, meta } = JSON.parse(readFileSync(path.join(vendorDir, "abuse.json"), "utf8"));
  writeFileSync(out, spliceAbuse(readFileSync(out, "utf8"), abuseSection(abuse, meta)));
  log(`wrote section 7 of ${path.relative(process.cwd(), out)} from bench/vendor/abuse.json`);
  process.exit(0);
}

if (process.argv.includes("--report")) {
  const { results, meta } = JSON.parse(readFileSync(saved, "utf8"));
  writeFileSync(out, report(results, meta));
  log(`wrote ${path.relative(process.cwd(), out)} from ${path.relative(process.cwd(), saved)}`);
  process.exit(0);
}

const commitNow = async () =>
  (await check("git", ["rev-parse", "--short", "HEAD"], { cwd: root })).stdout.trim();

if (process.argv.includes("--abuse")) {
  const roots = [{ label: "this commit", root }];
  const before = process.argv[process.argv.indexOf("--before") + 1];
  if (process.argv.includes("--before")) {
    const commit = (
      await check("git", ["rev-parse", "--short", "HEAD"], { cwd: before }).catch(() => ({
        stdout: path.basename(before),
      }))
    ).stdout.trim();
    roots.unshift({ label: `before (${commit})`, root: before });
  }
  await freshDist(log);
  const loadStart = loadavg();
  const abuse = await runAbuse({ log, roots, quick });
  const meta = {
    date: new Date().toISOString(),
    commit: await commitNow(),
    load: [loadStart, loadavg()],
  };
  writeFileSync(path.join(vendorDir, "abuse.json"), JSON.stringify({ abuse, meta }, null, 2));
  writeFileSync(out, spliceAbuse(readFileSync(out, "utf8"), abuseSection(abuse, meta)));
  log(`wrote section 7 of ${path.relative(process.cwd(), out)}`);
  process.exit(0);
}

const loadBefore = loadavg();
await setup(log);
const results = {};
log("1. per call");
results.calls = await runCalls({ ...SETTINGS.calls, log });
log("2. cold import");
results.imports = await runImports({ rounds: SETTINGS.importRounds, log });
log("3. bundle");
results.bundles = await runBundles();
log("4. type-check");
results.typecheck = await runTypecheck({ rounds: SETTINGS.typecheckRounds, log });
log("5. install footprint");
results.footprint = await runFootprint();
log("6. pipeline");
results.pipeline = await runPipeline({ rounds: SETTINGS.pipelineRounds, log });
log("7. primary under abuse");
results.abuse = await runAbuse({ log, quick });
log("8. doctor --watch");
results.watch = await runWatch({ log });

const meta = {
  settings: SETTINGS,
  seconds: (Date.now() - started) / 1000,
  load: [loadBefore, loadavg()],
  date: new Date().toISOString(),
  commit: await commitNow(),
};
writeFileSync(saved, JSON.stringify({ results, meta }, null, 2));
writeFileSync(out, report(results, meta));
log(`wrote ${path.relative(process.cwd(), out)}`);
