/** The client's public names: the package's "." entry (src/index.ts) re-exports them. */
export { createSecondaryDnsClient, type SecondaryDnsClient } from "./client.js";
export type { ClientOptions, CallOptions } from "./options.js";
export type { Logger } from "./transport.js";
export type {
  OutgoingZone,
  OutgoingZoneInput,
  OutgoingZoneDeleted,
  OutgoingResource,
  TransferStatus,
} from "./resources/outgoing.js";
export type { Peer, PeerInput, PeersResource, Deleted } from "./resources/peers.js";
export type { Tsig, TsigInput, TsigsResource } from "./resources/tsigs.js";
export type { Acl, AclInput, AclsResource } from "./resources/acls.js";
export { cloudflareIps, type CloudflareIps } from "./ips.js";
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
