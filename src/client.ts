/**
 * createSecondaryDnsClient: the package's entry point. Web-standard APIs only
 * (fetch, URL, Headers, AbortSignal), so it runs on Node, Deno, Bun, Workers
 * and browsers.
 */
import createClient, { type Client } from "openapi-fetch";
import type { paths } from "../generated/schema.js";
import { createCall } from "./call.js";
import { resolveOptions, type ClientOptions } from "./options.js";
import { createRedactor } from "./redact.js";
import { aclsResource, type AclsResource } from "./resources/acls.js";
import { outgoingResource, type OutgoingResource } from "./resources/outgoing.js";
import { peersResource, type PeersResource } from "./resources/peers.js";
import { tsigsResource, type TsigsResource } from "./resources/tsigs.js";
import { createTransport } from "./transport.js";

export interface SecondaryDnsClient {
  /** Outgoing zone transfers: Cloudflare as primary, your nameservers as secondaries. */
  readonly outgoing: OutgoingResource;
  /** The account's peers: the nameservers NOTIFY goes to. Needs an account id. */
  readonly peers: PeersResource;
  /** The account's TSIG keys. Their secrets never appear in the client's errors or logs. */
  readonly tsigs: TsigsResource;
  /** The account's ACLs: extra IP ranges allowed to transfer its primary zones. */
  readonly acls: AclsResource;
  /**
   * The typed openapi-fetch client, with the same credentials, timeout, retries
   * and limits, for whoever needs the whole response. POSTs through it count as
   * not idempotent (retried only on 429 or a refused connection). Middleware
   * added with `raw.use()` applies to `raw` only, never to the facade's methods.
   */
  readonly raw: Client<paths>;
}

/**
 * Creates a client. Throws a ValidationError at once when the options are wrong
 * (no credentials, both kinds of credentials, an http:// base URL off loopback...).
 */
export function createSecondaryDnsClient(options: ClientOptions = {}): SecondaryDnsClient {
  const resolved = resolveOptions(options);
  const { redactError, scrub, remember } = createRedactor(resolved.secrets);
  const transport = createTransport({ ...resolved, redact: redactError, scrub });
  const raw = createClient<paths>({
    baseUrl: resolved.baseUrl,
    headers: resolved.headers,
    fetch: transport.rawFetch,
  });
  const call = createCall({ ...resolved, transport, redact: redactError });
  return {
    outgoing: outgoingResource(call),
    peers: peersResource(call),
    tsigs: tsigsResource(call, remember),
    acls: aclsResource(call),
    raw,
  };
}
