/**
 * A local emulator of the API, for trying the CLI and testing your own code
 * without an Enterprise zone: `import { startEmulator } from "cf-secondary-dns/emulator"`.
 */
import { createServer, type Server } from "node:http";
import { isIP, type AddressInfo, type Socket } from "node:net";
import type { ZoneRecord } from "../dns/zone.js";
import { formatAddress, isLoopbackAddress, isPort } from "../dns/wire.js";
import { handleRequest, answerClientError, API_PREFIX, type Faults } from "./pipeline.js";
import { ZoneData, zoneRecords, type EmulatorEvent } from "./primary.js";
import { Secondary, pulledZones, type SecondaryController } from "./secondary.js";
import { outgoingRecords } from "./handlers/outgoing.js";
import { incomingRecords } from "./handlers/incoming.js";
import { dnsSettingsRecords } from "./handlers/dns-settings.js";
import { applySeed, exampleSeed, stateEntryProblem, type EmulatorSeed } from "./handlers/state.js";
import { HANDLERS, missingHandler } from "../../generated/handlers.js";
import { TIMEOUT_DEFAULTS } from "./defaults.js";
import { loadSpec, type LoadedSpec } from "./spec.js";
import { Store, type RecordChecks } from "./store.js";
import { checkZoneFiles } from "./zone-files.js";
import { ACCOUNT_COLLECTIONS, COLLECTIONS, type CollectionName } from "./collections.js";

export type { EmulatorSeed, EmulatorEvent };
export type { ZoneEvent } from "./primary.js";
export type {
  IncomingPrimary,
  IncomingZoneConfig,
  IncomingZoneState,
  SecondaryController,
  SecondaryEvent,
} from "./secondary.js";
export type { DnsEvent, ZoneRecord } from "../dns/index.js";

/** Where the last run listened, kept in the state so a restart can listen there again. */
const LISTENERS = { collection: COLLECTIONS.emulator, key: "listeners" } as const;
interface Listeners {
  port: number;
  dnsPort?: number;
}

function listenersProblem(record: unknown): string | undefined {
  const { port: http, dnsPort } = (record ?? {}) as Partial<Listeners>;
  if (!isPort(http) || (dnsPort !== undefined && !isPort(dnsPort)))
    return "must be { port, dnsPort? } with ports from 1 to 65535";
  return undefined;
}

/** Every collection of the state, with the check of its records. */
const RECORDS: RecordChecks = everyCollection({
  ...outgoingRecords,
  ...incomingRecords,
  ...dnsSettingsRecords,
  ...zoneRecords,
  ...pulledZones,
  [LISTENERS.collection]: (record: unknown) => listenersProblem(record),
  ...Object.fromEntries(
    ACCOUNT_COLLECTIONS.map((name) => [
      name,
      (record: unknown, key: string) => stateEntryProblem(name, key, record),
    ]),
  ),
});

/** The checks, once each of COLLECTIONS has one and nothing else does (a new collection adds its check above). */
function everyCollection(checks: RecordChecks): RecordChecks {
  const names: readonly string[] = Object.values(COLLECTIONS) satisfies CollectionName[];
  const missing = names.filter((name) => !Object.hasOwn(checks, name));
  const unknown = Object.keys(checks).filter((name) => !names.includes(name));
  if (missing.length > 0 || unknown.length > 0) {
    throw new Error(
      `emulator collections without a check of their records: ${missing.join(", ") || "none"}; checks of collections COLLECTIONS lacks: ${unknown.join(", ") || "none"}`,
    );
  }
  return checks;
}

/** The timeouts' defaults: a local emulator's clients are near, so seconds are plenty. */
export { TIMEOUT_DEFAULTS };

