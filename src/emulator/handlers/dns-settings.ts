/**
 * The DNS settings of zones and accounts. Every zone and every account has them:
 * until changed they are Cloudflare's defaults (DEFAULT_SETTINGS), and only
 * changed ones are stored. A PATCH (already valid against the spec) changes the
 * fields it names and keeps the others, `soa` field by field; the answer is the
 * whole settings.
 *
 * One setting changes what the emulator serves: `multi_provider`. Cloudflare
 * serves its own nameservers at a zone's apex and, without multi_provider,
 * leaves other providers' apex NS records out of outgoing transfers; with it,
 * they are kept (transferredRecords, read by primary.ts). A PATCH that changes
 * what a zone with an outgoing configuration serves (multi_provider, or the
 * ns_ttl of the stand-in NS) raises its serial and sends NOTIFY, as any change
 * of records does.
 */
import type { components } from "../../../generated/schema.js";
import { MINIMAL_ZONE_NAMESERVER, type ZoneRecord } from "../../dns/zone.js";
import { nextSerial } from "../../dns/serial.js";
import { normalizeName } from "../../dns/wire.js";
import { COLLECTIONS } from "../collections.js";
import type { HandlerContext, ResourceHandlers } from "../resource.js";
import { loadSpec, schemaProblem } from "../spec.js";
import type { RecordChecks, Store } from "../store.js";
import type { OutgoingRecord } from "./outgoing.js";

type ZoneDnsSettings = components["schemas"]["ZoneDnsSettings"];
type ZoneDnsSettingsInput = components["schemas"]["ZoneDnsSettingsInput"];
type AccountDnsSettings = components["schemas"]["AccountDnsSettings"];
type AccountDnsSettingsInput = components["schemas"]["AccountDnsSettingsInput"];
type ZoneDefaults = components["schemas"]["ZoneDefaults"];
/** A body's settings: any of the fields, `soa` any of its parts. */
type Patch = { soa?: object } & Record<string, unknown>;

/**
 * Cloudflare's defaults, as its documentation and SDK examples give them (the
 * SOA's values are those of Cloudflare's SOA reference; a null mname is the
 * nameserver Cloudflare assigns). The spec's `defaults` example shows the same
 * (test/emulator/dns-settings.test.ts holds the two together).
 */
export const DEFAULT_SETTINGS: ZoneDnsSettings = {
  flatten_all_cnames: false,
  foundation_dns: false,
  internal_dns: {},
  multi_provider: false,
  nameservers: { type: "cloudflare.standard" },
  ns_ttl: 86400,
  secondary_overrides: false,
  soa: {
    expire: 604800,
    min_ttl: 1800,
    mname: null,
    refresh: 10000,
    retry: 2400,
    rname: "dns.cloudflare.com",
    ttl: 3600,
  },
  zone_mode: "standard",
};

const ZONES = COLLECTIONS.zoneSettings;
const ACCOUNTS = COLLECTIONS.accountSettings;

/** A zone's settings, stored or the defaults. */
export function zoneSettings(store: Store, zoneId: string): ZoneDnsSettings {
  return store.get<ZoneDnsSettings>(ZONES, zoneId) ?? DEFAULT_SETTINGS;
}

function accountSettings(store: Store, accountId: string): AccountDnsSettings {
  const defaults = DEFAULT_SETTINGS as ZoneDefaults; // its nameservers type is one an account takes
  return store.get<AccountDnsSettings>(ACCOUNTS, accountId) ?? { zone_defaults: defaults };
}

/** The settings after a PATCH: the body's fields over the old ones, `soa` merged too. */
function merged<T extends { soa: object }>(old: T, patch: Patch | undefined): T {
  if (!patch) return old;
  return structuredClone({ ...old, ...patch, soa: { ...old.soa, ...patch.soa } }) as T;
}

/** What the DNS primary serves of the zone's stored records now; undefined when it has none. */
function served(store: Store, zoneId: string): readonly ZoneRecord[] | undefined {
  const stored = store.get<{ origin: string; records: ZoneRecord[] }>(COLLECTIONS.records, zoneId);
  return stored && transferredRecords(store, zoneId, stored.origin, stored.records);
}

