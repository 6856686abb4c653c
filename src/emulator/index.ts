/**
 * A local emulator of the API, for trying the CLI and testing your own code
 * without an Enterprise zone: `import { startEmulator } from "cf-secondary-dns/emulator"`.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { handleRequest, API_PREFIX, type Faults } from "./pipeline.js";
import type { ResourceHandlers } from "./resource.js";
import { aclHandlers } from "./resources/acls.js";
import { outgoingHandlers } from "./resources/outgoing.js";
import { peerHandlers } from "./resources/peers.js";
import { applySeed, exampleSeed, stateEntryProblem, type EmulatorSeed } from "./resources/state.js";
import { tsigHandlers } from "./resources/tsigs.js";
import { loadSpec } from "./spec.js";
import { Store } from "./store.js";

/** Every resource's handlers; a new resource adds its file here. */
const HANDLERS: ResourceHandlers = {
  ...outgoingHandlers,
  ...peerHandlers,
  ...tsigHandlers,
  ...aclHandlers,
};
export type { EmulatorSeed };

export interface EmulatorOptions {
  /** The port to listen on. Default: 0, a free port (read it from `url`). */
  port?: number | undefined;
  /** The address to listen on. Default: "127.0.0.1". */
  host?: string | undefined;
  /**
   * A JSON file that keeps the state across restarts. It is read at start (a
   * missing file means an empty state) and replaced atomically after every
   * change. Default: none, the state lives in memory only.
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
}

export interface Emulator {
  /** The base URL to give the client, e.g. http://127.0.0.1:41234/client/v4 */
  readonly url: string;
  readonly port: number;
  /** Stops listening, drops open connections and waits for the last save. */
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const faults = checkFaults(options);
  const spec = loadSpec();
  const missing = spec.routes.filter((route) => !HANDLERS[route.operationId]);
  if (missing.length > 0) {
    throw new Error(`no emulator handler for ${missing.map((r) => r.operationId).join(", ")}`);
  }
  const store = await Store.open(options.stateFile);
  for (const [name, entries] of Object.entries(store.snapshot().collections)) {
    for (const [key, value] of Object.entries(entries)) {
      const problem = stateEntryProblem(name, key, value);
      if (problem) throw new Error(`the state file ${options.stateFile} is damaged: ${problem}`);
    }
  }
  applySeed(store, options.seed ?? exampleSeed());
  const server = createServer((req, res) => {
    void handleRequest({ spec, handlers: HANDLERS, store, faults }, req, res);
  });
  const host = options.host ?? "127.0.0.1";
  await listen(server, options.port ?? 0, host);
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}${API_PREFIX}`,
    port,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await store.settled();
    },
  };
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
