/**
 * The check behind `outgoing doctor`: ask the primary and every secondary for
 * the zone's SOA serial, in parallel, and say for each secondary whether it is
 * in sync. The result is plain data; `doctorExitCode` maps it to the CLI's code.
 */
import { isIP } from "node:net";
import { escapeText } from "../text.js";
import { querySoa, rcodeName, type SoaAnswer } from "./query.js";
import { compareSerials, serialDistance } from "./serial.js";
import { formatAddress, isPort } from "./wire.js";

import { CLOUDFLARE_PRIMARY } from "./cloudflare.js";

/** Where Cloudflare's secondaries transfer from: the default primary for doctor and setup. */
export { CLOUDFLARE_PRIMARY };

/**
 * Reads `host:port`, `[v6]:port`, or a bare IP (port 53), as `--primary` takes it.
 * Throws a RangeError that says what is wrong.
 */
export function parseAddress(text: string): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const plain = /^([^:]+)(?::(\d+))?$/.exec(text);
  const [host, port] = bracketed
    ? [bracketed[1]!, bracketed[2]]
    : plain
      ? [plain[1]!, plain[2]]
      : isIP(text) === 6
        ? [text, undefined]
        : ["", undefined];
  if (!isIP(host))
    throw new RangeError(
      `"${text}" is not an IP address with an optional port (host:port, [v6]:port)`,
    );
  const number = port === undefined ? 53 : Number(port);
  if (!isPort(number)) {
    throw new RangeError(`port in "${text}" must be from 1 to 65535`);
  }
  return { host, port: number };
}

export interface DoctorPeer {
  id: string;
  name?: string;
  ip?: string | null;
  /** Default 53. */
  port?: number | null;
}

export interface DoctorInput {
  zone: string;
  primary: { host: string; port: number };
  peers: readonly DoctorPeer[];
  /** Per query; default 3000. */
  timeoutMs?: number;
}

export type PeerState =
  | "in-sync"
  | "behind"
  | "ahead"
  /** Exactly 2^31 from the primary's serial: RFC 1982 defines no order between the two. */
  | "not-comparable"
  /** The primary gave no serial, so there is nothing to compare with. */
  | "not-compared"
  | "no-answer"
  | "refused"
  | "not-authoritative"
  | "unreachable"
  | "bad-response"
  | "no-ip";

export interface PeerCheck {
  id: string;
  name?: string;
  /** `ip:port` queried, or null when the peer has no ip. */
  target: string | null;
  state: PeerState;
  serial?: number;
  /** For "behind" and "ahead": RFC 1982 distance to the primary's serial. */
  distance?: number;
  /** One sentence, for people. */
  detail: string;
}

export interface DoctorReport {
  zone: string;
  primary: { target: string; state: PrimaryState; serial?: number; detail: string };
  peers: PeerCheck[];
}

export type PrimaryState =
  "answered" | "no-answer" | "refused" | "not-authoritative" | "unreachable" | "bad-response";

/**
 * The exit codes of `outgoing doctor`, distinct from the CLI's 0-3 and 130.
 * When several apply, the first in this order wins.
 */
export const DOCTOR_EXIT_CODES = {
  /** Transfers enabled, every peer in sync. */
  ok: 0,
  /** The API says outgoing transfers are disabled. */
  transfersDisabled: 10,
  /** The primary gave no serial. */
  primaryFailed: 11,
  /** A peer could not be reached (connection refused or failed). */
  unreachable: 12,
  /** A peer did not answer in time. */
  noAnswer: 13,
  /** A peer refused the query (REFUSED / NOTAUTH, possibly a TSIG error). */
  refused: 14,
  /** A peer answered but does not serve the zone. */
  notAuthoritative: 15,
  /** A peer's answer could not be used. */
  badResponse: 16,
  /** A peer serves an older serial. */
  behind: 17,
  /** A peer serves a serial newer than the primary's. */
  ahead: 18,
  /** A peer's serial is exactly 2^31 from the primary's: neither older nor newer (RFC 1982). */
  notComparable: 21,
  /** A peer has no ip, so it could not be checked. */
  noIp: 19,
  /** The zone has no peers to check. */
  noPeers: 20,
} as const;

export type DoctorExitName = keyof typeof DOCTOR_EXIT_CODES;

const STATE_EXIT: Record<PeerState, DoctorExitName> = {
  "in-sync": "ok",
  behind: "behind",
  ahead: "ahead",
  "not-comparable": "notComparable",
  "not-compared": "primaryFailed",
  "no-answer": "noAnswer",
  refused: "refused",
  "not-authoritative": "notAuthoritative",
  unreachable: "unreachable",
  "bad-response": "badResponse",
  "no-ip": "noIp",
};

