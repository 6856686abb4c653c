/**
 * Checks of what comes back, for `validateResults: strictResults` (from
 * "cf-secondary-dns/strict"): each returns a description of the first problem,
 * or undefined when the value has the spec's shape. Opt-in, so that clients
 * which trust the API do not carry them in their bundle.
 */
import {
  dnsNameProblem,
  identifierProblem,
  isIpv4,
  isIpv6,
  MAX_PEERS,
  shown,
  SOA_SERIAL_MAX,
} from "./validate.js";
import type { ResultSchema } from "../generated/operations.js";
import { TSIG_ALGORITHMS } from "../generated/constants.js";

export type { ResultSchema };

/** Checks a 200's `result` against its schema; a string says what is wrong. */
export type ResultValidator = (schema: ResultSchema, value: unknown) => string | undefined;

/** components.schemas.Peer.properties.port.minimum and maximum */
export const PORT_MIN = 1;
export const PORT_MAX = 65535;
/** The largest ACL ranges: /24 for IPv4 and /64 for IPv6 (the Acl.ip_range patterns). */
export const ACL_IPV4_MIN_PREFIX = 24;
export const ACL_IPV6_MIN_PREFIX = 64;

/** The spec's list of TSIG algorithms (generated from Tsig.algo's enum). */
export { TSIG_ALGORITHMS };

/** A field's check: a reason when the value is wrong, else undefined. */
export type FieldCheck = (value: unknown) => string | undefined;

export function nonEmptyStringProblem(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0
    ? undefined
    : `must be a non-empty string, got ${shown(value)}`;
}

export function booleanProblem(value: unknown): string | undefined {
  return typeof value === "boolean" ? undefined : `must be true or false, got ${shown(value)}`;
}

export function portProblem(value: unknown): string | undefined {
  return typeof value === "number" &&
    Number.isInteger(value) &&
    value >= PORT_MIN &&
    value <= PORT_MAX
    ? undefined
    : `must be an integer port from ${PORT_MIN} to ${PORT_MAX}, got ${typeof value === "number" ? value : shown(value)}`;
}

export function ipProblem(value: unknown): string | undefined {
  if (typeof value === "string" && (isIpv4(value) || isIpv6(value, true))) return undefined;
  return `must be an IPv4 or IPv6 address such as "127.0.0.2" or "::1", got ${shown(value)}`;
}

export function ipRangeProblem(value: unknown): string | undefined {
  const usage = `must be an IP range in CIDR notation no larger than /${ACL_IPV4_MIN_PREFIX} (IPv4) or /${ACL_IPV6_MIN_PREFIX} (IPv6), such as "127.0.0.16/28"`;
  if (typeof value !== "string") return `${usage}, got ${shown(value)}`;
  const [address = "", prefix, extra] = value.split("/");
  const bits = prefix !== undefined && /^(?:0|[1-9][0-9]{0,2})$/.test(prefix) ? Number(prefix) : -1;
  const v4 = isIpv4(address);
  if (
    extra !== undefined ||
    (!v4 && !isIpv6(address, false)) ||
    bits > (v4 ? 32 : 128) ||
    bits < 0
  ) {
    return `${usage}, got ${shown(value)}`;
  }
  const least = v4 ? ACL_IPV4_MIN_PREFIX : ACL_IPV6_MIN_PREFIX;
  return bits < least
    ? `may be no larger than /${least} for ${v4 ? "IPv4" : "IPv6"} (a prefix of ${least} to ${v4 ? 32 : 128}), got ${shown(value)}`
    : undefined;
}

export function tsigNameProblem(value: unknown): string | undefined {
  const problem = dnsNameProblem(value);
  if (problem) return problem;
  return (value as string).endsWith(".")
    ? undefined
    : `must end with a dot, as the key name on the secondary, e.g. ${shown(`${value as string}.`)}`;
}

export function algoProblem(value: unknown): string | undefined {
  if ((TSIG_ALGORITHMS as readonly unknown[]).includes(value)) return undefined;
  const dotted = `${String(value)}.`;
  const hint =
    typeof value === "string" && (TSIG_ALGORITHMS as readonly string[]).includes(dotted)
      ? ` (add the trailing dot: ${shown(dotted)})`
      : "";
  return `must be one of ${TSIG_ALGORITHMS.join(", ")}${hint}, got ${shown(value)}`;
}

