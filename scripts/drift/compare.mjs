// The whole comparison behind `npm run drift`: (a) upstream changes since the
// baseline, (b) our departures from upstream (known through x-fix, or new), stale
// markers, and coverage (upstream operations under the followed paths we do not have).
import { WORDS, diffOperation, walker } from "./diff.mjs";
import {
  baselineOf,
  isFollowed,
  listOperations,
  normalizeOperation,
  reader,
  schemeMarks,
} from "./normalize.mjs";

/** (a): every change between the baseline and upstream now, all of them new. */
export function upstreamChanges(baseline, current) {
  const changes = [];
  for (const key of new Set([...Object.keys(baseline), ...Object.keys(current)])) {
    const was = baseline[key];
    const now = current[key];
    const operationId = (now ?? was).operationId;
    const add = (where, message) => changes.push({ operation: key, operationId, where, message });
    if (!now) add("", "operation removed upstream");
    else if (!was) add("", "operation added upstream");
    else diffOperation(walker(WORDS.baseline, add), was, now);
  }
  return changes;
}

/** Where a difference's innermost marker says it is known. */
function attribute(trail, used) {
  const marker = trail.at(-1);
  if (!marker) return { known: [] };
  used.add(marker.pointer);
  return { known: marker.fixes, pointer: marker.pointer };
}

/** (b): each of our operations against upstream's with the same operationId. */
export function departures(ours, upstream) {
  const r = reader(ours, { marks: true });
  const u = reader(upstream);
  const schemes = schemeMarks(r);
  // Only the followed paths: a YAML schema is read without the others (load.mjs).
  const followed = listOperations(upstream).filter((op) => isFollowed(op.path));
  const byId = new Map(followed.map((op) => [op.operationId, op]));
  const reached = new Map();
  const used = new Set();
  const reach = (marks) => marks.forEach((m) => reached.set(m.pointer, m));
  const found = [];
  const mine = listOperations(ours);
  for (const op of mine) {
    const add = (where, message, trail = []) =>
      found.push({
        operation: op.key,
        operationId: op.operationId,
        where,
        message,
        ...attribute(trail, used),
      });
    const up = byId.get(op.operationId);
    if (!up) {
      add("", "upstream has no operation with this operationId under the followed paths");
      continue;
    }
    if (up.key !== op.key) add("", `method and path: ours ${op.key}, upstream ${up.key}`);
    const w = walker(WORDS.ours, add, reach);
    diffOperation(w, normalizeOperation(r, op), normalizeOperation(u, up), schemes);
  }
  const stale = [...reached.values()].filter((m) => !used.has(m.pointer));
  return {
    operations: mine.length,
    departures: found,
    stale,
    ids: new Set(mine.map((o) => o.operationId)),
  };
}

/** Upstream operations under the followed paths that we do not have. */
export function notFollowed(current, ids) {
  return Object.entries(current)
    .filter(([, op]) => !ids.has(op.operationId))
    .map(([operation, op]) => ({ operation, operationId: op.operationId }));
}

/** Everything, for the report: `baseline` is the stored one (or null to skip (a)). */
export function compare({ ours, upstream, baseline }) {
  const current = baselineOf(upstream);
  const b = departures(ours, upstream);
  return {
    operations: b.operations,
    upstreamOperations: Object.keys(current).length,
    upstreamChanges: baseline ? upstreamChanges(baseline.operations, current) : null,
    departures: b.departures,
    stale: b.stale,
    notFollowed: notFollowed(current, b.ids),
    current,
  };
}

export { isFollowed };
