/**
 * The incoming zone transfer configuration of a zone, one record per zone, with
 * the emulator as Cloudflare acting as a secondary:
 *
 * - GET, PUT, DELETE and force_axfr answer 404 (incomingNotConfigured) until a
 *   configuration is created; POST answers 400 (incomingAlreadyConfigured) while
 *   one exists.
 * - A zone is a primary or a secondary, never both: POST answers 400
 *   (zoneIsPrimary) while the zone has an outgoing configuration, and the
 *   outgoing create refuses a zone with an incoming one (zoneIsSecondary).
 * - Its peers are the primaries the zone is pulled from: each must exist, all in
 *   one account (links.ts); unlike outgoing, each may have its own TSIG.
 * - A new configuration has soa_serial 0 and its three times at creation; an
 *   update moves modified_time. The pulls themselves (and so the serial and the
 *   times they move) belong to the secondary controller, when the emulator has
 *   one (`context.secondary`): it is told of each create, update, delete and
 *   force_axfr once the change is saved, and its state is read into each answer.
 *   Without it, the stored values are answered as they are.
 */
import { randomBytes } from "node:crypto";
import type { components } from "../../../generated/schema.js";
import { COLLECTIONS } from "../collections.js";
import { failure } from "../failures.js";
import {
  byOperationId,
  type HandlerContext,
  type OperationHandler,
  type ResourceHandlers,
} from "../resource.js";
import { loadSpec, schemaProblem } from "../spec.js";
import type { RecordChecks, Store } from "../store.js";
import { allEntries } from "./account.js";
import { checkLinkedPeers } from "./links.js";
import {
  incomingPrimaries,
  type IncomingZoneConfig,
  type SecondaryController,
} from "../secondary.js";

type IncomingZone = components["schemas"]["IncomingZone"];
type IncomingZoneInput = components["schemas"]["IncomingZoneInput"];
type Peer = components["schemas"]["Peer"];

/**
 * The controller of src/emulator/secondary.ts, as the handlers see it: they tell
 * it of each saved change and read its serial and times back. Each call returns
 * at once; the pulls run after.
 */
export type SecondaryHooks = Pick<
  SecondaryController,
  "configure" | "remove" | "forceAxfr" | "state"
>;

const COLLECTION = COLLECTIONS.incoming;

const zoneOf = (params: Record<string, string>) => params.zone_id as string;

function existing({ store, params }: HandlerContext): IncomingZone {
  const zone = store.get<IncomingZone>(COLLECTION, zoneOf(params));
  if (!zone) throw failure("incomingNotConfigured");
  return zone;
}

/** The stored configuration with what the secondary controller knows now. */
function current(context: HandlerContext, zone: IncomingZone): IncomingZone {
  const state = context.secondary?.state(zoneOf(context.params));
  if (!state) return zone;
  return {
    ...zone,
    soa_serial: state.serial ?? zone.soa_serial,
    checked_time: state.checkedTime ?? zone.checked_time,
    modified_time: state.modifiedTime ?? zone.modified_time,
  };
}

/** The controller's view of one stored configuration. */
function secondaryZone(store: Store, zoneId: string, zone: IncomingZone): IncomingZoneConfig {
  const primaries = incomingPrimaries(store, zone.peers);
  return { zoneId, name: zone.name, primaries, autoRefreshSeconds: zone.auto_refresh_seconds };
}

/**
 * Every stored incoming configuration as the controller takes it: for a start
 * from a state file, or after a peer or TSIG they use changed.
 */
export function secondaryZones(store: Store): IncomingZoneConfig[] {
  return allEntries<IncomingZone>(store, COLLECTION).map(([zoneId, zone]) =>
    secondaryZone(store, zoneId, zone),
  );
}

/**
 * After a peer or a TSIG changed (`id` is its id): every incoming zone whose
 * primaries are that peer, or peers signing with that TSIG, is given to the
 * controller again, so its next pull uses the new address, port or key.
 */
export function reconfigureUsersOf(context: HandlerContext, id: string): void {
  const { secondary, store } = context;
  if (!secondary) return;
  const peers = allEntries<Peer[]>(store, COLLECTIONS.peers).flatMap(([, list]) => list);
  const using = new Set(peers.filter((p) => p.id === id || p.tsig_id === id).map((p) => p.id));
  for (const [zoneId, zone] of allEntries<IncomingZone>(store, COLLECTION)) {
    if (zone.peers.some((peer) => using.has(peer)))
      secondary.configure(secondaryZone(store, zoneId, zone));
  }
}

/** Saves the configuration, and tells the controller once the save is done. */
function save(context: HandlerContext, zone: IncomingZone) {
  const zoneId = zoneOf(context.params);
  context.store.set(COLLECTION, zoneId, zone);
  const { secondary } = context;
  const configure = secondaryZone(context.store, zoneId, zone);
  return {
    result: current(context, zone),
    changed: true,
    after: secondary ? () => void secondary.configure(configure) : undefined,
  };
}

/** The shape of this resource's records in a state file: the spec's IncomingZone. */
export const incomingRecords: RecordChecks = {
  [COLLECTION]: (record) => schemaProblem(loadSpec().schema("IncomingZone"), record, "zone"),
};

/** One handler per method of client.incoming (the operations table); the compiler wants each. */
const byMethod: Record<"get" | "create" | "update" | "delete" | "forceAxfr", OperationHandler> = {
  get: (context) => ({ result: current(context, existing(context)) }),

  create: (context) => {
    const zoneId = zoneOf(context.params);
    if (context.store.get(COLLECTION, zoneId)) throw failure("incomingAlreadyConfigured");
    if (context.store.get(COLLECTIONS.outgoing, zoneId)) {
      throw failure("zoneIsPrimary", { zone: zoneId });
    }
    const { name, peers, auto_refresh_seconds } = context.body as IncomingZoneInput;
    checkLinkedPeers(context.store, peers);
    return save(context, {
      id: randomBytes(16).toString("hex"),
      name,
      peers: [...peers],
      auto_refresh_seconds,
      soa_serial: 0,
      checked_time: context.now,
      created_time: context.now,
      modified_time: context.now,
    });
  },

  update: (context) => {
    const previous = existing(context);
    const { name, peers, auto_refresh_seconds } = context.body as IncomingZoneInput;
    checkLinkedPeers(context.store, peers);
    const zone = { ...previous, name, peers: [...peers], auto_refresh_seconds };
    return save(context, { ...zone, modified_time: context.now });
  },

  delete: (context) => {
    const { id } = existing(context);
    const zoneId = zoneOf(context.params);
    context.store.delete(COLLECTION, zoneId);
    const { secondary } = context;
    return {
      result: { id },
      changed: true,
      after: secondary ? () => void secondary.remove(zoneId) : undefined,
    };
  },

  forceAxfr: (context) => {
    existing(context);
    const zoneId = zoneOf(context.params);
    const { secondary } = context;
    return { result: "OK", after: secondary ? () => void secondary.forceAxfr(zoneId) : undefined };
  },
};

export const incomingHandlers: ResourceHandlers = byOperationId("incoming", byMethod);
/** The name generated handler lists import from each handler file. */
export { incomingHandlers as handlers };
