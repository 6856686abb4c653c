/**
 * The emulator as a secondary (Cloudflare's incoming zones): for each zone
 * configured here it pulls from the zone's primaries (src/dns/pull.ts) soon
 * after `configure`, every `autoRefreshSeconds`, on a NOTIFY from a primary's
 * address or an ACL range, and on `forceAxfr` (a full AXFR); keeps the last
 * good zone (records, serial, checked and modified times) in the state's
 * `pulled` collection, so a restart serves it; and serves it on the emulator's
 * DNS port through the zone data (primary.ts asks `zone()` for the names it
 * has no outgoing configuration of). A failed pull keeps the zone as it was
 * and is an event naming the reason (BADSIG, timeout, refused...).
 *
 * Only loopback primaries are asked: any other is skipped with an event.
 * One pull per zone at a time; what asks for another meanwhile runs after it.
 */
import { checkSignature } from "../dns/access.js";
import { pullZone, type PullLimits, type PullResult } from "../dns/pull.js";
import type { NotifyInfo, NotifyVerdict, ZonePeer, ZoneView } from "../dns/source.js";
import { RCODE, addressBytes, normalizeName, sameAddress } from "../dns/wire.js";
import { checkZone, type ZoneRecord } from "../dns/zone.js";
import type { components } from "../../generated/schema.js";
import { COLLECTIONS } from "./collections.js";
import { allEntries, recordsOf } from "./handlers/account.js";
import { peersById } from "./handlers/links.js";
import type { RecordChecks, Store } from "./store.js";
import { timestamp } from "./time.js";

export interface IncomingPrimary {
  peerId: string;
  ip: string;
  port: number;
  ixfr: boolean;
  /** The key requests are signed with; an algorithm the emulator does not know fails the pull (bad-key). */
  tsig?: { name: string; algorithm: string; secret: string };
}

export interface IncomingZoneConfig {
  zoneId: string;
  name: string;
  primaries: IncomingPrimary[];
  autoRefreshSeconds: number;
}

/** What the API shows of a secondary zone: `soa_serial`, `checked_time`, `modified_time`. */
export interface IncomingZoneState {
  serial?: number;
  checkedTime?: string;
  modifiedTime?: string;
  lastError?: string;
}

export interface SecondaryController {
  /** Creates or updates a zone: it is pulled soon, then every autoRefreshSeconds. */
  configure(config: IncomingZoneConfig): void;
  /** Forgets a zone and its pulled records. */
  remove(zoneId: string): void;
  /** Pulls the whole zone (AXFR) now, in the background. */
  forceAxfr(zoneId: string): void;
  /** A NOTIFY for `zoneName` from address `from`: refreshes when allowed; false when not. */
  notify(zoneName: string, from: string): boolean;
  state(zoneId: string): IncomingZoneState | undefined;
  close(): Promise<void>;
}

/** What the emulator did as a secondary, for its event log. Never holds a secret. */
export type SecondaryEvent =
  | {
      type: "incoming";
      zoneId: string;
      name: string;
      peerId: string;
      primary: string;
      outcome: PullResult["status"];
      /** Failed: refused, notauth, BADSIG, BADKEY, BADTIME, timeout, malformed, oversized... */
      reason?: string;
      detail?: string;
      kind?: "AXFR" | "IXFR";
      form?: "full" | "incremental";
      serial?: number;
      records?: number;
      /** Records of types the emulator does not keep, left out of the zone. */
      dropped?: number;
    }
  | { type: "incoming-notify"; zone: string; from: string; accepted: boolean; zoneId?: string }
  /** Something went wrong on this side (the state file could not be written). */
  | { type: "incoming-error"; zoneId: string; reason: string };

/** A secondary zone as the state keeps it. */
interface PulledZone {
  name: string;
  serial?: number;
  records?: ZoneRecord[];
  checkedTime?: string;
  modifiedTime?: string;
  lastError?: string;
}

const PULLED = COLLECTIONS.pulled;

