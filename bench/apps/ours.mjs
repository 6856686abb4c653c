// Our client as a user would write it: create it, get one zone's configuration.
// The bundle-size test builds this very file.
import { createSecondaryDnsClient } from "cf-secondary-dns";

export function app({ baseUrl, apiToken }) {
  const client = createSecondaryDnsClient({ apiToken, baseUrl });
  return (zoneId) => client.outgoing.get(zoneId);
}
