/**
 * Cloudflare's addresses, as facts in one place: where its secondaries
 * transfer from, where its NOTIFY messages come from, and its published ranges
 * (what the public `GET /client/v4/ips` answers: `outgoing setup` asks it, and
 * uses this dated list when it cannot; the emulator answers with this list).
 * Sources: Cloudflare's "Cloudflare as primary" guide and its IP ranges page.
 */

/** Where secondaries transfer Cloudflare's zones from (only an IPv4 address is documented). */
export const CLOUDFLARE_PRIMARY = { host: "172.65.64.6", port: 53 } as const;

/** The documented sources of NOTIFY and transfers since 2026-04-15. */
export const CLOUDFLARE_NOTIFY_SOURCES: readonly string[] = [
  "104.30.167.163/32",
  "104.30.167.173/32",
  "2a09:bac0:1000:c47::/64",
];

/**
 * Where a primary sends NOTIFY for a zone Cloudflare is the secondary of
 * (port 53); Cloudflare transfers from the sources above.
 */
export const CLOUDFLARE_SECONDARY_NOTIFY: readonly string[] = [
  "172.65.30.82",
  "172.65.50.145",
  "2606:4700:60:0:317:26ee:3bdf:5774",
  "2606:4700:60:0:35a:4be3:4144:c5ee",
];

/**
 * The older sources, used until 2026-12-01. Each lies inside a published range
 * below (as does the transfer address), so the ranges cover them.
 */
export const CLOUDFLARE_OLD_NOTIFY_SOURCES: readonly string[] = [
  "198.41.144.240/28",
  "198.41.150.240/28",
  "2a06:98c0:3601::/48",
  "2a06:98c0:1401::/48",
];

/** Cloudflare's published IPv4 ranges (`GET /client/v4/ips`: `ipv4_cidrs`), unchanged since 2021. */
export const CLOUDFLARE_IPV4_RANGES: readonly string[] = [
  "173.245.48.0/20",
  "103.21.244.0/22",
  "103.22.200.0/22",
  "103.31.4.0/22",
  "141.101.64.0/18",
  "108.162.192.0/18",
  "190.93.240.0/20",
  "188.114.96.0/20",
  "197.234.240.0/22",
  "198.41.128.0/17",
  "162.158.0.0/15",
  "104.16.0.0/13",
  "104.24.0.0/14",
  "172.64.0.0/13",
  "131.0.72.0/22",
];

/** Cloudflare's published IPv6 ranges (`ipv6_cidrs`), unchanged since 2021. */
export const CLOUDFLARE_IPV6_RANGES: readonly string[] = [
  "2400:cb00::/32",
  "2606:4700::/32",
  "2803:f800::/32",
  "2405:b500::/32",
  "2405:8100::/32",
  "2a06:98c0::/29",
  "2c0f:f248::/32",
];

/**
 * Cloudflare's published ranges, IPv4 then IPv6, as taken in 2021: the list
 * used when `GET /ips` cannot be asked. NOTIFYs have been seen from addresses
 * in them that are not among the documented sources.
 */
export const CLOUDFLARE_RANGES: readonly string[] = [
  ...CLOUDFLARE_IPV4_RANGES,
  ...CLOUDFLARE_IPV6_RANGES,
];

/** Every address a NOTIFY from Cloudflare may come from: the documented sources, then the ranges. */
export const CLOUDFLARE_NOTIFY_FROM: readonly string[] = [
  ...CLOUDFLARE_NOTIFY_SOURCES,
  ...CLOUDFLARE_RANGES,
];
