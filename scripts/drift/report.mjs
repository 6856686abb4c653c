// The text report of `npm run drift` and its exit status.

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
const line = (d) => `${d.where ? `${d.where}: ` : ""}${d.message}`;

/** Exit status: 1 when anything is new (or not followed, under --fail-on-unfollowed). */
export function exitStatus(outcome, { failOnUnfollowed }) {
  const fresh = outcome.departures.filter((d) => d.known.length === 0).length;
  const changes = outcome.upstreamChanges?.length ?? 0;
  const unfollowed = failOnUnfollowed ? outcome.notFollowed.length : 0;
  return fresh + changes + unfollowed > 0 ? 1 : 0;
}

function changesSection(outcome, options) {
  if (!outcome.upstreamChanges) return ["Upstream changes: not checked (no baseline)."];
  if (!outcome.upstreamChanges.length) return [`Upstream changes since ${options.baseline}: none.`];
  const lines = [`Upstream changes since ${options.baseline} (each one NEW):`];
  let current;
  for (const c of outcome.upstreamChanges) {
    if (c.operation !== current) {
      current = c.operation;
      lines.push(`  ${c.operation} (${c.operationId ?? "no operationId"})`);
    }
    lines.push(`    NEW  ${line(c)}`);
  }
  return lines;
}

function departuresSection(outcome) {
  const lines = ["Our departures from upstream:"];
  let current;
  for (const d of outcome.departures) {
    if (d.operationId !== current) {
      current = d.operationId;
      lines.push(`  ${current}`);
    }
    const tag = d.known.length ? `known ${d.known.join(" ")}` : "NEW";
    lines.push(`    ${tag.padEnd(14)} ${line(d)}`);
  }
  if (!outcome.departures.length) lines.push("  none");
  return lines;
}

function coverageSection(outcome, options) {
  if (!outcome.notFollowed.length) return [];
  const mark = options.failOnUnfollowed ? "NEW  " : "";
  return [
    "Not followed (upstream operations under followed paths that we do not have):",
    ...outcome.notFollowed.map(
      (n) => `  ${mark}${n.operation} (${n.operationId ?? "no operationId"})`,
    ),
  ];
}

function staleSection(outcome) {
  if (!outcome.stale.length) return [];
  return [
    "Marked x-fix but no longer different (Cloudflare may have fixed it):",
    ...outcome.stale.map((s) => `  ${s.fixes.join(" ")} at #${s.pointer}`),
  ];
}

function summary(outcome) {
  const known = outcome.departures.filter((d) => d.known.length).length;
  const fresh = outcome.departures.length - known;
  const changes = outcome.upstreamChanges?.length ?? 0;
  return (
    `${plural(changes, "upstream change")}, ${plural(fresh, "new departure")} ` +
    `(${known} known), ${plural(outcome.stale.length, "stale marker")}, ` +
    `${plural(outcome.notFollowed.length, "operation")} not followed.`
  );
}

export function report(outcome, options) {
  const head =
    `drift: ${options.ours} (${plural(outcome.operations, "operation")}) against ` +
    `${options.upstream} (${plural(outcome.upstreamOperations, "followed operation")})`;
  const sections = [
    [head],
    changesSection(outcome, options),
    departuresSection(outcome),
    coverageSection(outcome, options),
    staleSection(outcome),
    [summary(outcome)],
  ];
  return sections
    .filter((s) => s.length)
    .map((s) => s.join("\n"))
    .join("\n\n");
}