/** Never shows the value: a secret is a credential. */
export function secretProblem(value: unknown): string | undefined {
  if (typeof value === "string" && value.length > 0) return undefined;
  const got =
    typeof value === "string" ? "an empty string" : value === null ? "null" : typeof value;
  return `must be a non-empty string (the key's base64 secret), got ${got}`;
}

/** An object's fields: whether each is required, and its check. Other fields are allowed. */
export type Shape = Readonly<Record<string, readonly [required: boolean, check: FieldCheck]>>;

/**
 * The first problem of an object against a shape, as [path suffix, reason]:
 * "" for the object itself, ".name" for a field. A field holding `undefined`
 * counts as left out.
 */
export function shapeProblem(value: unknown, shape: Shape): [string, string] | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return ["", `must be an object with ${Object.keys(shape).join(", ")}, got ${shown(value)}`];
  }
  const record = value as Record<string, unknown>;
  for (const [key, [required, check]] of Object.entries(shape)) {
    const field = record[key];
    if (field === undefined) {
      if (required) return [`.${key}`, "is required"];
      continue;
    }
    const problem = check(field);
    if (problem) return [`.${key}`, problem];
  }
  return undefined;
}

const peerFields = {
  name: [true, nonEmptyStringProblem],
  ip: [false, ipProblem],
  port: [false, portProblem],
  ixfr_enable: [false, booleanProblem],
  tsig_id: [false, identifierProblem],
} as const;
const tsigFields = {
  name: [true, tsigNameProblem],
  algo: [true, algoProblem],
  secret: [true, secretProblem],
} as const;
const aclFields = {
  name: [true, nonEmptyStringProblem],
  ip_range: [true, ipRangeProblem],
} as const;
const id = [true, identifierProblem] as const;

/**
 * The shapes of the account resources' results, for strictResults (request
 * bodies are checked against the spec itself, src/body.ts).
 */
export const SHAPES = {
  Peer: { id, ...peerFields },
  Tsig: { id, ...tsigFields },
  Acl: { id, ...aclFields },
} satisfies Record<string, Shape>;

export function peersProblem(value: unknown): [field: string, reason: string] | undefined {
  if (!Array.isArray(value)) return ["peers", `must be an array of peer ids, got ${shown(value)}`];
  if (value.length > MAX_PEERS)
    return ["peers", `may hold at most ${MAX_PEERS} peers, got ${value.length}`];
  const seen = new Set<unknown>();
  for (const [i, peer] of value.entries()) {
    const problem = identifierProblem(peer);
    if (problem) return [`peers[${i}]`, problem];
    if (seen.has(peer)) return [`peers[${i}]`, `repeats peer ${shown(peer)}`];
    seen.add(peer);
  }
  return undefined;
}

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

/** Whether `text` is an address of the family with a prefix length that fits it ("2400:cb00::/32"). */
function isCidr(text: unknown, v6: boolean): boolean {
  if (typeof text !== "string") return false;
  const [address = "", bits = "", extra] = text.split("/");
  const family = v6 ? isIpv6(address, false) : isIpv4(address);
  return family && extra === undefined && /^\d{1,3}$/.test(bits) && Number(bits) <= (v6 ? 128 : 32);
}

/** Problems of Cloudflare's IP ranges (GET /ips), or undefined: two lists of CIDR ranges and an etag. */
export function cloudflareIpsProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return `result is ${shown(value)}, not an object`;
  for (const key of ["ipv4_cidrs", "ipv6_cidrs"]) {
    const list = value[key];
    if (!Array.isArray(list)) return `result.${key} must be an array, got ${shown(list)}`;
    const bad = list.findIndex((range) => !isCidr(range, key === "ipv6_cidrs"));
    if (bad >= 0)
      return `result.${key}[${bad}] must be a range in CIDR notation, got ${shown(list[bad])}`;
  }
  const etag = nonEmptyStringProblem(value.etag);
  return etag && `result.etag ${etag}`;
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
  CloudflareIps: cloudflareIpsProblem,
};

/** Holds every result to the spec's schema; a mismatch rejects with an ApiError naming the field. */
export const strictResults: ResultValidator = (schema, value) => checks[schema](value);