export interface EmulatorOptions {
  /** The port to listen on. Default: 0, a free port (read it from `url`). */
  port?: number | undefined;
  /** The address to listen on. Default: "127.0.0.1". */
  host?: string | undefined;
  /**
   * A JSON file that keeps the state across restarts. It is read at start (a
   * missing file means an empty state; its folder must exist) and replaced
   * atomically after every change. While this emulator runs, `<stateFile>.lock`
   * keeps other emulators from using the file. Default: none, the state lives
   * in memory only.
   */
  stateFile?: string | undefined;
  /**
   * The peers, TSIGs and ACLs, by account id, that an empty state starts with (a
   * state file with anything in it is kept as it is). Default: the spec's example
   * account 01a7362d577a6c3019a474fd6f485823 with the peers, TSIGs and ACLs its
   * examples show, so the API reference's samples run as written; `{}` for none.
   */
  seed?: EmulatorSeed | undefined;
  /** Milliseconds added before every answer. Default: 0. */
  latencyMs?: number | undefined;
  /** The share of requests, 0 to 1, answered 429 with Retry-After. Default: 0. */
  rateLimitShare?: number | undefined;
  /** The Retry-After of those 429s, in seconds. Default: 1. */
  retryAfterSeconds?: number | undefined;
  /**
   * The share of requests, 0 to 1, answered with a server error: half 500 with
   * an envelope, half 502 with a proxy's HTML page. Default: 0.
   */
  serverErrorShare?: number | undefined;
  /** The random source of the fault injection, in [0, 1). Default: Math.random. */
  random?: (() => number) | undefined;
  /**
   * Milliseconds a client may take to send a whole request, headers and body;
   * then it is answered 408 and disconnected. Default: 10000.
   */
  requestTimeoutMs?: number | undefined;
  /** Milliseconds a client may take to send a request's headers (at most requestTimeoutMs). Default: 5000. */
  headersTimeoutMs?: number | undefined;
  /** Milliseconds an idle kept-alive connection stays open after an answer. Default: 5000. */
  keepAliveTimeoutMs?: number | undefined;
  /**
   * Also serve the zones over DNS, UDP and TCP, on this port of the emulator's
   * host (which must then be loopback); 0 picks a free port (read it from `dns`).
   * Every API answer names it in the `cf-secondary-dns-emulator-dns` header
   * ("127.0.0.1:5353", or "none"), which `outgoing doctor` and `outgoing setup`
   * read. Default: no DNS server.
   */
  dnsPort?: number | undefined;
  /**
   * RFC 1035 zone files, by zone id: the records of each zone's outgoing
   * configuration (otherwise a minimal SOA + NS zone). Read at start; a file
   * that cannot be read or parsed stops the start with its name and line, and
   * so does one that is not a regular file (a FIFO, a device). A file that
   * changed since the state was saved raises the serial and sends NOTIFY.
   */
  zoneFiles?: Readonly<Record<string, string>> | undefined;
  /**
   * With a state file: listen on the ports (HTTP, and DNS when `dnsPort` is 0)
   * the state file's last run used, when `port`/`dnsPort` ask for any free port
   * and those are free again, so configurations printed then stay true; the
   * ports are kept in the state for the next start. Default: false.
   */
  reusePorts?: boolean | undefined;
  /**
   * Told of each unexpected error that a request is answered 500 for (a state
   * file that could not be written, a bug), as a line of text. Default:
   * `process.emitWarning`, which Node prints on stderr.
   */
  onWarning?: ((message: string) => void) | undefined;
  /** Called with each event of the log `events()` returns (DNS queries, transfers, NOTIFY, zone changes). */
  onEvent?: ((event: EmulatorEvent) => void) | undefined;
}

