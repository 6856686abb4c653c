// 6. The pipeline itself: wall time of `npm run generate`, `npm run docs` and
// `npm run build`, in a scratch copy of the committed tree (see lib/scratch.mjs).
import { withScratchCopy } from "../lib/scratch.mjs";
import { check } from "../lib/proc.mjs";
import { fmt, median, table } from "../lib/stats.mjs";

export const STEPS = ["generate", "docs", "build"];

export async function runPipeline({ rounds, log }) {
  const times = Object.fromEntries(STEPS.map((s) => [s, []]));
  const commit = await withScratchCopy(async (scratch, commit) => {
    for (let round = 0; round < rounds; round++) {
      for (const step of STEPS)
        times[step].push((await check("npm", ["run", step], { cwd: scratch })).ms);
      log(`pipeline round ${round + 1}/${rounds}`);
    }
    return commit;
  });
  return {
    commit,
    rows: STEPS.map((step) => ({ step, ms: median(times[step]), all: times[step] })),
  };
}
export function pipelineMarkdown({ rows }) {
  return table(
    ["step", "median wall", "runs"],
    rows.map((r) => [
      `npm run ${r.step}`,
      fmt.ms(r.ms),
      r.all.map((ms) => (ms / 1000).toFixed(1) + " s").join(", "),
    ]),
  );
}
