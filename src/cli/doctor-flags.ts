/**
 * What `outgoing doctor` is asked to be, read before its flags are parsed:
 * the one-shot check, the watcher (`--watch`) or a Nagios-style plugin
 * (`--format nagios`); and the durations their flags take (`500ms`, `5m`).
 * Kept apart from doctor.ts so it can load the two others only when asked.
 */
import { UsageError } from "./io.js";

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
