// Cloudflare's official SDK through its tree-shakable entry, with only the
// outgoing-transfer resource (no subresources), retries off.
import { createClient } from "cloudflare/tree-shakable";
import { BaseOutgoingResource } from "cloudflare/resources/dns/zone-transfers/outgoing/outgoing";

export function app({ baseUrl, apiToken }) {
  const client = createClient({
    apiToken,
    baseURL: baseUrl,
    maxRetries: 0,
    resources: [BaseOutgoingResource],
  });
  return (zoneId) => client.dns.zoneTransfers.outgoing.get({ zone_id: zoneId });
}