/** The check of the `pulled` collection in a state file. */
export const pulledZones: RecordChecks = {
  [PULLED]: (value) => {
    const zone = value as Partial<PulledZone> | null;
    if (typeof zone !== "object" || zone === null) return "must be an object";
    if (typeof zone.name !== "string") return "name must be a string";
    if ((zone.records === undefined) !== (zone.serial === undefined))
      return "records and serial go together";
    if (zone.records !== undefined) {
      if (!Array.isArray(zone.records)) return "records must be an array";
      try {
        checkZone(zone.name, zone.records);
      } catch (error) {
        return (error as Error).message;
      }
    }
    return undefined;
  },
};

export interface SecondaryOptions {
  store: Store;
  log: (event: SecondaryEvent) => void;
  limits?: Partial<PullLimits> | undefined;
  /** After a pull that failed at every primary, the next try comes this soon (or at the refresh, if sooner). Default 60. */
  retrySeconds?: number | undefined;
}

interface Entry {
  config: IncomingZoneConfig;
  timer?: ReturnType<typeof setTimeout> | undefined;
  running?: Promise<void> | undefined;
  /** What was asked while a pull ran: it runs next. */
  again?: "refresh" | "full" | undefined;
  abort: AbortController;
}

/** setTimeout's longest wait. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export class Secondary implements SecondaryController {
  readonly #store: Store;
  readonly #log: (event: SecondaryEvent) => void;
  readonly #limits: Partial<PullLimits> | undefined;
  readonly #retryMs: number;
  readonly #entries = new Map<string, Entry>();
  #closed = false;
  #byName = { generation: -1, ids: new Map<string, string>() };

  constructor(options: SecondaryOptions) {
    this.#store = options.store;
    this.#log = options.log;
    this.#limits = options.limits;
    this.#retryMs = (options.retrySeconds ?? 60) * 1000;
  }

  configure(config: IncomingZoneConfig): void {
    if (this.#closed) return;
    const copy = structuredClone(config);
    const stored = this.#stored(config.zoneId);
    if (stored && normalizeName(stored.name) !== normalizeName(config.name))
      this.#store.delete(PULLED, config.zoneId);
    const entry = this.#entries.get(config.zoneId);
    if (entry) entry.config = copy;
    else this.#entries.set(config.zoneId, { config: copy, abort: new AbortController() });
    // A pull under way for the old configuration is dropped when it ends; this one follows it.
    if (entry?.running) entry.again ??= "refresh";
    else this.#schedule(config.zoneId, 0);
  }

  /**
   * Configures every incoming zone a collection of the state holds (records of
   * the API's shape: name, peers, auto_refresh_seconds), at start: a restart
   * pulls them again, then keeps them refreshed.
   */
  resumeFrom(collection: string): void {
    type Stored = { name: string; peers: string[]; auto_refresh_seconds: number };
    for (const [zoneId, zone] of allEntries<Stored>(this.#store, collection)) {
      const primaries = incomingPrimaries(this.#store, zone.peers);
      this.configure({
        zoneId,
        name: zone.name,
        primaries,
        autoRefreshSeconds: zone.auto_refresh_seconds,
      });
    }
  }

  remove(zoneId: string): void {
    const entry = this.#entries.get(zoneId);
    if (entry) {
      clearTimeout(entry.timer);
      entry.abort.abort();
      this.#entries.delete(zoneId);
    }
    if (this.#store.delete(PULLED, zoneId)) this.#saveLater(zoneId);
  }

  forceAxfr(zoneId: string): void {
    this.#run(zoneId, "full");
  }

  notify(zoneName: string, from: string): boolean {
    const zone = normalizeName(zoneName);
    const entry = this.#entryNamed(zone);
    const accepted = entry !== undefined && this.#mayNotify(entry.config, from);
    const zoneId = entry?.config.zoneId;
    this.#log({ type: "incoming-notify", zone, from, accepted, ...(zoneId ? { zoneId } : {}) });
    if (accepted) this.#run(entry.config.zoneId, "refresh");
    return accepted;
  }

  state(zoneId: string): IncomingZoneState | undefined {
    const stored = this.#stored(zoneId);
    if (!stored) return this.#entries.has(zoneId) ? {} : undefined;
    const { serial, checkedTime, modifiedTime, lastError } = stored;
    return {
      ...(serial !== undefined ? { serial } : {}),
      ...(checkedTime ? { checkedTime } : {}),
      ...(modifiedTime ? { modifiedTime } : {}),
      ...(lastError ? { lastError } : {}),
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    const running = [...this.#entries.values()].map((entry) => {
      clearTimeout(entry.timer);
      entry.abort.abort();
      return entry.running;
    });
    await Promise.all(running);
  }

  /** The zone as the DNS server serves it, once it has been pulled; undefined otherwise. */
  zone(name: string): ZoneView | undefined {
    const zoneId = this.#idNamed(name);
    const stored = zoneId ? this.#stored(zoneId) : undefined;
    if (!zoneId || !stored?.records || stored.serial === undefined) return undefined;
    const config = this.#entries.get(zoneId)?.config;
    return {
      zoneId,
      name,
      records: stored.records,
      serial: stored.serial,
      // Transfers of a secondary zone go to its primaries (with their keys), as a primary's go to its peers.
      transfersEnabled: true,
      peers: config ? peersOf(config) : [],
    };
  }

  /** A NOTIFY received on the DNS port: its TSIG checked against the primaries' keys, then `notify`. */
  judgeNotify(info: NotifyInfo): NotifyVerdict {
    const entry = this.#entryNamed(info.zone);
    if (!entry) return { rcode: RCODE.REFUSED, reason: "not a secondary zone of this emulator" };
    let key: NotifyVerdict["key"];
    if (info.tsig) {
      const peers = peersOf(entry.config);
      const check = checkSignature(info.raw, info.tsig, peers, "of the zone", info.now);
      if (!check.ok)
        return {
          rcode: RCODE.NOTAUTH,
          tsigError: check.error,
          reason: check.reason,
          key: check.key,
        };
      key = check.key;
    }
    if (this.notify(info.zone, info.address)) return { rcode: RCODE.NOERROR, key };
    const reason = "NOTIFY from an address that is neither a primary of the zone nor in an ACL";
    return { rcode: RCODE.REFUSED, reason, key };
  }

  #mayNotify(config: IncomingZoneConfig, from: string): boolean {
    if (config.primaries.some((primary) => sameAddress(primary.ip, from))) return true;
    return aclRanges(this.#store).some((range) => inRange(from, range));
  }

  #schedule(zoneId: string, delayMs: number): void {
    const entry = this.#entries.get(zoneId);
    if (!entry || this.#closed) return;
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => this.#run(zoneId, "refresh"), Math.min(delayMs, MAX_DELAY_MS));
    entry.timer.unref();
  }

  #run(zoneId: string, mode: "refresh" | "full"): void {
    const entry = this.#entries.get(zoneId);
    if (!entry || this.#closed) return;
    if (entry.running) {
      entry.again = entry.again === "full" || mode === "full" ? "full" : "refresh";
      return;
    }
    clearTimeout(entry.timer);
    entry.running = this.#pull(entry, mode)
      .catch((error: Error) => {
        this.#log({ type: "incoming-error", zoneId, reason: `pulling: ${error.message}` });
        return false;
      })
      .then((ok) => {
        entry.running = undefined;
        const again = entry.again;
        entry.again = undefined;
        if (again) return this.#run(zoneId, again);
        const refreshMs = entry.config.autoRefreshSeconds * 1000;
        this.#schedule(zoneId, ok === false ? Math.min(refreshMs, this.#retryMs) : refreshMs);
      });
  }

  /** Asks each primary in turn until one answers; resolves false when none did. */
  async #pull(entry: Entry, mode: "refresh" | "full"): Promise<boolean> {
    const { config } = entry;
    const name = normalizeName(config.name);
    const held = this.#stored(config.zoneId);
    const errors: string[] = [];
    for (const primary of config.primaries) {
      const result = await pullZone({
        zone: name,
        primary: { ip: primary.ip, port: primary.port, tsig: primary.tsig, ixfr: primary.ixfr },
        serial: held?.serial,
        records: held?.records,
        full: mode === "full",
        limits: this.#limits,
        signal: entry.abort.signal,
      });
      if (this.#stale(entry, config)) return true;
      this.#log(pullEvent(config, primary, result));
      if (result.status === "skipped") {
        errors.push(`${primary.peerId}: skipped (${result.detail})`);
        continue;
      }
      if (result.status === "failed") {
        errors.push(`${primary.peerId}: ${result.reason}: ${result.detail}`);
        continue;
      }
      await this.#keep(config, held, result);
      return true;
    }
    if (errors.length > 0) await this.#keepError(config, held, errors.join("; "));
    return errors.length === 0;
  }

  /** Whether what a pull found no longer matters: closed, removed, or configured anew meanwhile. */
  #stale(entry: Entry, config: IncomingZoneConfig): boolean {
    const current = this.#entries.get(config.zoneId) === entry && entry.config === config;
    return this.#closed || entry.abort.signal.aborted || !current;
  }

  async #keep(
    config: IncomingZoneConfig,
    held: PulledZone | undefined,
    result: Extract<PullResult, { status: "pulled" | "up-to-date" }>,
  ): Promise<void> {
    const now = timestamp();
    const zone: PulledZone =
      result.status === "pulled"
        ? {
            name: normalizeName(config.name),
            serial: result.serial,
            records: result.records,
            modifiedTime: now,
            checkedTime: now,
          }
        : { ...held, name: normalizeName(config.name), checkedTime: now };
    delete zone.lastError;
    this.#store.set<PulledZone>(PULLED, config.zoneId, zone);
    await this.#save(config.zoneId);
  }

  async #keepError(config: IncomingZoneConfig, held: PulledZone | undefined, error: string) {
    const zone: PulledZone = { ...held, name: normalizeName(config.name), lastError: error };
    this.#store.set<PulledZone>(PULLED, config.zoneId, zone);
    await this.#save(config.zoneId);
  }

  async #save(zoneId: string): Promise<void> {
    try {
      await this.#store.save();
    } catch (error) {
      const reason = `saving the pulled zone: ${(error as Error).message}`;
      this.#log({ type: "incoming-error", zoneId, reason });
    }
  }

  #saveLater(zoneId: string): void {
    this.#store.saveLater((error) =>
      this.#log({ type: "incoming-error", zoneId, reason: `saving: ${error.message}` }),
    );
  }

  #stored(zoneId: string): PulledZone | undefined {
    return this.#store.get<PulledZone>(PULLED, zoneId);
  }

  #entryNamed(zone: string): Entry | undefined {
    return [...this.#entries.values()].find((entry) => normalizeName(entry.config.name) === zone);
  }

  /** The zone id whose pulled zone is named `name`, from an index rebuilt when the store changes. */
  #idNamed(name: string): string | undefined {
    if (this.#byName.generation !== this.#store.generation) {
      const ids = new Map<string, string>();
      for (const [id, zone] of allEntries<PulledZone>(this.#store, PULLED))
        ids.set(normalizeName(zone.name), id);
      this.#byName = { generation: this.#store.generation, ids };
    }
    return this.#byName.ids.get(normalizeName(name));
  }
}

