/**
 * `cf-secondary-dns outgoing doctor <zone_id> --format nagios`: the one-shot
 * doctor as a monitoring plugin. Everything that goes wrong, bad usage and API
 * errors included, is one UNKNOWN line and exit 3, as plugins must; the client's
 * errors never hold the token, so neither does the line.
 */
import { parseArgs } from "node:util";
import { nagiosCheck, nagiosUnknown } from "../dns/nagios.js";
import { DOCTOR_OPTIONS, doctorReport } from "./doctor.js";
import { duration } from "./doctor-flags.js";
import { PROGRAM } from "./help.js";
import { UsageError, type CliIo } from "./io.js";
import { parseOrExplain, wholeNumber } from "./parse.js";

const HELP_COMMAND = `${PROGRAM} outgoing doctor --help`;

const OPTIONS = {
  ...DOCTOR_OPTIONS,
  format: { type: "string" },
  "lag-warning": { type: "string" },
  "lag-critical": { type: "string" },
  "age-warning": { type: "string" },
  "age-critical": { type: "string" },
} as const;

const DAY_MS = 86_400_000;

export async function runNagiosCommand(argv: string[], io: CliIo): Promise<number> {
  let result: { code: number; line: string };
  try {
    result = await check(argv, io);
  } catch (error) {
    result = nagiosUnknown(error instanceof Error ? error.message : String(error));
  }
  io.stdout.write(`${result.line}\n`);
  return result.code;
}

async function check(argv: string[], io: CliIo): Promise<{ code: number; line: string }> {
  const { values, positionals } = parseOrExplain(
    () => parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true }),
    HELP_COMMAND,
  );
  if (values.format !== "nagios")
    throw new UsageError(`invalid --format: only "nagios" is known`, HELP_COMMAND);
  if (values.json)
    throw new UsageError("--json and --format nagios do not go together", HELP_COMMAND);
  if (positionals.length !== 1)
    throw new UsageError("--format nagios checks exactly one <zone_id>", HELP_COMMAND);
  const thresholds = {
    lagWarning: wholeNumber(values["lag-warning"], "--lag-warning", HELP_COMMAND, { min: 1 }),
    lagCritical: wholeNumber(values["lag-critical"], "--lag-critical", HELP_COMMAND, { min: 1 }),
    ageWarning: age(values["age-warning"], "--age-warning"),
    ageCritical: age(values["age-critical"], "--age-critical"),
  };
  const report = await doctorReport(values, io, positionals[0]!);
  return nagiosCheck(report, thresholds);
}

/** An age threshold in whole seconds, from a duration such as `6h`. */
function age(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  return Math.floor(duration(text, flag, HELP_COMMAND, { min: 1000, max: 365 * DAY_MS }) / 1000);
}
