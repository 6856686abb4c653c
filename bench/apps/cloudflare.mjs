// Cloudflare's official SDK, the whole client, with retries off.
import Cloudflare from "cloudflare";

export function app({ baseUrl, apiToken }) {
  const client = new Cloudflare({ apiToken, baseURL: baseUrl, maxRetries: 0 });
  return (zoneId) => client.dns.zoneTransfers.outgoing.get({ zone_id: zoneId });
}
