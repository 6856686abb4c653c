/**
 * Checks of what comes back, for `validateResults: strictResults` (from
 * "cf-secondary-dns/strict"): each returns a description of the first problem,
 * or undefined when the value has the spec's shape. Opt-in, so that clients
 * which trust the API do not carry them in their bundle.
 */
import {
  dnsNameProblem,
  identifierProblem,
  peersProblem,
  shapeProblem,
  SHAPES,
  shown,
  type Shape,
  SOA_SERIAL_MAX,
} from "./validate.js";

import type { ResultSchema } from "../generated/operations.js";

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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Problems of an OutgoingZone result, or undefined when it has the spec's shape. */
export function outgoingZoneProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return `result is ${shown(value)}, not an object`;
  const id = identifierProblem(value.id);
  if (id) return `result.id ${id}`;
  const name = dnsNameProblem(value.name);
  if (name) return `result.name ${name}`;
  const peers = peersProblem(value.peers);
  if (peers) return `result.${peers[0]} ${peers[1]}`;
  const serial = value.soa_serial;
  if (
    typeof serial !== "number" ||
    !Number.isInteger(serial) ||
    serial < 0 ||
    serial > SOA_SERIAL_MAX
  ) {
    return `result.soa_serial must be an integer in 0..${SOA_SERIAL_MAX}, got ${shown(serial)}`;
  }
  for (const key of ["checked_time", "created_time", "last_transferred_time"]) {
    const time = value[key];
    if (typeof time !== "string" || !isDateTime(time)) {
      return `result.${key} must be an RFC 3339 date-time, got ${shown(time)}`;
    }
  }
  return undefined;
}

/** Problems of a DeleteResult, or undefined. */
export function deleteResultProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return `result is ${shown(value)}, not an object`;
  const id = identifierProblem(value.id);
  return id ? `result.id ${id}` : undefined;
}

/** Problems of a string result (actions and status), or undefined. */
export function stringResultProblem(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0
    ? undefined
    : `result must be a non-empty string, got ${shown(value)}`;
}

/** The check of an account resource (Peer, Tsig, Acl): its problems, or undefined. */
function resourceProblem(shape: Shape): (value: unknown) => string | undefined {
  return (value) => {
    const problem = shapeProblem(value, shape);
    return problem && `result${problem[0]} ${problem[1]}`;
  };
}

/** The check of a list of them: the first problem names the item, e.g. `result[2].ip`. */
function listProblem(shape: Shape): (value: unknown) => string | undefined {
  return (value) => {
    if (!Array.isArray(value)) return `result must be an array, got ${shown(value)}`;
    for (const [i, item] of value.entries()) {
      const problem = shapeProblem(item, shape);
      if (problem) return `result[${i}]${problem[0]} ${problem[1]}`;
    }
    return undefined;
  };
}

const checks: Record<ResultSchema, (value: unknown) => string | undefined> = {
  OutgoingZone: outgoingZoneProblem,
  DeleteResult: deleteResultProblem,
  ActionResult: stringResultProblem,
  TransferStatus: stringResultProblem,
  Peer: resourceProblem(SHAPES.Peer),
  "Peer[]": listProblem(SHAPES.Peer),
  Tsig: resourceProblem(SHAPES.Tsig),
  "Tsig[]": listProblem(SHAPES.Tsig),
  Acl: resourceProblem(SHAPES.Acl),
  "Acl[]": listProblem(SHAPES.Acl),
};

/** Holds every result to the spec's schema; a mismatch rejects with an ApiError naming the field. */
export const strictResults: ResultValidator = (schema, value) => checks[schema](value);
