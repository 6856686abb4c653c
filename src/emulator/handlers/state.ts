/**
 * The account resources in the emulator's state: the check of their entries in
 * a state file, and the seed, the peers, TSIGs and ACLs an empty state starts
 * with. The default seed is the spec's own example account, as the examples of
 * the three list operations show it, so the API reference's samples (which name
 * those ids) run against a fresh emulator as written.
 */
import type { components } from "../../../generated/schema.js";
import { ACCOUNT_COLLECTIONS, COLLECTIONS, type AccountCollection } from "../collections.js";
import { loadSpec, type Route } from "../spec.js";
import type { Store } from "../store.js";
import { accountCollectionProblem, type AccountRecord, type AccountResource } from "./account.js";
import { aclResource } from "./acls.js";
import { peerResource } from "./peers.js";
import { tsigResource } from "./tsigs.js";

type Schemas = components["schemas"];

/** Records by account id, for each account resource (a key per ACCOUNT_COLLECTIONS: checked below). */
export interface EmulatorSeed {
  peers?: Record<string, Schemas["Peer"][]> | undefined;
  tsigs?: Record<string, Schemas["Tsig"][]> | undefined;
  acls?: Record<string, Schemas["Acl"][]> | undefined;
}

// The seed's keys are the account collections, no more and no fewer (a compile error otherwise).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const seedKeysMatch: Same<keyof EmulatorSeed, AccountCollection> = true;
void seedKeysMatch;

type AnyResource = AccountResource<AccountRecord, never>;
/** Each account resource by its collection; the compiler asks for every one of ACCOUNT_COLLECTIONS. */
const RESOURCES = {
  [COLLECTIONS.peers]: peerResource,
  [COLLECTIONS.tsigs]: tsigResource,
  [COLLECTIONS.acls]: aclResource,
} satisfies Record<AccountCollection, unknown> as unknown as Record<AccountCollection, AnyResource>;

/** What is wrong with one entry of a state file's collection, if anything (only the account resources are checked here). */
export function stateEntryProblem(collection: AccountCollection, key: string, value: unknown) {
  return accountCollectionProblem(RESOURCES[collection], key, value);
}

/** The spec's example account: the first example of each list operation's 200. */
export function exampleSeed(): EmulatorSeed {
  const { routes, document } = loadSpec();
  const account = document.components?.parameters?.account_id?.example as string;
  const listed = (resource: AnyResource) => {
    const route = routes.find((r: Route) => r.operationId === resource.listOperation);
    const examples =
      document.paths?.[route?.template ?? ""]?.get?.responses?.["200"]?.content?.[
        "application/json"
      ]?.examples ?? {};
    const first = Object.values<{ value?: { result?: unknown } }>(examples)[0];
    return { [account]: structuredClone(first?.value?.result ?? []) };
  };
  return Object.fromEntries(
    ACCOUNT_COLLECTIONS.map((name) => [name, listed(RESOURCES[name])]),
  ) as EmulatorSeed;
}

/**
 * Puts a seed into an empty store; a store loaded with any state keeps it as it
 * is. Throws a RangeError naming the first record the spec would not return.
 */
export function applySeed(store: Store, seed: EmulatorSeed): void {
  if (Object.keys(store.snapshot().collections).length > 0) return;
  for (const name of ACCOUNT_COLLECTIONS) {
    for (const [account, records] of Object.entries(seed[name] ?? {})) {
      const problem = accountCollectionProblem(RESOURCES[name], account, records);
      if (problem) throw new RangeError(`seed: ${problem}`);
      if (records.length > 0) store.set(name, account, structuredClone(records));
    }
  }
  for (const [account, peers] of Object.entries(seed.peers ?? {})) {
    const tsigs = new Set((seed.tsigs?.[account] ?? []).map((t) => t.id));
    const orphan = peers.find((p) => p.tsig_id !== undefined && !tsigs.has(p.tsig_id));
    if (orphan) {
      throw new RangeError(
        `seed: peer ${orphan.id} names TSIG ${orphan.tsig_id}, not in its account`,
      );
    }
  }
}
