/**
 * The account's peers. A create or update stores the body's fields as given,
 * `ixfr_enable` false when left out; an update replaces the whole peer. The
 * rules with TSIGs and outgoing configurations are in links.ts.
 */
import type { components } from "../../../generated/schema.js";
import { COLLECTIONS } from "../collections.js";
import { failure } from "../failures.js";
import { accountCollectionProblem, accountHandlers, type AccountResource } from "./account.js";
import { checkPeer, checkPeerUnused } from "./links.js";

type Peer = components["schemas"]["Peer"];
type PeerInput = components["schemas"]["PeerInput"];

const PREFIX = "secondary-dns-(-peer)-";

export const peerResource: AccountResource<Peer, PeerInput> = {
  collection: COLLECTIONS.peers,
  schema: "Peer",
  idParam: "peer_id",
  operations: {
    list: `${PREFIX}list-peers`,
    create: `${PREFIX}create-peer`,
    get: `${PREFIX}peer-details`,
    update: `${PREFIX}update-peer`,
    delete: `${PREFIX}delete-peer`,
  },
  notFound: () => failure("notFound", { what: "Peer" }),
  build: (id, input) => ({ id, ...input, ixfr_enable: input.ixfr_enable ?? false }),
  checkSave: (context, account, peer, previous) =>
    checkPeer(context.store, account, peer, previous),
  checkDelete: (context, _account, peer) => checkPeerUnused(context.store, peer),
};

export const peerHandlers = accountHandlers(peerResource);

/** What is wrong with one account's entry of the peers collection of a state file. */
export const peersStateProblem = (account: string, value: unknown) =>
  accountCollectionProblem(peerResource, account, value);

/** What generated/handlers.ts registers for this file. */
export const handlers = peerHandlers;
