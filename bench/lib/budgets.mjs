// The budgets, checked against one run's numbers. Each row says the
// measured value, the goal, and by how much it passes or misses.
import { GZIP_BUDGET } from "../sections/bundles.mjs";
import { PACKED_BUDGET } from "../sections/footprint.mjs";
import { fmt, table } from "./stats.mjs";

function row(what, measured, goal, ok, margin) {
  return { what, measured, goal, ok, margin };
}

/** For "at most" budgets on ratios: how far over or under, in percent of the goal. */
const pct = (value, goal) => `${value > goal ? "+" : ""}${(((value - goal) / goal) * 100).toFixed(0)}%`;

export function checkBudgets({ calls, imports, bundles, typecheck, footprint }) {
  const rows = [];
  for (const kind of ["sequential", "concurrent"]) {
    const r = calls.rows.find((x) => x.kind === kind && x.mode === "ours");
    rows.push(row(`CPU per call, ${kind}`, fmt.ratio(r.cpuRatio), "<= 1.10x raw fetch", r.cpuRatio <= 1.1, pct(r.cpuRatio, 1.1)));
    rows.push(row(`throughput, ${kind}`, fmt.ratio(r.rpsRatio), ">= 0.90x raw fetch", r.rpsRatio >= 0.9, pct(r.rpsRatio, 0.9)));
  }
  const app = bundles.find((b) => b.name === "ours");
  rows.push(row("gzip bundle of the app", `${fmt.int(app.gzip)} B`, `<= ${fmt.int(GZIP_BUDGET)} B`, app.gzip <= GZIP_BUDGET, `${app.gzip - GZIP_BUDGET > 0 ? "+" : ""}${fmt.int(app.gzip - GZIP_BUDGET)} B`));
  const imp = imports.find((i) => i.name.startsWith("cf-secondary-dns"));
  rows.push(row("cold import (wall)", fmt.ratio(imp.wallRatio), "<= 1.3x node -e", imp.wallRatio <= 1.3, pct(imp.wallRatio, 1.3)));
  const tc = typecheck.find((t) => t.name === "cf-secondary-dns");
  rows.push(row("consumer type-check (wall)", fmt.ratio(tc.ratio), "<= 1.3x fetch only", tc.ratio <= 1.3, pct(tc.ratio, 1.3)));
  const packed = footprint.ours.packed;
  rows.push(row("packed tarball", fmt.kb(packed), `<= ${fmt.kb(PACKED_BUDGET)}`, packed <= PACKED_BUDGET, `${packed > PACKED_BUDGET ? "+" : ""}${fmt.kb(packed - PACKED_BUDGET)}`));
  return rows;
}

export function budgetsMarkdown(rows) {
  return table(
    ["budget", "measured", "goal", "verdict", "margin"],
    rows.map((r) => [r.what, r.measured, r.goal, r.ok ? "pass" : "**MISS**", r.margin]),
  );
}