/** The exit code for a report; `transfersEnabled` comes from the API's status. */
export function doctorExitCode(report: DoctorReport, transfersEnabled: boolean): number {
  const reasons = new Set<DoctorExitName>();
  if (!transfersEnabled) reasons.add("transfersDisabled");
  if (report.primary.state !== "answered") reasons.add("primaryFailed");
  if (report.peers.length === 0) reasons.add("noPeers");
  for (const peer of report.peers) reasons.add(STATE_EXIT[peer.state]);
  const order = Object.keys(DOCTOR_EXIT_CODES) as DoctorExitName[];
  const worst = order.find((name) => name !== "ok" && reasons.has(name));
  return DOCTOR_EXIT_CODES[worst ?? "ok"];
}

function describeFailure(answer: Exclude<SoaAnswer, { status: "answer" }>): {
  state: Exclude<PrimaryState, "answered">;
  detail: string;
} {
  switch (answer.status) {
    case "timeout":
      return { state: "no-answer", detail: `no answer within ${answer.timeoutMs} ms` };
    case "unreachable":
      return { state: "unreachable", detail: `unreachable (${answer.detail})` };
    case "refused":
      return {
        state: "refused",
        detail: `refused (${rcodeName(answer.rcode)}${answer.tsigError ? `, TSIG ${answer.tsigError}` : ""})`,
      };
    case "not-authoritative":
      return { state: "not-authoritative", detail: `not authoritative: ${answer.detail}` };
    case "bad-response":
      return { state: "bad-response", detail: `unusable answer: ${answer.detail}` };
  }
}

/** Queries the primary and every peer in parallel and classifies each peer. Never throws for network trouble. */
export async function checkSecondaries(input: DoctorInput): Promise<DoctorReport> {
  const timeoutMs = input.timeoutMs ?? 3000;
  const ask = (host: string, port: number) => querySoa({ host, port, zone: input.zone, timeoutMs });
  const [primaryAnswer, ...peerAnswers] = await Promise.all([
    ask(input.primary.host, input.primary.port),
    ...input.peers.map((peer) =>
      peer.ip ? ask(peer.ip, peer.port ?? 53) : Promise.resolve(undefined),
    ),
  ]);
  const primary = primaryCheck(
    formatAddress(input.primary.host, input.primary.port),
    primaryAnswer!,
  );
  const peers = input.peers.map((peer, index) =>
    peerCheck(peer, peerAnswers[index], primary.serial),
  );
  return { zone: input.zone, primary, peers };
}

function primaryCheck(where: string, answer: SoaAnswer): DoctorReport["primary"] {
  if (answer.status !== "answer") return { target: where, ...describeFailure(answer) };
  const { serial } = answer;
  return { target: where, state: "answered", serial, detail: `serial ${serial}` };
}

/** One peer's check: no ip, no usable answer, or its serial against the primary's. */
function peerCheck(
  peer: DoctorPeer,
  answer: SoaAnswer | undefined,
  primarySerial: number | undefined,
): PeerCheck {
  const base = { id: peer.id, ...(peer.name ? { name: peer.name } : {}) };
  if (!peer.ip || !answer)
    return { ...base, target: null, state: "no-ip", detail: "no ip: cannot be checked" };
  const where = formatAddress(peer.ip, peer.port ?? 53);
  if (answer.status !== "answer") return { ...base, target: where, ...describeFailure(answer) };
  return { ...base, target: where, ...compared(answer.serial, primarySerial) };
}

/** A peer's serial against the primary's (RFC 1982 order). */
function compared(
  serial: number,
  primary: number | undefined,
): Pick<PeerCheck, "state" | "serial" | "distance" | "detail"> {
  if (primary === undefined) {
    const detail = `serial ${serial}; the primary gave none to compare with`;
    return { state: "not-compared", serial, detail };
  }
  const order = compareSerials(serial, primary);
  if (order === 0) return { state: "in-sync", serial, detail: `in sync at serial ${serial}` };
  if (order === -1) {
    const distance = serialDistance(serial, primary)!;
    const detail = `behind by ${distance} (serial ${serial}, primary ${primary})`;
    return { state: "behind", serial, distance, detail };
  }
  if (order === undefined) {
    const detail = `not comparable: serial ${serial} is 2^31 from the primary's ${primary} (RFC 1982 gives no order)`;
    return { state: "not-comparable", serial, detail };
  }
  const distance = serialDistance(primary, serial)!;
  const detail = `ahead of the primary (serial ${serial}, primary ${primary})`;
  return { state: "ahead", serial, distance, detail };
}

/**
 * The report as lines for people: the primary, then one line per peer. Each
 * line is escaped whole (escapeText): names and ids come from the API and
 * details from what servers answered, and none may forge or reorder a line.
 */
export function formatDoctorReport(report: DoctorReport): string[] {
  const lines = [`${report.zone}: primary ${report.primary.target}: ${report.primary.detail}`];
  for (const peer of report.peers) {
    const label = peer.name ? `${peer.name} (${peer.id})` : peer.id;
    lines.push(`  ${label}${peer.target ? ` at ${peer.target}` : ""}: ${peer.detail}`);
  }
  lines.forEach((line, index) => (lines[index] = escapeText(line)));
  if (report.peers.length === 0) lines.push("  no peers are linked to this zone");
  return lines;
}
