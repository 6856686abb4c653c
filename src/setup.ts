/**
 * setupOutgoing: Cloudflare's "Cloudflare as primary" guide as one idempotent
 * call. It finds or creates the TSIG key (by name; with no name given, the key
 * the zone's peers already share), the peer (by IP and port, using that key),
 * the zone's outgoing configuration listing the peer, and turns transfers on.
 * Each step is reported as created, updated or unchanged, so a second run
 * changes nothing and says so. A failure midway rejects with a SetupFailedError
 * that says which steps were done, which were not, and what this run created.
 *
 * Runs at the same time converge: after creating a key or a peer, a run lists
 * again, and when an older one of the same name (key) or address (peer) is
 * there, removes its own and uses the older. A later run removes duplicates
 * that are identical and unused, and says so.
 *
 * Everything is checked before the first request, so bad input sends nothing.
 * Web-standard only (crypto.getRandomValues, btoa), like the client.
 */
import type { SecondaryDnsClient } from "./client/client.js";
import { NotFoundError, ValidationError } from "./client/errors.js";
import type { OutgoingZone } from "../generated/client/outgoing.js";
import type { Peer } from "../generated/client/peers.js";
import type { Tsig } from "../generated/client/tsigs.js";
import {
  algoProblem,
  ipProblem,
  nonEmptyStringProblem,
  portProblem,
  secretProblem,
  tsigNameProblem,
} from "./fields.js";
import { dnsNameProblem, identifierProblem } from "./client/validate.js";
import { TSIG_ALGORITHMS, TSIG_DIGESTS, type TsigAlgorithm } from "./dns/algorithms.js";
import { tsigAlgoOf, tsigNameOf, zoneNameOf } from "./names.js";

export type { TsigAlgorithm };
export { tsigAlgoOf, tsigNameOf, zoneNameOf };

/** A key's secret is as long as its HMAC's output (RFC 8945 section 6.2 advises no shorter). */
export const SECRET_BYTES: Readonly<Record<TsigAlgorithm, number>> = Object.fromEntries(
  TSIG_ALGORITHMS.map((algo) => [algo, TSIG_DIGESTS[algo].macBytes]),
) as Record<TsigAlgorithm, number>;

/** A fresh random secret for the algorithm, base64, from the platform's CSPRNG. */
export function newTsigSecret(algo: TsigAlgorithm): string {
  const bytes = crypto.getRandomValues(new Uint8Array(SECRET_BYTES[algo]));
  return btoa(String.fromCharCode(...bytes));
}

export const DEFAULT_TSIG_ALGO: TsigAlgorithm = "hmac-sha256.";
export const DEFAULT_PEER_PORT = 53;

export interface SetupInput {
  /** The zone's id. */
  zoneId: string;
  /** The zone's name, e.g. `example.com.` (`example.com` is taken as `example.com.`). */
  zoneName: string;
  /** The secondary: where NOTIFY goes. Found by ip and port (default 53). */
  peer: {
    ip: string;
    port?: number | undefined;
    name?: string | undefined;
    /** IXFR asked of this peer (incoming setup; outgoing leaves the peer's as it is). */
    ixfr?: boolean | undefined;
  };
  /**
   * The key transfers are signed with, found by name (`k.example.com` is taken
   * as `k.example.com.`); no name: the key the zone's peers already share, else
   * `cloudflare-transfer.<zone>`. `algo` may be
   * written as nameservers do (`hmac-sha256`). `secret` is used only when the
   * key is created or must be replaced; default a new random one. `null`: no key
   * (transfers unsigned, not recommended).
   */
  tsig: {
    name?: string | undefined;
    algo?: TsigAlgorithm | undefined;
    secret?: string | undefined;
  } | null;
  /** The zone lists exactly this peer afterwards (others are unlinked, not deleted). */
  replacePeers?: boolean | undefined;
  /** The account of the peer and key; default the client's. */
  accountId?: string | undefined;
  signal?: AbortSignal | undefined;
}

export type StepName = "tsig" | "peer" | "outgoing" | "transfers" | "incoming";
export type StepOutcome = "created" | "updated" | "unchanged";

