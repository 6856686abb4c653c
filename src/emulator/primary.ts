/**
 * The emulator as a DNS primary: the records of each zone that has an outgoing
 * configuration, their serial, and the DNS server (src/dns) that serves them on
 * loopback and sends NOTIFY.
 *
 * Records: from the zone file given for the zone (`zoneFiles`), or set by a
 * program (`setRecords`), kept in the state's `records` collection so a restart
 * serves what was served; with neither, a minimal zone (SOA, NS) derived from
 * the configuration's name, not stored. A change of records raises the API's
 * soa_serial by RFC 1982 arithmetic (to the records' own SOA serial when that is
 * later), and the primary serves soa_serial in the SOA, so the API and the wire
 * never disagree. A zone file is read at start and by `reloadZoneFiles()`; at
 * start, a file that differs from the stored records counts as a change.
 *
 * Never off loopback: the server listens on the emulator's (loopback) host, and
 * NOTIFY to any other address is skipped by src/dns and shown in the event log.
 */
import { readFile } from "node:fs/promises";
import {
  checkZone,
  compareSerials,
  minimalZone,
  nextSerial,
  parseZoneFile,
  startDnsPrimary,
  type DnsEvent,
  type DnsPrimary,
  type ZonePeer,
  type ZoneRecord,
  type ZoneSource,
  type ZoneView,
} from "../dns/index.js";
import type { NotifyInfo, NotifyVerdict } from "../dns/source.js";
import { RCODE, normalizeName } from "../dns/wire.js";
import type { components } from "../../generated/schema.js";
import type { ZoneHooks } from "./resource.js";
import { allEntries, recordsOf } from "./handlers/account.js";
import { COLLECTIONS } from "./collections.js";
import { peersById } from "./handlers/links.js";
import { transferredRecords } from "./handlers/dns-settings.js";
import type { OutgoingRecord } from "./handlers/outgoing.js";
import type { RecordChecks, Store } from "./store.js";
import { timestamp } from "./time.js";
import type { Secondary, SecondaryEvent } from "./secondary.js";

type Tsig = components["schemas"]["Tsig"];
/** The state collection of zone records, by zone id. */
const ZONES = COLLECTIONS.records;

/** A zone's stored records: for the zone named `origin` (a rename drops them). */
interface StoredZone {
  origin: string;
  records: ZoneRecord[];
  /** The zone file they came from; absent when set by a program. */
  file?: string;
}

/** What the emulator did with zone data, besides what the DNS server reports. */
export type ZoneEvent =
  | {
      type: "zone";
      zoneId: string;
      name: string;
      serial: number;
      /** Where the records come from now. */
      source: "file" | "program" | "minimal";
    }
  | { type: "zone-file-error"; zoneId: string; file: string; reason: string }
  | SecondaryEvent;

/** One entry of the emulator's event log. */
export type EmulatorEvent = (DnsEvent | ZoneEvent) & { time: string };

/** How many events the log keeps (the oldest go first). */
export const EVENT_LOG_SIZE = 1000;

/** The check of the `records` collection in a state file. */
export const zoneRecords: RecordChecks = {
  [ZONES]: (value) => {
    if (typeof value !== "object" || value === null) return "must be an object";
    const { origin, records, file } = value as Partial<StoredZone>;
    if (typeof origin !== "string") return "origin must be a string";
    if (!Array.isArray(records)) return "records must be an array";
    if (file !== undefined && typeof file !== "string") return "file must be a string";
    try {
      checkZone(origin, records);
    } catch (error) {
      return (error as Error).message;
    }
    return undefined;
  },
};

export interface ZoneDataOptions {
  store: Store;
  zoneFiles: Readonly<Record<string, string>>;
  onEvent?: ((event: EmulatorEvent) => void) | undefined;
}

export class ZoneData implements ZoneHooks, ZoneSource {
  readonly #store: Store;
  readonly #files: Readonly<Record<string, string>>;
  readonly #onEvent: ((event: EmulatorEvent) => void) | undefined;
  /** Each file as last read, as bytes (parseZoneFile refuses what is not UTF-8): a create parses it synchronously. */
  readonly #texts = new Map<string, Uint8Array>();
  readonly #events: EmulatorEvent[] = [];
  #dns: DnsPrimary | undefined;
  /** The secondary zones (secondary.ts), served for names with no outgoing configuration. */
  #secondary: Secondary | undefined;
  /** Outgoing configurations by zone name, as of a generation of the store. */
  #byName = { generation: -1, byName: new Map<string, string[]>() };

  constructor(options: ZoneDataOptions) {
    this.#store = options.store;
    this.#files = options.zoneFiles;
    this.#onEvent = options.onEvent;
  }

