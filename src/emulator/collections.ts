/**
 * The collections of the emulator's state, each named once: the store, the
 * state file, the handlers and the DNS primary all read these names. A state
 * file holding any other collection is refused (index.ts checks every one
 * listed here has a check of its records).
 */
export const COLLECTIONS = {
  /** Outgoing configurations, by zone id (handlers/outgoing.ts). */
  outgoing: "outgoing",
  /** Incoming configurations (Cloudflare as a secondary), by zone id (handlers/incoming.ts). */
  incoming: "incoming",
  /** DNS settings of zones, by zone id: only those changed from the defaults (handlers/dns-settings.ts). */
  zoneSettings: "zoneSettings",
  /** DNS settings of accounts (their zone defaults), by account id (handlers/dns-settings.ts). */
  accountSettings: "accountSettings",
  /** Peers, by account id: a list each (handlers/peers.ts). */
  peers: "peers",
  /** TSIG keys, by account id: a list each (handlers/tsigs.ts). */
  tsigs: "tsigs",
  /** ACLs, by account id: a list each (handlers/acls.ts). */
  acls: "acls",
  /** Zone records the DNS primary serves, by zone id (primary.ts). */
  records: "records",
  /** Secondary zones pulled from their primaries (records, serial, times), by zone id (secondary.ts). */
  pulled: "pulled",
  /** The emulator's own notes, such as the ports it listened on (index.ts). */
  emulator: "emulator",
} as const;

export type CollectionName = (typeof COLLECTIONS)[keyof typeof COLLECTIONS];

/** The collections of account resources: records by account id, one list per account. */
export const ACCOUNT_COLLECTIONS = [
  COLLECTIONS.peers,
  COLLECTIONS.tsigs,
  COLLECTIONS.acls,
] as const;

export type AccountCollection = (typeof ACCOUNT_COLLECTIONS)[number];
