/**
 * The rules between resources, from Cloudflare's setup guide. What the real API
 * answers when one is broken is not published: these statuses and codes are the
 * emulator's own (ERRORS in failures.ts; the README lists them).
 *
 * - An outgoing configuration lists only peers that exist (at most 30: the spec's
 *   maxItems). A zone belongs to no account in the emulator's state; it takes the
 *   account of the peers it lists, so they must all be in one account.
 * - The peers of one zone share one TSIG, or all have none.
 * - A peer's tsig_id names a TSIG of the peer's account.
 * - A peer linked to a zone (outgoing or incoming), or a TSIG a peer uses, cannot
 *   be deleted.
 */
import type { components } from "../../../generated/schema.js";
import { COLLECTIONS } from "../collections.js";
import { failure } from "../failures.js";
import type { Store } from "../store.js";
import { allEntries, recordsOf } from "./account.js";

type Peer = components["schemas"]["Peer"];
type Tsig = components["schemas"]["Tsig"];

/** Every peer by id, with its account. */
export function peersById(store: Store): Map<string, { account: string; peer: Peer }> {
  const found = new Map<string, { account: string; peer: Peer }>();
  for (const [account, peers] of allEntries<Peer[]>(store, COLLECTIONS.peers)) {
    for (const peer of peers) found.set(peer.id, { account, peer });
  }
  return found;
}

/** The zones whose outgoing configuration lists a peer, and the peers each lists. */
function zonesLinking(store: Store, peerId: string): { zone: string; peers: string[] }[] {
  return allEntries<{ zone: { peers: string[] } }>(store, COLLECTIONS.outgoing)
    .filter(([, record]) => record.zone.peers.includes(peerId))
    .map(([zone, record]) => ({ zone, peers: record.zone.peers }));
}

/** The index of the first TSIG that differs from the first one, or -1 when all agree. */
function firstDifferentTsig(tsigs: (string | undefined)[]): number {
  return tsigs.findIndex((tsig) => tsig !== tsigs[0]);
}

/** Refuses the peer list of an outgoing create or update (400). */
export function checkZonePeers(store: Store, peerIds: readonly string[]): void {
  const linked = checkLinkedPeers(store, peerIds);
  const different = firstDifferentTsig(linked.map((l) => l.peer.tsig_id));
  if (different >= 0) {
    const values = { peer: String(peerIds[different]), first: String(peerIds[0]) };
    throw failure("tsigNotShared", values, `/peers/${different}`);
  }
}

/**
 * Refuses a zone's peer list (400) unless every peer exists and all are in one
 * account; an incoming configuration's primaries need nothing more (each may
 * have its own TSIG). Returns the peers, in the list's order.
 */
export function checkLinkedPeers(
  store: Store,
  peerIds: readonly string[],
): { account: string; peer: Peer }[] {
  if (peerIds.length === 0) return [];
  const known = peersById(store);
  const linked = peerIds.map((id, i) => {
    const found = known.get(id);
    if (!found) {
      throw failure("unknownPeer", { peer: id }, `/peers/${i}`);
    }
    return found;
  });
  const other = linked.findIndex((l) => l.account !== linked[0]?.account);
  if (other >= 0) {
    throw failure("peersOfManyAccounts", { peer: String(peerIds[other]) }, `/peers/${other}`);
  }
  return linked;
}

/** Refuses a peer about to be saved: an unknown TSIG (400), or one its zones' other peers do not share (409). */
export function checkPeer(store: Store, account: string, peer: Peer, previous?: Peer): void {
  const { tsig_id } = peer;
  if (tsig_id !== undefined) {
    const tsigs = recordsOf<Tsig>(store, COLLECTIONS.tsigs, account);
    if (!tsigs.some((t) => t.id === tsig_id)) {
      throw failure("unknownTsig", { tsig: tsig_id }, "/tsig_id");
    }
  }
  if (!previous || previous.tsig_id === tsig_id) return;
  const known = peersById(store);
  for (const { zone, peers } of zonesLinking(store, peer.id)) {
    const tsigs = peers.map((id) => (id === peer.id ? tsig_id : known.get(id)?.peer.tsig_id));
    if (firstDifferentTsig(tsigs) >= 0) {
      throw failure("tsigChangeNotShared", { peer: peer.id, zone }, "/tsig_id");
    }
  }
}

/** Refuses to delete a peer that an outgoing or incoming configuration lists (409). */
export function checkPeerUnused(store: Store, peer: Peer): void {
  const [first] = zonesLinking(store, peer.id);
  if (first) {
    throw failure("peerInUse", { peer: peer.id, zone: first.zone, direction: "outgoing" });
  }
  const incoming = allEntries<{ peers: string[] }>(store, COLLECTIONS.incoming).find(([, zone]) =>
    zone.peers.includes(peer.id),
  );
  if (incoming) {
    throw failure("peerInUse", { peer: peer.id, zone: incoming[0], direction: "incoming" });
  }
}

/** Refuses to delete a TSIG that a peer of its account uses (409). */
export function checkTsigUnused(store: Store, account: string, tsig: Tsig): void {
  const user = recordsOf<Peer>(store, COLLECTIONS.peers, account).find(
    (p) => p.tsig_id === tsig.id,
  );
  if (user) {
    throw failure("tsigInUse", { tsig: tsig.id, peer: user.id });
  }
}