function pullEvent(
  config: IncomingZoneConfig,
  primary: IncomingPrimary,
  result: PullResult,
): SecondaryEvent {
  const host = primary.ip.includes(":") ? `[${primary.ip}]` : primary.ip;
  const base = {
    type: "incoming" as const,
    zoneId: config.zoneId,
    name: normalizeName(config.name),
    peerId: primary.peerId,
    primary: `${host}:${primary.port}`,
    outcome: result.status,
  };
  switch (result.status) {
    case "skipped":
      return { ...base, detail: result.detail };
    case "failed":
      return { ...base, reason: result.reason, detail: result.detail };
    case "up-to-date":
      return { ...base, serial: result.serial };
    case "pulled":
      return {
        ...base,
        kind: result.kind,
        form: result.form,
        serial: result.serial,
        records: result.records.length,
        ...(result.dropped > 0 ? { dropped: result.dropped } : {}),
      };
  }
}

type Tsig = components["schemas"]["Tsig"];

/**
 * The primaries an incoming zone's `peers` name, as configure() takes them: each
 * peer's ip, port (53 when absent), ixfr_enable and TSIG. A peer that does not
 * exist or has no ip is left out (it cannot be asked); one whose tsig_id names
 * no TSIG gets a key that cannot be used, so its pulls fail instead of going
 * unsigned.
 */