export interface SetupStep {
  step: StepName;
  outcome: StepOutcome;
  /** The id of what the step is about (the zone id for outgoing and transfers). */
  id: string;
  /** What was done, in a few words, e.g. "created TSIG key t.example.com. (hmac-sha256.)". */
  detail: string;
}

/** An object this run created, or removed as a duplicate. */
export interface SetupObject {
  kind: "tsig" | "peer";
  id: string;
  name: string;
  /** For removals: why ("another run created the same first", "identical and unused"). */
  why?: string;
}

export interface SetupResult {
  steps: SetupStep[];
  /** The key, secret included; null when the setup uses none. */
  tsig: Tsig | null;
  peer: Peer;
  outgoing: OutgoingZone;
  /** Duplicates removed (this run's own copies, and identical unused leftovers). */
  removed: SetupObject[];
  /** Duplicates found but kept, and why (in use, or not identical). */
  kept: SetupObject[];
}

/** The steps in order, for "not done" lists. */
export const SETUP_STEPS: readonly StepName[] = ["tsig", "peer", "outgoing", "transfers"];

/**
 * A step failed: `cause` is the client's error; `done` the steps finished
 * before it; `created` what this run created and left in place (nothing is
 * removed on failure: a rerun finds and reuses it).
 */
export class SetupFailedError extends Error {
  override name = "SetupFailedError";
  readonly step: StepName;
  readonly done: readonly SetupStep[];
  readonly notDone: readonly StepName[];
  readonly created: readonly SetupObject[];

  constructor(
    step: StepName,
    done: readonly SetupStep[],
    cause: unknown,
    created: readonly SetupObject[] = [],
    order: readonly StepName[] = SETUP_STEPS,
  ) {
    const finished = done.map((s) => `${s.step} ${s.outcome}`).join(", ") || "nothing";
    super(`setup failed at step "${step}" (done: ${finished})`, { cause });
    this.step = step;
    this.done = done;
    this.notDone = order.slice(order.indexOf(step));
    this.created = created;
  }
}

/** The key's name when none is given and the zone's peers share none. */
export const defaultTsigName = (zoneName: string) => `cloudflare-transfer.${zoneNameOf(zoneName)}`;

/** The input with names spelled one way; checked after, so a wrong value is named as given. */
export function normalizedInput(input: SetupInput): SetupInput {
  const zoneName =
    typeof input.zoneName === "string" && input.zoneName !== ""
      ? zoneNameOf(input.zoneName)
      : input.zoneName;
  const { name, algo } = input.tsig ?? {};
  const tsig = input.tsig && {
    ...input.tsig,
    ...(typeof name === "string" ? { name: tsigNameOf(name) } : {}),
    ...(typeof algo === "string" ? { algo: tsigAlgoOf(algo) as TsigAlgorithm } : {}),
  };
  return { ...input, zoneName, tsig };
}

/** Throws a ValidationError for the first wrong field of the input; nothing is sent. */
export function checkSetupInput(given: SetupInput): void {
  const input = normalizedInput(given);
  const checks: [string, unknown, (value: unknown) => string | undefined][] = [
    ["zoneId", input.zoneId, identifierProblem],
    ["zoneName", input.zoneName, dnsNameProblem],
    ["peer.ip", input.peer.ip, ipProblem],
  ];
  if (input.peer.port !== undefined) checks.push(["peer.port", input.peer.port, portProblem]);
  if (input.peer.name !== undefined)
    checks.push(["peer.name", input.peer.name, nonEmptyStringProblem]);
  if (input.accountId !== undefined) checks.push(["accountId", input.accountId, identifierProblem]);
  if (input.tsig) {
    if (input.tsig.name !== undefined) checks.push(["tsig.name", input.tsig.name, tsigNameProblem]);
    if (input.tsig.algo !== undefined) checks.push(["tsig.algo", input.tsig.algo, algoProblem]);
    if (input.tsig.secret !== undefined)
      checks.push(["tsig.secret", input.tsig.secret, secretProblem]);
  }
  for (const [field, value, problem] of checks) {
    const reason = problem(value);
    if (reason) throw new ValidationError(field, reason);
  }
}

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** What a step resolves to: its value, outcome, the id it is about, and the detail line. */
export type Step<T> = Promise<[T, StepOutcome, string, string]>;
type At = { accountId: string | undefined; signal: AbortSignal | undefined };

