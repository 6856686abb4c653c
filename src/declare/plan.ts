/**
 * `plan`: what apply would change, object by object, as `terraform plan` shows
 * it. Objects are matched by name (keys, peers, ACLs) or by zone id; a field the
 * file leaves out is one the object should not have (an update replaces the
 * whole object), except `ixfr_enable` and `enabled`, whose defaults are false
 * and true. Secrets are compared by fingerprint and never held in the plan.
 *
 * Changes come in the order apply makes them: keys, peers, ACLs, zone
 * configurations, enable/disable; then deletions (with `prune` only) in reverse:
 * zone configurations, ACLs, peers, keys. A zone the file moves from outgoing to
 * incoming (or back) has its old configuration deleted just before the new one
 * is created, prune or not: the API refuses a zone that is both.
 */
import type { SecondaryDnsClient } from "../index.js";
import type { DeclaredPeer, DeclaredTsig, DeclaredZone, ReadFile } from "./format.js";
import { describeRef, fingerprint, readSecret, type SecretSources } from "./secrets.js";
import { duplicateNames, indexState, readState, type LiveState, type LiveZone } from "./state.js";

export type ChangeKind = "tsig" | "peer" | "acl" | "outgoing" | "incoming" | "transfers";
export type ChangeAction = "create" | "update" | "delete" | "enable" | "disable";

/** One field that differs. A secret has neither `from` nor `to`: only `secret differs`. */
export interface FieldChange {
  field: string;
  from?: string | undefined;
  to?: string | undefined;
}

export interface Change {
  kind: ChangeKind;
  action: ChangeAction;
  /** The object's name; for `outgoing`, `incoming` and `transfers`, the zone id. */
  name: string;
  /** The existing object's id (update, delete). */
  id?: string | undefined;
  fields: FieldChange[];
  /** A key whose secret must be read from its reference and sent (create, or secret differs). */
  needsSecret?: boolean | undefined;
  /** Why, when the file does not say it in a field (a zone switching between outgoing and incoming). */
  reason?: string | undefined;
}

export interface Plan {
  changes: Change[];
  /** Objects of the account the file does not name, left alone without `prune`. */
  unmanaged: { kind: ChangeKind; name: string; id: string }[];
  /** Things plan could not compare (a secret neither available nor fingerprinted). */
  notes: string[];
}

