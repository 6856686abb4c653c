// 6. The pipeline itself: wall time of `npm run generate`, `npm run docs` and
// `npm run build`. They run in a scratch copy of the committed tree (git archive
// HEAD, with a link to node_modules), because build empties dist/ and generate
// rewrites generated/, which other work in this tree may be using.
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { root } from "../lib/paths.mjs";
import { check } from "../lib/proc.mjs";
import { fmt, median, table } from "../lib/stats.mjs";

export const STEPS = ["generate", "docs", "build"];

export async function runPipeline({ rounds, log }) {
  const { stdout: commit } = await check("git", ["rev-parse", "--short", "HEAD"], { cwd: root });
  const scratch = mkdtempSync(path.join(tmpdir(), "cf-sdns-bench-pipeline-"));
  const times = Object.fromEntries(STEPS.map((s) => [s, []]));
  try {
    await check("sh", ["-c", `git -C "${root}" archive HEAD | tar -x -C "${scratch}"`]);
    symlinkSync(path.join(root, "node_modules"), path.join(scratch, "node_modules"), "dir");
    for (let round = 0; round < rounds; round++) {
      for (const step of STEPS) times[step].push((await check("npm", ["run", step], { cwd: scratch })).ms);
      log(`pipeline round ${round + 1}/${rounds}`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return { commit: commit.trim(), rows: STEPS.map((step) => ({ step, ms: median(times[step]), all: times[step] })) };
}

export function pipelineMarkdown({ rows }) {
  return table(
    ["step", "median wall", "runs"],
    rows.map((r) => [`npm run ${r.step}`, fmt.ms(r.ms), r.all.map((ms) => (ms / 1000).toFixed(1) + " s").join(", ")]),
  );
}