/** What one run knows and has done, shared by its steps (outgoing and incoming setup). */
export interface Run {
  client: SecondaryDnsClient;
  input: SetupInput;
  at: At;
  /** What the peer is to the zone, for the name of a peer this run creates. */
  role: "secondary" | "primary";
  /** The zone's configuration (outgoing or incoming) as found at the start; undefined: none. */
  zone: { name: string; peers: string[] } | undefined;
  created: SetupObject[];
  removed: SetupObject[];
  kept: SetupObject[];
  /** Other peers at the peer's address, identical to it: unlinked, then removed. */
  twins: Peer[];
  /** Other peers at the peer's address that differ from it: kept, and named. */
  others: Peer[];
  /** Peers unlinked before the peer step (replacePeers with a new key). */
  unlinked: number;
}

/**
 * Runs the guide's steps; `onStep` hears of each as it finishes. Resolves to
 * what the secondary needs (the key with its secret, the peer, the configuration).
 */
export async function setupOutgoing(
  client: SecondaryDnsClient,
  given: SetupInput,
  onStep: (step: SetupStep) => void = () => {},
): Promise<SetupResult> {
  checkSetupInput(given);
  const { state, steps, fail, run } = startRun(client, normalizedInput(given), "secondary", onStep);
  const { input, at } = state;

  // The zone's configuration first: its peers' key is the one a run without a key name reuses.
  state.zone = await findZone(client, input.zoneId, at).catch((error: unknown) =>
    fail(input.tsig ? "tsig" : "peer", error),
  );
  const [tsig, peer] = await ensureKeyAndPeer(state, run);
  const outgoing = await run("outgoing", () => ensureOutgoing(state, peer));
  await run("transfers", () => ensureEnabled(state));
  await removeDuplicatePeers(state, outgoing);
  return { steps, tsig, peer, outgoing, removed: state.removed, kept: state.kept };
}

/** A run's state and how its steps are run: each reported to `onStep`, a failure made a SetupFailedError. */
export function startRun(
  client: SecondaryDnsClient,
  input: SetupInput,
  role: Run["role"],
  onStep: (step: SetupStep) => void,
  order: readonly StepName[] = SETUP_STEPS,
) {
  const at = { accountId: input.accountId, signal: input.signal };
  const steps: SetupStep[] = [];
  const state: Run = {
    ...{ client, input, at, role, zone: undefined },
    ...{ created: [], removed: [], kept: [], twins: [], others: [], unlinked: 0 },
  };
  const fail = (step: StepName, error: unknown): never => {
    if (error instanceof ValidationError) throw error; // a bad input: nothing of this step sent
    throw new SetupFailedError(step, [...steps], error, [...state.created], order);
  };
  const run = async <T>(step: StepName, work: () => Step<T>) => {
    const [value, outcome, id, detail] = await work().catch((error: unknown) => fail(step, error));
    const done = { step, outcome, id, detail };
    steps.push(done);
    onStep(done);
    return value;
  };
  return { state, steps, fail, run };
}

type Runner = ReturnType<typeof startRun>["run"];

/** The steps both directions share: the key (unless none is wanted), then the peer signed with it. */
export async function ensureKeyAndPeer(state: Run, run: Runner): Promise<[Tsig | null, Peer]> {
  const wanted = state.input.tsig;
  const tsig = wanted ? await run("tsig", () => ensureTsig(state, wanted)) : null;
  const peer = await run("peer", () => ensurePeer(state, tsig));
  return [tsig, peer];
}

async function findZone(
  client: SecondaryDnsClient,
  zoneId: string,
  at: At,
): Promise<OutgoingZone | undefined> {
  return client.outgoing.get(zoneId, at).catch((error: unknown) => {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  });
}

/** A removal whose object is already gone (another run removed it) has done its job. */
async function gone(removal: Promise<unknown>): Promise<void> {
  await removal.catch((error: unknown) => {
    if (!(error instanceof NotFoundError)) throw error;
  });
}

/**
 * The one of `same` to keep: the first listed (the oldest: lists come in the
 * order of creation), or the one `preferred` names. Runs at the same time all
 * pick the same one, so each removes only its own copy.
 */
