/**
 * A small JSON Schema checker for the transfers file: the keywords
 * scripts/declare-schema.mjs emits (type, const, enum, pattern, lengths,
 * minimum/maximum, required, properties, additionalProperties: false, items,
 * maxItems, uniqueItems, allOf/anyOf/oneOf, not (of required keys), formats ipv4 and ipv6), and
 * nothing more. ajv would do it too, but it is a devDependency only, and its
 * messages name schema paths where a person wants the field and the rule
 * (test/declare/check.test.ts holds this checker to ajv on the same files).
 */
import { isIPv4, isIPv6 } from "node:net";

/** One thing wrong, at a path of the document (`["peers", 2, "port"]`). */
export interface Issue {
  path: (string | number)[];
  message: string;
}

type Schema = {
  readonly [key: string]: unknown;
  readonly description?: string;
  readonly title?: string;
};

const FORMATS: Record<string, (value: string) => boolean> = {
  ipv4: (value) => isIPv4(value),
  ipv6: (value) => isIPv6(value) && !value.includes("%"),
};

const FORMAT_TEXT: Record<string, string> = { ipv4: "an IPv4 address", ipv6: "an IPv6 address" };

/** Every issue of `value` against `schema`, outermost first. */
export function checkSchema(
  schema: Schema,
  value: unknown,
  path: (string | number)[] = [],
): Issue[] {
  const own = scalarIssue(schema, value);
  if (own) return [{ path, message: own }];
  const combined = combinedIssues(schema, value, path);
  if (combined.length > 0) return combined;
  if (Array.isArray(value)) return arrayIssues(schema, value, path);
  if (isObject(value)) return objectIssues(schema, value, path);
  return [];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

const A_TYPE: Record<string, string> = {
  object: "a mapping",
  array: "a list",
  string: "a string",
  integer: "a whole number",
  number: "a number",
  boolean: "true or false",
};

/** The issue of a value against its own keywords (not its parts), if any. */
function scalarIssue(schema: Schema, value: unknown): string | undefined {
  const type = schema.type as string | undefined;
  const actual = typeOf(value);
  if (type && actual !== type && !(type === "number" && actual === "integer")) {
    return `must be ${A_TYPE[type] ?? type}, not ${actual === "null" ? "empty" : (A_TYPE[actual] ?? actual)}`;
  }
  if ("const" in schema && value !== schema.const) return `must be ${JSON.stringify(schema.const)}`;
  const choices = schema.enum as readonly unknown[] | undefined;
  if (choices && !choices.includes(value)) {
    return `must be one of ${choices.map((c) => JSON.stringify(c)).join(", ")}`;
  }
  if (typeof value === "string") return stringIssue(schema, value);
  if (typeof value === "number") return numberIssue(schema, value);
  return undefined;
}

function stringIssue(schema: Schema, value: string): string | undefined {
  const length = [...value].length;
  const min = schema.minLength as number | undefined;
  const max = schema.maxLength as number | undefined;
  if (min !== undefined && length < min) {
    return min === 1 ? "must not be empty" : `must be at least ${min} characters long`;
  }
  if (max !== undefined && length > max) return `must be at most ${max} characters long`;
  const pattern = schema.pattern as string | undefined;
  if (pattern !== undefined && !new RegExp(pattern, "u").test(value)) {
    return pattern === "\\.$"
      ? "must end with a dot (a fully qualified name)"
      : `does not match ${pattern}`;
  }
  const format = schema.format as string | undefined;
  const test = format ? FORMATS[format] : undefined;
  if (test && !test(value)) return `must be ${FORMAT_TEXT[format!]}`;
  return undefined;
}

function numberIssue(schema: Schema, value: number): string | undefined {
  const min = schema.minimum as number | undefined;
  const max = schema.maximum as number | undefined;
  if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
    return `must be from ${min ?? "-∞"} to ${max ?? "∞"}`;
  }
  return undefined;
}

