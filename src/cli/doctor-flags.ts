/**
 * What `outgoing doctor` is asked to be, read before its flags are parsed:
 * the one-shot check, the watcher (`--watch`) or a Nagios-style plugin
 * (`--format nagios`); and the durations their flags take (`500ms`, `5m`).
 * Kept apart from doctor.ts so it can load the two others only when asked.
 */
import { NAGIOS_DEFAULTS } from "../dns/nagios.js";
import { PROGRAM } from "./help.js";
import { UsageError } from "./io.js";

/** Where /metrics listens, and the time between two checks, unless the flags say otherwise. */
export const DEFAULT_LISTEN = "127.0.0.1:9810";
export const DEFAULT_INTERVAL = "60s";

export type DoctorMode = "once" | "watch" | "nagios";

export function doctorMode(argv: readonly string[]): DoctorMode {
  const end = argv.indexOf("--");
  const flags = end === -1 ? argv : argv.slice(0, end);
  if (flags.includes("--watch")) return "watch";
  if (flags.some((arg) => arg === "--format" || arg.startsWith("--format="))) return "nagios";
  return "once";
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Milliseconds from a duration such as `500ms`, `1s`, `1.5m`, `5m`, `2h` or `1d`
 * (a bare number is refused: it could be read as seconds or milliseconds).
 */
export function duration(
  text: string,
  flag: string,
  help: string,
  range: { min: number; max: number },
): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text);
  const ms = match ? Math.round(Number(match[1]) * UNITS[match[2]!]!) : NaN;
  if (!(ms >= range.min && ms <= range.max)) {
    throw new UsageError(
      `invalid ${flag}: must be a duration such as 500ms, 30s, 5m, 2h or 1d, from ${range.min} ms to ${range.max / 3_600_000} h, got ${JSON.stringify(text)}`,
      help,
    );
  }
  return ms;
}

/** The part of `outgoing doctor --help` on --watch and --format nagios (src/cli/watch.ts, nagios.ts); loaded with doctor only. */
export const DOCTOR_MODES_HELP = `Watching: ${PROGRAM} outgoing doctor <zone_id>... --watch [options]
  Checks the zones every interval until SIGINT or SIGTERM (then exit 0); prints
  one line per change of state (JSON lines with --json) and serves Prometheus
  metrics at http://LISTEN/metrics and a health check at /healthz. The API is
  read at start and every 5 intervals; a 429 or 5xx makes it wait longer.
  Needs the optional dependency prom-client.
  --watch              Watch instead of checking once
  --interval DURATION  Time between two checks: 500ms, 30s, 5m... (default ${DEFAULT_INTERVAL})
  --listen HOST:PORT   Where /metrics listens (default ${DEFAULT_LISTEN})

Monitoring plugin: ${PROGRAM} outgoing doctor <zone_id> --format nagios [options]
  One status line with perfdata; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN
  (a peer unreachable, refused or not serving the zone, or transfers disabled,
  is CRITICAL; bad usage and API errors are UNKNOWN).
  --lag-warning N       A peer behind by N serials or more is WARNING (default ${NAGIOS_DEFAULTS.lagWarning})
  --lag-critical N      ... or CRITICAL (default ${NAGIOS_DEFAULTS.lagCritical})
  --age-warning DURATION   No transfer for this long is WARNING, e.g. 6h (default none)
  --age-critical DURATION  ... or CRITICAL, e.g. 1d (default none)
`;
