/**
 * Plans and apply steps as lines of text, for the CLI. Names are quoted as JSON
 * strings and every line has its control characters escaped, so nothing the
 * API returns can steer a terminal. No line ever holds a secret: the plan has none.
 */
import type { ApplyResult } from "./apply.js";
import { summarize, type Change, type Plan } from "./plan.js";
import { escapeText } from "../text.js";

const SIGN = { create: "+", update: "~", enable: "~", disable: "~", delete: "-" } as const;

/** A line made safe to print: the project's one escaping rule (src/text.ts), so no value can forge or reorder a line. */
export const safeLine = escapeText;

function subject(change: Change): string {
  if (change.kind === "outgoing" || change.kind === "incoming")
    return `zone ${change.name} ${change.kind} configuration`;
  if (change.kind === "transfers") return `zone ${change.name} transfers`;
  return `${change.kind} "${change.name}"`;
}

function fieldText(field: Change["fields"][number]): string {
  // A secret's field never carries the secret: "secret differs", or where a new one is read from.
  if (field.field === "secret")
    return field.to === "secret differs" ? field.to : `secret ${field.to}`;
  const from = field.from ?? "(none)";
  const to = field.to ?? "(none)";
  return `${field.field}: ${from} -> ${to}`;
}

/** One change as a line: sign, subject, action, and the fields that differ. */
export function changeLine(change: Change): string {
  const fields = [...change.fields.map(fieldText), ...(change.reason ? [change.reason] : [])].join(
    "; ",
  );
  return safeLine(
    `  ${SIGN[change.action]} ${subject(change)}: ${change.action}${fields ? ` (${fields})` : ""}`,
  );
}

export function formatPlan(plan: Plan): string[] {
  const lines = plan.changes.map(changeLine);
  const { create, update, delete: remove } = summarize(plan.changes);
  for (const note of plan.notes) lines.push(safeLine(`  note: ${note}`));
  if (plan.unmanaged.length > 0) {
    const names = plan.unmanaged.map((x) => `${x.kind} "${x.name}"`).join(", ");
    lines.push(safeLine(`  not in the file, left alone (--prune deletes them): ${names}`));
  }
  lines.push(
    plan.changes.length === 0
      ? "No changes: what exists is what the file says."
      : `Plan: ${create} to create, ${update} to update, ${remove} to delete.`,
  );
  return lines;
}

/** What a failed apply did and did not do. */
export function formatFailure(result: ApplyResult, reason: string): string[] {
  const failed = result.failed!.change;
  return [
    safeLine(`Failed: ${subject(failed)}: ${failed.action}: ${reason}`),
    `Done before it (${result.done.length}):${result.done.length === 0 ? " nothing" : ""}`,
    ...result.done.map(changeLine),
    `Not done (${result.notDone.length + 1}):`,
    changeLine(failed),
    ...result.notDone.map(changeLine),
    "Run apply again: it plans from what exists now, so it continues from here.",
  ];
}
