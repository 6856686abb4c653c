/**
 * A zone's records by owner name, so answering a query costs a lookup instead
 * of a pass over every record of the zone. Built once per records array and
 * kept beside it (a WeakMap keyed by the array), so a source that gives a new
 * array when its records change (as the emulator does) gets a new index, and
 * one whose array is dropped frees its index with it. An array whose length
 * changed is indexed again; a source that edits records in place without
 * changing the length must give a new array.
 */
import { normalizeName } from "./wire.js";
import type { ZoneRecord } from "./zone.js";

interface OwnerIndex {
  length: number;
  byName: Map<string, ZoneRecord[]>;
  soa: ZoneRecord | undefined;
}

const indexes = new WeakMap<readonly ZoneRecord[], OwnerIndex>();

function indexOf(records: readonly ZoneRecord[]): OwnerIndex {
  const known = indexes.get(records);
  if (known && known.length === records.length) return known;
  const byName = new Map<string, ZoneRecord[]>();
  let soa: ZoneRecord | undefined;
  for (const record of records) {
    if (record.type === "SOA") {
      soa ??= record;
      continue;
    }
    const name = normalizeName(record.name);
    const here = byName.get(name);
    if (here) here.push(record);
    else byName.set(name, [record]);
  }
  const index = { length: records.length, byName, soa };
  indexes.set(records, index);
  return index;
}

/** The first SOA record of the zone, if any. */
export function firstSoa(records: readonly ZoneRecord[]): ZoneRecord | undefined {
  return indexOf(records).soa;
}

/**
 * The records owned by `name` (lower case, no trailing dot) other than SOA
 * records; at the apex, `soa` first. `soa` alone when the question is the apex's SOA.
 */
export function recordsAt(
  records: readonly ZoneRecord[],
  apex: string,
  soa: ZoneRecord,
  name: string,
  qtype: string,
): ZoneRecord[] {
  const atApex = name === apex && normalizeName(soa.name) === name;
  if (name === apex && qtype === "SOA") return atApex ? [soa] : [];
  const here = indexOf(records).byName.get(name) ?? [];
  return atApex ? [soa, ...here] : here;
}
