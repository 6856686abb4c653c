/**
 * A local emulator of the API, for trying the CLI and testing your own code
 * without an Enterprise zone: `import { startEmulator } from "cf-secondary-dns/emulator"`.
 */
import { createServer, type Server } from "node:http";
import { isIP, type AddressInfo, type Socket } from "node:net";
import type { ZoneRecord } from "../dns/zone.js";
import { isLoopbackAddress } from "../dns/wire.js";
import { handleRequest, answerClientError, API_PREFIX, type Faults } from "./pipeline.js";
import { ZoneData, zoneRecords, type EmulatorEvent } from "./primary.js";
import type { ResourceHandlers } from "./resource.js";
import { aclHandlers } from "./resources/acls.js";
import { outgoingHandlers, outgoingRecords } from "./resources/outgoing.js";
import { peerHandlers } from "./resources/peers.js";
import { applySeed, exampleSeed, stateEntryProblem, type EmulatorSeed } from "./resources/state.js";
import { tsigHandlers } from "./resources/tsigs.js";
import { loadSpec } from "./spec.js";
import { Store, type RecordChecks } from "./store.js";

/** Every resource's handlers; a new resource adds its file here. */
const HANDLERS: ResourceHandlers = {
  ...outgoingHandlers,
  ...peerHandlers,
  ...tsigHandlers,
  ...aclHandlers,
};
export type { EmulatorSeed, EmulatorEvent };
export type { ZoneEvent } from "./primary.js";
export type { DnsEvent, ZoneRecord } from "../dns/index.js";

/** Every collection of the state, with the check of its records; a new resource adds its own. */
const RECORDS: RecordChecks = {
  ...outgoingRecords,
  ...zoneRecords,
  ...Object.fromEntries(
    (["peers", "tsigs", "acls"] as const).map((name) => [
      name,
      (record: unknown, key: string) => stateEntryProblem(name, key, record),
    ]),
  ),
};

/** The timeouts' defaults: a local emulator's clients are near, so seconds are plenty. */
export const TIMEOUT_DEFAULTS = {
  requestTimeoutMs: 10_000,
  headersTimeoutMs: 5_000,
  keepAliveTimeoutMs: 5_000,
} as const;

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
   * that cannot be read or parsed stops the start with its name and line.
   */
  zoneFiles?: Readonly<Record<string, string>> | undefined;
  /** Called with each event of the log `events()` returns (DNS queries, transfers, NOTIFY, zone changes). */
  onEvent?: ((event: EmulatorEvent) => void) | undefined;
}

export interface Emulator {
  /** The base URL to give the client, e.g. http://127.0.0.1:41234/client/v4 */
  readonly url: string;
  readonly port: number;
  /** Where the DNS primary listens (UDP and TCP), when `dnsPort` was given. */
  readonly dns: { host: string; port: number } | undefined;
  /**
   * Replaces the records of a zone that has an outgoing configuration (one SOA
   * and an NS at the apex, names inside the zone; a ZoneDataError says which
   * record is wrong). Raises soa_serial (RFC 1982: the next one, or the records'
   * own SOA serial when later), saves, then sends NOTIFY while transfers are
   * enabled. Resolves to the new serial.
   */
  setRecords(zoneId: string, records: readonly ZoneRecord[]): Promise<number>;
  /** Re-reads the zone files; a zone whose records changed gets a new serial and NOTIFY. */
  reloadZoneFiles(): Promise<{ zoneId: string; serial: number; changed: boolean }[]>;
  /**
   * The last events (at most 1000, oldest first): DNS queries, transfers,
   * refusals, NOTIFY results (a NOTIFY to an address off loopback is
   * "skipped"), zone changes. Never holds a TSIG secret.
   */
  events(): EmulatorEvent[];
  /** Stops listening, drops open connections, waits for the last save and frees the state file. */
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const faults = checkFaults(options);
  const spec = loadSpec();
  const missing = spec.routes.filter((route) => !HANDLERS[route.operationId]);
  if (missing.length > 0) {
    throw new Error(`no emulator handler for ${missing.map((r) => r.operationId).join(", ")}`);
  }
  const timeouts = checkTimeouts(options);
  const host = options.host ?? "127.0.0.1";
  const dnsHost = host === "localhost" ? "127.0.0.1" : host;
  if (options.dnsPort !== undefined) {
    if (!Number.isInteger(options.dnsPort) || options.dnsPort < 0 || options.dnsPort > 65535)
      throw new RangeError("dnsPort must be a whole number from 0 to 65535");
    if (!isIP(dnsHost) || !isLoopbackAddress(dnsHost))
      throw new RangeError(
        `dnsPort needs a loopback host (127.0.0.0/8 or ::1): the emulator never serves DNS off this machine, and "${host}" is not loopback`,
      );
  }
  const store = await Store.open(options.stateFile, RECORDS);
  const zones = new ZoneData({
    store,
    zoneFiles: options.zoneFiles ?? {},
    onEvent: options.onEvent,
  });
  let dns: Awaited<ReturnType<ZoneData["startDns"]>> | undefined;
  try {
    applySeed(store, options.seed ?? exampleSeed());
    await zones.readFiles();
    if (options.dnsPort !== undefined) dns = await zones.startDns(dnsHost, options.dnsPort);
  } catch (error) {
    await store.close();
    throw error;
  }
  const dnsAddress = dns ? formatAddress(dns.host, dns.port) : "none";
  const server = createServer(
    {
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
    },
    (req, res) => {
      void handleRequest({ spec, handlers: HANDLERS, store, faults, zones, dnsAddress }, req, res);
    },
  );
  server.on("clientError", (error: Error, socket: Socket) => answerClientError(error, socket));
  try {
    await listen(server, options.port ?? 0, host);
  } catch (error) {
    await zones.close();
    await store.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}${API_PREFIX}`,
    port,
    dns: dns ? { host: dns.host, port: dns.port } : undefined,
    setRecords: (zoneId, records) => zones.setRecords(zoneId, records),
    reloadZoneFiles: () => zones.reloadZoneFiles(),
    events: () => zones.events(),
    async close() {
      await zones.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await store.close();
    },
  };
}

/** "127.0.0.1:5353", "[::1]:5353": as `--primary` reads it. */
function formatAddress(host: string, port: number): string {
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
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
