// Our client's raw entry point (cf-secondary-dns/raw): the typed openapi-fetch client
// with the facade's credentials, timeout, retries and limits. Bundle size only.
import { createSecondaryDnsClient } from "cf-secondary-dns";
import { rawClient } from "cf-secondary-dns/raw";

export function app({ baseUrl, apiToken }) {
  const raw = rawClient(createSecondaryDnsClient({ apiToken, baseUrl }));
  return async (zoneId) => {
    const { data } = await raw.GET("/zones/{zone_id}/secondary_dns/outgoing", {
      params: { path: { zone_id: zoneId } },
    });
    return data.result;
  };
}