export function incomingPrimaries(store: Store, peerIds: readonly string[]): IncomingPrimary[] {
  const known = peersById(store);
  return peerIds.flatMap((id): IncomingPrimary[] => {
    const found = known.get(id);
    const ip = found?.peer.ip;
    if (!found || !ip) return [];
    const { peer, account } = found;
    const primary: IncomingPrimary = {
      peerId: peer.id,
      ip,
      port: peer.port ?? 53,
      ixfr: peer.ixfr_enable === true,
    };
    if (!peer.tsig_id) return [primary];
    const tsig = recordsOf<Tsig>(store, COLLECTIONS.tsigs, account).find(
      (t) => t.id === peer.tsig_id,
    );
    primary.tsig = tsig
      ? { name: tsig.name, algorithm: tsig.algo, secret: tsig.secret }
      : { name: `missing-${peer.tsig_id}`, algorithm: "hmac-sha256.", secret: "" };
    return [primary];
  });
}

/** The primaries as the DNS server's peers: who may transfer the zone from here, and whose keys sign NOTIFY. */
function peersOf(config: IncomingZoneConfig): ZonePeer[] {
  return config.primaries.map((primary) => ({
    id: primary.peerId,
    ip: primary.ip,
    port: primary.port,
    tsig: primary.tsig ?? null,
  }));
}