/** What one alternative of anyOf/oneOf accepts, in words. */
function describe(schema: Schema): string {
  if (typeof schema.format === "string") return FORMAT_TEXT[schema.format] ?? schema.format;
  if (schema.title) return schema.title;
  const required = schema.required as string[] | undefined;
  if (required) return `a mapping with ${required.join(", ")}`;
  return schema.description ?? "another form";
}

/**
 * `not`, as the file's schema uses it: a set of keys that must not all be
 * present (a zone's outgoing and incoming). The issue names the last of them,
 * with the `not` schema's description as its message.
 */
function notIssues(schema: Schema, value: unknown, path: (string | number)[]): Issue[] {
  const not = schema.not as Schema | undefined;
  if (!not || checkSchema(not, value, path).length > 0) return [];
  const last = (not.required as string[] | undefined)?.at(-1);
  const at = isObject(value) && last !== undefined ? [...path, last] : path;
  return [{ path: at, message: not.description ?? "is not allowed here" }];
}

function combinedIssues(schema: Schema, value: unknown, path: (string | number)[]): Issue[] {
  const refused = notIssues(schema, value, path);
  if (refused.length > 0) return refused;
  for (const part of (schema.allOf as Schema[] | undefined) ?? []) {
    const issues = checkSchema(part, value, path);
    if (issues.length > 0) return issues;
  }
  const anyOf = schema.anyOf as Schema[] | undefined;
  if (anyOf && !anyOf.some((part) => checkSchema(part, value, path).length === 0)) {
    return [{ path, message: `must be ${anyOf.map(describe).join(" or ")}` }];
  }
  const oneOf = schema.oneOf as Schema[] | undefined;
  if (oneOf) {
    const passing = oneOf.filter((part) => checkSchema(part, value, path).length === 0);
    if (passing.length !== 1) {
      // One alternative whose keys match tells more than "one of": check against it.
      const keyed = isObject(value)
        ? oneOf.find((part) => (part.required as string[]).some((key) => key in value))
        : undefined;
      if (keyed && passing.length === 0) return checkSchema(keyed, value, path);
      const why = schema.description ? ` (${schema.description})` : "";
      const not = isObject(value) ? "" : `, not ${A_TYPE[typeOf(value)] ?? typeOf(value)}`;
      return [{ path, message: `must be ${oneOf.map(describe).join(" or ")}${not}${why}` }];
    }
  }
  return [];
}

function arrayIssues(schema: Schema, value: unknown[], path: (string | number)[]): Issue[] {
  const max = schema.maxItems as number | undefined;
  if (max !== undefined && value.length > max) {
    return [{ path, message: `must list at most ${max} items, not ${value.length}` }];
  }
  if (schema.uniqueItems) {
    const seen = new Set<string>();
    for (const [index, item] of value.entries()) {
      const key = JSON.stringify(item);
      if (seen.has(key)) return [{ path: [...path, index], message: "is listed twice" }];
      seen.add(key);
    }
  }
  const items = schema.items as Schema | undefined;
  if (!items) return [];
  return value.flatMap((item, index) => checkSchema(items, item, [...path, index]));
}

function objectIssues(
  schema: Schema,
  value: Record<string, unknown>,
  path: (string | number)[],
): Issue[] {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const issues: Issue[] = [];
  for (const key of (schema.required as string[] | undefined) ?? []) {
    if (!(key in value)) issues.push({ path, message: `is missing the field "${key}"` });
  }
  for (const [key, item] of Object.entries(value)) {
    // Own properties only: a key "__proto__" or "constructor" must not find Object's.
    const sub = Object.hasOwn(properties, key) ? properties[key] : undefined;
    if (sub) issues.push(...checkSchema(sub, item, [...path, key]));
    else if (schema.additionalProperties === false) {
      const known = Object.keys(properties).join(", ");
      issues.push({ path: [...path, key], message: `is not a known field (known: ${known})` });
    }
  }
  return issues;
}