  log(event: DnsEvent | ZoneEvent): void {
    const entry = { ...event, time: timestamp() } as EmulatorEvent;
    this.#events.push(entry);
    if (this.#events.length > EVENT_LOG_SIZE) this.#events.shift();
    this.#onEvent?.(entry);
  }

  events(): EmulatorEvent[] {
    return structuredClone(this.#events);
  }

  /**
   * Reads every zone file at start; throws naming the file (and line) of the
   * first that cannot be used. A zone whose file differs from its stored
   * records gets a new serial (saved before the emulator answers).
   */
  async readFiles(): Promise<void> {
    let changed = false;
    for (const zoneId of Object.keys(this.#files)) {
      await this.#read(zoneId);
      const record = this.#config(zoneId);
      if (record && this.#load(zoneId, record)) changed = true;
    }
    if (changed) await this.#store.save();
  }

  async #read(zoneId: string): Promise<void> {
    const file = this.#files[zoneId]!;
    try {
      this.#texts.set(zoneId, await readFile(file));
    } catch (error) {
      const code = (error as { code?: string }).code ?? (error as Error).message;
      throw new Error(`zone file ${file} (zone ${zoneId}) could not be read (${code})`);
    }
  }

  async startDns(host: string, port: number): Promise<DnsPrimary> {
    this.#dns = await startDnsPrimary({ host, port, source: this, log: (e) => this.log(e) });
    return this.#dns;
  }

  async close(): Promise<void> {
    await this.#dns?.close();
  }

  /** Serves the secondary's zones too, and hands it the NOTIFY messages received. */
  attachSecondary(secondary: Secondary): void {
    this.#secondary = secondary;
  }

  onNotify(info: NotifyInfo): NotifyVerdict {
    return (
      this.#secondary?.judgeNotify(info) ?? {
        rcode: RCODE.REFUSED,
        reason: "not a secondary zone of this emulator",
      }
    );
  }

  /** Re-reads the zone files; a zone whose records changed gets a new serial and NOTIFY. */
  async reloadZoneFiles(): Promise<{ zoneId: string; serial: number; changed: boolean }[]> {
    const results = [];
    for (const zoneId of Object.keys(this.#files)) {
      await this.#read(zoneId);
      const record = this.#config(zoneId);
      if (!record) continue;
      const changed = this.#load(zoneId, record);
      if (changed) {
        await this.#store.save();
        this.notify(zoneId);
      }
      results.push({ zoneId, serial: this.#config(zoneId)!.zone.soa_serial, changed });
    }
    return results;
  }

  /** Replaces a zone's records (checked as a zone of the configuration's name); resolves to the new serial. */
  async setRecords(zoneId: string, records: readonly ZoneRecord[]): Promise<number> {
    const record = this.#config(zoneId);
    if (!record) throw new Error(`zone ${zoneId} has no outgoing configuration`);
    const origin = normalizeName(record.zone.name);
    const copy = structuredClone([...records]) as ZoneRecord[];
    const own = checkZone(origin, copy).serial;
    this.#store.set<StoredZone>(ZONES, zoneId, { origin, records: copy });
    const serial = advance(record.zone.soa_serial, own);
    this.#setSerial(zoneId, record, serial);
    this.log({ type: "zone", zoneId, name: origin, serial, source: "program" });
    await this.#store.save();
    this.notify(zoneId);
    return serial;
  }

  // ZoneHooks, run inside the outgoing handlers.

  configured(zoneId: string, name: string, serial: number): number {
    const stored = this.#store.get<StoredZone>(ZONES, zoneId);
    if (stored && stored.origin !== normalizeName(name)) this.#store.delete(ZONES, zoneId);
    if (!this.#texts.has(zoneId)) return serial;
    const parsed = this.#parse(zoneId, name);
    if (!parsed) return serial;
    this.#store.set<StoredZone>(ZONES, zoneId, {
      origin: parsed.origin,
      records: parsed.records,
      file: this.#files[zoneId]!,
    });
    return compareSerials(parsed.soa.serial, serial) === 1 ? parsed.soa.serial : serial;
  }

  removed(zoneId: string): void {
    this.#store.delete(ZONES, zoneId);
  }

  notify(zoneId: string): void {
    const record = this.#config(zoneId);
    if (!record || !this.#dns) return;
    // The results reach the event log through the server's own log.
    void this.#dns
      .notify(record.zone.name)
      .catch((error: Error) =>
        this.log({ type: "error", reason: `NOTIFY for zone ${zoneId}: ${error.message}` }),
      );
  }

  // ZoneSource, read by the DNS server on every request.

  zone(name: string): ZoneView | undefined {
    const matching = (this.#zoneIds(name) ?? []).map(
      (id) => [id, this.#config(id)!] as [string, OutgoingRecord],
    );
    const [zoneId, record] =
      matching.find(([, record]) => record.status === "Enabled") ?? matching[0] ?? [];
    if (!zoneId || !record) return this.#secondary?.zone(name);
    const stored = this.#store.get<StoredZone>(ZONES, zoneId);
    const serial = record.zone.soa_serial;
    return {
      zoneId,
      name,
      records:
        stored?.origin === name
          ? (transferredRecords(this.#store, zoneId, name, stored.records) as ZoneRecord[])
          : minimalZone(name, serial),
      serial,
      transfersEnabled: record.status === "Enabled",
      peers: this.#peers(record.zone.peers),
    };
  }

  onTransfer({ zoneId, peerId }: { zoneId: string; peerId?: string }): void {
    if (peerId) this.#touch(zoneId, "last_transferred_time");
  }

  onSoaQuery({ zoneId }: { zoneId: string }): void {
    this.#touch(zoneId, "checked_time");
  }

  #peers(ids: readonly string[]): ZonePeer[] {
    const known = peersById(this.#store);
    return ids.flatMap((id): ZonePeer[] => {
      const found = known.get(id);
      if (!found) return [];
      const { peer, account } = found;
      const tsig = peer.tsig_id
        ? recordsOf<Tsig>(this.#store, COLLECTIONS.tsigs, account).find(
            (t) => t.id === peer.tsig_id,
          )
        : undefined;
      return [
        {
          id: peer.id,
          name: peer.name,
          ip: peer.ip ?? null,
          port: peer.port ?? null,
          tsig: tsig
            ? { name: tsig.name, algorithm: tsig.algo, secret: tsig.secret }
            : peer.tsig_id
              ? danglingKey(peer.tsig_id)
              : null,
        },
      ];
    });
  }

  /** The ids of the outgoing configurations named `name`, from an index rebuilt when the store changes. */
  #zoneIds(name: string): string[] | undefined {
    if (this.#byName.generation !== this.#store.generation) {
      const byName = new Map<string, string[]>();
      for (const [id, record] of allEntries<OutgoingRecord>(this.#store, COLLECTIONS.outgoing)) {
        const key = normalizeName(record.zone.name);
        byName.set(key, [...(byName.get(key) ?? []), id]);
      }
      this.#byName = { generation: this.#store.generation, byName };
    }
    return this.#byName.byName.get(name);
  }

  #config(zoneId: string): OutgoingRecord | undefined {
    return this.#store.get<OutgoingRecord>(COLLECTIONS.outgoing, zoneId);
  }

  #setSerial(zoneId: string, record: OutgoingRecord, serial: number): void {
    this.#store.set<OutgoingRecord>(COLLECTIONS.outgoing, zoneId, {
      ...record,
      zone: { ...record.zone, soa_serial: serial },
    });
  }

  #touch(zoneId: string, field: "checked_time" | "last_transferred_time"): void {
    const record = this.#config(zoneId);
    if (!record) return;
    const fresh = this.#byName.generation === this.#store.generation;
    this.#store.set<OutgoingRecord>(COLLECTIONS.outgoing, zoneId, {
      ...record,
      zone: { ...record.zone, [field]: timestamp() },
    });
    // A time changes no name: the index of names stays good.
    if (fresh) this.#byName.generation = this.#store.generation;
    // A read must not cost a write of the whole state file: these times reach it
    // at most about once a second (or with the next change, or at close).
    this.#store.saveLater((error) =>
      this.log({ type: "error", reason: `saving the times zones were read: ${error.message}` }),
    );
  }

