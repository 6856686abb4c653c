// Bare openapi-fetch, the runtime our client is built on, with no facade.
import createClient from "openapi-fetch";

export function app({ baseUrl, apiToken }) {
  const client = createClient({ baseUrl, headers: { Authorization: `Bearer ${apiToken}` } });
  return async (zoneId) => {
    const { data } = await client.GET("/zones/{zone_id}/secondary_dns/outgoing", {
      params: { path: { zone_id: zoneId } },
    });
    return data.result;
  };
}
