/**
 * client.acls: the account's ACLs, IP ranges (no larger than /24 or /64) that
 * may transfer its primary zones besides the peers' addresses. Account-scoped,
 * like client.peers. Written as resources/outgoing.ts explains.
 */
import { aclsOperations as o } from "../../../generated/operations.js";
import type { components } from "../../../generated/schema.js";
import type { Call } from "../call.js";
import type { CallOptions } from "../options.js";
import type { Deleted } from "./peers.js";

type AclSchema = components["schemas"]["Acl"];
type AclInputSchema = components["schemas"]["AclInput"];
/** An ACL, as the API returns it. */
export interface Acl extends AclSchema {}
/** The body of `acls.create` and `acls.update`: `name` and `ip_range`, both required. */
export interface AclInput extends AclInputSchema {}

export function aclsResource(call: Call) {
  return {
    /** Every ACL of the account (one page). */
    list: (options?: CallOptions): Promise<Acl[]> => call(o.list, {}, undefined, options),
    /** One ACL. Rejects with NotFoundError when the account has no such ACL. */
    get: (aclId: string, options?: CallOptions): Promise<Acl> =>
      call(o.get, { aclId }, undefined, options),
    /** Creates an ACL. Not idempotent: retried only on 429 or a refused connection. */
    create: (body: AclInput, options?: CallOptions): Promise<Acl> =>
      call(o.create, {}, body, options),
    /** Replaces the name and range of the ACL. */
    update: (aclId: string, body: AclInput, options?: CallOptions): Promise<Acl> =>
      call(o.update, { aclId }, body, options),
    /** Removes the ACL; resolves to its `{ id }`. */
    delete: (aclId: string, options?: CallOptions): Promise<Deleted> =>
      call(o.delete, { aclId }, undefined, options),
  };
}

export type AclsResource = ReturnType<typeof aclsResource>;
