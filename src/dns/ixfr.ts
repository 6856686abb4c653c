/**
 * The records of a zone transfer read as a secondary reads them: an AXFR (SOA,
 * the zone, the same SOA), or an IXFR answer (RFC 1995), which is one of
 *   - the SOA alone: the secondary is up to date;
 *   - AXFR form: the new SOA, the whole zone, the SOA again (section 4 allows it);
 *   - differences: the new SOA, then per step the old SOA, the records deleted,
 *     the step's new SOA, the records added; then the new SOA again.
 * `TransferReader` takes the records as they arrive and says when the transfer
 * is complete; `applyTransfer` turns what it read into the zone's new records.
 */
import { compareSerials } from "./serial.js";
import { normalizeName, type packet } from "./wire.js";
import type { SoaData, ZoneRecord } from "./zone.js";

/** A transfer that does not make sense; the text names what, never the data. */
export class TransferFormError extends Error {
  override name = "TransferFormError";
}

interface Difference {
  from: number;
  to: number;
  deleted: ZoneRecord[];
  added: ZoneRecord[];
}

export type TransferContent =
  | { form: "up-to-date"; serial: number }
  | { form: "full"; soa: ZoneRecord; records: ZoneRecord[] }
  | { form: "incremental"; soa: ZoneRecord; differences: Difference[] };

/** Reads a transfer's records in order; `add` returns true once the transfer is complete. */
export class TransferReader {
  #first: ZoneRecord | undefined;
  #form: "full" | "incremental" | undefined;
  #records: ZoneRecord[] = [];
  #differences: Difference[] = [];
  /** In an incremental answer: reading deletions (after an old SOA) or additions (after a new one). */
  #phase: "deleting" | "adding" = "adding";
  #done = false;
  /** Records of types this package does not keep (their count goes into the result). */
  dropped = 0;

  constructor(
    private readonly zone: string,
    private readonly asked: "AXFR" | "IXFR",
  ) {}

  get done(): boolean {
    return this.#done;
  }

