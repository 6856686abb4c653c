/**
 * `apply`: reads what exists, plans, then makes each change in the plan's order
 * (keys, peers, ACLs, zone configurations, enable/disable, then deletions in
 * reverse; a zone switching between outgoing and incoming loses its old
 * configuration just before it gets the new one), one call at a time. References are resolved to ids as it goes, so
 * a peer created here can name a key created a step before.
 *
 * Idempotent: a second run plans nothing. A failure stops at that step and the
 * result says what was done and what was not; since every run plans from what
 * exists, running it again continues where it stopped.
 *
 * A secret is read from its reference only for a key to create or whose
 * secret differs; missing then, that step fails before anything is sent for it.
 */
import type { CallOptions, PeerInput, SecondaryDnsClient, TsigInput } from "../index.js";
import type { DeclaredPeer, DeclaredZone, ReadFile, TransfersConfig } from "./format.js";
import { comparePlan, liveStateOf, type Change, type Plan, type PlanOptions } from "./plan.js";
import { describeRef, readSecret, type SecretSources } from "./secrets.js";
import type { LiveState } from "./state.js";

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
  const { accountId, state } = await liveStateOf(client, file, options);
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

/** The create, update and delete of an account resource (client.tsigs, .peers, .acls). */
interface AccountApi<Body> {
  create(body: Body, options?: CallOptions): Promise<{ id: string; name: string }>;
  update(id: string, body: Body, options?: CallOptions): Promise<{ id: string; name: string }>;
  delete(id: string, options?: CallOptions): Promise<{ id: string }>;
}

/** One change of an account resource; `body` is built only for a create or update. */
async function accountStep<Body>(
  api: AccountApi<Body>,
  change: Change,
  body: () => Body | Promise<Body>,
  call: CallOptions,
  made: (name: string, id: string) => void = () => {},
): Promise<StepResult> {
  if (change.action === "delete") return { id: (await api.delete(change.id!, call)).id };
  const input = await body();
  const result = change.id
    ? await api.update(change.id, input, call)
    : await api.create(input, call);
  made(result.name, result.id);
  return { id: result.id };
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
  const named = <T extends { name: string }>(list: T[] | undefined, name: string) =>
    list!.find((item) => item.name === name)!;
  const bodies = zoneBodies((name) => idOf("peer", name));
  return async (change: Change): Promise<StepResult> => {
    switch (change.kind) {
      case "tsig": {
        const body = () => tsigBody(client, config, change, sources, call);
        return accountStep(client.tsigs, change, body, call, (n, id) => ids.tsig.set(n, id));
      }
      case "peer": {
        const body = () => peerBody(named(config.peers, change.name), (n) => idOf("tsig", n));
        return accountStep(client.peers, change, body, call, (n, id) => ids.peer.set(n, id));
      }
      case "acl": {
        const body = () => {
          const { name, ip_range } = named(config.acls, change.name);
          return { name, ip_range };
        };
        return accountStep(client.acls, change, body, call);
      }
      case "outgoing":
        return zoneStep(client.outgoing, change, bodies.outgoing, config, options.signal);
      case "incoming":
        return zoneStep(client.incoming, change, bodies.incoming, config, options.signal);
      case "transfers":
        await client.outgoing[change.action === "enable" ? "enable" : "disable"](change.name, {
          signal: options.signal,
        });
        return {};
    }
  };
}

/** A peer's body: the file's fields, its key's id; a field left out is cleared, as PUT does. */
function peerBody(peer: DeclaredPeer, tsigId: (name: string) => string): PeerInput {
  return {
    name: peer.name,
    ...(peer.ip !== undefined ? { ip: peer.ip } : {}),
    ...(peer.port !== undefined ? { port: peer.port } : {}),
    ixfr_enable: peer.ixfr_enable ?? false,
    ...(peer.tsig !== undefined ? { tsig_id: tsigId(peer.tsig) } : {}),
  };
}

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

/** The create, update and delete of a zone's configuration (client.outgoing, .incoming). */
interface ZoneApi<Body> {
  create(zoneId: string, body: Body, options?: CallOptions): Promise<{ id: string }>;
  update(zoneId: string, body: Body, options?: CallOptions): Promise<{ id: string }>;
  delete(zoneId: string, options?: CallOptions): Promise<{ id: string }>;
}

/** One change of a zone's configuration (the change's name is the zone id). */
async function zoneStep<Body>(
  api: ZoneApi<Body>,
  change: Change,
  body: (zone: DeclaredZone) => Body,
  config: TransfersConfig,
  signal: AbortSignal | undefined,
): Promise<StepResult> {
  const zoneId = change.name;
  if (change.action === "delete") return { id: (await api.delete(zoneId, { signal })).id };
  const input = body(config.zones!.find((z) => z.id === zoneId)!);
  const made =
    change.action === "create"
      ? await api.create(zoneId, input, { signal })
      : await api.update(zoneId, input, { signal });
  return { id: made.id };
}

/** The bodies of a zone's outgoing and incoming configurations, peers by id. */
function zoneBodies(peerId: (name: string) => string) {
  return {
    outgoing: ({ outgoing }: DeclaredZone) => ({
      name: outgoing!.name,
      peers: outgoing!.peers.map(peerId),
    }),
    incoming: ({ incoming }: DeclaredZone) => ({
      name: incoming!.name,
      peers: incoming!.peers.map(peerId),
      auto_refresh_seconds: incoming!.auto_refresh_seconds,
    }),
  };
}
