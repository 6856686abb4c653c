// The budgets, checked against one run's numbers. Each row says the
// measured value, the goal, and by how much it passes or misses.
import { GZIP_BUDGET } from "../sections/bundles.mjs";
import { PACKED_BUDGET } from "../sections/footprint.mjs";
import { fmt, table } from "./stats.mjs";

const signed = (text, delta) => `${delta > 0 ? "+" : ""}${text}`;
/** How far a ratio is from its goal, in percent of the goal. */
const pct = (value, goal) => signed(`${(((value - goal) / goal) * 100).toFixed(0)}%`, value - goal);

/** A ratio that must stay at most (or, with `atLeast`, at least) `goal`. */
function ratio(what, value, goal, against, atLeast = false) {
  return {
    what,
    measured: fmt.ratio(value),
    goal: `${atLeast ? ">=" : "<="} ${goal.toFixed(2)}x ${against}`,
    ok: atLeast ? value >= goal : value <= goal,
    margin: pct(value, goal),
  };
}

/** A size in bytes that must stay at most `goal`. */
function size(what, value, goal, show) {
  return {
    what,
    measured: show(value),
    goal: `<= ${show(goal)}`,
    ok: value <= goal,
    margin: signed(show(value - goal), value - goal),
  };
}

export function checkBudgets({ calls, imports, bundles, typecheck, footprint }) {
  const rows = [];
  for (const kind of ["sequential", "concurrent"]) {
    const r = calls.rows.find((x) => x.kind === kind && x.mode === "ours");
    rows.push(ratio(`CPU per call, ${kind}`, r.cpuRatio, 1.1, "raw fetch"));
    rows.push(
      ratio(`CPU per call, ${kind}, vs timed fetch`, r.cpuRatioTimeout, 1.05, "fetch + timeout"),
    );
    rows.push(ratio(`throughput, ${kind}`, r.rpsRatio, 0.9, "raw fetch", true));
  }
  const bytes = (n) => `${fmt.int(n)} B`;
  rows.push(
    size(
      "gzip bundle of an app calling outgoing.get (modular form)",
      bundles.find((b) => b.name === "ours-modular").gzip,
      GZIP_BUDGET,
      bytes,
    ),
  );
  const imported = imports.find((i) => i.name.startsWith("cf-secondary-dns"));
  rows.push(ratio("cold import (wall)", imported.wallRatio, 1.3, "node -e"));
  const checked = typecheck.find((t) => t.name === "cf-secondary-dns");
  rows.push(ratio("consumer type-check (wall)", checked.ratio, 1.3, "fetch only"));
  rows.push(size("packed tarball", footprint.ours.packed, PACKED_BUDGET, fmt.kb));
  return rows;
}

export function budgetsMarkdown(rows) {
  return table(
    ["budget", "measured", "goal", "verdict", "margin"],
    rows.map((r) => [r.what, r.measured, r.goal, r.ok ? "pass" : "**MISS**", r.margin]),
  );
}
