/**
 * The check of a request body against its schema from the spec
 * (generated/operations.ts `BODY_SCHEMAS`): a copy of the body, or a
 * ValidationError naming the field at fault (`body.peers[2]`). A new body schema
 * in the spec needs nothing here, unless it uses a keyword the check does not
 * read (the generator refuses those).
 */
import type { BodyNode } from "../generated/operations.js";
import { ValidationError } from "./errors.js";
import { dnsNameProblem, identifierProblem, shown } from "./validate.js";

/** Named schemas whose problems the client words itself, with hints. */
const NAMED: Record<string, (value: unknown) => string | undefined> = Object.assign(
  Object.create(null) as object,
  { Identifier: identifierProblem, DnsName: dnsNameProblem },
);

/** How a type is named in a message. */
const A: Record<string, string> = {
  object: "an object",
  array: "an array",
  string: "a string",
  integer: "an integer",
  number: "a number",
  boolean: "true or false",
};

const has = (record: object, key: string) => Object.prototype.hasOwnProperty.call(record, key);
const patterns = new Map<string, RegExp>();

export function checkBody(node: BodyNode, value: unknown, field = "body"): unknown {
  const fail = (reason: string, at = field): never => {
    throw new ValidationError(at, reason);
  };
  /** `n` within min..max, else a failure: "must hold at most 30 items, got 31". */
  const limit = (n: number, min = -Infinity, max = Infinity, verb = "be", unit = "") => {
    if (n < min || n > max)
      fail(`must ${verb} ${n > max ? `at most ${max}` : `at least ${min}`}${unit}, got ${n}`);
  };
  const named = node.ref === undefined ? undefined : NAMED[node.ref];
  if (named) {
    const problem = named(value);
    return problem ? fail(problem) : value;
  }
  const { type } = node;
  const kind = Array.isArray(value) ? "array" : value === null ? "null" : typeof value;
  if (
    type !== undefined &&
    (kind !== (type === "integer" ? "number" : type) ||
      (kind === "number" && !Number.isFinite(value)) ||
      (type === "integer" && !Number.isInteger(value)))
  ) {
    fail(`must be ${A[type] ?? type}, got ${shown(value)}`);
  }
  if (node.enum && !node.enum.includes(value)) {
    fail(
      `must be one of ${node.enum.map((v) => JSON.stringify(v)).join(", ")}, got ${shown(value)}`,
    );
  }
  if (kind === "number") limit(value as number, node.minimum, node.maximum);
  if (kind === "string") {
    const text = value as string;
    limit(text.length, node.minLength, node.maxLength, "be", " characters long");
    const { pattern } = node;
    if (pattern !== undefined) {
      if (!patterns.has(pattern)) patterns.set(pattern, new RegExp(pattern, "u"));
      if (!patterns.get(pattern)!.test(text)) fail(`must match ${pattern}, got ${shown(text)}`);
    }
  }
  if (kind === "array" && type === "array") {
    const list = value as unknown[];
    limit(list.length, node.minItems, node.maxItems, "hold", " items");
    const seen = new Set<unknown>();
    // "body.peers" repeats a peer; a name that is not a plural, an item.
    const one = /(\w+)s$/.exec(field)?.[1] ?? "item";
    return list.map((item, i) => {
      const at = `${field}[${i}]`;
      const checked = checkBody(node.items ?? {}, item, at);
      const key = typeof item === "object" ? JSON.stringify(item) : item;
      if (node.uniqueItems && seen.has(key)) fail(`repeats ${one} ${shown(item)}`, at);
      seen.add(key);
      return checked;
    });
  }
  if (kind === "object" && type === "object") {
    const record = value as Record<string, unknown>;
    const properties = node.properties ?? {};
    const known = Object.keys(properties);
    for (const key of Object.keys(record)) {
      if (node.additionalProperties === false && !has(properties, key))
        fail(`is not a field of ${field} (only ${known.join(", ")} are)`, `${field}.${key}`);
    }
    for (const key of node.required ?? [])
      if (!has(record, key)) fail("is required", `${field}.${key}`);
    const copy: Record<string, unknown> = { ...record };
    for (const key of known) {
      if (has(record, key)) copy[key] = checkBody(properties[key]!, record[key], `${field}.${key}`);
    }
    return copy;
  }
  return value;
}
