/**
 * The outgoing zone transfer configuration of a zone, one record per zone:
 *
 * - GET, PUT, DELETE and the actions answer 404 (code 1003) until a
 *   configuration is created; POST answers 400 (code 1005) while one exists.
 * - A new configuration starts with transfers disabled and a date-based SOA
 *   serial (YYYYMMDD00); every update adds one to the serial, wrapping at 2^32
 *   as RFC 1982 serial arithmetic does.
 * - checked_time moves whenever the zone is looked at for changes (update,
 *   enable, force_notify); last_transferred_time moves when the peers would pull
 *   the zone, that is on enable, and on update or force_notify while enabled.
 * - Create and update list only peers that exist, under the rules of links.ts.
 */
import { randomBytes } from "node:crypto";
import type { outgoingOperations } from "../../../generated/operations.js";
import type { components } from "../../../generated/schema.js";
import { outgoingZoneProblem } from "../../results.js";
import { Failure } from "../failures.js";
import {
  byOperationId,
  type HandlerContext,
  type OperationHandler,
  type ResourceHandlers,
} from "../resource.js";
import { checkZonePeers, COLLECTIONS } from "./links.js";
import type { RecordChecks } from "../store.js";

type OutgoingZone = components["schemas"]["OutgoingZone"];
type OutgoingZoneInput = components["schemas"]["OutgoingZoneInput"];
type TransferStatus = "Enabled" | "Disabled";

interface OutgoingRecord {
  zone: OutgoingZone;
  status: TransferStatus;
}

const COLLECTION = COLLECTIONS.outgoing;
const SERIAL_MODULUS = 2 ** 32;

const notConfigured = () =>
  new Failure(404, [{ code: 1003, message: "Primary zone configuration not found" }]);
const alreadyConfigured = () =>
  new Failure(400, [
    { code: 1005, message: "Primary zone configuration already exists; update it instead" },
  ]);

function existing({ store, params }: HandlerContext): OutgoingRecord {
  const record = store.get<OutgoingRecord>(COLLECTION, zoneOf(params));
  if (!record) throw notConfigured();
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

function transition(
  context: HandlerContext,
  status: TransferStatus,
  fields: Partial<OutgoingZone>,
) {
  const record = existing(context);
  save(context, { status, zone: { ...record.zone, ...fields } });
  return { result: status, changed: true };
}

/** The shape of this resource's records in a state file, checked when one is loaded. */
export const outgoingRecords: RecordChecks = {
  [COLLECTION]: (record) => {
    if (typeof record !== "object" || record === null) return "must be an object";
    const { zone, status } = record as Partial<OutgoingRecord>;
    if (status !== "Enabled" && status !== "Disabled") {
      return `status must be "Enabled" or "Disabled"`;
    }
    return outgoingZoneProblem(zone)?.replace(/^result/, "zone");
  },
};

/** One handler per method of client.outgoing (the operations table); the compiler wants each. */
const handlers: Record<keyof typeof outgoingOperations, OperationHandler> = {
  get: (context) => ({
    result: existing(context).zone,
  }),

  create: (context) => {
    if (context.store.get(COLLECTION, zoneOf(context.params))) throw alreadyConfigured();
    const { name, peers } = context.body as OutgoingZoneInput;
    checkZonePeers(context.store, peers);
    const zone: OutgoingZone = {
      id: randomBytes(16).toString("hex"),
      name,
      peers: [...peers],
      soa_serial: dateSerial(context.date),
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
    const zone: OutgoingZone = {
      ...record.zone,
      name,
      peers: [...peers],
      soa_serial: (record.zone.soa_serial + 1) % SERIAL_MODULUS,
      checked_time: context.now,
      ...(record.status === "Enabled" ? { last_transferred_time: context.now } : {}),
    };
    return { result: save(context, { ...record, zone }).zone, changed: true };
  },

  delete: (context) => {
    const { id } = existing(context).zone;
    context.store.delete(COLLECTION, zoneOf(context.params));
    return { result: { id }, changed: true };
  },

  enable: (context) =>
    transition(context, "Enabled", {
      checked_time: context.now,
      last_transferred_time: context.now,
    }),

  disable: (context) => transition(context, "Disabled", {}),

  forceNotify: (context) => {
    const record = existing(context);
    const transferred = record.status === "Enabled" ? { last_transferred_time: context.now } : {};
    save(context, {
      ...record,
      zone: { ...record.zone, checked_time: context.now, ...transferred },
    });
    return { result: "OK", changed: true };
  },

  status: (context) => ({
    result: existing(context).status,
  }),
};

export const outgoingHandlers: ResourceHandlers = byOperationId("outgoing", handlers);
