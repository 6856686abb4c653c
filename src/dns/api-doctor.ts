/**
 * `outgoing doctor` as a function: reads the zone's outgoing configuration, its
 * status and each linked peer through the API (any object shaped like the
 * package's client), then asks the primary and every peer for the zone's SOA
 * serial (checkSecondaries). A program runs the same check as the CLI.
 */
import { setMaxListeners } from "node:events";
import {
  CLOUDFLARE_PRIMARY,
  checkSecondaries,
  doctorExitCode,
  parseAddress,
  type DoctorPeer,
  type DoctorReport,
} from "./doctor.js";
import { isLoopbackAddress } from "./wire.js";

/**
 * What runDoctor reads of the client: `createSecondaryDnsClient(...)` fits.
 * `Zone` names more fields of the configuration a caller reads (the watcher: soa_serial).
 */
export interface DoctorClient<Zone = unknown> {
  outgoing: {
    get(
      zoneId: string,
      options?: { signal?: AbortSignal | undefined },
    ): Promise<{ name: string; peers: string[]; last_transferred_time: string } & Zone>;
    status(zoneId: string, options?: { signal?: AbortSignal | undefined }): Promise<string>;
  };
  peers: {
    get(
      peerId: string,
      options?: { accountId?: string | undefined; signal?: AbortSignal | undefined },
    ): Promise<{ id: string; name: string; ip?: string | undefined; port?: number | undefined }>;
  };
}

export interface RunDoctorOptions {
  /**
   * Where to ask for the primary's serial: `{ host, port }`; the text `--primary`
   * takes ("host:port", "[v6]:port", a bare IP for port 53), where text that is none
   * of these rejects with a RangeError before anything is sent; or a function,
   * called after the API reads, that says it (findPrimary's answer, learnt from the API).
   */
  primary:
    { host: string; port: number } | string | (() => Promise<{ host: string; port: number }>);
  /** The account of the zone's peers (peers are account-scoped). */
  accountId?: string | undefined;
  /** Per DNS query; default 3000. */
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /** For "since the last transfer"; default now. */
  now?: Date | undefined;
}

export interface ApiDoctorReport extends DoctorReport {
  /** The API's status of outgoing transfers ("Enabled", "Disabled"). */
  status: string;
  lastTransferredTime: string;
  /** Whole seconds from last_transferred_time to now (never negative). */
  secondsSinceLastTransfer: number;
  /** The exit code `outgoing doctor` ends with (DOCTOR_EXIT_CODES). */
  exitCode: number;
}

/** The API's side of doctor: the zone's configuration, its status and each linked peer. */
export interface OutgoingView<Zone> {
  zone: Zone;
  status: string;
  peers: DoctorPeer[];
}

/**
 * Reads the configuration and status, then each linked peer. `peers`, when given,
 * holds the peers already asked for (the watcher shares one map between the zones
 * of a round, so a peer linked to many zones is read once).
 */
export async function readOutgoing<Client extends DoctorClient<unknown>>(
  client: Client,
  zoneId: string,
  options: Pick<RunDoctorOptions, "accountId" | "signal"> & {
    peers?: Map<string, Promise<DoctorPeer>> | undefined;
  },
): Promise<OutgoingView<Awaited<ReturnType<Client["outgoing"]["get"]>>>> {
  const call = { signal: options.signal };
  const [zone, status] = await Promise.all([
    client.outgoing.get(zoneId, call) as Promise<Awaited<ReturnType<Client["outgoing"]["get"]>>>,
    client.outgoing.status(zoneId, call),
  ]);
  const known = options.peers ?? new Map<string, Promise<DoctorPeer>>();
  const peersCall = sharedSignal(options.signal, zone.peers.length);
  const getPeer = (id: string): Promise<DoctorPeer> => {
    let peer = known.get(id);
    if (!peer) {
      peer = client.peers
        .get(id, { signal: peersCall.signal, accountId: options.accountId })
        .then((p) => ({ id: p.id, name: p.name, ip: p.ip ?? null, port: p.port ?? null }));
      known.set(id, peer);
    }
    return peer;
  };
  const peers = await Promise.all(zone.peers.map(getPeer)).finally(peersCall.done);
  return { zone, status, peers };
}

