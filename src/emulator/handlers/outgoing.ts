/**
 * The outgoing zone transfer configuration of a zone, one record per zone:
 *
 * - GET, PUT, DELETE and the actions answer 404 (notConfigured in failures.ts)
 *   until a configuration is created; POST answers 400 (alreadyConfigured)
 *   while one exists.
 * - A new configuration starts with transfers disabled and a date-based SOA
 *   serial (YYYYMMDD00), or its zone file's serial when that is later; every
 *   update adds one to the serial, wrapping at 2^32 as RFC 1982 serial
 *   arithmetic does (so do changes of the zone's records: primary.ts).
 * - checked_time and last_transferred_time start at the creation time; then
 *   they move only on the wire (primary.ts): checked_time on each SOA query the
 *   emulator's DNS primary answers, last_transferred_time on each AXFR it
 *   serves to a peer.
 * - Enable, force_notify, and an update while enabled send NOTIFY to the peers
 *   once the change is saved.
 * - Create and update list only peers that exist, under the rules of links.ts.
 */
import { randomBytes } from "node:crypto";
import type { outgoingOperations } from "../../../generated/operations.js";
import type { components } from "../../../generated/schema.js";
import { nextSerial } from "../../dns/serial.js";
import { COLLECTIONS } from "../collections.js";
import { failure } from "../failures.js";
import {
  byOperationId,
  type HandlerContext,
  type OperationHandler,
  type ResourceHandlers,
} from "../resource.js";
import { checkZonePeers } from "./links.js";
import { loadSpec, schemaProblem } from "../spec.js";
import type { RecordChecks } from "../store.js";

type OutgoingZone = components["schemas"]["OutgoingZone"];
type OutgoingZoneInput = components["schemas"]["OutgoingZoneInput"];
type TransferStatus = components["schemas"]["TransferStatus"];

/** What the emulator stores per zone: its configuration and its transfer status. */
export interface OutgoingRecord {
  zone: OutgoingZone;
  status: TransferStatus;
}

const COLLECTION = COLLECTIONS.outgoing;

function existing({ store, params }: HandlerContext): OutgoingRecord {
  const record = store.get<OutgoingRecord>(COLLECTION, zoneOf(params));
  if (!record) throw failure("notConfigured");
  return record;
}

function zoneOf(params: Record<string, string>): string {
  return params.zone_id as string; // every route of this resource has {zone_id}
}

function dateSerial(date: Date): number {
  const day = date.toISOString().slice(0, 10).replace(/-/g, "");
  return Number(`${day}00`);
}

/** Records a change: the same record, replaced, so no answer holds a live object. */
function save(context: HandlerContext, record: OutgoingRecord): OutgoingRecord {
  context.store.set(COLLECTION, zoneOf(context.params), record);
  return record;
}

/** NOTIFY once the change is saved: the DNS primary sends it only while transfers are enabled. */
function notifyAfter(context: HandlerContext): (() => void) | undefined {
  const { zones } = context;
  const zoneId = zoneOf(context.params);
  return zones ? () => zones.notify(zoneId) : undefined;
}

function transition(context: HandlerContext, status: TransferStatus) {
  const record = existing(context);
  save(context, { ...record, status });
  return {
    result: status,
    changed: true,
    ...(status === "Enabled" ? { after: notifyAfter(context) } : {}),
  };
}

/** The shape of this resource's records in a state file, checked when one is loaded: the zone by the spec's OutgoingZone. */
export const outgoingRecords: RecordChecks = {
  [COLLECTION]: (record) => {
    if (typeof record !== "object" || record === null) return "must be an object";
    const { zone, status } = record as Partial<OutgoingRecord>;
    if (status !== "Enabled" && status !== "Disabled") {
      return `status must be "Enabled" or "Disabled"`;
    }
    return schemaProblem(loadSpec().schema("OutgoingZone"), zone, "zone");
  },
};

/** One handler per method of client.outgoing (the operations table); the compiler wants each. */
const methods: Record<keyof typeof outgoingOperations, OperationHandler> = {
  get: (context) => ({
    result: existing(context).zone,
  }),

  create: (context) => {
    if (context.store.get(COLLECTION, zoneOf(context.params))) throw failure("alreadyConfigured");
    if (context.store.get(COLLECTIONS.incoming, zoneOf(context.params))) {
      throw failure("zoneIsSecondary", { zone: zoneOf(context.params) });
    }
    const { name, peers } = context.body as OutgoingZoneInput;
    checkZonePeers(context.store, peers);
    const zoneId = zoneOf(context.params);
    const serial = dateSerial(context.date);
    const zone: OutgoingZone = {
      id: randomBytes(16).toString("hex"),
      name,
      peers: [...peers],
      soa_serial: context.zones?.configured(zoneId, name, serial) ?? serial,
      checked_time: context.now,
      created_time: context.now,
      last_transferred_time: context.now,
    };
    return { result: save(context, { zone, status: "Disabled" }).zone, changed: true };
  },

  update: (context) => {
    const record = existing(context);
    const { name, peers } = context.body as OutgoingZoneInput;
    checkZonePeers(context.store, peers);
    let serial = nextSerial(record.zone.soa_serial);
    if (name !== record.zone.name && context.zones) {
      serial = context.zones.configured(zoneOf(context.params), name, serial);
    }
    const zone: OutgoingZone = { ...record.zone, name, peers: [...peers], soa_serial: serial };
    return {
      result: save(context, { ...record, zone }).zone,
      changed: true,
      after: record.status === "Enabled" ? notifyAfter(context) : undefined,
    };
  },

  delete: (context) => {
    const { id } = existing(context).zone;
    context.store.delete(COLLECTION, zoneOf(context.params));
    context.zones?.removed(zoneOf(context.params));
    return { result: { id }, changed: true };
  },

  enable: (context) => transition(context, "Enabled"),

  disable: (context) => transition(context, "Disabled"),

  forceNotify: (context) => {
    existing(context);
    return { result: "OK", after: notifyAfter(context) };
  },

  status: (context) => ({
    result: existing(context).status,
  }),
};

export const outgoingHandlers: ResourceHandlers = byOperationId("outgoing", methods);

/** What generated/handlers.ts registers for this file. */
export const handlers = outgoingHandlers;
