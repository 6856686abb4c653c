// Renders bench/RESULTS.md from one run's results.
import { existsSync, readFileSync } from "node:fs";
import { cpus, release } from "node:os";
import path from "node:path";
import { benchDir } from "./paths.mjs";
import { fmt, table } from "./stats.mjs";
import { budgetsMarkdown, checkBudgets } from "./budgets.mjs";
import { INSTALL } from "./setup.mjs";
import { callsMarkdown } from "../sections/calls.mjs";
import { importsMarkdown } from "../sections/imports.mjs";
import { bundleByFileMarkdown, bundlesMarkdown } from "../sections/bundles.mjs";
import { typecheckMarkdown } from "../sections/typecheck.mjs";
import { footprintMarkdown } from "../sections/footprint.mjs";
import { pipelineMarkdown } from "../sections/pipeline.mjs";
import { abuseSection } from "../sections/abuse.mjs";
import { WATCH_TEXT, watchMarkdown } from "../sections/watch.mjs";

export function report(results, { settings, seconds, load, date, commit }) {
  const c = settings.calls;
  const notes = path.join(benchDir, "NOTES.md");
  const loads = load.map((l) => l.map((x) => x.toFixed(2)).join(" ")).join(" at the start, ");
  return `# Benchmark results

Written by \`npm run bench\`${settings.quick ? " --quick (a smoke run: too few rounds to quote)" : ""} on ${date.slice(0, 16).replace("T", " ")} UTC, at commit ${commit} (plus the working tree), in ${Math.round(seconds)} s.

Machine: ${cpus()[0].model}, ${cpus().length} cores, Linux ${release()}, Node ${process.version}. Load average (1, 5, 15 min): ${loads} at the end. The machine is shared and noisy: every timing below is a median over rounds in which the modes take turns, and each ratio is the median of per-round ratios.

## Budgets

${budgetsMarkdown(checkBudgets(results))}

${existsSync(notes) ? readFileSync(notes, "utf8").trim() : ""}

## 1. Per call

${fmt.int(c.warmup)} warm-up calls, then ${fmt.int(c.calls)} sequential calls and ${fmt.int(c.calls)} at concurrency ${c.concurrency}, from a client process of its own per mode and round, to a node:http server on 127.0.0.1 answering with a fixed success envelope (an OutgoingZone). ${c.rounds} rounds, modes rotated. CPU is the client process's user + system time (all its threads) over the measured calls.

${callsMarkdown(results.calls, c)}

## 2. Cold import

A fresh \`node\` that imports the package and exits, against one that imports nothing; ${settings.importRounds} paired rounds. CPU is the child's own user + system time, startup included.

${importsMarkdown(results.imports)}

## 3. Bundle

esbuild (JS API) \`--bundle --minify --format=esm --platform=browser --target=es2022\` of each app in bench/apps/, gzip at level 9. test/bundle-size.test.ts holds ours to the budget in \`npm test\`.

${bundlesMarkdown(results.bundles)}

Where the bytes of ours come from:

${bundleByFileMarkdown(results.bundles.find((b) => b.name === "ours"))}

## 4. Type-check

\`tsc\` (noEmit, strict, NodeNext, lib ES2022 + DOM, skipLibCheck) of a one-file consumer of each; ${settings.typecheckRounds} paired rounds. Files, types and instantiations are tsc's own counts (\`--extendedDiagnostics\`) and do not vary with load. Ours is read from dist/ through the package's \`exports\`, as an application would.

${typecheckMarkdown(results.typecheck)}

## 5. Install footprint

\`npm pack --dry-run\` of each runtime dependency locked in package-lock.json, and of this package after a clean \`npm run compile\` in a scratch copy of commit ${results.pipeline.commit} (the shared dist/ can hold stale files that a clean build would not publish).

${footprintMarkdown(results.footprint)}

## 6. Pipeline

In a scratch copy of commit ${results.pipeline.commit} (\`git archive HEAD\`, node_modules linked), ${settings.pipelineRounds} run(s) each. \`build\` includes lint:spec, generate, check:generated, docs and compile.

${pipelineMarkdown(results.pipeline)}

## 7. Primary under abuse

${abuseSection(results.abuse, { date, commit })}

${results.watch ? `\n## 8. doctor --watch\n\n${WATCH_TEXT}\n\n${watchMarkdown(results.watch)}\n` : ""}
## Commands

- Everything: \`npm run bench\` (\`node bench/run.mjs\`); a smoke run: \`npm run bench -- --quick\`.
- Setup: \`npm ${INSTALL.join(" ")}\`, a link bench/vendor/node_modules/cf-secondary-dns -> the package root, and \`npx tsc -p tsconfig.json\` when dist/ is older than src/.
- 1: each app bundled for Node (esbuild, unminified) into bench/vendor/built/; \`node bench/calls/server.mjs\` (prints its port), then per mode and round \`node bench/calls/client.mjs bench/vendor/built/<app>.mjs <port> ${c.warmup} ${c.calls} ${c.concurrency}\`.
- 2: \`node -e "<print process.cpuUsage()>"\` and \`node --import file:///<entry> -e "<same>"\`, entries as in the table.
- 3: \`bundleApp()\` in bench/apps/build.mjs.
- 4: \`node node_modules/typescript/lib/tsc.js -p bench/vendor/typecheck/consumer-<n>\` (sources in bench/sections/typecheck.mjs).
- 5: \`npm pack --dry-run --json --ignore-scripts <folder>\`; for this package, in the scratch copy after \`npm run compile\`.
- 6: \`git archive HEAD | tar -x -C <scratch>\` (bench/lib/scratch.mjs), then \`npm run generate\`, \`npm run docs\`, \`npm run build\` there.
- 7: \`node bench/abuse/server.mjs <package root> <records> <state folder>\` per zone size; the attacks in bench/sections/abuse.mjs. Alone: \`npm run bench -- --abuse [--before <another built checkout>]\`.
- 8: \`node bench/sections/watch.mjs\` (this section alone): the emulator in-process, then \`node --expose-gc bench/watch/ticker.mjs dist <api url> <dns port> <account> <ticks> <zone id>...\`.
`;
}