function oldest<T extends { id: string }>(same: T[], preferred?: (item: T) => boolean): T {
  return (preferred && same.find(preferred)) ?? same[0]!;
}

/** The key the zone's peers share (the first linked peer's), when no name was given. */
function sharedKeyName(state: Run, peers: Peer[], tsigs: Tsig[]): string | undefined {
  const linked = new Set(state.zone?.peers ?? []);
  const tsigId = peers.find((p) => linked.has(p.id) && p.tsig_id)?.tsig_id;
  return tsigs.find((t) => t.id === tsigId)?.name;
}

/**
 * The peers of a zone share one key: a key name that differs from the one the
 * zone's other peers use is refused before anything changes (a ValidationError
 * of tsig.name), unless those peers are about to be unlinked (replacePeers).
 */
function checkSharedKey(state: Run, peers: Peer[], tsigs: Tsig[], name: string): void {
  const { input } = state;
  if (input.replacePeers || !state.zone) return;
  const port = input.peer.port ?? DEFAULT_PEER_PORT;
  const linked = new Set(state.zone.peers);
  const others = peers.filter(
    (p) => linked.has(p.id) && !(p.ip === input.peer.ip && portOf(p) === port),
  );
  const otherKey = tsigs.find((t) => others.some((p) => p.tsig_id === t.id));
  if (otherKey && !sameName(otherKey.name, name))
    throw new ValidationError(
      "tsig.name",
      `the zone's other peers use the key ${otherKey.name}, and a zone's peers share one key: give that name, or --replace-peers to make this peer the zone's only one`,
    );
}

async function ensureTsig(state: Run, wanted: NonNullable<SetupInput["tsig"]>): Step<Tsig> {
  const { client, at } = state;
  const algo = wanted.algo ?? DEFAULT_TSIG_ALGO;
  const [tsigs, peers] = await Promise.all([client.tsigs.list(at), client.peers.list(at)]);
  const name =
    wanted.name ?? sharedKeyName(state, peers, tsigs) ?? defaultTsigName(state.input.zoneName);
  checkSharedKey(state, peers, tsigs, name);
  const label = `TSIG key ${name} (${algo})`;
  const used = new Set(peers.map((p) => p.tsig_id).filter(Boolean));
  const same = tsigs.filter((t) => sameName(t.name, name));
  if (same.length === 0) {
    const body = { name, algo, secret: wanted.secret ?? newTsigSecret(algo) };
    const created = await client.tsigs.create(body, at);
    state.created.push({ kind: "tsig", id: created.id, name: created.name });
    const kept = await keepOldestTsig(state, created, name);
    if (kept.id === created.id) return [created, "created", created.id, `created ${label}`];
    return [kept, "unchanged", kept.id, `found ${label} (another run created it first)`];
  }
  const found = oldest(same, (t) => used.has(t.id));
  await removeTsigLeftovers(state, same, found, used);
  const secretDiffers = wanted.secret !== undefined && wanted.secret !== found.secret;
  if (found.algo === algo && !secretDiffers)
    return [found, "unchanged", found.id, `found ${label}`];
  // A new algorithm needs a secret of its length; a given secret replaces the old one.
  const body = { name: found.name, algo, secret: wanted.secret ?? newTsigSecret(algo) };
  const updated = await client.tsigs.update(found.id, body, at);
  return [updated, "updated", updated.id, `updated ${label}: new secret`];
}

/** After creating a key: when an older key of that name is listed, removes this run's and uses that. */
async function keepOldestTsig(state: Run, created: Tsig, name: string): Promise<Tsig> {
  const same = (await state.client.tsigs.list(state.at)).filter((t) => sameName(t.name, name));
  const kept = oldest(same);
  if (!kept || kept.id === created.id) return created;
  await gone(state.client.tsigs.delete(created.id, state.at));
  state.created = state.created.filter((o) => o.id !== created.id);
  state.removed.push({
    kind: "tsig",
    id: created.id,
    name,
    why: "this run's copy: another run created the same key first",
  });
  return kept;
}

