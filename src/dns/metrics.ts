/**
 * The metrics of `outgoing doctor --watch`, in prom-client's registry: one
 * place that names them, with their help text and labels. The watcher (watch.ts)
 * only sets values; this module is the only one that imports prom-client, an
 * optional peer dependency, so nothing else of the package needs it.
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";

/** Every state `cf_secondary_dns_peer_state` has a series for (1 for the current one). */
export const WATCH_STATES = [
  "in_sync",
  "behind",
  "no_answer",
  "refused",
  "not_authoritative",
  "unreachable",
  "no_ip",
  "bad_answer",
  // Beyond the eight, as doctor tells them apart: a serial newer than the
  // primary's, one 2^31 from it (RFC 1982 gives no order), and one with nothing to
  // compare to (the primary gave none). None is in sync.
  "ahead",
  "not_comparable",
  "not_compared",
] as const;

export type WatchState = (typeof WATCH_STATES)[number];

export const ZONE_LABELS = ["zone_id", "zone"] as const;
export const PEER_LABELS = ["zone_id", "zone", "peer", "peer_id", "address"] as const;

export type ZoneLabels = Record<(typeof ZONE_LABELS)[number], string>;
export type PeerLabels = Record<(typeof PEER_LABELS)[number], string>;

/** Buckets of the propagation histogram, in seconds: sub-second NOTIFY to an hour of refresh. */
export const PROPAGATION_BUCKETS = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

export interface WatchMetrics {
  registry: Registry;
  primarySerial: Gauge<ZoneKey>;
  apiSerial: Gauge<ZoneKey>;
  outgoingEnabled: Gauge<ZoneKey>;
  lastTransferAge: Gauge<ZoneKey>;
  peerSerial: Gauge<PeerKey>;
  peerLag: Gauge<PeerKey>;
  peerInSync: Gauge<PeerKey>;
  peerState: Gauge<PeerKey | "state">;
  outOfSync: Gauge<PeerKey>;
  propagation: Histogram<PeerKey>;
  probeErrors: Counter<"zone_id" | "peer" | "reason">;
  apiRequests: Counter<"status">;
}

type ZoneKey = (typeof ZONE_LABELS)[number];
type PeerKey = (typeof PEER_LABELS)[number];

const PREFIX = "cf_secondary_dns_";

/**
 * A fresh registry with every metric of the watcher (and none of prom-client's
 * process metrics). Long because it is the list of metrics, one declaration
 * each with its help text: split, the list would be harder to read whole.
 */
export function createWatchMetrics(): WatchMetrics {
  const registry = new Registry();
  const zone = (name: string, help: string) =>
    new Gauge({ name: PREFIX + name, help, labelNames: ZONE_LABELS, registers: [registry] });
  const peer = (name: string, help: string) =>
    new Gauge({ name: PREFIX + name, help, labelNames: PEER_LABELS, registers: [registry] });
  return {
    registry,
    primarySerial: zone("primary_serial", "The SOA serial the primary answers."),
    apiSerial: zone("api_serial", "The soa_serial of the zone's outgoing configuration (API)."),
    outgoingEnabled: zone(
      "outgoing_enabled",
      "1 when the API says outgoing transfers are enabled.",
    ),
    lastTransferAge: zone(
      "last_transfer_age_seconds",
      "Seconds since the API's last_transferred_time.",
    ),
    peerSerial: peer("peer_serial", "The SOA serial the peer answers."),
    peerLag: peer("peer_serial_lag", "RFC 1982 distance from the peer's serial to the primary's."),
    peerInSync: peer("peer_in_sync", "1 when the peer answers the primary's serial."),
    peerState: new Gauge({
      name: `${PREFIX}peer_state`,
      help: `1 for the peer's current state: ${WATCH_STATES.join(", ")}.`,
      labelNames: [...PEER_LABELS, "state"],
      registers: [registry],
    }),
    outOfSync: peer(
      "out_of_sync_seconds",
      "Seconds since the peer was last seen in sync (since the watch began if never); 0 in sync.",
    ),
    propagation: new Histogram({
      name: `${PREFIX}propagation_seconds`,
      help: "From a new primary serial first seen to the peer answering it.",
      labelNames: PEER_LABELS,
      buckets: PROPAGATION_BUCKETS,
      registers: [registry],
    }),
    probeErrors: new Counter({
      name: `${PREFIX}probe_errors_total`,
      help: 'DNS probes that got no serial, by reason (peer "primary": the primary itself).',
      labelNames: ["zone_id", "peer", "reason"],
      registers: [registry],
    }),
    apiRequests: new Counter({
      name: `${PREFIX}api_requests_total`,
      help: 'HTTP requests to the API, by status code ("error": no answer).',
      labelNames: ["status"],
      registers: [registry],
    }),
  };
}

/** Drops every series of one peer (its name, address or zone changed, or it was unlinked). */
export function removePeerSeries(metrics: WatchMetrics, labels: PeerLabels): void {
  for (const gauge of [
    metrics.peerSerial,
    metrics.peerLag,
    metrics.peerInSync,
    metrics.outOfSync,
    metrics.propagation,
  ]) {
    gauge.remove(labels);
  }
  for (const state of WATCH_STATES) metrics.peerState.remove({ ...labels, state });
}