/** Every ACL's range, of every account: where NOTIFY for a secondary zone may also come from. */
function aclRanges(store: Store): string[] {
  return allEntries<{ ip_range?: string }[]>(store, COLLECTIONS.acls).flatMap(([, acls]) =>
    acls.flatMap((acl) => (typeof acl.ip_range === "string" ? [acl.ip_range] : [])),
  );
}

/** Whether `address` lies in `range` (an address, or CIDR "a.b.c.d/n", "v6::/n"). */
export function inRange(address: string, range: string): boolean {
  const [base = "", bitsText] = range.split("/");
  const ours = addressBytes(address);
  const theirs = addressBytes(base);
  if (!ours || !theirs || ours.length !== theirs.length) return false;
  const bits = bitsText === undefined ? ours.length * 8 : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > ours.length * 8) return false;
  for (let i = 0; i < ours.length; i++) {
    const take = Math.max(0, Math.min(8, bits - i * 8));
    const mask = take === 0 ? 0 : (0xff << (8 - take)) & 0xff;
    if ((ours[i]! & mask) !== (theirs[i]! & mask)) return false;
  }
  return true;
}

/** One line of text for a secondary's event (the console's event log). */
export function secondaryEventLine(event: SecondaryEvent): string {
  switch (event.type) {
    case "incoming": {
      const what = `incoming zone ${event.zoneId} (${event.name}) from ${event.peerId} at ${event.primary}: ${event.outcome}`;
      if (event.outcome === "pulled")
        return `${what} by ${event.kind} (${event.form}), serial ${event.serial}, ${event.records} records${event.dropped ? ` (${event.dropped} of types not kept left out)` : ""}`;
      if (event.outcome === "up-to-date") return `${what} at serial ${event.serial}`;
      return `${what}${event.reason ? ` (${event.reason})` : ""}: ${event.detail}`;
    }
    case "incoming-notify":
      return `NOTIFY for ${event.zone} from ${event.from}: ${event.accepted ? "accepted" : "refused"}`;
    case "incoming-error":
      return `incoming zone ${event.zoneId}: ${event.reason}`;
  }
}
