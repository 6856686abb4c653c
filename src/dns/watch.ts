/**
 * `outgoing doctor --watch` as a library: watches several zones' secondaries
 * all the time and keeps their state in Prometheus metrics (metrics.ts).
 *
 * Each tick asks the primary and every peer for the SOA serial, in parallel,
 * with the one-shot doctor's checkSecondaries; the API (configuration, status,
 * peers: readOutgoing) is read at start and every `apiEvery` ticks, in the
 * background, so a fleet stays under the rate limits. A 429, a 5xx or no answer
 * from the API stretches that cadence (doubling, up to 16 times) and never stops
 * the watch. Callers hear of each change of state, never of each tick.
 */
import { checkSecondaries, type DoctorPeer, type DoctorReport, type PeerCheck } from "./doctor.js";
import { readOutgoing, secondsSince, type DoctorClient } from "./api-doctor.js";
import {
  createWatchMetrics,
  removePeerSeries,
  WATCH_STATES,
  type PeerLabels,
  type WatchMetrics,
  type WatchState,
  type ZoneLabels,
} from "./metrics.js";

export { createWatchMetrics, WATCH_STATES, type WatchMetrics, type WatchState } from "./metrics.js";

/** What the watcher reads of the client: `createSecondaryDnsClient(...)` fits. */
export type WatchClient = DoctorClient<{ soa_serial: number }>;

export interface WatchOptions {
  zoneIds: readonly string[];
  /** Where to ask for the primary's serial. */
  primary: { host: string; port: number };
  /** The account of the zones' peers. */
  accountId?: string | undefined;
  /** Milliseconds between the starts of two ticks. */
  intervalMs: number;
  /** Per DNS query; default 3000. */
  timeoutMs?: number | undefined;
  /** Read the API every this many ticks (and at start); default 5. */
  apiEvery?: number | undefined;
  /** Default: a fresh registry from createWatchMetrics(). */
  metrics?: WatchMetrics | undefined;
  /** Called once per change of state (a peer's, the primary's, the API's, transfers enabled). */
  onChange?: ((change: WatchChange) => void) | undefined;
  /** Default Date.now. */
  now?: (() => number) | undefined;
}

/** One change of state. `from` is null the first time a subject is seen. */
export interface WatchChange {
  time: string;
  zone_id: string;
  /** The zone's name, once the API has given it. */
  zone?: string;
  subject: "api" | "outgoing" | "primary" | "peer";
  peer?: string;
  peer_id?: string;
  address?: string;
  from: string | null;
  to: string;
  serial?: number;
  primary_serial?: number;
  /** One sentence, for people; holds no credential. */
  detail: string;
}

interface PeerWatch {
  labels: PeerLabels;
  state?: WatchState;
  lastInSyncAt?: number;
  /** The last serial whose propagation was observed (or that was there at start). */
  propagated?: number;
}

interface ZoneWatch {
  id: string;
  view?: { name: string; peers: DoctorPeer[]; lastTransferredTime: string; enabled: boolean };
  /** The last state of each zone-level subject (api, outgoing, primary), to tell changes. */
  states: Map<string, string>;
  /** The primary's current serial and when it was first seen; `initial` when seen at start. */
  seen?: { serial: number; at: number; initial: boolean };
  peers: Map<string, PeerWatch>;
}

/** How a DoctorReport's peer states are named in metrics and change lines. */
const STATE_NAMES: Record<PeerCheck["state"], WatchState> = {
  "in-sync": "in_sync",
  behind: "behind",
  ahead: "ahead",
  "not-comparable": "not_comparable",
  "not-compared": "not_compared",
  "no-answer": "no_answer",
  refused: "refused",
  "not-authoritative": "not_authoritative",
  unreachable: "unreachable",
  "bad-response": "bad_answer",
  "no-ip": "no_ip",
};

/** States that mean the probe got no serial: counted in probe_errors_total. */
const ANSWERED: readonly WatchState[] = [
  "in_sync",
  "behind",
  "ahead",
  "not_comparable",
  "not_compared",
];
const PROBE_ERRORS = new Set(WATCH_STATES.filter((state) => !ANSWERED.includes(state)));

