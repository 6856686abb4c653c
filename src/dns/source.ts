/**
 * What the DNS primary reads and reports: the zones it serves (a `ZoneSource`
 * asked on every request, so the caller's state is the only copy) and the
 * events it emits. Plus small helpers over a zone view shared by the answering
 * and NOTIFY sides.
 */
import type { TsigKey, TsigKeyInput, TsigRecord } from "./tsig.js";
import type { ZoneRecord } from "./zone.js";
import { firstSoa } from "./owners.js";

/** A secondary that may transfer the zone and is sent NOTIFY. */
export interface ZonePeer {
  id: string;
  name?: string;
  /** Where NOTIFY goes and where transfers come from; a peer without one is never notified. */
  ip?: string | null;
  /** Port for NOTIFY; 53 when absent. */
  port?: number | null;
  tsig?: TsigKeyInput | null;
}

/** What the primary serves for one zone, read fresh on every request. */
export interface ZoneView {
  zoneId: string;
  /** The zone's name (absolute; trailing dot optional). */
  name: string;
  /** The zone's records; its SOA is served with `serial` in place of its own. */
  records: readonly ZoneRecord[];
  serial: number;
  transfersEnabled: boolean;
  peers: readonly ZonePeer[];
}

export interface TransferInfo {
  zoneId: string;
  kind: "AXFR" | "IXFR";
  /** Address and source port the request came from. */
  address: string;
  port: number;
  /** The peer the request was matched to (by address and key), when one was. */
  peerId?: string;
  serial: number;
}

export interface SoaQueryInfo {
  zoneId: string;
  address: string;
  port: number;
  transport: "udp" | "tcp";
  serial: number;
}

/** Where zones come from. `zone` gets the name lower case, without the trailing dot. */
export interface ZoneSource {
  zone(name: string): ZoneView | undefined;
  /** Called after a transfer was written out in full. */
  onTransfer?(info: TransferInfo): void;
  /** Called for each SOA query answered for a zone. */
  onSoaQuery?(info: SoaQueryInfo): void;
  /**
   * Judges a NOTIFY received for `zone` (a zone this server is a secondary of);
   * without it, NOTIFY is answered NOTIMP.
   */
  onNotify?(info: NotifyInfo): NotifyVerdict;
}

/** A NOTIFY received (RFC 1996): the zone it names, where it came from, its TSIG if signed. */
export interface NotifyInfo {
  zone: string;
  address: string;
  port: number;
  raw: Buffer;
  tsig: TsigRecord | undefined;
  /** Seconds since the epoch, for the TSIG check. */
  now: number;
}

/**
 * How to answer a NOTIFY: its RCODE (NOERROR when accepted), or a TSIG error
 * (BADKEY, BADSIG, BADTIME) with NOTAUTH; `key` signs the answer to a signed one.
 */
export interface NotifyVerdict {
  rcode: number;
  key?: TsigKey | undefined;
  tsigError?: number | undefined;
  reason?: string | undefined;
}

export type NotifyOutcome =
  /** The peer answered; `rcode` 0 means it accepted the NOTIFY. */
  | "answered"
  /** Not sent: no ip, or an address that is not loopback. */
  | "skipped"
  /** No answer after every attempt, or the address refused the datagram. */
  | "failed";

export interface NotifyResult {
  zoneId: string;
  peerId: string;
  target: string;
  outcome: NotifyOutcome;
  attempts: number;
  rcode?: number;
  /** Why it was skipped or failed; or the TSIG problem with the answer. */
  reason?: string;
}

/** What the primary did, for a log or an event list. Never holds a secret. */
export type DnsEvent =
  | {
      type: "query";
      zone: string;
      qtype: string;
      from: string;
      transport: "udp" | "tcp";
      rcode: number;
      tsig?: string;
    }
  | {
      type: "transfer";
      zoneId: string;
      kind: "AXFR" | "IXFR";
      from: string;
      messages: number;
      records: number;
      tsig?: string;
    }
  | {
      type: "refused";
      zone: string;
      qtype: string;
      from: string;
      rcode: number;
      reason: string;
      tsigError?: string;
    }
  | { type: "malformed"; from: string; transport: "udp" | "tcp"; reason: string }
  | ({ type: "notify" } & NotifyResult)
  | { type: "error"; reason: string };

/** Where a request came from. */
export interface Remote {
  address: string;
  port: number;
  transport: "udp" | "tcp";
}

export function plainAddress(address: string): string {
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}

export function soaOf(view: ZoneView): ZoneRecord {
  const soa = firstSoa(view.records);
  if (!soa || soa.type !== "SOA") {
    throw new Error(`zone ${view.name} has no SOA record`);
  }
  return { ...soa, data: { ...soa.data, serial: view.serial } };
}

/** Sends NOTIFY (RFC 1996) to a zone's peers, on loopback only. */
