/** The client's public names: the package's "." entry (src/index.ts) re-exports them. */
export { createSecondaryDnsClient, type SecondaryDnsClient } from "./client.js";
export { createSecondaryDnsCore, type SecondaryDnsCore } from "./core.js";
// The resources as namespaces of operation functions (`outgoing.get(core, zoneId)`),
// their named types (Peer, OutgoingZone...) and interfaces (PeersResource...).
export * from "../../generated/client/index.js";
export type { ClientOptions, CallOptions } from "./options.js";
export type { Logger } from "./transport.js";
export {
  cloudflareIps,
  createPublicCore,
  type CloudflareIps,
  type PublicCoreOptions,
} from "./ips.js";
export {
  SecondaryDnsError,
  ApiError,
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  RateLimitError,
  ServerError,
  ConnectionError,
  TimeoutError,
  ValidationError,
  type ApiMessage,
} from "./errors.js";
export type { paths, components, operations } from "../../generated/schema.js";
export { VERSION } from "./version.js";
