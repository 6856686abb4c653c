/**
 * `apply --verify`: after apply, the outgoing doctor for each zone of the file
 * whose transfers are on, asked again until every secondary serves the
 * primary's serial or VERIFY_WAIT_MS pass (a secondary transfers a few seconds
 * after the NOTIFY that enable sends); then the incoming doctor for each
 * incoming zone, until Cloudflare's copy is at every primary's serial. Exits 0
 * when all are in sync, else the doctor's code of the first zone that is not.
 */
import { formatDoctorReport } from "../dns/index.js";
import type { ReadFile } from "../declare/index.js";
import { safeLine } from "../declare/render.js";
import { runIncomingDoctor } from "../dns/incoming-doctor.js";
import { createSecondaryDnsClient } from "../index.js";
import { doctorReport, doctorSettings } from "./doctor.js";
import { PROGRAM } from "./help.js";
import type { CliIo } from "./io.js";
import { clientOptions } from "./outgoing.js";
import { choosePrimary } from "./primary.js";

const HELP = `${PROGRAM} apply --help`;

/** How long --verify waits for the secondaries to catch up, in all. */
export const VERIFY_WAIT_MS = 60_000;
const POLL_MS = 1000;

interface VerifyValues {
  account?: string | undefined;
  primary?: string | undefined;
  "base-url"?: string | undefined;
}

export async function verify(file: ReadFile, values: VerifyValues, io: CliIo): Promise<number> {
  const zones = file.config.zones ?? [];
  const outgoing = zones.filter((z) => z.outgoing && z.outgoing.enabled !== false);
  const incoming = zones.filter((z) => z.incoming);
  const deadline = Date.now() + VERIFY_WAIT_MS;
  const settings = { ...values, account: values.account ?? file.config.account };
  let worst = 0;
  for (const zone of outgoing) {
    const report = await polled(() => doctorReport(settings, io, zone.id), deadline, io);
    io.stdout.write(
      `Verify zone ${zone.id}: ${report.exitCode === 0 ? "every peer in sync" : `not in sync (doctor exit ${report.exitCode})`}\n`,
    );
    for (const line of formatDoctorReport(report)) io.stdout.write(`${safeLine(line)}\n`);
    if (report.exitCode !== 0 && worst === 0) worst = report.exitCode;
  }
  for (const zone of incoming) {
    const code = await verifyIncoming(settings, io, zone.id, deadline);
    if (code !== 0 && worst === 0) worst = code;
  }
  return worst;
}

/** Asks again each POLL_MS until the report's exit code is 0 or the deadline passes. */
async function polled<T extends { exitCode: number }>(
  ask: () => Promise<T>,
  deadline: number,
  io: CliIo,
): Promise<T> {
  let report = await ask();
  while (report.exitCode !== 0 && Date.now() < deadline && !io.signal?.aborted) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    report = await ask();
  }
  return report;
}

/**
 * An incoming zone: the incoming doctor (each primary's serial against
 * Cloudflare's DNS and the API's soa_serial). Cloudflare's DNS is --primary's
 * address, else the emulator's; against Cloudflare's API without --primary the
 * zone is not verified (said, exit 0 for it): the API names no such address.
 */
async function verifyIncoming(
  values: VerifyValues,
  io: CliIo,
  zoneId: string,
  deadline: number,
): Promise<number> {
  const { accountId, timeoutMs } = doctorSettings(values, io, HELP);
  const options = clientOptions(io, HELP, values["base-url"], undefined, undefined);
  const client = createSecondaryDnsClient({ ...options, accountId });
  const where = { flag: values.primary, baseUrl: options.baseUrl, help: HELP };
  const cloudflare = await (await choosePrimary(io, where))();
  if (cloudflare.from === "cloudflare") {
    io.stdout.write(
      `Verify zone ${zoneId} (incoming): not verified: give --primary HOST:PORT, one of the zone's Cloudflare nameservers\n`,
    );
    return 0;
  }
  const ask = () =>
    runIncomingDoctor(client, zoneId, { cloudflare, accountId, timeoutMs, signal: io.signal });
  const report = await polled(ask, deadline, io);
  const verdict =
    report.exitCode === 0
      ? "Cloudflare's copy at every primary's serial"
      : `not in sync (incoming doctor exit ${report.exitCode})`;
  io.stdout.write(`Verify zone ${zoneId} (incoming): ${verdict}\n`);
  for (const p of report.primaries) {
    const lines = [
      `  primary "${p.name}" at ${p.primary.target}: ${p.primary.detail}`,
      `    Cloudflare's DNS: ${p.cloudflare.detail}`,
      `    ${p.api.detail}`,
    ];
    for (const line of lines) io.stdout.write(`${safeLine(line)}\n`);
  }
  return report.exitCode;
}