export interface PlanOptions extends SecretSources {
  /** Delete what the file does not name (keys, peers, ACLs; a listed zone's configuration the file lacks). */
  prune?: boolean | undefined;
  accountId?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** Thrown when the account cannot be matched by name: two objects of one kind share a name. */
export class AmbiguousStateError extends Error {
  override name = "AmbiguousStateError";
}

/** Reads what exists now and compares it with the file. */
export async function plan(
  client: SecondaryDnsClient,
  file: ReadFile,
  options: PlanOptions = {},
): Promise<Plan> {
  const { state } = await liveStateOf(client, file, options);
  return comparePlan(state, file, options);
}

/** The account the file is about (the caller's, else the file's) and what it and the file's zones hold now. */
export async function liveStateOf(
  client: SecondaryDnsClient,
  file: ReadFile,
  options: PlanOptions,
): Promise<{ accountId: string | undefined; state: LiveState }> {
  const zoneIds = (file.config.zones ?? []).map((zone) => zone.id);
  const accountId = options.accountId ?? file.config.account;
  const state = await readState(client, zoneIds, { accountId, signal: options.signal });
  return { accountId, state };
}

/** The plan from a state already read (apply re-reads and re-plans with it). */
export async function comparePlan(
  state: LiveState,
  file: ReadFile,
  options: PlanOptions = {},
): Promise<Plan> {
  const ambiguous = duplicateNames(state);
  if (ambiguous.length > 0) {
    throw new AmbiguousStateError(
      `objects are matched by name, and the account has names given twice: ${ambiguous.join("; ")}. Rename or delete one of each.`,
    );
  }
  const sources = { resolvePath: file.resolvePath, ...options };
  const notes: string[] = [];
  const config = file.config;
  const live = indexState(state);
  const tsigs = await Promise.all(
    (config.tsigs ?? []).map((tsig) => tsigChange(tsig, live, sources, notes)),
  );
  const peers = (config.peers ?? []).map((peer) => peerChange(peer, live));
  const acls = (config.acls ?? []).map((acl) => {
    const found = live.acls.get(acl.name);
    const fields = diff([["ip_range", found?.ip_range, acl.ip_range]]);
    return objectChange("acl", acl.name, found?.id, fields);
  });
  const zones = (config.zones ?? []).map((zone) =>
    zoneChanges(
      zone,
      state.zones.find((z) => z.id === zone.id)!,
      live,
    ),
  );
  const { deletions, unmanaged } = leftOver(state, file, options.prune === true);
  const changes = [...tsigs, ...peers, ...acls, ...zones.flat(), ...deletions].filter(
    (change): change is Change => change !== undefined,
  );
  return { changes, unmanaged, notes };
}

type Index = ReturnType<typeof indexState>;
type Triple = [field: string, from: unknown, to: unknown];

const show = (value: unknown) => (value === undefined ? undefined : String(value));

function diff(triples: Triple[]): FieldChange[] {
  return triples
    .filter(([, from, to]) => from !== to)
    .map(([field, from, to]) => ({ field, from: show(from), to: show(to) }));
}

/** A create (nothing exists), an update (fields differ), or nothing. */
function objectChange(
  kind: ChangeKind,
  name: string,
  id: string | undefined,
  fields: FieldChange[],
  needsSecret = false,
): Change | undefined {
  if (id === undefined) return { kind, action: "create", name, fields, needsSecret };
  if (fields.length === 0) return undefined;
  return { kind, action: "update", name, id, fields, needsSecret };
}

async function tsigChange(
  tsig: DeclaredTsig,
  live: Index,
  sources: SecretSources,
  notes: string[],
): Promise<Change | undefined> {
  const found = live.tsigs.get(tsig.name);
  const fields = diff([["algo", found?.algo, tsig.algo]]);
  if (!found) {
    const to = `from ${describeRef(tsig.secret)}`;
    return objectChange("tsig", tsig.name, undefined, [...fields, { field: "secret", to }], true);
  }
  const secret = await readSecret(tsig.secret, sources);
  const wanted = secret !== undefined ? fingerprint(secret) : tsig.secret.fingerprint;
  const secretDiffers = wanted !== undefined && wanted !== fingerprint(found.secret);
  if (wanted === undefined) {
    notes.push(
      `tsig ${JSON.stringify(tsig.name)}: secret not compared (${describeRef(tsig.secret)} is not available and the file has no fingerprint)`,
    );
  }
  const recorded = tsig.secret.fingerprint;
  if (secret !== undefined && recorded !== undefined && recorded !== wanted) {
    notes.push(
      `tsig ${JSON.stringify(tsig.name)}: the file's fingerprint is not that of the secret in ${describeRef(tsig.secret)}, which is the one compared and sent: update the fingerprint (${wanted})`,
    );
  }
  if (secretDiffers) fields.push({ field: "secret", to: "secret differs" });
  return objectChange("tsig", tsig.name, found.id, fields, secretDiffers);
}

function peerChange(peer: DeclaredPeer, live: Index): Change | undefined {
  const found = live.peers.get(peer.name);
  const liveKey = found?.tsig_id
    ? (live.tsigById.get(found.tsig_id)?.name ?? `(unknown key ${found.tsig_id})`)
    : undefined;
  const fields = diff([
    ["ip", found?.ip, peer.ip],
    ["port", found?.port, peer.port],
    ["ixfr_enable", found ? (found.ixfr_enable ?? false) : undefined, peer.ixfr_enable ?? false],
    ["tsig", liveKey, peer.tsig],
  ]);
  return objectChange("peer", peer.name, found?.id, found ? fields : fields.filter((f) => f.to));
}

/** The peers of a live configuration, by name (an id no peer has is shown as such). */
function peerNames(ids: readonly string[], live: Index): string[] {
  return ids.map((id) => live.peerById.get(id)?.name ?? `(unknown peer ${id})`).sort();
}

/**
 * What each section of a zone in the file plans: one entry per section. A new
 * section needs its key in the schema (scripts/declare-schema.mjs zoneSchema)
 * and in DeclaredZone, its live part read in state.ts, written by import.ts, a
 * kind in leftOver below, and its steps in apply.ts.
 */
const ZONE_SECTIONS = {
  outgoing: outgoingChanges,
  incoming: incomingChanges,
} satisfies Record<
  string,
  (zone: DeclaredZone, found: LiveZone, live: Index) => (Change | undefined)[]
>;

function zoneChanges(zone: DeclaredZone, found: LiveZone, live: Index): (Change | undefined)[] {
  return Object.values(ZONE_SECTIONS).flatMap((section) => section(zone, found, live));
}

function outgoingChanges(zone: DeclaredZone, found: LiveZone, live: Index): (Change | undefined)[] {
  const wanted = zone.outgoing;
  if (!wanted) return []; // deleted with prune: see leftOver
  const switched = switchFrom("incoming", found.incoming?.id, zone.id);
  const current = found.outgoing;
  const peers = [...wanted.peers].sort().join(", ");
  const fields = diff([
    ["name", current?.name, wanted.name],
    ["peers", current ? peerNames(current.peers, live).join(", ") : undefined, peers],
  ]);
  const config = objectChange("outgoing", zone.id, current?.id, fields);
  const enabled = wanted.enabled ?? true;
  // A new configuration starts with transfers disabled.
  const status = current ? found.status : "Disabled";
  const toggled =
    (status === "Enabled") === enabled
      ? undefined
      : ({
          kind: "transfers",
          action: enabled ? "enable" : "disable",
          name: zone.id,
          fields: [{ field: "status", from: status, to: enabled ? "Enabled" : "Disabled" }],
        } satisfies Change);
  return [switched, config, toggled];
}

function incomingChanges(zone: DeclaredZone, found: LiveZone, live: Index): (Change | undefined)[] {
  const wanted = zone.incoming;
  if (!wanted) return []; // deleted with prune: see leftOver
  const switched = switchFrom("outgoing", found.outgoing?.id, zone.id);
  const current = found.incoming;
  const fields = diff([
    ["name", current?.name, wanted.name],
    [
      "peers",
      current ? peerNames(current.peers, live).join(", ") : undefined,
      [...wanted.peers].sort().join(", "),
    ],
    ["auto_refresh_seconds", current?.auto_refresh_seconds, wanted.auto_refresh_seconds],
  ]);
  return [switched, objectChange("incoming", zone.id, current?.id, fields)];
}

/** The zone's other side, deleted first when the file moves the zone to this one. */
function switchFrom(
  other: "outgoing" | "incoming",
  id: string | undefined,
  zoneId: string,
): Change | undefined {
  if (id === undefined) return undefined;
  const next = other === "outgoing" ? "incoming" : "outgoing";
  return {
    kind: other,
    action: "delete",
    name: zoneId,
    id,
    fields: [],
    reason: `the file makes the zone ${next}; a zone is primary or secondary, never both, so its ${other} configuration goes first`,
  };
}

/** What exists and the file does not name: deleted with prune, else listed as unmanaged. */
function leftOver(state: LiveState, file: ReadFile, prune: boolean) {
  const config = file.config;
  const named = (list: { name: string }[] | undefined) => new Set((list ?? []).map((x) => x.name));
  const kinds = [
    ["acl", state.acls, named(config.acls)],
    ["peer", state.peers, named(config.peers)],
    ["tsig", state.tsigs, named(config.tsigs)],
  ] as const;
  const extra = kinds.flatMap(([kind, list, names]) =>
    list.filter((x) => !names.has(x.name)).map((x) => ({ kind, name: x.name, id: x.id })),
  );
  // A zone whose file entry names the other side is switched (see switchFrom), not left over.
  const declared = (id: string) => config.zones?.find((d) => d.id === id);
  const zones = state.zones.flatMap((z): { kind: ChangeKind; name: string; id: string }[] => {
    const wanted = declared(z.id);
    if (wanted?.outgoing || wanted?.incoming) return [];
    if (z.outgoing) return [{ kind: "outgoing", name: z.id, id: z.outgoing.id }];
    if (z.incoming) return [{ kind: "incoming", name: z.id, id: z.incoming.id }];
    return [];
  });
  const all = [...zones, ...extra];
  if (!prune) return { deletions: [], unmanaged: all };
  const deletions: Change[] = all.map((x) => ({ ...x, action: "delete", fields: [] }));
  return { deletions, unmanaged: [] };
}

/** How many changes of each sort. */
export function summarize(changes: readonly Change[]) {
  const count = (actions: ChangeAction[]) =>
    changes.filter((c) => actions.includes(c.action)).length;
  return {
    create: count(["create"]),
    update: count(["update", "enable", "disable"]),
    delete: count(["delete"]),
  };
}
