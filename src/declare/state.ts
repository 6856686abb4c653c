/**
 * What exists now, read through the client's public API: the account's keys,
 * peers and ACLs, and each named zone's outgoing configuration and status, or
 * its incoming configuration.
 * Read by `importConfig` and `plan`; nothing here writes.
 */
import {
  NotFoundError,
  type Acl,
  type IncomingZone,
  type OutgoingZone,
  type Peer,
  type SecondaryDnsClient,
  type TransferStatus,
  type Tsig,
} from "../index.js";

export interface LiveZone {
  id: string;
  /** Undefined: the zone has no outgoing configuration (the API answered 404). */
  outgoing?: OutgoingZone | undefined;
  status?: TransferStatus | undefined;
  /** Undefined: the zone has no incoming configuration (404, or it has an outgoing one). */
  incoming?: IncomingZone | undefined;
}

export interface LiveState {
  tsigs: Tsig[];
  peers: Peer[];
  acls: Acl[];
  zones: LiveZone[];
}

export interface ReadOptions {
  accountId?: string | undefined;
  signal?: AbortSignal | undefined;
}

export async function readState(
  client: SecondaryDnsClient,
  zoneIds: readonly string[],
  options: ReadOptions = {},
): Promise<LiveState> {
  const call = { accountId: options.accountId, signal: options.signal };
  const [tsigs, peers, acls] = await Promise.all([
    client.tsigs.list(call),
    client.peers.list(call),
    client.acls.list(call),
  ]);
  const zones: LiveZone[] = [];
  // One zone at a time: a long list stays within the API's rate limits.
  for (const id of zoneIds) zones.push(await readZone(client, id, options.signal));
  return { tsigs, peers, acls, zones };
}

async function readZone(
  client: SecondaryDnsClient,
  id: string,
  signal: AbortSignal | undefined,
): Promise<LiveZone> {
  const outgoing = await orNone(() => client.outgoing.get(id, { signal }));
  if (outgoing) {
    // A zone with an outgoing configuration has no incoming one (the API refuses both).
    return { id, outgoing, status: await client.outgoing.status(id, { signal }) };
  }
  const incoming = await orNone(() => client.incoming.get(id, { signal }));
  return incoming ? { id, incoming } : { id };
}

/** The result, or undefined when the API answers 404 (no such configuration). */
async function orNone<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/** Objects whose names are given more than once in the account: plan and import cannot tell them apart. */
export function duplicateNames(state: LiveState): string[] {
  const found: string[] = [];
  for (const kind of ["tsigs", "peers", "acls"] as const) {
    const ids = new Map<string, string[]>();
    for (const item of state[kind]) ids.set(item.name, [...(ids.get(item.name) ?? []), item.id]);
    for (const [name, list] of ids) {
      if (list.length > 1)
        found.push(`${kind}: ${JSON.stringify(name)} is the name of ${list.join(", ")}`);
    }
  }
  return found;
}

/** The account's objects by name and by id. */
export function indexState(state: LiveState) {
  const byName = <T extends { name: string }>(list: T[]) => new Map(list.map((x) => [x.name, x]));
  const byId = <T extends { id: string }>(list: T[]) => new Map(list.map((x) => [x.id, x]));
  return {
    tsigs: byName(state.tsigs),
    peers: byName(state.peers),
    acls: byName(state.acls),
    tsigById: byId(state.tsigs),
    peerById: byId(state.peers),
  };
}
