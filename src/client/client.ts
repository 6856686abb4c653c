/**
 * createSecondaryDnsClient: the package's entry point. Web-standard APIs only
 * (fetch, URL, Headers, AbortSignal), so it runs on Node, Deno, Bun, Workers
 * and browsers. Its resources are the generated operation functions
 * (generated/client/, one module per resource) with a core bound to each, so a
 * resource added to the spec is on the client with nothing written here.
 */
import { RESOURCES } from "../../generated/client/resources.js";
import type { SecondaryDnsResources } from "../../generated/client/index.js";
import { clientParts, createParts, type SecondaryDnsCore } from "./core.js";
import type { ClientOptions } from "./options.js";

/** Every resource of the spec, each method bound to the client's core. */
export interface SecondaryDnsClient extends SecondaryDnsCore, SecondaryDnsResources {}

/** A table of operation functions, `(core, ...args)`, with the core bound: `(...args)`. */
type Bound<T> = {
  readonly [K in keyof T]: T[K] extends (core: SecondaryDnsCore, ...args: infer A) => infer R
    ? (...args: A) => R
    : Bound<T[K]>;
};

/** Binds `core` to every function of a table, and of the groups inside it, into `out`. */
function bind<T extends object>(core: SecondaryDnsCore, table: T, out: object = {}): Bound<T> {
  for (const [key, value] of Object.entries(table)) {
    (out as Record<string, unknown>)[key] =
      typeof value === "function"
        ? (...args: unknown[]) => (value as (...all: unknown[]) => unknown)(core, ...args)
        : bind(core, value as object);
  }
  return out as Bound<T>;
}

/**
 * Creates a client. Throws a ValidationError at once when the options are wrong
 * (no credentials, both kinds of credentials, an http:// base URL off loopback...).
 */
export function createSecondaryDnsClient(options: ClientOptions = {}): SecondaryDnsClient {
  const parts = createParts(options);
  const client = {} as SecondaryDnsClient;
  // The compiler checks here that the generated functions match SecondaryDnsResources.
  const bound: SecondaryDnsResources = bind(client, RESOURCES, client);
  clientParts.set(bound, parts);
  return client;
}
