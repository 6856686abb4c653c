/** `cf-secondary-dns/raw`: the typed openapi-fetch client (src/client/raw.ts). */
export { rawClient, type RawClient } from "./client/raw.js";