export interface Emulator {
  /** The base URL to give the client, e.g. http://127.0.0.1:41234/client/v4 */
  readonly url: string;
  readonly port: number;
  /** Where the DNS primary listens (UDP and TCP), when `dnsPort` was given. */
  readonly dns: { host: string; port: number } | undefined;
  /** The accounts whose peers, TSIGs or ACLs the state held at start (on a fresh start, the seed's). */
  readonly accountIds: readonly string[];
  /**
   * Replaces the records of a zone that has an outgoing configuration (one SOA
   * and an NS at the apex, names inside the zone; a ZoneDataError says which
   * record is wrong). Raises soa_serial (RFC 1982: the next one, or the records'
   * own SOA serial when later), saves, then sends NOTIFY while transfers are
   * enabled. Resolves to the new serial.
   */
  setRecords(zoneId: string, records: readonly ZoneRecord[]): Promise<number>;
  /**
   * Re-reads the zone files (each checked as at start: a bad one rejects naming
   * its file and line, and every zone keeps its records); a zone whose records
   * changed gets a new serial and NOTIFY.
   */
  reloadZoneFiles(): Promise<{ zoneId: string; serial: number; changed: boolean }[]>;
  /**
   * The last events (at most 1000, oldest first): DNS queries, transfers,
   * refusals, NOTIFY results (a NOTIFY to an address off loopback is
   * "skipped"), zone changes. Never holds a TSIG secret.
   */
  events(): EmulatorEvent[];
  /**
   * The emulator as a secondary (Cloudflare's incoming zones): configure a zone's
   * primaries and it pulls from them (loopback only) and serves the zone on the
   * DNS port; the incoming handlers drive it.
   */
  readonly secondary: SecondaryController;
  /** Stops listening, drops open connections, waits for the last save and frees the state file. */
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const faults = checkFaults(options);
  const spec = withHandlers(loadSpec());
  const timeouts = checkTimeouts(options);
  const host = options.host ?? "127.0.0.1";
  const dnsHost = checkDnsHost(options, host);
  const store = await Store.open(options.stateFile, RECORDS);
  const zones = new ZoneData({
    store,
    zoneFiles: options.zoneFiles ?? {},
    onEvent: options.onEvent,
  });
  const secondary = new Secondary({ store, log: (event) => zones.log(event) });
  zones.attachSecondary(secondary);
  const previous = options.reusePorts
    ? store.get<Listeners>(LISTENERS.collection, LISTENERS.key)
    : undefined;
  let dns: Awaited<ReturnType<ZoneData["startDns"]>> | undefined;
  let changed: string[] = [];
  try {
    applySeed(store, options.seed ?? exampleSeed());
    changed = await readZoneFiles(store, zones, options.zoneFiles ?? {});
    if (options.dnsPort !== undefined) {
      dns = await preferring(previous?.dnsPort, options.dnsPort, (port) =>
        zones.startDns(dnsHost, port),
      );
    }
  } catch (error) {
    await store.close();
    throw error;
  }
  const dnsAddress = dns ? formatAddress(dns.host, dns.port) : "none";
  const server = createServer(serverOptions(timeouts), (req, res) => {
    const pipeline = { spec, handlers: HANDLERS, store, faults, zones, secondary, dnsAddress };
    void handleRequest({ ...pipeline, warn: options.onWarning }, req, res);
  });
  server.on("clientError", (error: Error, socket: Socket) => answerClientError(error, socket));
  try {
    await preferring(previous?.port, options.port ?? 0, (port) => listen(server, port, host));
    if (options.reusePorts) await rememberPorts(store, server, dns);
  } catch (error) {
    server.close();
    await secondary.close();
    await zones.close();
    await store.close();
    throw error;
  }
  // Incoming zones the state holds: pulled again, then kept refreshed.
  secondary.resumeFrom(COLLECTIONS.incoming);
  // A zone file that changed while the emulator was stopped: its secondaries learn it now.
  for (const zoneId of changed) zones.notify(zoneId);
  const files = options.zoneFiles ?? {};
  return emulatorHandle({ server, host, dns, zones, secondary, store, files });
}

/** The spec, once every operation of it has a handler. */
function withHandlers(spec: LoadedSpec): LoadedSpec {
  // Every handler comes from generated/handlers.ts (one file per resource).
  const missing = spec.routes.map((r) => missingHandler(r.operationId, r.method, r.template));
  if (missing.some(Boolean)) throw new Error(missing.filter(Boolean).join("\n"));
  return spec;
}

/** The address the DNS primary listens on (the HTTP host, "localhost" as 127.0.0.1), once `dnsPort` and the host are fit for it. */
function checkDnsHost(options: EmulatorOptions, host: string): string {
  const dnsHost = host === "localhost" ? "127.0.0.1" : host;
  if (options.dnsPort !== undefined) {
    if (!Number.isInteger(options.dnsPort) || options.dnsPort < 0 || options.dnsPort > 65535)
      throw new RangeError("dnsPort must be a whole number from 0 to 65535");
    if (!isIP(dnsHost) || !isLoopbackAddress(dnsHost))
      throw new RangeError(
        `dnsPort needs a loopback host (127.0.0.0/8 or ::1): the emulator never serves DNS off this machine, and "${host}" is not loopback`,
      );
  }
  return dnsHost;
}

