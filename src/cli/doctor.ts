/**
 * `cf-secondary-dns outgoing doctor <zone_id>`: are the zone's secondaries in
 * sync with the primary? Reads the configuration, status and peers through the
 * API, asks the primary and each peer for the SOA serial (runDoctor), prints
 * one line per peer, and exits 0 only when transfers are enabled and every
 * peer is in sync (otherwise one of DOCTOR_EXIT_CODES).
 */
import { parseArgs } from "node:util";
import { createSecondaryDnsClient } from "../index.js";
import {
  CLOUDFLARE_PRIMARY,
  DOCTOR_EXIT_CODES,
  formatAge,
  formatDoctorReport,
  runDoctor,
} from "../dns/index.js";
import type { DoctorExitName } from "../dns/doctor.js";
import type { ApiDoctorReport } from "../dns/api-doctor.js";
import { PROGRAM } from "./help.js";
import { DOCTOR_MODES_HELP, doctorMode } from "./doctor-flags.js";
import { UsageError, type CliIo } from "./io.js";
import { asUsage, clientOptions } from "./outgoing.js";
import { choosePrimary } from "./primary.js";
import { escapeText } from "../text.js";
import { printResult } from "./output.js";
import { parseOrExplain, positionalArgs, wantsHelp, wholeNumber } from "./parse.js";

const HELP_COMMAND = `${PROGRAM} outgoing doctor --help`;

/** The environment variable that names the primary to ask (the emulator's CLI output shows it). */
export const PRIMARY_ENV = "CF_SECONDARY_DNS_PRIMARY";

/** What each exit code means, for --help and the README; the compiler wants one per code. */
const EXIT_TEXT: Record<DoctorExitName, string> = {
  ok: "transfers enabled and every peer in sync",
  transfersDisabled: "the API says outgoing transfers are disabled",
  primaryFailed: "the primary gave no serial",
  unreachable: "a peer could not be reached (nothing listens there)",
  noAnswer: "a peer did not answer in time",
  refused: "a peer refused the query (REFUSED or NOTAUTH)",
  notAuthoritative: "a peer answered but does not serve the zone",
  badResponse: "a peer's answer could not be used",
  behind: "a peer serves an older serial",
  ahead: "a peer serves a serial newer than the primary's",
  notComparable: "a peer's serial is exactly 2^31 from the primary's: not comparable (RFC 1982)",
  noIp: "a peer has no ip, so it could not be checked",
  noPeers: "no peers are linked to the zone",
};

export const DOCTOR_HELP = `Usage: ${PROGRAM} outgoing doctor <zone_id> [options]

Checks that the zone's secondaries serve the primary's SOA serial: reads the
outgoing configuration, its status and each linked peer through the API, then
asks the primary and each peer's ip:port for the zone's SOA serial, in
parallel, and prints per peer: in sync, behind by N, ahead, not comparable
(2^31 apart), no answer, refused, not authoritative, bad answer, unreachable,
or no ip; with the API's status and the time since the last transfer.

Options:
  --account ID      The account of the zone's peers (default CLOUDFLARE_ACCOUNT_ID; required)
  --primary ADDR    The primary to ask: IP, IP:port or [IPv6]:port (default
                    ${PRIMARY_ENV}; else the emulator's DNS address, which
                    it names in every answer; else, for Cloudflare's API,
                    ${CLOUDFLARE_PRIMARY.host}:${CLOUDFLARE_PRIMARY.port})
  --timeout MS      Milliseconds each DNS query may take (default 3000)
  --json            Print the report as JSON
  --base-url URL    The API's base URL (overrides CLOUDFLARE_BASE_URL)
  -h, --help        Show this help

Environment: as for every outgoing action, plus CLOUDFLARE_ACCOUNT_ID and
${PRIMARY_ENV} (the emulator prints the value that points at its DNS server).

Exit codes:
  1, 2, 3  as for every command (API error, bad usage, API unreachable)
${Object.entries(DOCTOR_EXIT_CODES)
  .map(([name, code]) => `  ${String(code).padEnd(7)}  ${EXIT_TEXT[name as DoctorExitName]}`)
  .join("\n")}
  When several apply, the first in this list wins.

${DOCTOR_MODES_HELP}`;

