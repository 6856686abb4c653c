/**
 * setupIncoming: Cloudflare's "Cloudflare as secondary" guide as one idempotent
 * call. The key and the peer are found or created as setupOutgoing does (the
 * same steps, setup.ts): here the peer is the user's PRIMARY, which Cloudflare
 * pulls from (its ip and port the transfer address, `ixfr_enable` whether IXFR
 * is asked). Then the zone's incoming configuration is created, or updated to
 * list the peer with the wanted refresh. A second run changes nothing and says so.
 */
import type { SecondaryDnsClient } from "./client/client.js";
import { NotFoundError, ValidationError } from "./client/errors.js";
import type { IncomingZone } from "../generated/client/incoming.js";
import type { Peer } from "../generated/client/peers.js";
import type { Tsig } from "../generated/client/tsigs.js";
import {
  checkSetupInput,
  normalizedInput,
  ensureKeyAndPeer,
  removeDuplicatePeers,
  startRun,
  zoneNameOf,
  type Run,
  type SetupInput,
  type SetupObject,
  type SetupStep,
  type Step,
  type StepName,
} from "./setup.js";

/** How often Cloudflare checks the primary whatever NOTIFY says, when not given: a day. */
export const DEFAULT_AUTO_REFRESH_SECONDS = 86_400;

export interface IncomingSetupInput extends Omit<SetupInput, "replacePeers"> {
  /** The primary Cloudflare pulls from: `ixfr` asks for IXFR (default false: AXFR only). */
  peer: SetupInput["peer"];
  /** Seconds between checks of the primary whatever NOTIFY says (default a day). */
  autoRefreshSeconds?: number | undefined;
}

export interface IncomingSetupResult {
  steps: SetupStep[];
  tsig: Tsig | null;
  peer: Peer;
  incoming: IncomingZone;
  removed: SetupObject[];
  kept: SetupObject[];
}

/** The steps of incoming setup in order, for "not done" lists. */
export const INCOMING_STEPS: readonly StepName[] = ["tsig", "peer", "incoming"];

/** Throws a ValidationError for the first wrong field; nothing is sent. */
export function checkIncomingInput(input: IncomingSetupInput): void {
  checkSetupInput(input);
  const refresh = input.autoRefreshSeconds;
  if (refresh !== undefined && !(Number.isInteger(refresh) && refresh >= 1 && refresh < 2 ** 32))
    throw new ValidationError("autoRefreshSeconds", "must be a whole number from 1 to 4294967295");
  if (input.peer.ixfr !== undefined && typeof input.peer.ixfr !== "boolean")
    throw new ValidationError("peer.ixfr", "must be true or false");
}

/** Runs the guide's steps; `onStep` hears of each. Resolves to the key (secret included), peer and zone. */
export async function setupIncoming(
  client: SecondaryDnsClient,
  given: IncomingSetupInput,
  onStep: (step: SetupStep) => void = () => {},
): Promise<IncomingSetupResult> {
  checkIncomingInput(given);
  const input: IncomingSetupInput = { ...given, ...normalizedInput(given) };
  const { state, steps, fail, run } = startRun(client, input, "primary", onStep, INCOMING_STEPS);
  state.zone = await findIncoming(state).catch((error: unknown) =>
    fail(input.tsig ? "tsig" : "peer", error),
  );
  const [tsig, peer] = await ensureKeyAndPeer(state, run);
  const refresh = input.autoRefreshSeconds ?? DEFAULT_AUTO_REFRESH_SECONDS;
  const incoming = await run("incoming", () => ensureIncoming(state, peer, refresh));
  await removeDuplicatePeers(state, incoming);
  return { steps, tsig, peer, incoming, removed: state.removed, kept: state.kept };
}

async function findIncoming(state: Run): Promise<IncomingZone | undefined> {
  return state.client.incoming.get(state.input.zoneId, state.at).catch((error: unknown) => {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  });
}

/** Creates the configuration, or updates it to list the peer (once) with the wanted refresh. */
async function ensureIncoming(state: Run, peer: Peer, refresh: number): Step<IncomingZone> {
  const { client, at, input } = state;
  const zone = input.zoneId;
  const name = input.zoneName;
  const found = await findIncoming(state);
  if (!found) {
    const body = { name, peers: [peer.id], auto_refresh_seconds: refresh };
    const created = await client.incoming.create(zone, body, at);
    return [created, "created", zone, `created the incoming configuration of ${name}`];
  }
  const twins = new Set(state.twins.map((p) => p.id));
  const peers = [...new Set(found.peers.map((id) => (twins.has(id) ? peer.id : id)))];
  if (!peers.includes(peer.id)) peers.push(peer.id);
  const same =
    zoneNameOf(found.name) === name &&
    found.auto_refresh_seconds === refresh &&
    peers.length === found.peers.length &&
    peers.every((id, i) => id === found.peers[i]);
  if (same) return [found, "unchanged", zone, `${found.name} already pulls from the peer`];
  const body = { name, peers, auto_refresh_seconds: refresh };
  const updated = await client.incoming.update(zone, body, at);
  return [updated, "updated", zone, `${name} now pulls from the peer every ${refresh} s`];
}
