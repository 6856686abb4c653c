/**
 * Checks of what goes out: arguments get a ValidationError before anything is
 * sent. The patterns and limits are the spec's own, generated into
 * generated/constants.ts.
 */
import {
  DNS_NAME_MAX_LENGTH,
  DNS_NAME_PATTERN,
  IDENTIFIER_PATTERN,
} from "../../generated/constants.js";
import { ValidationError } from "./errors.js";

const identifier = new RegExp(IDENTIFIER_PATTERN);
const dnsName = new RegExp(DNS_NAME_PATTERN);
/** Shows a bad value in an error message, short and on one line. */
export function shown(value: unknown): string {
  if (typeof value === "string") {
    const text = JSON.stringify(value);
    return text.length > 50 ? `${text.slice(0, 47)}..."` : text;
  }
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return value === null ? "null" : typeof value;
}

export function identifierProblem(value: unknown): string | undefined {
  if (typeof value !== "string")
    return `must be a string of 32 lowercase hex characters, got ${shown(value)}`;
  if (identifier.test(value)) return undefined;
  const hint = /^[0-9a-fA-F]{32}$/.test(value) ? " (use lowercase)" : "";
  return `must be 32 lowercase hex characters${hint}, got ${shown(value)}`;
}

export function dnsNameProblem(value: unknown): string | undefined {
  if (typeof value !== "string") return `must be a DNS name (a string), got ${shown(value)}`;
  if (value.length === 0) return "must be a DNS name, got an empty string";
  if (value.length > DNS_NAME_MAX_LENGTH) {
    return `must be at most ${DNS_NAME_MAX_LENGTH} characters, got ${value.length}`;
  }
  if (!dnsName.test(value)) {
    return `must be a DNS name such as "example.com." (labels of letters, digits and inner hyphens, each at most 63), got ${shown(value)}`;
  }
  return undefined;
}

const IPV4 =
  /^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$/;
export const isIpv4 = (text: string): boolean => IPV4.test(text);
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

/** An IPv6 address in hexadecimal groups, "::" at most once; the last 32 bits may be dotted IPv4. */
export function isIpv6(text: string, dottedTail: boolean): boolean {
  const halves = text.split("::");
  if (halves.length > 2) return false;
  const split = (part: string) => (part === "" ? [] : part.split(":"));
  const head = split(halves[0]!);
  const tail = halves.length === 2 ? split(halves[1]!) : [];
  const groups = [...head, ...tail];
  const last = (halves.length === 2 ? tail : head).at(-1);
  let count = groups.length;
  if (dottedTail && last !== undefined && IPV4.test(last)) {
    groups.pop();
    count += 1; // 32 bits: two groups
  }
  if (!groups.every((group) => HEX_GROUP.test(group))) return false;
  return halves.length === 2 ? count <= 7 : count === 8;
}

/** Returns the zone id, or throws a ValidationError naming `field`. */
export function checkIdentifier(value: unknown, field: string): string {
  const problem = identifierProblem(value);
  if (problem) throw new ValidationError(field, problem);
  return value as string;
}
