// Our client's modular form: a core and the one operation function the app calls,
// so the bundle keeps only that operation. The bundle-size test builds this file.
import { createSecondaryDnsCore, outgoingGet } from "cf-secondary-dns";

export function app({ baseUrl, apiToken }) {
  const core = createSecondaryDnsCore({ apiToken, baseUrl });
  return (zoneId) => outgoingGet(core, zoneId);
}
