/**
 * The account's TSIG keys, secrets included in every answer as the real API
 * does. A TSIG that a peer uses cannot be deleted (links.ts).
 */
import type { components } from "../../../generated/schema.js";
import { COLLECTIONS } from "../collections.js";
import { accountHandlers, accountResource } from "./account.js";
import { reconfigureUsersOf } from "./incoming.js";
import { checkTsigUnused } from "./links.js";

type Tsig = components["schemas"]["Tsig"];
type TsigInput = components["schemas"]["TsigInput"];

export const tsigResource = accountResource<Tsig, TsigInput>(COLLECTIONS.tsigs, {
  what: "TSIG",
  build: (id, { name, algo, secret }) => ({ id, name, algo, secret }),
  checkDelete: (context, account, tsig) => checkTsigUnused(context.store, account, tsig),
  updated: (context, tsig) => reconfigureUsersOf(context, tsig.id),
});

export const tsigHandlers = accountHandlers(tsigResource);

/** What generated/handlers.ts registers for this file. */
export const handlers = tsigHandlers;
