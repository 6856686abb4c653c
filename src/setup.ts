/**
 * setupOutgoing: Cloudflare's "Cloudflare as primary" guide as one idempotent
 * call. It finds or creates the TSIG key (by name), the peer (by IP and port,
 * using that key), the zone's outgoing configuration listing the peer, and
 * turns transfers on. Each step is reported as created, updated or unchanged,
 * so a second run changes nothing and says so. A failure midway rejects with a
 * SetupFailedError that says which steps were done and which were not.
 *
 * Everything is checked before the first request, so bad input sends nothing.
 * Web-standard only (crypto.getRandomValues, btoa), like the client.
 */
import type { components } from "../generated/schema.js";
import type { SecondaryDnsClient } from "./client.js";
import { NotFoundError, ValidationError } from "./errors.js";
import type { OutgoingZone } from "./resources/outgoing.js";
import type { Peer } from "./resources/peers.js";
import type { Tsig } from "./resources/tsigs.js";
import {
  algoProblem,
  ipProblem,
  nonEmptyStringProblem,
  portProblem,
  secretProblem,
  tsigNameProblem,
} from "./results.js";
import { dnsNameProblem, identifierProblem } from "./validate.js";

export type TsigAlgorithm = components["schemas"]["Tsig"]["algo"];

/** A key's secret is as long as its HMAC's output (RFC 8945 section 6.2 advises no shorter). */
export const SECRET_BYTES: Readonly<Record<TsigAlgorithm, number>> = {
  "hmac-md5.sig-alg.reg.int.": 16,
  "hmac-sha1.": 20,
  "hmac-sha224.": 28,
  "hmac-sha256.": 32,
  "hmac-sha384.": 48,
  "hmac-sha512.": 64,
};

/** A fresh random secret for the algorithm, base64, from the platform's CSPRNG. */
export function newTsigSecret(algo: TsigAlgorithm): string {
  const bytes = crypto.getRandomValues(new Uint8Array(SECRET_BYTES[algo]));
  return btoa(String.fromCharCode(...bytes));
}

export const DEFAULT_TSIG_ALGO: TsigAlgorithm = "hmac-sha256.";
export const DEFAULT_PEER_PORT = 53;

export interface SetupInput {
  zoneId: string;
  /** The zone's name, e.g. `example.com.` */
  zoneName: string;
  /** The secondary: where NOTIFY goes. Found by ip and port (default 53). */
  peer: { ip: string; port?: number | undefined; name?: string | undefined };
  /**
   * The key transfers are signed with, found by name. `secret` is used only when
   * the key is created or must be replaced; default a new random one. `null`:
   * no key (transfers unsigned, not recommended).
   */
  tsig: { name: string; algo?: TsigAlgorithm | undefined; secret?: string | undefined } | null;
  /** The account of the peer and key; default the client's. */
  accountId?: string | undefined;
  signal?: AbortSignal | undefined;
}

export type StepName = "tsig" | "peer" | "outgoing" | "transfers";
export type StepOutcome = "created" | "updated" | "unchanged";

export interface SetupStep {
  step: StepName;
  outcome: StepOutcome;
  /** The id of what the step is about (the zone id for outgoing and transfers). */
  id: string;
  /** What was done, in a few words, e.g. "created TSIG key t.example.com. (hmac-sha256.)". */
  detail: string;
}

export interface SetupResult {
  steps: SetupStep[];
  /** The key, secret included; null when the setup uses none. */
  tsig: Tsig | null;
  peer: Peer;
  outgoing: OutgoingZone;
}

/** The steps in order, for "not done" lists. */
export const SETUP_STEPS: readonly StepName[] = ["tsig", "peer", "outgoing", "transfers"];

/** A step failed: `cause` is the client's error; `done` the steps finished before it. */
export class SetupFailedError extends Error {
  override name = "SetupFailedError";
  readonly step: StepName;
  readonly done: readonly SetupStep[];
  readonly notDone: readonly StepName[];

  constructor(step: StepName, done: readonly SetupStep[], cause: unknown) {
    const finished = done.map((s) => `${s.step} ${s.outcome}`).join(", ") || "nothing";
    super(`setup failed at step "${step}" (done: ${finished})`, { cause });
    this.step = step;
    this.done = done;
    this.notDone = SETUP_STEPS.slice(SETUP_STEPS.indexOf(step));
  }
}