const MAX_BACKOFF = 16;
/** Zones read from the API at once during a round. */
const API_CONCURRENCY = 8;
/** Zones probed at once (each asks its primary and every peer): a fleet is not one burst. */
const PROBE_CONCURRENCY = 16;

export class ZoneWatcher {
  readonly metrics: WatchMetrics;
  readonly #client: WatchClient;
  readonly #options: WatchOptions;
  readonly #zones: ZoneWatch[];
  readonly #now: () => number;
  readonly #startedAt: number;
  #ticks = 0;
  #nextApiTick = 0;
  #backoff = 1;
  #apiRound: Promise<void> | undefined;
  #lastTickAt: number | undefined;
  /** run()'s signal: aborts the API calls in flight when the watch stops. */
  #signal: AbortSignal | undefined;

  constructor(client: WatchClient, options: WatchOptions) {
    this.#client = client;
    this.#options = options;
    this.metrics = options.metrics ?? createWatchMetrics();
    this.#now = options.now ?? Date.now;
    this.#startedAt = this.#now();
    this.#zones = [...new Set(options.zoneIds)].map((id) => ({
      id,
      peers: new Map(),
      states: new Map(),
    }));
  }

  /** When the last tick ended (for /healthz), or undefined before the first. */
  get lastTickAt(): number | undefined {
    return this.#lastTickAt;
  }

  /** One tick: starts an API round when due (waits for it while a zone has no view yet), then probes. */
  async tick(): Promise<void> {
    const tick = this.#ticks++;
    if (tick >= this.#nextApiTick && this.#apiRound === undefined) {
      this.#apiRound = this.#readApi(tick).finally(() => (this.#apiRound = undefined));
    }
    if (this.#apiRound && this.#zones.some((zone) => !zone.view)) await this.#apiRound;
    await eachLimited(this.#zones, PROBE_CONCURRENCY, (zone) => this.#probe(zone));
    this.#lastTickAt = this.#now();
  }

  /** Ticks every intervalMs until `signal` aborts; a tick that throws is reported, never fatal. */
  async run(signal: AbortSignal, onError: (error: unknown) => void = () => {}): Promise<void> {
    this.#signal = signal;
    while (!signal.aborted) {
      const started = this.#now();
      await this.tick().catch(onError);
      const wait = Math.max(0, this.#options.intervalMs - (this.#now() - started));
      await sleep(wait, signal);
    }
    await this.#apiRound;
  }

  /** One API round over every zone, a few at a time; stops early and backs off on 429, 5xx or no answer. */
  async #readApi(tick: number): Promise<void> {
    const peers = new Map<string, Promise<DoctorPeer>>(); // read once per round
    let throttled: number | undefined; // ms the API asked us to wait, or 0
    await eachLimited(this.#zones, API_CONCURRENCY, async (zone) => {
      if (throttled !== undefined) return; // the API said to back off: leave the rest
      const problem = await this.#readZone(zone, peers);
      if (problem !== undefined) throttled = Math.max(throttled ?? 0, problem);
    });
    this.#backoff = throttled === undefined ? 1 : Math.min(MAX_BACKOFF, this.#backoff * 2);
    const every = this.#options.apiEvery ?? 5;
    const asked = Math.ceil((throttled ?? 0) / this.#options.intervalMs);
    // Counted from the tick the round began, so a slow round does not stretch the cadence.
    this.#nextApiTick = tick + Math.max(every * this.#backoff, asked);
  }

  /** Reads one zone; resolves to a wait in ms when the API says to back off, else undefined. */
  async #readZone(
    zone: ZoneWatch,
    peers: Map<string, Promise<DoctorPeer>>,
  ): Promise<number | undefined> {
    try {
      const read = await readOutgoing(this.#client, zone.id, {
        accountId: this.#options.accountId,
        signal: this.#signal,
        peers,
      });
      this.#apply(zone, read.zone, read.status === "Enabled", read.peers);
      this.#change(zone, { subject: "api", to: "ok", detail: "the API answered" });
      return undefined;
    } catch (error) {
      if (this.#signal?.aborted) return undefined; // stopping: not the API's trouble
      const { state, wait } = apiTrouble(error);
      // The configuration is gone: stop probing it and drop its series.
      if (state === "error_404" && zone.view) this.#dropZone(zone);
      this.#change(zone, { subject: "api", to: state, detail: describeError(error) });
      return wait;
    }
  }

  #apply(
    zone: ZoneWatch,
    data: { name: string; soa_serial: number; last_transferred_time: string },
    enabled: boolean,
    peers: DoctorPeer[],
  ): void {
    const old = zone.view;
    if (old && old.name !== data.name) this.#dropZone(zone);
    zone.view = {
      name: data.name,
      peers,
      lastTransferredTime: data.last_transferred_time,
      enabled,
    };
    const linked = new Set(peers.map((peer) => peer.id));
    for (const [id, peer] of zone.peers) {
      if (!linked.has(id)) {
        removePeerSeries(this.metrics, peer.labels);
        zone.peers.delete(id);
      }
    }
    const labels = zoneLabels(zone);
    this.metrics.apiSerial.set(labels, data.soa_serial);
    this.metrics.outgoingEnabled.set(labels, enabled ? 1 : 0);
    const to = enabled ? "enabled" : "disabled";
    this.#change(zone, { subject: "outgoing", to, detail: `outgoing transfers ${to}` });
  }

  #dropZone(zone: ZoneWatch): void {
    const labels = zoneLabels(zone);
    for (const gauge of [
      this.metrics.apiSerial,
      this.metrics.outgoingEnabled,
      this.metrics.primarySerial,
      this.metrics.lastTransferAge,
    ]) {
      gauge.remove(labels);
    }
    for (const peer of zone.peers.values()) removePeerSeries(this.metrics, peer.labels);
    zone.peers.clear();
    delete zone.view;
    delete zone.seen;
  }

  async #probe(zone: ZoneWatch): Promise<void> {
    const view = zone.view;
    if (!view) return;
    const report = await checkSecondaries({
      zone: view.name,
      primary: this.#options.primary,
      peers: view.peers,
      ...(this.#options.timeoutMs !== undefined ? { timeoutMs: this.#options.timeoutMs } : {}),
    });
    if (zone.view !== view) return; // the API changed the zone meanwhile: next tick
    const now = this.#now();
    const labels = zoneLabels(zone);
    this.metrics.lastTransferAge.set(labels, secondsSince(view.lastTransferredTime, new Date(now)));
    this.#recordPrimary(zone, report.primary, now);
    for (const check of report.peers) this.#recordPeer(zone, check, now);
  }

  #recordPrimary(zone: ZoneWatch, primary: DoctorReport["primary"], now: number): void {
    const labels = zoneLabels(zone);
    const state = primary.state === "answered" ? "answered" : STATE_NAMES[primary.state];
    if (primary.serial !== undefined) {
      this.metrics.primarySerial.set(labels, primary.serial);
      if (zone.seen?.serial !== primary.serial) {
        zone.seen = { serial: primary.serial, at: now, initial: zone.seen === undefined };
      }
    } else {
      this.metrics.primarySerial.remove(labels);
      this.metrics.probeErrors.inc({ zone_id: zone.id, peer: "primary", reason: state });
    }
    this.#change(zone, {
      subject: "primary",
      to: state,
      detail: `primary ${primary.target}: ${primary.detail}`,
      ...(primary.serial !== undefined ? { serial: primary.serial } : {}),
    });
  }

  #recordPeer(zone: ZoneWatch, check: PeerCheck, now: number): void {
    const state = STATE_NAMES[check.state];
    const peer = this.#peerWatch(zone, check);
    const { labels } = peer;
    const m = this.metrics;
    for (const name of WATCH_STATES) m.peerState.set({ ...labels, state: name }, +(name === state));
    const inSync = state === "in_sync";
    m.peerInSync.set(labels, inSync ? 1 : 0);
    if (check.serial !== undefined) m.peerSerial.set(labels, check.serial);
    else m.peerSerial.remove(labels);
    if (inSync || state === "behind") m.peerLag.set(labels, check.distance ?? 0);
    else m.peerLag.remove(labels);
    if (inSync) peer.lastInSyncAt = now;
    m.outOfSync.set(labels, inSync ? 0 : (now - (peer.lastInSyncAt ?? this.#startedAt)) / 1000);
    const seen = zone.seen;
    if (inSync && seen && check.serial === seen.serial && peer.propagated !== seen.serial) {
      if (!seen.initial) m.propagation.observe(labels, (now - seen.at) / 1000);
      peer.propagated = seen.serial;
    }
    if (PROBE_ERRORS.has(state))
      m.probeErrors.inc({ zone_id: zone.id, peer: labels.peer, reason: state });
    if (peer.state !== state) {
      this.#change(zone, {
        subject: "peer",
        from: peer.state ?? null,
        to: state,
        detail: check.detail,
        peer: labels.peer,
        peer_id: check.id,
        address: labels.address,
        ...(check.serial !== undefined ? { serial: check.serial } : {}),
        ...(seen ? { primary_serial: seen.serial } : {}),
      });
      peer.state = state;
    }
  }

  /** The peer's record, its series moved when its name or address changed. */
  #peerWatch(zone: ZoneWatch, check: PeerCheck): PeerWatch {
    const labels: PeerLabels = {
      ...zoneLabels(zone),
      peer: check.name ?? check.id,
      peer_id: check.id,
      address: check.target ?? "",
    };
    let peer = zone.peers.get(check.id);
    if (peer && (peer.labels.peer !== labels.peer || peer.labels.address !== labels.address)) {
      removePeerSeries(this.metrics, peer.labels);
      peer.labels = labels;
    }
    if (!peer) {
      peer = { labels };
      zone.peers.set(check.id, peer);
    }
    return peer;
  }

  /** Tells onChange when a zone-level subject (api, outgoing, primary) changes; peers call with `from`. */
  #change(
    zone: ZoneWatch,
    change: Omit<WatchChange, "time" | "zone_id" | "from"> & { from?: string | null },
  ): void {
    let from = change.from;
    if (change.subject !== "peer") {
      const previous = zone.states.get(change.subject);
      if (previous === change.to) return;
      zone.states.set(change.subject, change.to);
      from = previous ?? null;
    }
    this.#options.onChange?.({
      time: new Date(this.#now()).toISOString(),
      zone_id: zone.id,
      ...(zone.view ? { zone: zone.view.name } : {}),
      ...change,
      from: from ?? null,
    });
  }
}

