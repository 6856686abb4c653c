/**
 * cloudflareIps(client): Cloudflare's published IP ranges, the public
 * `GET /ips`. A function beside the client rather than a resource on it, so
 * that an app which never asks for the ranges does not carry this code: the
 * facade's bundle (test/bundle-size.test.ts) stays as it is.
 *
 * It goes through the client's base URL, transport (timeout, retries, body
 * limit, no redirects) and result check, so against the emulator it gets the
 * emulator's answer. The operation needs no credentials, so none are sent.
 */
import { cloudflareIPsCloudflareIpDetails } from "../../generated/operations.js";
import type { components } from "../../generated/schema.js";
import { createCall } from "./call.js";
import { clientParts, createParts, partsOf, type SecondaryDnsCore } from "./core.js";
import { resolveSettings, type CallOptions, type ClientOptions } from "./options.js";

type CloudflareIpsSchema = components["schemas"]["CloudflareIps"];
/** Cloudflare's IP ranges in CIDR notation, and a digest that changes when they do. */
export interface CloudflareIps extends CloudflareIpsSchema {}

/**
 * Asks the API behind `client` for Cloudflare's IP ranges. Rejects as every
 * call does (ConnectionError, TimeoutError, ApiError...), and with a
 * ValidationError for a client not made by createSecondaryDnsClient.
 */
export async function cloudflareIps(
  client: SecondaryDnsCore,
  options?: CallOptions,
): Promise<CloudflareIps> {
  const parts = partsOf(client);
  const { resolved, transport, redact } = parts;
  // Only the User-Agent: a public operation gets no credential.
  const headers = { "User-Agent": resolved.headers["User-Agent"] ?? "cf-secondary-dns" };
  const call = createCall({ ...resolved, headers, transport, redact });
  return call(cloudflareIPsCloudflareIpDetails, {}, undefined, options);
}

/** What a public core takes: a client's options without credentials. */
export type PublicCoreOptions = Omit<ClientOptions, "apiToken" | "apiEmail" | "apiKey">;

/**
 * A core with no credentials, for the public operations only (cloudflareIps):
 * no token is needed to make it, and none is read from the environment or sent.
 * Throws a ValidationError at once when the options are wrong.
 */
export function createPublicCore(options: PublicCoreOptions = {}): SecondaryDnsCore {
  const core = {} as SecondaryDnsCore;
  clientParts.set(
    core,
    createParts(options, (given) => resolveSettings(given, () => ({}))),
  );
  return core;
}