export async function runDoctor(
  client: DoctorClient,
  zoneId: string,
  options: RunDoctorOptions,
): Promise<ApiDoctorReport> {
  const given =
    typeof options.primary === "string" ? parseAddress(options.primary) : options.primary;
  const { zone, status, peers } = await readOutgoing(client, zoneId, options);
  const primary = typeof given === "function" ? await given() : given;
  const report = await checkSecondaries({
    zone: zone.name,
    primary,
    peers,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  return {
    ...report,
    status,
    lastTransferredTime: zone.last_transferred_time,
    secondsSinceLastTransfer: secondsSince(zone.last_transferred_time, options.now ?? new Date()),
    exitCode: doctorExitCode(report, status === "Enabled"),
  };
}

/** Whole seconds from an ISO time to `now`: never negative, 0 for a time that cannot be read. */
export function secondsSince(time: string, now: Date): number {
  const since = Math.max(0, Math.floor((now.getTime() - Date.parse(time)) / 1000));
  return Number.isFinite(since) ? since : 0;
}

/**
 * A signal for `calls` API calls at once, that aborts with the caller's. Each
 * call listens on its signal while it runs, so a zone with more than 10 peers
 * would pass Node's default of 10 listeners and print MaxListenersExceededWarning
 * (meant to catch leaks, and this is none). The caller's signal keeps its limit:
 * the raised one is on a signal of our own, which listens to the caller's once.
 * `done` stops that listening.
 */
function sharedSignal(
  signal: AbortSignal | undefined,
  calls: number,
): { signal: AbortSignal | undefined; done: () => void } {
  if (!signal) return { signal, done: () => {} };
  const own = new AbortController();
  setMaxListeners(calls + 10, own.signal);
  const abort = () => own.abort(signal.reason);
  if (signal.aborted) abort();
  else signal.addEventListener("abort", abort, { once: true });
  return { signal: own.signal, done: () => signal.removeEventListener("abort", abort) };
}

/** "3 s", "2 min 5 s", "4 h 10 min", "3 d 2 h": how long ago, for people. */
export function formatAge(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/**
 * The response header the emulator sends on every API answer: the address of its
 * DNS primary ("127.0.0.1:5353", "[::1]:5353"), or "none" when it serves no DNS.
 * Cloudflare's API never sends it.
 */
export const EMULATOR_DNS_HEADER = "cf-secondary-dns-emulator-dns";

/** Where the primary is, and how that was found. */
export interface FoundPrimary {
  host: string;
  port: number;
  /** "given" (--primary or the caller), "emulator" (its header), "cloudflare" (the default). */
  from: "given" | "emulator" | "cloudflare";
}

/** The primary cannot be known without being told: the message names what to give. */
export class PrimaryUnknownError extends Error {
  override name = "PrimaryUnknownError";
}

export interface FindPrimaryOptions {
  /** The API's base URL, as the client uses it (default Cloudflare's). */
  baseUrl: string;
  /** Milliseconds the question to the API may take; default 5000. */
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  fetch?: typeof globalThis.fetch | undefined;
}

/**
 * Where the zone's primary answers DNS, for an API at `baseUrl`: Cloudflare's
 * transfer address for Cloudflare's API (nothing is asked); otherwise one GET of
 * the base URL, without credentials, whose EMULATOR_DNS_HEADER names the
 * emulator's DNS address. An API on loopback that does not name one throws a
 * PrimaryUnknownError: a loopback API is never Cloudflare, so its primary is
 * never Cloudflare's. Resolves to undefined when the API did not answer (the
 * caller's own requests will say so); another host without the header is taken
 * for a gateway in front of Cloudflare.
 */
export async function findPrimary(options: FindPrimaryOptions): Promise<FoundPrimary | undefined> {
  const url = new URL(options.baseUrl);
  if (url.origin === "https://api.cloudflare.com")
    return { ...CLOUDFLARE_PRIMARY, from: "cloudflare" };
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const loopback = host === "localhost" || isLoopbackAddress(host);
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 5000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let advertised: string | null;
  try {
    const answer = await (options.fetch ?? globalThis.fetch)(options.baseUrl, { signal });
    advertised = answer.headers.get(EMULATOR_DNS_HEADER);
    await answer.body?.cancel();
  } catch {
    if (options.signal?.aborted) throw options.signal.reason;
    return undefined;
  }
  if (advertised === null) {
    if (!loopback) return { ...CLOUDFLARE_PRIMARY, from: "cloudflare" };
    throw new PrimaryUnknownError(
      `the API at ${url.host} is on loopback, so it is not Cloudflare's, and it does not say where its DNS primary is: give --primary HOST:PORT`,
    );
  }
  if (advertised === "none")
    throw new PrimaryUnknownError(
      `the emulator at ${url.host} serves no DNS (start it with a DNS port), or give --primary HOST:PORT`,
    );
  try {
    return { ...parseAddress(advertised), from: "emulator" };
  } catch {
    throw new PrimaryUnknownError(
      `the emulator at ${url.host} names its DNS primary as ${JSON.stringify(advertised.slice(0, 80))}, not an address: give --primary HOST:PORT`,
    );
  }
}
