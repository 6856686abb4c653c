/**
 * `outgoing doctor --format nagios`: the one-shot doctor's report in the
 * conventions of monitoring plugins (Nagios, Icinga, Naemon, Sensu): exit 0 OK,
 * 1 WARNING, 2 CRITICAL, 3 UNKNOWN, and one status line whose perfdata (after
 * `|`) holds each peer's lag and the time since the last transfer, with the
 * warning and critical thresholds.
 */
import { formatAge, type ApiDoctorReport } from "./api-doctor.js";
import type { PeerCheck } from "./doctor.js";

export const NAGIOS_CODES = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 } as const;
export type NagiosStatus = keyof typeof NAGIOS_CODES;

export interface NagiosThresholds {
  /** A peer behind by this many serial increments or more is WARNING; default 1. */
  lagWarning?: number | undefined;
  /** ... or CRITICAL; default 10. */
  lagCritical?: number | undefined;
  /** Seconds since the last transfer that make it WARNING; default none. */
  ageWarning?: number | undefined;
  /** ... or CRITICAL; default none. */
  ageCritical?: number | undefined;
}

/** The lag thresholds when none are given. */
export const NAGIOS_DEFAULTS = { lagWarning: 1, lagCritical: 10 } as const;

/** Which status wins when several apply: CRITICAL, then UNKNOWN, then WARNING. */
const RANK: Record<NagiosStatus, number> = { OK: 0, WARNING: 1, UNKNOWN: 2, CRITICAL: 3 };

const PLUGIN = "CF SECONDARY DNS";

function peerStatus(peer: PeerCheck, warn: number, crit: number): NagiosStatus {
  switch (peer.state) {
    case "in-sync":
      return "OK";
    case "behind":
      if (peer.distance === undefined || peer.distance >= crit) return "CRITICAL";
      return peer.distance >= warn ? "WARNING" : "OK";
    case "ahead":
    case "no-ip":
      return "WARNING";
    case "not-compared":
      return "UNKNOWN";
    default:
      return "CRITICAL";
  }
}

function ageStatus(age: number, t: NagiosThresholds): NagiosStatus {
  if (t.ageCritical !== undefined && age >= t.ageCritical) return "CRITICAL";
  if (t.ageWarning !== undefined && age >= t.ageWarning) return "WARNING";
  return "OK";
}

/** A perfdata label: quoted, without the quote and `=` that would end it. */
function label(text: string): string {
  return `'${text.replace(/['=|\p{Cc}]/gu, "_")}'`;
}

/** Text of the status part: one line, no `|` (it starts the perfdata). */
function plain(text: string): string {
  return text.replace(/[|\p{Cc}]/gu, " ");
}

/** The exit code and the one status line for a report. */
export function nagiosCheck(
  report: ApiDoctorReport,
  thresholds: NagiosThresholds = {},
): { code: number; status: NagiosStatus; line: string } {
  const warn = thresholds.lagWarning ?? NAGIOS_DEFAULTS.lagWarning;
  const crit = thresholds.lagCritical ?? NAGIOS_DEFAULTS.lagCritical;
  const found: { status: NagiosStatus; text: string }[] = [];
  if (report.status !== "Enabled")
    found.push({ status: "CRITICAL", text: `outgoing transfers ${report.status}` });
  if (report.primary.state !== "answered")
    found.push({ status: "UNKNOWN", text: `primary ${report.primary.detail}` });
  if (report.peers.length === 0) found.push({ status: "WARNING", text: "no peers linked" });
  for (const peer of report.peers) {
    const status = peerStatus(peer, warn, crit);
    if (status !== "OK") found.push({ status, text: `${peer.name ?? peer.id} ${peer.detail}` });
  }
  const age = report.secondsSinceLastTransfer;
  const aged = ageStatus(age, thresholds);
  if (aged !== "OK") found.push({ status: aged, text: `no transfer for ${formatAge(age)}` });
  const status = found.reduce<NagiosStatus>(
    (w, f) => (RANK[f.status] > RANK[w] ? f.status : w),
    "OK",
  );
  const summary =
    found.length === 0
      ? `${report.peers.length} peer(s) in sync at serial ${report.primary.serial}`
      : found.map((f) => f.text).join("; ");
  const perf = [
    ...report.peers.map((peer) => {
      const lag =
        peer.state === "in-sync" ? 0 : peer.state === "behind" ? peer.distance : undefined;
      return `${label(`${peer.name ?? peer.id} lag`)}=${lag ?? "U"};${warn};${crit};0`;
    }),
    `last_transfer_age=${age}s;${thresholds.ageWarning ?? ""};${thresholds.ageCritical ?? ""};0`,
  ];
  const line = `${PLUGIN} ${status} - ${plain(`${report.zone}: ${summary}`)} | ${perf.join(" ")}`;
  return { code: NAGIOS_CODES[status], status, line };
}

/** The line for a check that could not run (bad usage, the API's error): UNKNOWN, exit 3. */
export function nagiosUnknown(message: string): { code: number; line: string } {
  return { code: NAGIOS_CODES.UNKNOWN, line: `${PLUGIN} UNKNOWN - ${plain(message)}` };
}
