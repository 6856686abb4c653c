/**
 * The check of a request body against its schema from the spec (an
 * operation's `bodyCheck`, generated/operations.ts): a copy of the body, or a
 * ValidationError naming the field at fault (`body.peers[2]`). A new body schema
 * in the spec needs nothing here, unless it uses a keyword the check does not
 * read (the generator refuses those).
 */
import type { BodyNode } from "../../generated/operations.js";
import { ValidationError } from "./errors.js";
import { dnsNameProblem, identifierProblem, isIpv4, isIpv6, shown } from "./validate.js";

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

/** The formats the check tests (the generator allows these and `password`, never shown); strict results add `date-time` (src/results.ts). */
export const FORMATS: Record<string, (text: string) => boolean> = {
  ipv4: isIpv4,
  ipv6: (text) => isIpv6(text, true),
};

/** Whether `value` passes `node`, for the alternatives of anyOf and oneOf. */
const passes = (node: BodyNode, value: unknown): boolean => {
  try {
    checkBody(node, value);
    return true;
  } catch {
    return false;
  }
};

const has = (record: object, key: string) => Object.prototype.hasOwnProperty.call(record, key);
const patterns = new Map<string, RegExp>();

/** The walker's type: the generated operations that take a body pass checkBody to the call. */
export type BodyCheck = (node: BodyNode, value: unknown) => unknown;

export function checkBody(node: BodyNode, value: unknown, field = "body"): unknown {
  const named = node.ref === undefined ? undefined : NAMED[node.ref];
  if (named) {
    const problem = named(value);
    if (problem) throw new ValidationError(field, problem);
    return value;
  }
  for (const part of node.allOf ?? []) checkBody(part, value, field);
  if (node.what === undefined) return checkNode(node, value, field);
  try {
    return checkNode(node, value, field);
  } catch (error) {
    // A field with its own wording fails in those words, whichever keyword refused it.
    if (!(error instanceof ValidationError) || error.field !== field) throw error;
    throw new ValidationError(field, `must be ${node.what}, got ${shown(value)}`);
  }
}

function fail(field: string, reason: string): never {
  throw new ValidationError(field, reason);
}

/** `n` within min..max, else a failure: "must hold at most 30 items, got 31". */
function limit(field: string, n: number, min = -Infinity, max = Infinity, verb = "be", unit = "") {
  if (n < min || n > max) {
    const range =
      min === -Infinity
        ? `at most ${max}`
        : max === Infinity
          ? `at least ${min}`
          : `from ${min} to ${max}`;
    fail(field, `must ${verb} ${range}${unit}, got ${n}`);
  }
}

/** How a value of `node` is shown in a message: a secret (format: password) only by its kind. */
const showFor =
  (node: BodyNode) =>
  (v: unknown): string =>
    node.format === "password" && v !== "" ? (v === null ? "null" : typeof v) : shown(v);

/** The keywords of one node: type, enum, limits, string rules, alternatives; then its items or fields. */
function checkNode(node: BodyNode, value: unknown, field: string): unknown {
  const show = showFor(node);
  const { type } = node;
  const kind = Array.isArray(value) ? "array" : value === null ? "null" : typeof value;
  if (
    type !== undefined &&
    (kind !== (type === "integer" ? "number" : type) ||
      (kind === "number" && !Number.isFinite(value)) ||
      (type === "integer" && !Number.isInteger(value)))
  ) {
    const a = type === "string" && node.minLength ? "a non-empty string" : (A[type] ?? type);
    fail(field, `must be ${a}, got ${show(value)}`);
  }
  if (node.enum && !node.enum.includes(value)) {
    // "hmac-sha256" for "hmac-sha256.": a name written without its trailing dot.
    const dotted = `${String(value)}.`;
    const hint = node.enum.includes(dotted) ? ` (add the trailing dot: ${shown(dotted)})` : "";
    fail(
      field,
      `must be one of ${node.enum.map((v) => JSON.stringify(v)).join(", ")}${hint}, got ${show(value)}`,
    );
  }
  if (kind === "number") limit(field, value as number, node.minimum, node.maximum);
  if (kind === "string") checkString(node, value as string, field);
  // anyOf: at least one alternative; oneOf: exactly one. Fields using them have their own wording.
  const alternatives = node.anyOf ?? node.oneOf;
  const matched = alternatives?.filter((alt) => passes(alt, value)).length;
  if (matched === 0 || (node.oneOf && matched !== 1))
    fail(field, `must match one form, got ${show(value)}`);
  if (kind === "array" && type === "array") return checkArray(node, value as unknown[], field);
  if (kind === "object" && type === "object")
    return checkObject(node, value as Record<string, unknown>, field);
  return value;
}

/** A string's length, pattern and format. */
function checkString(node: BodyNode, text: string, field: string): void {
  const show = showFor(node);
  if (text === "" && node.minLength) fail(field, "must be a non-empty string, got an empty string");
  limit(field, text.length, node.minLength, node.maxLength, "be", " characters long");
  const { pattern, format } = node;
  if (pattern !== undefined) {
    if (!patterns.has(pattern)) patterns.set(pattern, new RegExp(pattern, "u"));
    if (!patterns.get(pattern)!.test(text)) fail(field, `must match ${pattern}, got ${show(text)}`);
  }
  if (format !== undefined && FORMATS[format] && !FORMATS[format](text))
    fail(field, `must be an ${format} address, got ${show(text)}`);
}

/** An array's length, uniqueness and items: a checked copy. */
function checkArray(node: BodyNode, list: unknown[], field: string): unknown[] {
  limit(field, list.length, node.minItems, node.maxItems, "hold", " items");
  const seen = new Set<unknown>();
  // "body.peers" repeats a peer; a name that is not a plural, an item.
  const one = /(\w+)s$/.exec(field)?.[1] ?? "item";
  return list.map((item, i) => {
    const at = `${field}[${i}]`;
    const checked = checkBody(node.items ?? {}, item, at);
    const key = typeof item === "object" ? JSON.stringify(item) : item;
    if (node.uniqueItems && seen.has(key)) fail(at, `repeats ${one} ${shown(item)}`);
    seen.add(key);
    return checked;
  });
}

/** An object's field count, unknown and required fields, and each field: a checked copy. */
function checkObject(node: BodyNode, record: Record<string, unknown>, field: string): object {
  const properties = node.properties ?? {};
  const known = Object.keys(properties);
  // A field holding `undefined` counts as left out, as JSON.stringify leaves it out.
  const given = Object.keys(record).filter((key) => record[key] !== undefined);
  limit(field, given.length, node.minProperties, node.maxProperties, "hold", " fields");
  for (const key of given) {
    if (node.additionalProperties === false && !has(properties, key))
      fail(`${field}.${key}`, `is not a field of ${field} (only ${known.join(", ")} are)`);
  }
  for (const key of node.required ?? [])
    if (record[key] === undefined) fail(`${field}.${key}`, "is required");
  // fromEntries defines own fields, so a "__proto__" key cannot reach the prototype.
  return Object.fromEntries(
    given.map((key) => [
      key,
      has(properties, key)
        ? checkBody(properties[key]!, record[key], `${field}.${key}`)
        : record[key],
    ]),
  );
}
