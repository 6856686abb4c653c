/**
 * Checks of what goes out: arguments get a ValidationError before anything is
 * sent. The patterns are the spec's own; a test holds them equal to
 * generated/openapi.json so the two cannot drift apart.
 */
import { ValidationError } from "./errors.js";

/** components.schemas.Identifier.pattern */
export const IDENTIFIER_PATTERN = "^[0-9a-f]{32}$";
/** components.schemas.DnsName.pattern */
export const DNS_NAME_PATTERN =
  "^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.?$";
export const DNS_NAME_MAX_LENGTH = 253;
export const MAX_PEERS = 30;
export const SOA_SERIAL_MAX = 4294967295;

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
