/**
 * `cf-secondary-dns incoming doctor <zone_id>`: is Cloudflare's copy of the zone
 * at my primary's serial? Reads the incoming configuration and its peers through
 * the API, then asks each primary and Cloudflare's DNS for the SOA serial
 * (runIncomingDoctor), and compares the API's soa_serial too. Exits 0 only when
 * both are at every primary's serial; otherwise outgoing doctor's code of the
 * same meaning (DOCTOR_EXIT_CODES).
 */
import { parseArgs } from "node:util";
import { DOCTOR_EXIT_CODES, parseAddress, type DoctorExitName } from "../dns/doctor.js";
import { runIncomingDoctor, type IncomingDoctorReport } from "../dns/incoming-doctor.js";
import { createSecondaryDnsClient } from "../index.js";
import { escapeText } from "../text.js";
import { DOCTOR_OPTIONS, doctorSettings } from "./doctor.js";
import { PROGRAM } from "./help.js";
import { UsageError, type CliIo } from "./io.js";
import { asUsage, clientOptions } from "./outgoing.js";
import { printResult } from "./output.js";
import { parseOrExplain, positionalArgs, wantsHelp } from "./parse.js";
import { choosePrimary } from "./primary.js";

const HELP_COMMAND = `${PROGRAM} incoming doctor --help`;

/** Outgoing doctor's codes, in this command's words where the roles differ. */
const EXIT_TEXT: Partial<Record<DoctorExitName, string>> = {
  ok: "Cloudflare's DNS and the API's soa_serial are at every primary's serial",
  primaryFailed: "a primary gave no serial",
  unreachable: "Cloudflare's DNS could not be reached",
  noAnswer: "Cloudflare's DNS did not answer in time",
  refused: "Cloudflare's DNS refused the query (the zone not pulled yet?)",
  notAuthoritative: "Cloudflare's DNS answered but does not serve the zone",
  badResponse: "Cloudflare's DNS gave an answer that could not be used",
  behind: "Cloudflare's copy (its DNS or the API's soa_serial) is older than a primary's",
  ahead: "Cloudflare's copy is newer than a primary's",
  notComparable: "a serial is exactly 2^31 from a primary's (RFC 1982)",
  noIp: "a primary has no ip, so it could not be asked",
  noPeers: "the zone's incoming configuration lists no primaries",
};

export const INCOMING_DOCTOR_HELP = `Usage: ${PROGRAM} incoming doctor <zone_id> [options]

Is Cloudflare's copy of the zone at your primary's serial? Reads the zone's
incoming configuration and its primaries (peers) through the API, then asks
each primary and Cloudflare's DNS for the zone's SOA serial, and compares both
that and the API's soa_serial with each primary's.

Options:
  --account ID          The account of the zone's peers (default CLOUDFLARE_ACCOUNT_ID)
  --primary ADDR        Ask this address (IP, IP:port, [IPv6]:port) instead of each
                        peer's ip and port
  --cloudflare-dns ADDR Where Cloudflare's copy is asked (default: the emulator's DNS
                        address, which it names in every answer; against Cloudflare's
                        API required: one of the zone's Cloudflare nameservers)
  --timeout MS          Milliseconds each DNS query may take (default 3000)
  --json                Print the report as JSON
  --base-url URL        The API's base URL (overrides CLOUDFLARE_BASE_URL)
  -h, --help            Show this help

Exit codes:
  1, 2, 3  as for every command (API error, bad usage, API unreachable)
${Object.entries(DOCTOR_EXIT_CODES)
  .filter(([name]) => EXIT_TEXT[name as DoctorExitName])
  .map(([name, code]) => `  ${String(code).padEnd(7)}  ${EXIT_TEXT[name as DoctorExitName]}`)
  .join("\n")}
  When several apply, the first in this list wins (as for outgoing doctor).
`;

const OPTIONS = { ...DOCTOR_OPTIONS, "cloudflare-dns": { type: "string" } } as const;

export async function runIncomingDoctorCommand(argv: string[], io: CliIo): Promise<number> {
  if (wantsHelp(argv)) {
    io.stdout.write(INCOMING_DOCTOR_HELP);
    return 0;
  }
  const { values, positionals } = parseOrExplain(
    () => parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true }),
    HELP_COMMAND,
  );
  const [zoneId] = positionalArgs(positionals, ["<zone_id>"], HELP_COMMAND) as [string];
  const { accountId, timeoutMs } = doctorSettings(values, io, HELP_COMMAND);
  let primary;
  try {
    primary = values.primary === undefined ? undefined : parseAddress(values.primary);
  } catch (error) {
    throw new UsageError(`invalid --primary: ${(error as Error).message}`, HELP_COMMAND);
  }
  const baseUrlFrom = values["base-url"] !== undefined ? "--base-url" : "CLOUDFLARE_BASE_URL";
  const report = await asUsage(HELP_COMMAND, baseUrlFrom, async () => {
    const options = clientOptions(io, HELP_COMMAND, values["base-url"], undefined, undefined);
    const client = createSecondaryDnsClient({ ...options, accountId });
    const cloudflareOf = await choosePrimary(io, {
      flag: values["cloudflare-dns"],
      baseUrl: options.baseUrl,
      help: HELP_COMMAND,
    });
    const cloudflare = await cloudflareOf();
    if (cloudflare.from === "cloudflare")
      throw new UsageError(
        "Cloudflare's API names no DNS address for the zone's copy: give --cloudflare-dns HOST[:PORT] (one of the zone's Cloudflare nameservers)",
        HELP_COMMAND,
      );
    return runIncomingDoctor(client, zoneId, {
      ...{ cloudflare, primary, accountId, timeoutMs, signal: io.signal },
    });
  });
  printResult(io, values.json, report, () => formatReport(zoneId, report));
  return report.exitCode;
}

function formatReport(zoneId: string, report: IncomingDoctorReport): string {
  const lines = [
    `Zone ${zoneId} (${report.zone}): API soa_serial ${report.soaSerial}, checked ${report.checkedTime}; Cloudflare's DNS at ${report.cloudflare}`,
  ];
  for (const p of report.primaries) {
    lines.push(`  primary "${p.name}" (${p.id}) at ${p.primary.target}: ${p.primary.detail}`);
    lines.push(`    Cloudflare's DNS: ${p.cloudflare.detail}`);
    lines.push(`    ${p.api.detail}`);
  }
  if (report.primaries.length === 0) lines.push("  no primaries are listed");
  const name = Object.entries(DOCTOR_EXIT_CODES).find(([, c]) => c === report.exitCode)?.[0];
  const why = EXIT_TEXT[(name ?? "ok") as DoctorExitName] ?? name;
  lines.push(
    report.exitCode === 0 ? `OK: ${why} (exit 0)` : `Not in sync: ${why} (exit ${report.exitCode})`,
  );
  return lines.map(escapeText).join("\n");
}
