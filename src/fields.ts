/**
 * Checks of single fields given as arguments rather than in a request body
 * (setupOutgoing's input, the CLI's flags): each returns why a value is wrong,
 * or undefined. The limits and the algorithm list are the spec's, generated
 * into generated/constants.ts.
 */
import { PORT_MAX, PORT_MIN, TSIG_ALGORITHMS } from "../generated/constants.js";
import { dnsNameProblem, isIpv4, isIpv6, shown } from "./client/validate.js";

export function nonEmptyStringProblem(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0
    ? undefined
    : `must be a non-empty string, got ${shown(value)}`;
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