/** Keys of the same name and algorithm that no peer uses are removed; others are kept and named. */
async function removeTsigLeftovers(state: Run, same: Tsig[], found: Tsig, used: Set<unknown>) {
  for (const other of same) {
    if (other.id === found.id) continue;
    if (other.algo !== found.algo || used.has(other.id)) {
      const why = used.has(other.id) ? "a peer uses it" : "another algorithm";
      state.kept.push({ kind: "tsig", id: other.id, name: other.name, why: `kept: ${why}` });
      continue;
    }
    await gone(state.client.tsigs.delete(other.id, state.at));
    state.removed.push({
      kind: "tsig",
      id: other.id,
      name: other.name,
      why: "identical and unused",
    });
  }
}

const portOf = (peer: { port?: number | undefined }) => peer.port ?? DEFAULT_PEER_PORT;

/** Two peers that differ in nothing but their id. */
const identical = (a: Peer, b: Peer) =>
  a.name === b.name &&
  a.ip === b.ip &&
  portOf(a) === portOf(b) &&
  (a.tsig_id ?? null) === (b.tsig_id ?? null) &&
  (a.ixfr_enable ?? false) === (b.ixfr_enable ?? false);

async function ensurePeer(state: Run, tsig: Tsig | null): Step<Peer> {
  const { client, at, input } = state;
  const [ip, port] = [input.peer.ip, input.peer.port ?? DEFAULT_PEER_PORT];
  const where = `${ip} port ${port}`;
  const atAddress = (peers: Peer[]) => peers.filter((p) => p.ip === ip && portOf(p) === port);
  let same = atAddress(await client.peers.list(at));
  const tsigFields = tsig ? { tsig_id: tsig.id } : {};
  let found: Peer;
  if (same.length === 0) {
    const ixfr = input.peer.ixfr !== undefined ? { ixfr_enable: input.peer.ixfr } : {};
    const name = input.peer.name ?? `${state.role} ${where}`;
    const body = { name, ip, port, ...tsigFields, ...ixfr };
    const created = await client.peers.create(body, at);
    state.created.push({ kind: "peer", id: created.id, name: created.name });
    same = atAddress(await client.peers.list(at));
    found = oldest(same);
    if (!found || found.id === created.id) {
      return [created, "created", created.id, `created peer "${created.name}" at ${where}`];
    }
    // Another run created a peer here first: this run's copy goes, the older one is used.
    await gone(client.peers.delete(created.id, at));
    state.created = state.created.filter((o) => o.id !== created.id);
    const why = "this run's copy: another run created a peer at this address first";
    state.removed.push({ kind: "peer", id: created.id, name: created.name, why });
    same = same.filter((p) => p.id !== created.id);
  } else {
    const linked = new Set(state.zone?.peers ?? []);
    found = oldest(same, (p) => linked.has(p.id));
  }
  await unlinkOthersFirst(state, found, tsig);
  const peer = await updatePeer(state, found, tsig, where);
  const rest = same.filter((p) => p.id !== found.id);
  state.twins = rest.filter((p) => identical(p, peer[0]));
  state.others = rest.filter((p) => !identical(p, peer[0]));
  return peer;
}

/**
 * With replacePeers, a peer listed beside others and moving to another key is
 * first made the zone's only peer: the API refuses a key that the zone's other
 * peers do not share.
 */
async function unlinkOthersFirst(state: Run, found: Peer, tsig: Tsig | null): Promise<void> {
  const zone = state.zone;
  if (!state.input.replacePeers || !zone?.peers.includes(found.id) || zone.peers.length < 2) return;
  if ((found.tsig_id ?? undefined) === tsig?.id) return;
  const body = { name: state.input.zoneName, peers: [found.id] };
  state.zone = await state.client.outgoing.update(state.input.zoneId, body, state.at);
  state.unlinked = zone.peers.length - 1;
}

