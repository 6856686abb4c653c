/**
 * The account's peers. A create or update stores the body's fields as given,
 * `ixfr_enable` false when left out; an update replaces the whole peer. The
 * rules with TSIGs and outgoing configurations are in links.ts.
 */
import type { components } from "../../../generated/schema.js";
import { COLLECTIONS } from "../collections.js";
import { accountHandlers, accountResource } from "./account.js";
import { reconfigureUsersOf } from "./incoming.js";
import { checkPeer, checkPeerUnused } from "./links.js";

type Peer = components["schemas"]["Peer"];
type PeerInput = components["schemas"]["PeerInput"];

export const peerResource = accountResource<Peer, PeerInput>(COLLECTIONS.peers, {
  what: "Peer",
  build: (id, input) => ({ id, ...input, ixfr_enable: input.ixfr_enable ?? false }),
  checkSave: (context, account, peer, previous) =>
    checkPeer(context.store, account, peer, previous),
  checkDelete: (context, _account, peer) => checkPeerUnused(context.store, peer),
  updated: (context, peer) => reconfigureUsersOf(context, peer.id),
});

export const peerHandlers = accountHandlers(peerResource);

/** What generated/handlers.ts registers for this file. */
export const handlers = peerHandlers;
