/** The account's ACLs: a name and an IP range each, with no rules beyond the spec's. */
import type { components } from "../../../generated/schema.js";
import { COLLECTIONS } from "../collections.js";
import { accountHandlers, accountResource } from "./account.js";

type Acl = components["schemas"]["Acl"];
type AclInput = components["schemas"]["AclInput"];

export const aclResource = accountResource<Acl, AclInput>(COLLECTIONS.acls, {
  what: "ACL",
  build: (id, { name, ip_range }) => ({ id, name, ip_range }),
});

export const aclHandlers = accountHandlers(aclResource);

/** What generated/handlers.ts registers for this file. */
export const handlers = aclHandlers;
