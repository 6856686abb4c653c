/** The account's ACLs: a name and an IP range each, with no rules beyond the spec's. */
import type { components } from "../../../generated/schema.js";
import { COLLECTIONS } from "../collections.js";
import { failure } from "../failures.js";
import { accountCollectionProblem, accountHandlers, type AccountResource } from "./account.js";

type Acl = components["schemas"]["Acl"];
type AclInput = components["schemas"]["AclInput"];

const PREFIX = "secondary-dns-(-acl)-";

export const aclResource: AccountResource<Acl, AclInput> = {
  collection: COLLECTIONS.acls,
  schema: "Acl",
  idParam: "acl_id",
  operations: {
    list: `${PREFIX}list-ac-ls`,
    create: `${PREFIX}create-acl`,
    get: `${PREFIX}acl-details`,
    update: `${PREFIX}update-acl`,
    delete: `${PREFIX}delete-acl`,
  },
  notFound: () => failure("notFound", { what: "ACL" }),
  build: (id, { name, ip_range }) => ({ id, name, ip_range }),
};

export const aclHandlers = accountHandlers(aclResource);

/** What is wrong with one account's entry of the acls collection of a state file. */
export const aclsStateProblem = (account: string, value: unknown) =>
  accountCollectionProblem(aclResource, account, value);

/** What generated/handlers.ts registers for this file. */
export const handlers = aclHandlers;
