/**
 * Cloudflare's published IP ranges (GET /ips, public): the list in
 * src/dns/cloudflare.ts, the same one `outgoing setup` falls back to, so the
 * emulator and the fallback cannot disagree. The etag is a digest of the lists.
 */
import { createHash } from "node:crypto";
import { CLOUDFLARE_IPV4_RANGES, CLOUDFLARE_IPV6_RANGES } from "../../dns/cloudflare.js";
import type { ResourceHandlers } from "../resource.js";

const etag = createHash("md5")
  .update(JSON.stringify([CLOUDFLARE_IPV4_RANGES, CLOUDFLARE_IPV6_RANGES]))
  .digest("hex");

export const ipsHandlers: ResourceHandlers = {
  "cloudflare-i-ps-cloudflare-ip-details": () => ({
    result: {
      ipv4_cidrs: [...CLOUDFLARE_IPV4_RANGES],
      ipv6_cidrs: [...CLOUDFLARE_IPV6_RANGES],
      etag,
    },
  }),
};

/** What generated/handlers.ts registers for this file. */
export const handlers = ipsHandlers;
