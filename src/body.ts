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
const NAMED: Record<string, (value: unknown) => string | undefined> = {
  Identifier: identifierProblem,
  DnsName: dnsNameProblem,
};

const has = (record: object, key: string) => Object.prototype.hasOwnProperty.call(record, key);
const patterns = new Map<string, RegExp>();

export function checkBody(node: BodyNode, value: unknown, field = "body"): unknown {
  const fail = (reason: string, at = field) => {
    throw new ValidationError(at, reason);
  };
  const named = node.ref !== undefined && has(NAMED, node.ref) ? NAMED[node.ref] : undefined;
  const problem = named?.(value);
  if (problem) fail(problem);
  if (named) return value;
  const { type } = node;
  if (node.enum && !node.enum.includes(value)) {
    fail(
      `must be one of ${node.enum.map((v) => JSON.stringify(v)).join(", ")}, got ${shown(value)}`,
    );
  }
  if (type === "object") {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      fail(`must be an object, got ${shown(value)}`);
    }
    const record = value as Record<string, unknown>;
    const properties = node.properties ?? {};
    const known = Object.keys(properties);
    if (node.additionalProperties === false) {
      for (const key of Object.keys(record)) {
        if (!has(properties, key)) {
          fail(`is not a field of ${field} (only ${known.join(", ")} are)`, `${field}.${key}`);
        }
      }
    }
    for (const key of node.required ?? []) {
      if (!has(record, key)) fail("is required", `${field}.${key}`);
    }
    const copy: Record<string, unknown> = { ...record };
    for (const key of known) {
      if (has(record, key)) copy[key] = checkBody(properties[key]!, record[key], `${field}.${key}`);
    }
    return copy;
  }
  if (type === "array") {
    if (!Array.isArray(value)) fail(`must be an array, got ${shown(value)}`);
    const list = value as unknown[];
    if (list.length > (node.maxItems ?? Infinity)) {
      fail(`may hold at most ${node.maxItems} items, got ${list.length}`);
    }
    if (list.length < (node.minItems ?? 0)) {
      fail(`must hold at least ${node.minItems} items, got ${list.length}`);
    }
    const seen = new Set<unknown>();
    return list.map((item, i) => {
      const checked = checkBody(node.items ?? {}, item, `${field}[${i}]`);
      if (node.uniqueItems) {
        const key = typeof item === "object" ? JSON.stringify(item) : item;
        if (seen.has(key)) fail(`repeats ${shown(item)}`, `${field}[${i}]`);
        seen.add(key);
      }
      return checked;
    });
  }
  if (type === "string") {
    if (typeof value !== "string") fail(`must be a string, got ${shown(value)}`);
    const text = value as string;
    if (text.length < (node.minLength ?? 0)) {
      fail(`must be at least ${node.minLength} characters, got ${text.length}`);
    }
    if (text.length > (node.maxLength ?? Infinity)) {
      fail(`must be at most ${node.maxLength} characters, got ${text.length}`);
    }
    const { pattern } = node;
    if (pattern !== undefined)
      patterns.has(pattern) || patterns.set(pattern, new RegExp(pattern, "u"));
    if (pattern !== undefined && !patterns.get(pattern)!.test(text)) {
      fail(`must match ${pattern}, got ${shown(text)}`);
    }
  }
  if (type === "integer" || type === "number") {
    if (
      typeof value !== "number" ||
      !Number.isFinite(value) ||
      (type === "integer" && !Number.isInteger(value))
    ) {
      fail(`must be ${type === "integer" ? "an integer" : "a number"}, got ${shown(value)}`);
    }
    if (
      (value as number) < (node.minimum ?? -Infinity) ||
      (value as number) > (node.maximum ?? Infinity)
    ) {
      fail(`must be in ${node.minimum ?? "-∞"}..${node.maximum ?? "∞"}, got ${value}`);
    }
  }
  if (type === "boolean" && typeof value !== "boolean")
    fail(`must be true or false, got ${shown(value)}`);
  return value;
}