function zoneLabels(zone: ZoneWatch): ZoneLabels {
  return { zone_id: zone.id, zone: zone.view?.name ?? "" };
}

/** The API's trouble as a state, and how long it asked us to wait (0: back off by the default). */
function apiTrouble(error: unknown): { state: string; wait: number | undefined } {
  const status = (error as { status?: unknown }).status;
  const retryAfter = (error as { retryAfterMs?: unknown }).retryAfterMs;
  const wait = typeof retryAfter === "number" ? retryAfter : 0;
  if (status === 429) return { state: "rate_limited", wait };
  if (typeof status === "number" && status >= 500) return { state: "server_error", wait };
  if (typeof status === "number") return { state: `error_${status}`, wait: undefined };
  return { state: "unreachable", wait: 0 };
}

/** The error's message: the client's errors never hold the token (they redact it). */
function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Runs `work` on every item, at most `limit` at a time. */
async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}

/**
 * A fetch that counts every HTTP request's status in `api_requests_total`
 * ("error" when no answer came). Give it to createSecondaryDnsClient as `fetch`.
 */
export function countingFetch(
  metrics: WatchMetrics,
  fetch: (input: Request, init?: RequestInit) => Promise<Response> = (input, init) =>
    globalThis.fetch(input, init),
): (input: Request, init?: RequestInit) => Promise<Response> {
  return async (input, init) => {
    try {
      const response = await fetch(input, init);
      metrics.apiRequests.inc({ status: String(response.status) });
      return response;
    } catch (error) {
      metrics.apiRequests.inc({ status: "error" });
      throw error;
    }
  };
}

export {
  nagiosCheck,
  nagiosUnknown,
  NAGIOS_CODES,
  type NagiosStatus,
  type NagiosThresholds,
} from "./nagios.js";