async function updatePeer(state: Run, found: Peer, tsig: Tsig | null, where: string): Step<Peer> {
  const tsigId = tsig?.id;
  const name = state.input.peer.name ?? found.name;
  const ixfr = state.input.peer.ixfr ?? found.ixfr_enable ?? false;
  const sameIxfr = ixfr === (found.ixfr_enable ?? false);
  if ((found.tsig_id ?? undefined) === tsigId && found.name === name && sameIxfr)
    return [found, "unchanged", found.id, `found peer "${found.name}" at ${where}`];
  const { id, tsig_id: _old, ...rest } = found;
  const body = {
    ...rest,
    name,
    ...(tsigId ? { tsig_id: tsigId } : {}),
    ...(sameIxfr ? {} : { ixfr_enable: ixfr }),
  };
  const updated = await state.client.peers.update(id, body, state.at);
  const why =
    `${tsigId ? `now signed with ${tsig!.name}` : "no key"}` +
    (sameIxfr ? "" : `, IXFR ${ixfr ? "on" : "off"}`);
  return [updated, "updated", updated.id, `updated peer "${updated.name}" at ${where}: ${why}`];
}

/**
 * The zone's peer list after this run: the peer once, in the place it (or a
 * twin it stands for) had, or at the end; with replacePeers, the peer alone.
 */
function wantedPeers(state: Run, peer: Peer, current: readonly string[]): string[] {
  if (state.input.replacePeers) return [peer.id];
  const twins = new Set(state.twins.map((p) => p.id));
  const peers: string[] = [];
  for (const id of current) {
    const next = id === peer.id || twins.has(id) ? peer.id : id;
    if (!peers.includes(next)) peers.push(next);
  }
  return peers.includes(peer.id) ? peers : [...peers, peer.id];
}

async function ensureOutgoing(state: Run, peer: Peer): Step<OutgoingZone> {
  const { client, at, input } = state;
  const zone = input.zoneId;
  // Read again: a run at the same time may have changed it since this run began.
  let found = state.zone && (await findZone(client, zone, at));
  if (!found) {
    const body = { name: input.zoneName, peers: [peer.id] };
    try {
      const created = await client.outgoing.create(zone, body, at);
      return [created, "created", zone, `created the configuration of ${input.zoneName}`];
    } catch (error) {
      // Another run may have created it meanwhile: then it is updated below.
      found = await findZone(client, zone, at);
      if (!found) throw error;
    }
  }
  const peers = wantedPeers(state, peer, found.peers);
  const samePeers =
    peers.length === found.peers.length && peers.every((id, i) => id === found.peers[i]);
  if (samePeers && zoneNameOf(found.name) === input.zoneName)
    return state.unlinked > 0
      ? [
          found,
          "updated",
          zone,
          `${found.name} now lists only the peer (${state.unlinked} unlinked)`,
        ]
      : [found, "unchanged", zone, `${found.name} already lists the peer`];
  const updated = await client.outgoing.update(zone, { name: input.zoneName, peers }, at);
  const dropped = found.peers.filter((id) => !peers.includes(id)).length;
  const detail = input.replacePeers
    ? `${input.zoneName} now lists only the peer${dropped ? ` (${dropped} unlinked)` : ""}`
    : `${input.zoneName} now lists the peer${dropped ? ` once (${dropped} duplicate unlinked)` : ""}`;
  return [updated, "updated", zone, detail];
}

async function ensureEnabled(state: Run): Step<string> {
  const { client, at, input } = state;
  const status = await client.outgoing.status(input.zoneId, at);
  if (status === "Enabled")
    return [status, "unchanged", input.zoneId, "outgoing transfers already enabled"];
  const answer = await client.outgoing.enable(input.zoneId, at);
  return [answer, "updated", input.zoneId, "enabled outgoing transfers (NOTIFY requested)"];
}

/**
 * Removes the peer's twins (identical peers at its address) that the zone no
 * longer lists; a twin the API will not remove (another zone lists it) is kept
 * and named, as are peers at the address that differ. Never fails the setup.
 */
export async function removeDuplicatePeers(
  state: Run,
  outgoing: { peers: string[] },
): Promise<void> {
  for (const other of state.others)
    state.kept.push({ kind: "peer", id: other.id, name: other.name, why: "kept: not identical" });
  for (const twin of state.twins) {
    if (outgoing.peers.includes(twin.id)) continue;
    try {
      await gone(state.client.peers.delete(twin.id, state.at));
      state.removed.push({
        kind: "peer",
        id: twin.id,
        name: twin.name,
        why: "identical and unused",
      });
    } catch (error) {
      const why = `kept: the API refused to remove it (${(error as Error).message})`;
      state.kept.push({ kind: "peer", id: twin.id, name: twin.name, why });
    }
  }
}
