/**
 * The account's TSIG keys, secrets included in every answer as the real API
 * does. A TSIG that a peer uses cannot be deleted (links.ts).
 */
import type { components } from "../../../generated/schema.js";
import { COLLECTIONS } from "../collections.js";
import { failure } from "../failures.js";
import { accountCollectionProblem, accountHandlers, type AccountResource } from "./account.js";
import { checkTsigUnused } from "./links.js";

type Tsig = components["schemas"]["Tsig"];
type TsigInput = components["schemas"]["TsigInput"];

const PREFIX = "secondary-dns-(-tsig)-";

export const tsigResource: AccountResource<Tsig, TsigInput> = {
  collection: COLLECTIONS.tsigs,
  schema: "Tsig",
  idParam: "tsig_id",
  operations: {
    list: `${PREFIX}list-tsi-gs`,
    create: `${PREFIX}create-tsig`,
    get: `${PREFIX}tsig-details`,
    update: `${PREFIX}update-tsig`,
    delete: `${PREFIX}delete-tsig`,
  },
  notFound: () => failure("notFound", { what: "TSIG" }),
  build: (id, { name, algo, secret }) => ({ id, name, algo, secret }),
  checkDelete: (context, account, tsig) => checkTsigUnused(context.store, account, tsig),
};

export const tsigHandlers = accountHandlers(tsigResource);

/** What is wrong with one account's entry of the tsigs collection of a state file. */
export const tsigsStateProblem = (account: string, value: unknown) =>
  accountCollectionProblem(tsigResource, account, value);

/** What generated/handlers.ts registers for this file. */
export const handlers = tsigHandlers;
