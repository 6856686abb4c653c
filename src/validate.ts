/**
 * Checks of what goes out: arguments get a ValidationError before anything is
 * sent. The patterns are the spec's own; a test holds them equal to
 * generated/openapi.json so the two cannot drift apart.
 */
import type { components } from "../generated/schema.js";
import { ValidationError } from "./errors.js";

/** components.schemas.Identifier.pattern */
export const IDENTIFIER_PATTERN = "^[0-9a-f]{32}$";
/** components.schemas.DnsName.pattern */
export const DNS_NAME_PATTERN =
  "^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.?$";
export const DNS_NAME_MAX_LENGTH = 253;
export const MAX_PEERS = 30;
export const SOA_SERIAL_MAX = 4294967295;
/** components.schemas.Peer.properties.port.minimum and maximum */
export const PORT_MIN = 1;
export const PORT_MAX = 65535;
/** The largest ACL ranges: /24 for IPv4 and /64 for IPv6 (the Acl.ip_range patterns). */
export const ACL_IPV4_MIN_PREFIX = 24;
export const ACL_IPV6_MIN_PREFIX = 64;

type TsigAlgorithm = components["schemas"]["Tsig"]["algo"];
/** components.schemas.Tsig.properties.algo.enum; the compiler holds it to the generated union. */
export const TSIG_ALGORITHMS = [
  "hmac-md5.sig-alg.reg.int.",
  "hmac-sha1.",
  "hmac-sha224.",
  "hmac-sha256.",
  "hmac-sha384.",
  "hmac-sha512.",
] as const satisfies readonly TsigAlgorithm[];
// Fails to compile when the spec's enum gains a name this list lacks.
const everyAlgorithm: Exclude<TsigAlgorithm, (typeof TSIG_ALGORITHMS)[number]> extends never
  ? true
  : false = true;
void everyAlgorithm;

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

export function ipProblem(value: unknown): string | undefined {
  if (typeof value === "string" && (IPV4.test(value) || isIpv6(value, true))) return undefined;
  return `must be an IPv4 or IPv6 address such as "127.0.0.2" or "::1", got ${shown(value)}`;
}

export function ipRangeProblem(value: unknown): string | undefined {
  const usage = `must be an IP range in CIDR notation no larger than /${ACL_IPV4_MIN_PREFIX} (IPv4) or /${ACL_IPV6_MIN_PREFIX} (IPv6), such as "127.0.0.16/28"`;
  if (typeof value !== "string") return `${usage}, got ${shown(value)}`;
  const [address = "", prefix, extra] = value.split("/");
  const bits = prefix !== undefined && /^(?:0|[1-9][0-9]{0,2})$/.test(prefix) ? Number(prefix) : -1;
  const v4 = IPV4.test(address);
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

/** Returns the zone id, or throws a ValidationError naming `field`. */
export function checkIdentifier(value: unknown, field: string): string {
  const problem = identifierProblem(value);
  if (problem) throw new ValidationError(field, problem);
  return value as string;
}
