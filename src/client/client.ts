/**
 * createSecondaryDnsClient: the package's entry point. Web-standard APIs only
 * (fetch, URL, Headers, AbortSignal), so it runs on Node, Deno, Bun, Workers
 * and browsers.
 */
import { createCall } from "./call.js";
import { resolveOptions, type ClientOptions, type ResolvedOptions } from "./options.js";
import { createRedactor } from "./redact.js";
import { aclsResource, type AclsResource } from "./resources/acls.js";
import { outgoingResource, type OutgoingResource } from "./resources/outgoing.js";
import { peersResource, type PeersResource } from "./resources/peers.js";
import { tsigsResource, type TsigsResource } from "./resources/tsigs.js";
import { createTransport, type Transport } from "./transport.js";

export interface SecondaryDnsClient {
  /** Outgoing zone transfers: Cloudflare as primary, your nameservers as secondaries. */
  readonly outgoing: OutgoingResource;
  /** The account's peers: the nameservers NOTIFY goes to. Needs an account id. */
  readonly peers: PeersResource;
  /** The account's TSIG keys. Their secrets never appear in the client's errors or logs. */
  readonly tsigs: TsigsResource;
  /** The account's ACLs: extra IP ranges allowed to transfer its primary zones. */
  readonly acls: AclsResource;
}

/** What `rawClient` (src/raw.ts) needs of a client: its settings and its transport. */
export interface ClientParts {
  resolved: ResolvedOptions;
  transport: Transport;
  redact: <E extends Error>(error: E) => E;
}

/**
 * Each client's parts, out of sight: the client object holds only its
 * resources, and the raw client (its own entry point) reads them from here.
 */
export const clientParts = new WeakMap<SecondaryDnsClient, ClientParts>();

/**
 * Creates a client. Throws a ValidationError at once when the options are wrong
 * (no credentials, both kinds of credentials, an http:// base URL off loopback...).
 */
export function createSecondaryDnsClient(options: ClientOptions = {}): SecondaryDnsClient {
  const resolved = resolveOptions(options);
  const { redactError: redact, scrub, remember } = createRedactor(resolved.secrets);
  const transport = createTransport({ ...resolved, redact, scrub });
  const call = createCall({ ...resolved, transport, redact });
  const client = {
    outgoing: outgoingResource(call),
    peers: peersResource(call),
    tsigs: tsigsResource(call, remember),
    acls: aclsResource(call),
  };
  clientParts.set(client, { resolved, transport, redact });
  return client;
}