/** Throws a ValidationError for the first wrong field of the input; nothing is sent. */
export function checkSetupInput(input: SetupInput): void {
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
    checks.push(["tsig.name", input.tsig.name, tsigNameProblem]);
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

/**
 * Runs the guide's steps; `onStep` hears of each as it finishes. Resolves to
 * what the secondary needs (the key with its secret, the peer, the configuration).
 */
export async function setupOutgoing(
  client: SecondaryDnsClient,
  input: SetupInput,
  onStep: (step: SetupStep) => void = () => {},
): Promise<SetupResult> {
  checkSetupInput(input);
  const at = { accountId: input.accountId, signal: input.signal };
  const port = input.peer.port ?? DEFAULT_PEER_PORT;
  const steps: SetupStep[] = [];
  const run = async <T>(step: StepName, work: () => Promise<[T, StepOutcome, string, string]>) => {
    let outcome: [T, StepOutcome, string, string];
    try {
      outcome = await work();
    } catch (error) {
      if (error instanceof ValidationError) throw error; // a bad input: nothing of this step sent
      throw new SetupFailedError(step, [...steps], error);
    }
    const [value, result, id, detail] = outcome;
    const done = { step, outcome: result, id, detail };
    steps.push(done);
    onStep(done);
    return value;
  };

  const tsig = input.tsig ? await run("tsig", () => ensureTsig(client, input.tsig!, at)) : null;
  const peer = await run("peer", () => ensurePeer(client, input.peer, port, tsig, at));
  const outgoing = await run("outgoing", () => ensureOutgoing(client, input, peer, at));
  await run("transfers", async () => {
    const status = await client.outgoing.status(input.zoneId, at);
    if (status === "Enabled")
      return [status, "unchanged", input.zoneId, "outgoing transfers already enabled"];
    const answer = await client.outgoing.enable(input.zoneId, at);
    return [answer, "updated", input.zoneId, "enabled outgoing transfers (NOTIFY requested)"];
  });
  return { steps, tsig, peer, outgoing };
}

type Step<T> = Promise<[T, StepOutcome, string, string]>;
type At = { accountId: string | undefined; signal: AbortSignal | undefined };

async function ensureTsig(
  client: SecondaryDnsClient,
  wanted: NonNullable<SetupInput["tsig"]>,
  at: At,
): Step<Tsig> {
  const algo = wanted.algo ?? DEFAULT_TSIG_ALGO;
  const found = (await client.tsigs.list(at)).find((t) => sameName(t.name, wanted.name));
  const label = `TSIG key ${wanted.name} (${algo})`;
  if (!found) {
    const body = { name: wanted.name, algo, secret: wanted.secret ?? newTsigSecret(algo) };
    const created = await client.tsigs.create(body, at);
    return [created, "created", created.id, `created ${label}`];
  }
  const secretDiffers = wanted.secret !== undefined && wanted.secret !== found.secret;
  if (found.algo === algo && !secretDiffers)
    return [found, "unchanged", found.id, `found ${label}`];
  // A new algorithm needs a secret of its length; a given secret replaces the old one.
  const body = { name: found.name, algo, secret: wanted.secret ?? newTsigSecret(algo) };
  const updated = await client.tsigs.update(found.id, body, at);
  return [updated, "updated", updated.id, `updated ${label}: new secret`];
}

async function ensurePeer(
  client: SecondaryDnsClient,
  wanted: SetupInput["peer"],
  port: number,
  tsig: Tsig | null,
  at: At,
): Step<Peer> {
  const tsigId = tsig?.id;
  const where = `${wanted.ip} port ${port}`;
  const found = (await client.peers.list(at)).find(
    (p) => p.ip === wanted.ip && (p.port ?? DEFAULT_PEER_PORT) === port,
  );
  if (!found) {
    const body = {
      name: wanted.name ?? `secondary ${where}`,
      ip: wanted.ip,
      port,
      ...(tsigId ? { tsig_id: tsigId } : {}),
    };
    const created = await client.peers.create(body, at);
    return [created, "created", created.id, `created peer "${created.name}" at ${where}`];
  }
  const name = wanted.name ?? found.name;
  if ((found.tsig_id ?? undefined) === tsigId && found.name === name)
    return [found, "unchanged", found.id, `found peer "${found.name}" at ${where}`];
  const { id, tsig_id: _old, ...rest } = found;
  const body = { ...rest, name, ...(tsigId ? { tsig_id: tsigId } : {}) };
  const updated = await client.peers.update(id, body, at);
  const why = tsigId ? `now signed with ${tsig!.name}` : "no key";
  return [updated, "updated", updated.id, `updated peer "${updated.name}" at ${where}: ${why}`];
}

async function ensureOutgoing(
  client: SecondaryDnsClient,
  input: SetupInput,
  peer: Peer,
  at: At,
): Step<OutgoingZone> {
  const zone = input.zoneId;
  const found = await client.outgoing.get(zone, at).catch((error: unknown) => {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  });
  if (!found) {
    const created = await client.outgoing.create(
      zone,
      { name: input.zoneName, peers: [peer.id] },
      at,
    );
    return [created, "created", zone, `created the configuration of ${input.zoneName}`];
  }
  const listed = found.peers.includes(peer.id);
  if (listed && sameName(found.name, input.zoneName))
    return [found, "unchanged", zone, `${found.name} already lists the peer`];
  const peers = listed ? found.peers : [...found.peers, peer.id];
  const updated = await client.outgoing.update(zone, { name: input.zoneName, peers }, at);
  return [updated, "updated", zone, `${input.zoneName} now lists the peer`];
}
