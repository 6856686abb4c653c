/**
 * `cf-secondary-dns/strict`: opt-in checks of every result against the spec.
 *
 *   createSecondaryDnsClient({ validateResults: strictResults })
 */
export { strictResults, type ResultSchema, type ResultValidator } from "./client/results.js";
