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
import { outgoingResource, type OutgoingResource } from "./resources/outgoing.js";
import { createTransport } from "./transport.js";

export interface SecondaryDnsClient {
  /** Outgoing zone transfers: Cloudflare as primary, your nameservers as secondaries. */
  readonly outgoing: OutgoingResource;
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
  const { redactError, scrub } = createRedactor(resolved.secrets);
  const transport = createTransport({ ...resolved, redact: redactError, scrub });
  const raw = createClient<paths>({
    baseUrl: resolved.baseUrl,
    headers: resolved.headers,
    fetch: transport.rawFetch,
  });
  const call = createCall({ ...resolved, transport, redact: redactError });
  return { outgoing: outgoingResource(call), raw };
}