/** The flags of one-shot doctor; --watch and --format nagios add theirs. */
export const DOCTOR_OPTIONS = {
  account: { type: "string" },
  primary: { type: "string" },
  timeout: { type: "string" },
  json: { type: "boolean" },
  "base-url": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** The account and the DNS timeout, from the flags or the environment (also for --watch and nagios). */
export function doctorSettings(
  values: { account?: string | undefined; timeout?: string | undefined },
  io: CliIo,
  help: string,
): { accountId: string; timeoutMs: number | undefined } {
  const env = (name: string) => (io.env[name] === "" ? undefined : io.env[name]);
  const accountId = values.account ?? env("CLOUDFLARE_ACCOUNT_ID");
  if (accountId === undefined) {
    throw new UsageError(
      "doctor reads the zone's peers, which belong to an account: give --account ID or set CLOUDFLARE_ACCOUNT_ID",
      help,
    );
  }
  const timeoutMs = wholeNumber(values.timeout, "--timeout", help, {
    min: 1,
    max: 60_000,
  });
  return { accountId, timeoutMs };
}

/** Reads the settings, then runs the one-shot check (also for --format nagios). */
export async function doctorReport(
  values: Parameters<typeof doctorSettings>[0] & {
    primary?: string | undefined;
    "base-url"?: string | undefined;
  },
  io: CliIo,
  zoneId: string,
): Promise<ApiDoctorReport> {
  const { accountId, timeoutMs } = doctorSettings(values, io, HELP_COMMAND);
  const baseUrlFrom = values["base-url"] !== undefined ? "--base-url" : "CLOUDFLARE_BASE_URL";
  return asUsage(HELP_COMMAND, baseUrlFrom, async () => {
    const options = clientOptions(io, HELP_COMMAND, values["base-url"], undefined, undefined);
    const client = createSecondaryDnsClient({ ...options, accountId });
    const primary = await choosePrimary(io, {
      flag: values.primary,
      envName: PRIMARY_ENV,
      baseUrl: options.baseUrl,
      help: HELP_COMMAND,
    });
    return runDoctor(client, zoneId, { primary, accountId, timeoutMs, signal: io.signal });
  });
}

export async function runDoctorCommand(argv: string[], io: CliIo): Promise<number> {
  if (wantsHelp(argv)) {
    io.stdout.write(DOCTOR_HELP);
    return 0;
  }
  const mode = doctorMode(argv);
  if (mode === "watch") return (await import("./watch.js")).runWatchCommand(argv, io);
  if (mode === "nagios") return (await import("./nagios.js")).runNagiosCommand(argv, io);
  const { values, positionals } = parseOrExplain(
    () => parseArgs({ args: argv, options: DOCTOR_OPTIONS, allowPositionals: true, strict: true }),
    HELP_COMMAND,
  );
  const [zoneId] = positionalArgs(positionals, ["<zone_id>"], HELP_COMMAND) as [string];
  const report = await doctorReport(values, io, zoneId);
  printResult(io, values.json, report, () =>
    [
      // formatDoctorReport escapes its own lines; this one quotes the API too.
      escapeText(
        `Zone ${zoneId}: outgoing transfers ${report.status}; last transfer ${formatAge(report.secondsSinceLastTransfer)} ago (${report.lastTransferredTime})`,
      ),
      ...formatDoctorReport(report),
      report.exitCode === 0
        ? `OK: every peer is in sync (exit 0)`
        : `Not in sync: ${EXIT_TEXT[exitName(report.exitCode)]} (exit ${report.exitCode})`,
    ].join("\n"),
  );
  return report.exitCode;
}

function exitName(code: number): DoctorExitName {
  const found = Object.entries(DOCTOR_EXIT_CODES).find(([, value]) => value === code);
  return (found?.[0] ?? "ok") as DoctorExitName;
}