  add(answer: packet.Answer): boolean {
    if (this.#done) throw new TransferFormError("records after the end of the transfer");
    const record = fromWire(answer);
    if (!record) {
      this.dropped++;
      if (!this.#first) throw new TransferFormError("the transfer does not start with a SOA");
      return false;
    }
    if (!this.#first) return this.#start(record);
    if (record.type === "SOA" && normalizeName(record.name) !== this.zone)
      throw new TransferFormError(`a SOA record for another name (${record.name})`);
    if (!this.#form) this.#form = this.#decideForm(record);
    return this.#form === "full" ? this.#full(record) : this.#incremental(record);
  }

  /** What was read, once complete. */
  content(): TransferContent {
    if (!this.#done) throw new TransferFormError("the transfer ended before its closing SOA");
    const soa = this.#first!;
    if (!this.#form) return { form: "up-to-date", serial: serialOf(soa) };
    if (this.#form === "full") return { form: "full", soa, records: [soa, ...this.#records] };
    return { form: "incremental", soa, differences: this.#differences };
  }

  /** Where an answer of only the SOA ends: a single-SOA IXFR answer is complete at once. */
  endOfMessages(): void {
    if (this.#first && !this.#form && this.asked === "IXFR") this.#done = true;
  }

  #start(record: ZoneRecord): boolean {
    if (record.type !== "SOA" || normalizeName(record.name) !== this.zone)
      throw new TransferFormError("the transfer does not start with the zone's SOA");
    this.#first = record;
    return false;
  }

  #decideForm(second: ZoneRecord): "full" | "incremental" {
    // A second SOA right after the first opens a difference (or, in AXFR, ends an empty zone).
    if (
      second.type === "SOA" &&
      this.asked === "IXFR" &&
      serialOf(second) !== serialOf(this.#first!)
    )
      return "incremental";
    return "full";
  }

  #full(record: ZoneRecord): boolean {
    if (record.type === "SOA") {
      if (serialOf(record) !== serialOf(this.#first!))
        throw new TransferFormError("a SOA inside the zone with another serial");
      return (this.#done = true);
    }
    this.#records.push(record);
    return false;
  }

  #incremental(record: ZoneRecord): boolean {
    const current = this.#differences.at(-1);
    if (record.type !== "SOA") {
      if (!current) throw new TransferFormError("a difference without its SOA");
      (this.#phase === "deleting" ? current.deleted : current.added).push(record);
      return false;
    }
    const serial = serialOf(record);
    if (this.#phase === "deleting") {
      current!.to = serial;
      this.#phase = "adding";
      return false;
    }
    const final = serialOf(this.#first!);
    if (current && current.to === final && serial === final) return (this.#done = true);
    this.#differences.push({ from: serial, to: serial, deleted: [], added: [] });
    this.#phase = "deleting";
    return false;
  }
}

function serialOf(record: ZoneRecord): number {
  return (record.data as SoaData).serial;
}

/**
 * The zone's new records from what a transfer read. Differences must follow
 * on from `serial` (the one the request named), each from where the last ended.
 */
export function applyTransfer(
  content: Exclude<TransferContent, { form: "up-to-date" }>,
  current: { serial: number | undefined; records: readonly ZoneRecord[] | undefined },
): ZoneRecord[] {
  if (content.form === "full") return content.records;
  if (current.serial === undefined || !current.records)
    throw new TransferFormError("differences were sent, but no zone was held to apply them to");
  const held = new Map<string, ZoneRecord>();
  for (const record of current.records) if (record.type !== "SOA") held.set(keyOf(record), record);
  let at = current.serial;
  for (const step of content.differences) {
    if (step.from !== at)
      throw new TransferFormError(`a difference from serial ${step.from}, the zone was at ${at}`);
    if (compareSerials(step.to, step.from) !== 1)
      throw new TransferFormError(`a difference from serial ${step.from} to ${step.to} goes back`);
    for (const record of step.deleted) {
      if (!held.delete(keyOf(record)))
        throw new TransferFormError(`a difference deletes a record the zone does not hold`);
    }
    for (const record of step.added) held.set(keyOf(record), record);
    at = step.to;
  }
  if (at !== serialOf(content.soa))
    throw new TransferFormError(`the differences end at serial ${at}, not at the new SOA's`);
  return [content.soa, ...held.values()];
}

/** What makes two records the same record (RFC 2181: name, type and data; not the TTL). */
function keyOf(record: ZoneRecord): string {
  const name = (value: string) => normalizeName(value);
  const data = ((): unknown => {
    switch (record.type) {
      case "NS":
      case "CNAME":
      case "PTR":
        return name(record.data);
      case "MX":
        return [record.data.preference, name(record.data.exchange)];
      case "SRV":
        return [
          record.data.priority,
          record.data.weight,
          record.data.port,
          name(record.data.target),
        ];
      case "AAAA":
        return record.data.toLowerCase();
      default:
        return record.data;
    }
  })();
  return JSON.stringify([name(record.name), record.type, data]);
}

/** A record as dns-packet decoded it, in the shape zones are kept in; undefined for a type not kept. */
export function fromWire(answer: packet.Answer): ZoneRecord | undefined {
  const { class: klass, ttl } = answer as { class?: string; ttl?: number };
  if ((klass ?? "IN") !== "IN") return undefined;
  const base = { name: normalizeName(answer.name), ttl: ttl ?? 0 };
  const data = (answer as { data?: unknown }).data as never;
  switch (answer.type) {
    case "SOA": {
      const { mname, rname, serial, refresh, retry, expire, minimum } = data as SoaData;
      const soa = { mname, rname, serial, refresh, retry, expire, minimum };
      return { ...base, type: "SOA", data: soa };
    }
    case "A":
    case "AAAA":
    case "NS":
    case "CNAME":
    case "PTR":
      return { ...base, type: answer.type, data: String(data) };
    case "MX": {
      const { preference, exchange } = data as { preference: number; exchange: string };
      return { ...base, type: "MX", data: { preference, exchange } };
    }
    case "TXT": {
      const parts = (Array.isArray(data) ? data : [data]) as (Buffer | string)[];
      return { ...base, type: "TXT", data: parts.map((part) => part.toString()) };
    }
    case "SRV": {
      const { priority, weight, port, target } = data as {
        priority: number;
        weight: number;
        port: number;
        target: string;
      };
      return { ...base, type: "SRV", data: { priority, weight, port, target } };
    }
    default:
      return undefined;
  }
}
