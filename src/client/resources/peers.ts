/**
 * client.peers: the account's peers, the nameservers Cloudflare sends NOTIFY to
 * (as primary) or transfers from (as secondary). Account-scoped: the account id
 * comes from the call's `accountId`, else the client's, else CLOUDFLARE_ACCOUNT_ID.
 * Written as resources/outgoing.ts explains.
 */
import { peersOperations as o } from "../../../generated/operations.js";
import type { components } from "../../../generated/schema.js";
import type { Call } from "../call.js";
import type { CallOptions } from "../options.js";

type PeerSchema = components["schemas"]["Peer"];
type PeerInputSchema = components["schemas"]["PeerInput"];
type DeletedSchema = components["schemas"]["DeleteResult"];
/** A peer, as the API returns it. */
export interface Peer extends PeerSchema {}
/** The body of `peers.create` and `peers.update`: `name` required, the rest optional. */
export interface PeerInput extends PeerInputSchema {}
/** What `delete` resolves to: the removed object's id. */
export interface Deleted extends DeletedSchema {}

export function peersResource(call: Call) {
  return {
    /** Every peer of the account (one page). */
    list: (options?: CallOptions): Promise<Peer[]> => call(o.list, {}, undefined, options),
    /** One peer. Rejects with NotFoundError when the account has no such peer. */
    get: (peerId: string, options?: CallOptions): Promise<Peer> =>
      call(o.get, { peerId }, undefined, options),
    /** Creates a peer. Not idempotent: retried only on 429 or a refused connection. */
    create: (body: PeerInput, options?: CallOptions): Promise<Peer> =>
      call(o.create, {}, body, options),
    /** Replaces every field of the peer: a field left out is cleared. */
    update: (peerId: string, body: PeerInput, options?: CallOptions): Promise<Peer> =>
      call(o.update, { peerId }, body, options),
    /** Removes the peer; resolves to its `{ id }`. Unlink it from zones first. */
    delete: (peerId: string, options?: CallOptions): Promise<Deleted> =>
      call(o.delete, { peerId }, undefined, options),
  };
}

export type PeersResource = ReturnType<typeof peersResource>;
