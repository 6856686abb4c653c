/**
 * `incoming doctor` as a function: is Cloudflare's copy of the zone at my
 * primary's serial? Reads the zone's incoming configuration and its peers (the
 * primaries) through the API, then for each primary runs outgoing doctor's
 * check with the roles turned round (checkSecondaries: the primary is the
 * primary, Cloudflare's DNS the one secondary), and compares the API's
 * `soa_serial` with the primary's serial the same way. Exit codes are outgoing
 * doctor's (DOCTOR_EXIT_CODES) where the meaning is the same.
 */
import {
  DOCTOR_EXIT_CODES,
  checkSecondaries,
  doctorExitCode,
  type DoctorExitName,
  type DoctorReport,
  type PeerCheck,
} from "./doctor.js";
import type { DoctorClient } from "./api-doctor.js";
import { compareSerials, serialDistance } from "./serial.js";

/** What runIncomingDoctor reads of the client: `createSecondaryDnsClient(...)` fits. */
export interface IncomingDoctorClient {
  incoming: {
    get(
      zoneId: string,
      options?: { signal?: AbortSignal | undefined },
    ): Promise<{ name: string; peers: string[]; soa_serial: number; checked_time: string }>;
  };
  peers: DoctorClient["peers"];
}

export interface IncomingDoctorOptions {
  /** Where Cloudflare's DNS answers for the zone (the emulator's DNS address against it). */
  cloudflare: { host: string; port: number };
  /** Ask this address instead of each peer's ip:port (a primary seen at another address from here). */
  primary?: { host: string; port: number } | undefined;
  accountId?: string | undefined;
  /** Per DNS query; default 3000. */
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** The API's soa_serial against one primary's serial. */
export interface ApiSerialCheck {
  state: "in-sync" | "behind" | "ahead" | "not-comparable" | "not-compared";
  serial: number;
  detail: string;
}

export interface PrimaryCheck {
  id: string;
  name: string;
  /** The primary's own answer, as outgoing doctor reports its primary. */
  primary: DoctorReport["primary"];
  /** What Cloudflare's DNS serves, against this primary's serial. */
  cloudflare: PeerCheck;
  /** The API's soa_serial, against this primary's serial. */
  api: ApiSerialCheck;
}

export interface IncomingDoctorReport {
  zone: string;
  soaSerial: number;
  checkedTime: string;
  cloudflare: string;
  primaries: PrimaryCheck[];
  /** The exit code `incoming doctor` ends with (DOCTOR_EXIT_CODES). */
  exitCode: number;
}

export async function runIncomingDoctor(
  client: IncomingDoctorClient,
  zoneId: string,
  options: IncomingDoctorOptions,
): Promise<IncomingDoctorReport> {
  const call = { signal: options.signal, accountId: options.accountId };
  const zone = await client.incoming.get(zoneId, call);
  const peers = await Promise.all(zone.peers.map((id) => client.peers.get(id, call)));
  const cloudflarePeer = {
    id: "cloudflare",
    name: "Cloudflare's DNS",
    ...toPeer(options.cloudflare),
  };
  const timeout = options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {};
  const primaries = await Promise.all(
    peers.map(async (peer): Promise<[PrimaryCheck, number]> => {
      const at =
        options.primary ?? (peer.ip ? { host: peer.ip, port: peer.port ?? 53 } : undefined);
      const report: DoctorReport = at
        ? await checkSecondaries({
            zone: zone.name,
            primary: at,
            peers: [cloudflarePeer],
            ...timeout,
          })
        : noIp(zone.name);
      const api = apiCheck(zone.soa_serial, report.primary.serial);
      const check = {
        id: peer.id,
        name: peer.name,
        primary: report.primary,
        cloudflare: report.peers[0]!,
        api,
      };
      return [check, at ? exitOf(report, api) : DOCTOR_EXIT_CODES.noIp];
    }),
  );
  const codes = primaries.map(([, code]) => code);
  return {
    zone: zone.name,
    soaSerial: zone.soa_serial,
    checkedTime: zone.checked_time,
    cloudflare: `${options.cloudflare.host}:${options.cloudflare.port}`,
    primaries: primaries.map(([check]) => check),
    exitCode: codes.length === 0 ? DOCTOR_EXIT_CODES.noPeers : worst(codes),
  };
}

const toPeer = (at: { host: string; port: number }) => ({ ip: at.host, port: at.port });

/** A primary with no ip: nothing asked, and Cloudflare's copy not compared. */
function noIp(zone: string): DoctorReport {
  const detail = "the peer has no ip: cannot be asked";
  return {
    zone,
    primary: { target: "-", state: "unreachable", detail },
    peers: [{ id: "cloudflare", target: null, state: "no-ip", detail }],
  };
}

function apiCheck(serial: number, primary: number | undefined): ApiSerialCheck {
  if (primary === undefined)
    return {
      state: "not-compared",
      serial,
      detail: `API soa_serial ${serial}; the primary gave none`,
    };
  const order = compareSerials(serial, primary);
  if (order === 0) return { state: "in-sync", serial, detail: `API soa_serial ${serial}: in sync` };
  if (order === undefined)
    return {
      state: "not-comparable",
      serial,
      detail: `API soa_serial ${serial}: 2^31 from ${primary}`,
    };
  const behind = order === -1;
  const distance = behind ? serialDistance(serial, primary) : serialDistance(primary, serial);
  const how = behind ? `behind by ${distance}` : "ahead of the primary";
  return { state: behind ? "behind" : "ahead", serial, detail: `API soa_serial ${serial}: ${how}` };
}

const API_EXIT: Record<ApiSerialCheck["state"], DoctorExitName> = {
  "in-sync": "ok",
  behind: "behind",
  ahead: "ahead",
  "not-comparable": "notComparable",
  "not-compared": "primaryFailed",
};

/** One primary's code: the DNS check's (transfers count as enabled), or the API serial's when that comes first. */
function exitOf(report: DoctorReport, api: ApiSerialCheck): number {
  return worst([doctorExitCode(report, true), DOCTOR_EXIT_CODES[API_EXIT[api.state]]]);
}

/** Of several codes, the one whose reason comes first in DOCTOR_EXIT_CODES (as outgoing doctor picks). */
function worst(codes: number[]): number {
  const order = Object.values(DOCTOR_EXIT_CODES) as number[];
  const found = order.find((code) => code !== 0 && codes.includes(code));
  return found ?? DOCTOR_EXIT_CODES.ok;
}
