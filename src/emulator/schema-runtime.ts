/**
 * The three helpers that the emulator's compiled validators (generated/validators.ts,
 * ajv standalone code) call at run time, written here so that an installed package
 * needs no ajv: the length of a string in code points, deep equality of JSON values,
 * and the string formats the spec may name. Each agrees with ajv and ajv-formats
 * ("full" mode) on the values the tests try.
 */
import { isIPv4, isIPv6 } from "node:net";

/** The length of `s` in Unicode code points, as JSON Schema's maxLength counts. */
export function ucs2length(s: string): number {
  let length = 0;
  for (const _ of s) length++;
  return length;
}

/** Deep equality of two JSON values (for enum, const and uniqueItems). */
export function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    return a !== a && b !== b; // NaN
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => equal(item, b[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every(
    (k) =>
      Object.prototype.hasOwnProperty.call(b, k) &&
      equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(z|[+-](\d{2}):(\d{2}))$/i;

function leapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/** RFC 3339 full-date: a real calendar day. */
function date(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const days = [31, leapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return month >= 1 && month <= 12 && day >= 1 && day <= (days[month - 1] ?? 0);
}

/** RFC 3339 full-time with an offset; a leap second only at 23:59:60 UTC. */
function time(s: string): boolean {
  const m = TIME.exec(s);
  if (!m) return false;
  const [hour, minute, second] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const offsetHour = Number(m[5] ?? 0);
  const offsetMinute = Number(m[6] ?? 0);
  if (offsetHour > 23 || offsetMinute > 59) return false;
  if (hour <= 23 && minute <= 59 && second <= 59) return true;
  if (second !== 60 || hour > 23 || minute > 59) return false;
  // A leap second: 23:59:60 once the offset is taken away.
  const sign = m[4]?.startsWith("-") ? -1 : 1;
  const utcMinutes =
    (((hour * 60 + minute - sign * (offsetHour * 60 + offsetMinute)) % 1440) + 1440) % 1440;
  return utcMinutes === 23 * 60 + 59;
}

function dateTime(s: string): boolean {
  const parts = s.split(/[tT ]/);
  return parts.length === 2 && date(parts[0] ?? "") && time(parts[1] ?? "");
}

/** An absolute URI: a scheme, then characters a URI may hold, and parseable as a URL. */
function uri(s: string): boolean {
  if (!/^[a-z][a-z0-9+.-]*:[^\s"<>\\^`{|}]*$/i.test(s)) return false;
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
}

/** A DNS host name: labels of 1 to 63 letters, digits and inner hyphens, 253 at most. */
function hostname(s: string): boolean {
  const label = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
  const name = s.endsWith(".") ? s.slice(0, -1) : s;
  return name.length > 0 && name.length <= 253 && name.split(".").every((l) => label.test(l));
}

/** The formats the spec's schemas may name, each a check of a string. */
export const formats: Readonly<Record<string, (s: string) => boolean>> = {
  date,
  time,
  "date-time": dateTime,
  uri,
  hostname,
  ipv4: (s) => isIPv4(s),
  // node:net also takes a zone id ("fe80::1%eth0"), which is no part of the format.
  ipv6: (s) => !s.includes("%") && isIPv6(s),
  byte: (s) => s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s),
  // OpenAPI's annotations for strings: no rule to check.
  password: () => true,
  binary: () => true,
  uuid: (s) => /^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(s),
  email: (s) =>
    /^[^\s@"(),:;<>[\\\]]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/i.test(
      s,
    ),
};
