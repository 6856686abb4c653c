// `npm run bench`: the six measurements of issue 6, one after the other, then
// bench/RESULTS.md. `npm run bench -- --quick` is a short smoke run whose report
// goes to bench/vendor/RESULTS.quick.md instead, so it never replaces real numbers.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { benchDir, vendorDir } from "./lib/paths.mjs";
import { setup } from "./lib/setup.mjs";
import { report } from "./lib/report.mjs";
import { runCalls } from "./sections/calls.mjs";
import { runImports } from "./sections/imports.mjs";
import { runBundles } from "./sections/bundles.mjs";
import { runTypecheck } from "./sections/typecheck.mjs";
import { runFootprint } from "./sections/footprint.mjs";
import { runPipeline } from "./sections/pipeline.mjs";
import { loadavg } from "node:os";

const quick = process.argv.includes("--quick");
export const SETTINGS = quick
  ? { quick, calls: { rounds: 1, warmup: 50, calls: 500, concurrency: 32 }, importRounds: 3, typecheckRounds: 1, pipelineRounds: 1 }
  : { quick, calls: { rounds: 5, warmup: 500, calls: 5000, concurrency: 32 }, importRounds: 20, typecheckRounds: 5, pipelineRounds: 3 };

const started = Date.now();
const log = (line) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}`);
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

const out = quick ? path.join(vendorDir, "RESULTS.quick.md") : path.join(benchDir, "RESULTS.md");
const markdown = await report(results, {
  settings: SETTINGS,
  seconds: (Date.now() - started) / 1000,
  load: [loadBefore, loadavg()],
});
writeFileSync(out, markdown);
writeFileSync(path.join(vendorDir, quick ? "results.quick.json" : "results.json"), JSON.stringify(results, null, 2));
log(`wrote ${path.relative(process.cwd(), out)}`);
