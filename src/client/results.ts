/**
 * Checks of what comes back, for `validateResults: strictResults` (from
 * "cf-secondary-dns/strict"): each 200's `result` is walked against its schema
 * from the spec (generated/results.ts) by the same walker as request bodies
 * (src/body.ts). Opt-in, so that clients which trust the API do not carry the
 * result schemas in their bundle.
 */
import type { ResultSchema } from "../../generated/operations.js";
import { RESULT_SCHEMAS } from "../../generated/results.js";
import { checkBody, FORMATS } from "./body.js";
import { ValidationError } from "./errors.js";

export type { ResultSchema };

/** Checks a 200's `result` against its schema; a string says what is wrong. */
export type ResultValidator = (schema: ResultSchema, value: unknown) => string | undefined;

// RFC 3339 date-time: year, month, day, hour, minute, second, then the offset.
const dateTimeParts =
  /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):([0-5]\d):([0-5]\d|60)(?:\.\d+)?(?:[Zz]|([+-])([01]\d|2[0-3]):([0-5]\d))$/;

/** As JSON Schema's "date-time" format: real calendar days, and a leap second only at 23:59 UTC. */
function isDateTime(text: string): boolean {
  const m = dateTimeParts.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  if (day > days) return false;
  if (second === 60) {
    const sign = m[7] === "-" ? -1 : 1;
    const offset = m[7] ? sign * (Number(m[8]) * 60 + Number(m[9])) : 0;
    const utcMinutes = (((hour * 60 + minute - offset) % 1440) + 1440) % 1440;
    return utcMinutes === 23 * 60 + 59;
  }
  return true;
}

/**
 * The first problem of `value` against a result schema, as "result.peers[2] must
 * be ...", or undefined when it has the spec's shape. Fields the spec does not
 * name are allowed, as the API may add some.
 */
function resultProblem(schema: ResultSchema, value: unknown): string | undefined {
  // Only results hold timestamps, so only the strict entry teaches the walker the format.
  FORMATS["date-time"] ??= isDateTime;
  try {
    checkBody(RESULT_SCHEMAS[schema], value, "result");
    return undefined;
  } catch (error) {
    if (error instanceof ValidationError) return `${error.field} ${error.reason}`;
    throw error;
  }
}

/** Holds every result to the spec's schema; a mismatch rejects with an ApiError naming the field. */
export const strictResults: ResultValidator = resultProblem;