/** After the served records changed: the zone's serial moves and NOTIFY goes. */
function recordsChanged(context: HandlerContext, zoneId: string): (() => void) | undefined {
  const record = context.store.get<OutgoingRecord>(COLLECTIONS.outgoing, zoneId);
  if (!record) return undefined;
  const zone = { ...record.zone, soa_serial: nextSerial(record.zone.soa_serial) };
  context.store.set<OutgoingRecord>(COLLECTIONS.outgoing, zoneId, { ...record, zone });
  const { zones } = context;
  return zones ? () => zones.notify(zoneId) : undefined;
}

/** By operationId: the client's grouping (dnsSettings.zone.get) does not decide which file answers. */
export const handlers: ResourceHandlers = {
  "dns-settings-for-a-zone-list-dns-settings": ({ store, params }) => ({
    result: zoneSettings(store, params.zone_id as string),
  }),

  "dns-settings-for-a-zone-update-dns-settings": (context) => {
    const zoneId = context.params.zone_id as string;
    const old = zoneSettings(context.store, zoneId);
    const settings = merged(old, context.body as ZoneDnsSettingsInput as Patch);
    const before = served(context.store, zoneId);
    context.store.set(ZONES, zoneId, settings);
    const now = served(context.store, zoneId);
    const same = before === now || JSON.stringify(before) === JSON.stringify(now);
    return {
      result: settings,
      changed: true,
      after: same ? undefined : recordsChanged(context, zoneId),
    };
  },

  "dns-settings-for-an-account-list-dns-settings": ({ store, params }) => ({
    result: accountSettings(store, params.account_id as string),
  }),

  "dns-settings-for-an-account-update-dns-settings": (context) => {
    const accountId = context.params.account_id as string;
    const old = accountSettings(context.store, accountId);
    const patch = (context.body as AccountDnsSettingsInput).zone_defaults as Patch | undefined;
    const settings = { ...old, zone_defaults: merged(old.zone_defaults, patch) };
    context.store.set(ACCOUNTS, accountId, settings);
    return { result: settings, changed: true };
  },
};

export const dnsSettingsHandlers = handlers;

/** The shape of the stored settings in a state file: the spec's schemas. */
export const dnsSettingsRecords: RecordChecks = {
  [ZONES]: (record) => schemaProblem(loadSpec().schema("ZoneDnsSettings"), record, "settings"),
  [ACCOUNTS]: (record) =>
    schemaProblem(loadSpec().schema("AccountDnsSettings"), record, "settings"),
};

/** Cloudflare's own nameservers; the emulator's stand-in for them counts as one. */
const isCloudflareNameserver = (target: string) => {
  const name = normalizeName(target);
  return name.endsWith(".ns.cloudflare.com") || name === MINIMAL_ZONE_NAMESERVER;
};

/** Each records array filtered once per multi_provider value: the DNS server asks on every query. */
const filtered = new WeakMap<readonly ZoneRecord[], { ttl: number; kept: readonly ZoneRecord[] }>();

/**
 * The records an outgoing transfer of the zone carries: without multi_provider,
 * the apex NS records of other providers are left out, and when none of
 * Cloudflare's is left, the emulator's stand-in for Cloudflare's assigned
 * nameservers takes their place (with the zone's ns_ttl).
 */
export function transferredRecords(
  store: Store,
  zoneId: string,
  origin: string,
  records: readonly ZoneRecord[],
): readonly ZoneRecord[] {
  const settings = zoneSettings(store, zoneId);
  if (settings.multi_provider) return records;
  const known = filtered.get(records);
  if (known?.ttl === settings.ns_ttl) return known.kept;
  const apex = normalizeName(origin);
  const apexNs = (r: ZoneRecord) => r.type === "NS" && normalizeName(r.name) === apex;
  const other = (r: ZoneRecord) => apexNs(r) && !isCloudflareNameserver(r.data as string);
  let kept = records.some(other) ? records.filter((r) => !other(r)) : records;
  if (!kept.some(apexNs)) {
    const stand = { name: apex, ttl: settings.ns_ttl, type: "NS", data: MINIMAL_ZONE_NAMESERVER };
    kept = [...kept, stand as ZoneRecord];
  }
  filtered.set(records, { ttl: settings.ns_ttl, kept });
  return kept;
}
