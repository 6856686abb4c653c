/**
 * `apply --verify`: after apply, the outgoing doctor for each zone of the file
 * whose transfers are on, asked again until every secondary serves the
 * primary's serial or VERIFY_WAIT_MS pass (a secondary transfers a few seconds
 * after the NOTIFY that enable sends). Exits 0 when all are in sync, else the
 * doctor's code of the first zone that is not.
 */
import { formatDoctorReport } from "../dns/index.js";
import type { ReadFile } from "../declare/index.js";
import { safeLine } from "../declare/render.js";
import { doctorReport } from "./doctor.js";
import type { CliIo } from "./io.js";

/** How long --verify waits for the secondaries to catch up, in all. */
export const VERIFY_WAIT_MS = 60_000;
const POLL_MS = 1000;

interface VerifyValues {
  account?: string | undefined;
  primary?: string | undefined;
  "base-url"?: string | undefined;
}

export async function verify(file: ReadFile, values: VerifyValues, io: CliIo): Promise<number> {
  const zones = (file.config.zones ?? []).filter((z) => z.outgoing && z.outgoing.enabled !== false);
  const deadline = Date.now() + VERIFY_WAIT_MS;
  const settings = { ...values, account: values.account ?? file.config.account };
  let worst = 0;
  for (const zone of zones) {
    let report = await doctorReport(settings, io, zone.id);
    while (report.exitCode !== 0 && Date.now() < deadline && !io.signal?.aborted) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      report = await doctorReport(settings, io, zone.id);
    }
    io.stdout.write(
      `Verify zone ${zone.id}: ${report.exitCode === 0 ? "every peer in sync" : `not in sync (doctor exit ${report.exitCode})`}\n`,
    );
    for (const line of formatDoctorReport(report)) io.stdout.write(`${safeLine(line)}\n`);
    if (report.exitCode !== 0 && worst === 0) worst = report.exitCode;
  }
  return worst;
}