  /** The zone file parsed for `name`; undefined (and an event) when it does not form that zone. */
  #parse(zoneId: string, name: string, strict = false) {
    const file = this.#files[zoneId]!;
    try {
      return parseZoneFile(this.#texts.get(zoneId)!, { origin: name, source: file });
    } catch (error) {
      if (strict) throw error;
      this.log({ type: "zone-file-error", zoneId, file, reason: (error as Error).message });
      return undefined;
    }
  }

  /** Loads a zone's file into the store; true when its records changed (and so did the serial). */
  #load(zoneId: string, record: OutgoingRecord): boolean {
    const name = normalizeName(record.zone.name);
    const parsed = this.#parse(zoneId, name, true)!;
    const stored = this.#store.get<StoredZone>(ZONES, zoneId);
    const same =
      stored?.origin === parsed.origin &&
      JSON.stringify(stored.records) === JSON.stringify(parsed.records);
    if (same) return false;
    this.#store.set<StoredZone>(ZONES, zoneId, {
      origin: parsed.origin,
      records: parsed.records,
      file: this.#files[zoneId]!,
    });
    const serial = advance(record.zone.soa_serial, parsed.soa.serial);
    this.#setSerial(zoneId, record, serial);
    this.log({ type: "zone", zoneId, name, serial, source: "file" });
    return true;
  }
}

/**
 * The key of a peer whose tsig_id names a TSIG that does not exist (a state file
 * edited by hand): one that cannot be used, so the peer is refused (fails closed).
 */
function danglingKey(tsigId: string): NonNullable<ZonePeer["tsig"]> {
  const unusable = `its TSIG ${tsigId} does not exist`;
  return { name: `missing-${tsigId}`, algorithm: "hmac-sha256", secret: "", unusable };
}

/** The serial after a change: the next one (RFC 1982), or the records' own when that is later. */
function advance(current: number, own: number): number {
  const next = nextSerial(current);
  return compareSerials(own, next) === 1 ? own : next;
}
