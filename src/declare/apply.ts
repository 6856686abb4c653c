/**
 * `apply`: reads what exists, plans, then makes each change in the plan's order
 * (keys, peers, ACLs, zone configurations, enable/disable, then deletions in
 * reverse), one call at a time. References are resolved to ids as it goes, so
 * a peer created here can name a key created a step before.
 *
 * Idempotent: a second run plans nothing. A failure stops at that step and the
 * result says what was done and what was not; since every run plans from what
 * exists, running it again continues where it stopped.
 *
 * A secret is read from its reference only for a key to create or whose
 * secret differs; missing then, that step fails before anything is sent for it.
 */
import type { SecondaryDnsClient, TsigInput } from "../index.js";
import type { DeclaredPeer, ReadFile, TransfersConfig } from "./format.js";
import { comparePlan, type Change, type Plan, type PlanOptions } from "./plan.js";
import { describeRef, readSecret, type SecretSources } from "./secrets.js";
import { readState, type LiveState } from "./state.js";

export interface ApplyOptions extends PlanOptions {
  /** Told of each step once it is done (the CLI prints it). */
  onStep?: ((change: Change, result: StepResult) => void) | undefined;
  /** Decides, with the plan in hand, whether to go on (the CLI's confirmation); default yes. */
  confirm?: ((plan: Plan) => boolean | Promise<boolean>) | undefined;
}

export interface StepResult {
  /** The object's id after the step (a new id for a create). */
  id?: string | undefined;
}

export interface ApplyResult {
  plan: Plan;
  /** False when confirm said no: nothing was sent. */
  confirmed: boolean;
  done: Change[];
  /** The step that failed, and why; undefined when every step was made. */
  failed?: { change: Change; error: unknown } | undefined;
  /** The steps after the failed one, not attempted. */
  notDone: Change[];
}

/** A key whose secret must be sent, but whose reference gives none. */
export class SecretUnavailableError extends Error {
  override name = "SecretUnavailableError";
}

export async function apply(
  client: SecondaryDnsClient,
  file: ReadFile,
  options: ApplyOptions = {},
): Promise<ApplyResult> {
  const zoneIds = (file.config.zones ?? []).map((zone) => zone.id);
  const accountId = options.accountId ?? file.config.account;
  const state = await readState(client, zoneIds, { accountId, signal: options.signal });
  const plan = await comparePlan(state, file, options);
  const confirmed = plan.changes.length === 0 || (await (options.confirm?.(plan) ?? true));
  const result: ApplyResult = { plan, confirmed, done: [], notDone: [] };
  if (!confirmed) return result;
  const step = stepRunner(client, file, state, { ...options, accountId });
  for (const [index, change] of plan.changes.entries()) {
    try {
      const outcome = await step(change);
      result.done.push(change);
      options.onStep?.(change, outcome);
    } catch (error) {
      result.failed = { change, error };
      result.notDone = plan.changes.slice(index + 1);
      break;
    }
  }
  return result;
}

/** The function that makes one change, with the name-to-id maps it keeps up to date. */
function stepRunner(
  client: SecondaryDnsClient,
  file: ReadFile,
  state: LiveState,
  options: ApplyOptions & { accountId?: string | undefined },
) {
  const call = { accountId: options.accountId, signal: options.signal };
  const ids = {
    tsig: new Map(state.tsigs.map((t) => [t.name, t.id])),
    peer: new Map(state.peers.map((p) => [p.name, p.id])),
  };
  const config = file.config;
  const sources: SecretSources = { resolvePath: file.resolvePath, ...options };
  const idOf = (kind: "tsig" | "peer", name: string) => {
    const id = ids[kind].get(name);
    if (id === undefined) throw new Error(`no ${kind} named ${JSON.stringify(name)} exists`);
    return id;
  };
  const peerBody = (peer: DeclaredPeer) => ({
    name: peer.name,
    ...(peer.ip !== undefined ? { ip: peer.ip } : {}),
    ...(peer.port !== undefined ? { port: peer.port } : {}),
    ixfr_enable: peer.ixfr_enable ?? false,
    ...(peer.tsig !== undefined ? { tsig_id: idOf("tsig", peer.tsig) } : {}),
  });
  return async (change: Change): Promise<StepResult> => {
    switch (change.kind) {
      case "tsig": {
        if (change.action === "delete") return deleted(await client.tsigs.delete(change.id!, call));
        const body = await tsigBody(client, config, change, sources, call);
        const made = change.id
          ? await client.tsigs.update(change.id, body, call)
          : await client.tsigs.create(body, call);
        ids.tsig.set(made.name, made.id);
        return { id: made.id };
      }
      case "peer": {
        if (change.action === "delete") return deleted(await client.peers.delete(change.id!, call));
        const body = peerBody(config.peers!.find((p) => p.name === change.name)!);
        const made = change.id
          ? await client.peers.update(change.id, body, call)
          : await client.peers.create(body, call);
        ids.peer.set(made.name, made.id);
        return { id: made.id };
      }
      case "acl": {
        if (change.action === "delete") return deleted(await client.acls.delete(change.id!, call));
        const { name, ip_range } = config.acls!.find((a) => a.name === change.name)!;
        const made = change.id
          ? await client.acls.update(change.id, { name, ip_range }, call)
          : await client.acls.create({ name, ip_range }, call);
        return { id: made.id };
      }
      case "outgoing":
        return outgoingStep(client, config, change, (name) => idOf("peer", name), options.signal);
      case "transfers": {
        const signal = { signal: options.signal };
        if (change.action === "enable") await client.outgoing.enable(change.name, signal);
        else await client.outgoing.disable(change.name, signal);
        return {};
      }
    }
  };
}

const deleted = (answer: { id: string }): StepResult => ({ id: answer.id });

async function tsigBody(
  client: SecondaryDnsClient,
  config: TransfersConfig,
  change: Change,
  sources: SecretSources,
  call: { accountId?: string | undefined; signal?: AbortSignal | undefined },
): Promise<TsigInput> {
  const tsig = config.tsigs!.find((t) => t.name === change.name)!;
  if (!change.needsSecret) {
    // Only the algorithm changes: PUT takes the whole key, so the secret is sent back as it is.
    const current = await client.tsigs.get(change.id!, call);
    return { name: tsig.name, algo: tsig.algo, secret: current.secret };
  }
  const secret = await readSecret(tsig.secret, sources);
  if (secret === undefined) {
    const why = change.action === "create" ? "to create the key" : "to replace its secret";
    throw new SecretUnavailableError(
      `tsig ${JSON.stringify(tsig.name)}: ${describeRef(tsig.secret)} gives no secret, and one is needed ${why}`,
    );
  }
  return { name: tsig.name, algo: tsig.algo, secret };
}

async function outgoingStep(
  client: SecondaryDnsClient,
  config: TransfersConfig,
  change: Change,
  peerId: (name: string) => string,
  signal: AbortSignal | undefined,
): Promise<StepResult> {
  const zoneId = change.name;
  if (change.action === "delete") return deleted(await client.outgoing.delete(zoneId, { signal }));
  const wanted = config.zones!.find((z) => z.id === zoneId)!.outgoing!;
  const body = { name: wanted.name, peers: wanted.peers.map(peerId) };
  const made =
    change.action === "create"
      ? await client.outgoing.create(zoneId, body, { signal })
      : await client.outgoing.update(zoneId, body, { signal });
  return { id: made.id };
}