function emulatorHandle(parts: {
  server: Server;
  host: string;
  dns: { host: string; port: number } | undefined;
  zones: ZoneData;
  secondary: Secondary;
  store: Store;
  files: Readonly<Record<string, string>>;
}): Emulator {
  const { server, host, dns, zones, secondary, store, files } = parts;
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${formatAddress(host, port)}${API_PREFIX}`,
    port,
    dns: dns ? { host: dns.host, port: dns.port } : undefined,
    accountIds: accountIds(store),
    setRecords: (zoneId, records) => zones.setRecords(zoneId, records),
    async reloadZoneFiles() {
      await checkZoneFiles(files, (zoneId) => configOf(store, zoneId)?.name);
      return zones.reloadZoneFiles();
    },
    events: () => zones.events(),
    secondary,
    async close() {
      await secondary.close();
      await zones.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await store.close();
    },
  };
}

function serverOptions(timeouts: ReturnType<typeof checkTimeouts>) {
  return {
    requestTimeout: timeouts.requestTimeoutMs,
    headersTimeout: Math.min(timeouts.headersTimeoutMs, timeouts.requestTimeoutMs),
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    // How often Node looks for requests past their timeouts (its default is 30 s).
    connectionsCheckingInterval: Math.max(
      10,
      Math.min(
        1000,
        Math.floor(Math.min(timeouts.headersTimeoutMs, timeouts.requestTimeoutMs) / 4),
      ),
    ),
  };
}

/**
 * Checks the zone files (regular files, parsed: see zone-files.ts), then loads
 * them; resolves to the zones whose records changed since the state was saved.
 */
async function readZoneFiles(
  store: Store,
  zones: ZoneData,
  files: Readonly<Record<string, string>>,
): Promise<string[]> {
  const config = (zoneId: string) => configOf(store, zoneId);
  await checkZoneFiles(files, (zoneId) => config(zoneId)?.name);
  const before = new Map(Object.keys(files).map((id) => [id, config(id)?.soa_serial]));
  await zones.readFiles();
  return [...before].filter(([id, serial]) => config(id)?.soa_serial !== serial).map(([id]) => id);
}

function configOf(store: Store, zoneId: string) {
  return store.get<{ zone: { name: string; soa_serial: number } }>(COLLECTIONS.outgoing, zoneId)
    ?.zone;
}

/** Starts on the port the last run used when there is one and it is still free, else on `wanted`. */
async function preferring<T>(
  previous: number | undefined,
  wanted: number,
  start: (port: number) => Promise<T>,
): Promise<T> {
  if (previous !== undefined && wanted === 0) {
    try {
      return await start(previous);
    } catch {
      // taken by now: any free port will do
    }
  }
  return start(wanted);
}

async function rememberPorts(
  store: Store,
  server: Server,
  dns: { port: number } | undefined,
): Promise<void> {
  const { port } = server.address() as AddressInfo;
  const listeners: Listeners = dns ? { port, dnsPort: dns.port } : { port };
  const kept = store.get<Listeners>(LISTENERS.collection, LISTENERS.key);
  if (JSON.stringify(kept) === JSON.stringify(listeners)) return;
  store.set(LISTENERS.collection, LISTENERS.key, listeners);
  await store.save();
}

/** The accounts that hold peers, TSIGs or ACLs (the seeded one, on a fresh start). */
function accountIds(store: Store): string[] {
  const { collections } = store.snapshot();
  const ids = ACCOUNT_COLLECTIONS.flatMap((name) => Object.keys(collections[name] ?? {}));
  return [...new Set(ids)].sort();
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function checkTimeouts(options: EmulatorOptions) {
  const positive = (name: keyof typeof TIMEOUT_DEFAULTS) => {
    const value = options[name] ?? TIMEOUT_DEFAULTS[name];
    if (!(Number.isInteger(value) && value > 0 && value <= 2 ** 31 - 1)) {
      throw new RangeError(`${name} must be a whole number of milliseconds, 1 or more`);
    }
    return value;
  };
  return {
    requestTimeoutMs: positive("requestTimeoutMs"),
    headersTimeoutMs: positive("headersTimeoutMs"),
    keepAliveTimeoutMs: positive("keepAliveTimeoutMs"),
  };
}

function checkFaults(options: EmulatorOptions): Faults {
  const share = (value: number | undefined, name: string) => {
    if (value === undefined) return 0;
    if (!(value >= 0 && value <= 1)) throw new RangeError(`${name} must be a number from 0 to 1`);
    return value;
  };
  const nonNegative = (value: number | undefined, name: string, fallback: number) => {
    if (value === undefined) return fallback;
    if (!(Number.isFinite(value) && value >= 0))
      throw new RangeError(`${name} must be a number of 0 or more`);
    return value;
  };
  const faults: Faults = {
    latencyMs: nonNegative(options.latencyMs, "latencyMs", 0),
    rateLimitShare: share(options.rateLimitShare, "rateLimitShare"),
    serverErrorShare: share(options.serverErrorShare, "serverErrorShare"),
    retryAfterSeconds: Math.round(nonNegative(options.retryAfterSeconds, "retryAfterSeconds", 1)),
    random: options.random ?? Math.random,
  };
  if (faults.rateLimitShare + faults.serverErrorShare > 1) {
    throw new RangeError("rateLimitShare and serverErrorShare must add up to 1 at most");
  }
  return faults;
}
