/**
 * `outgoing doctor` as a function: reads the zone's outgoing configuration, its
 * status and each linked peer through the API (any object shaped like the
 * package's client), then asks the primary and every peer for the zone's SOA
 * serial (checkSecondaries). A program runs the same check as the CLI.
 */
import { checkSecondaries, doctorExitCode, type DoctorPeer, type DoctorReport } from "./doctor.js";

/**
 * What runDoctor reads of the client: `createSecondaryDnsClient(...)` fits.
 * `Zone` names more fields of the configuration a caller reads (the watcher: soa_serial).
 */
export interface DoctorClient<Zone = unknown> {
  outgoing: {
    get(
      zoneId: string,
      options?: { signal?: AbortSignal | undefined },
    ): Promise<{ name: string; peers: string[]; last_transferred_time: string } & Zone>;
    status(zoneId: string, options?: { signal?: AbortSignal | undefined }): Promise<string>;
  };
  peers: {
    get(
      peerId: string,
      options?: { accountId?: string | undefined; signal?: AbortSignal | undefined },
    ): Promise<{ id: string; name: string; ip?: string | undefined; port?: number | undefined }>;
  };
}

export interface RunDoctorOptions {
  /** Where to ask for the primary's serial. */
  primary: { host: string; port: number };
  /** The account of the zone's peers (peers are account-scoped). */
  accountId?: string | undefined;
  /** Per DNS query; default 3000. */
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /** For "since the last transfer"; default now. */
  now?: Date | undefined;
}

export interface ApiDoctorReport extends DoctorReport {
  /** The API's status of outgoing transfers ("Enabled", "Disabled"). */
  status: string;
  lastTransferredTime: string;
  /** Whole seconds from last_transferred_time to now (never negative). */
  secondsSinceLastTransfer: number;
  /** The exit code `outgoing doctor` ends with (DOCTOR_EXIT_CODES). */
  exitCode: number;
}

/** The API's side of doctor: the zone's configuration, its status and each linked peer. */
export interface OutgoingView<Zone> {
  zone: Zone;
  status: string;
  peers: DoctorPeer[];
}

/**
 * Reads the configuration and status, then each linked peer. `peers`, when given,
 * holds the peers already asked for (the watcher shares one map between the zones
 * of a round, so a peer linked to many zones is read once).
 */
export async function readOutgoing<Client extends DoctorClient<unknown>>(
  client: Client,
  zoneId: string,
  options: Pick<RunDoctorOptions, "accountId" | "signal"> & {
    peers?: Map<string, Promise<DoctorPeer>> | undefined;
  },
): Promise<OutgoingView<Awaited<ReturnType<Client["outgoing"]["get"]>>>> {
  const call = { signal: options.signal };
  const [zone, status] = await Promise.all([
    client.outgoing.get(zoneId, call) as Promise<Awaited<ReturnType<Client["outgoing"]["get"]>>>,
    client.outgoing.status(zoneId, call),
  ]);
  const known = options.peers ?? new Map<string, Promise<DoctorPeer>>();
  const getPeer = (id: string): Promise<DoctorPeer> => {
    let peer = known.get(id);
    if (!peer) {
      peer = client.peers
        .get(id, { ...call, accountId: options.accountId })
        .then((p) => ({ id: p.id, name: p.name, ip: p.ip ?? null, port: p.port ?? null }));
      known.set(id, peer);
    }
    return peer;
  };
  const peers = await Promise.all(zone.peers.map(getPeer));
  return { zone, status, peers };
}

export async function runDoctor(
  client: DoctorClient,
  zoneId: string,
  options: RunDoctorOptions,
): Promise<ApiDoctorReport> {
  const { zone, status, peers } = await readOutgoing(client, zoneId, options);
  const report = await checkSecondaries({
    zone: zone.name,
    primary: options.primary,
    peers,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  return {
    ...report,
    status,
    lastTransferredTime: zone.last_transferred_time,
    secondsSinceLastTransfer: secondsSince(zone.last_transferred_time, options.now ?? new Date()),
    exitCode: doctorExitCode(report, status === "Enabled"),
  };
}

/** Whole seconds from an ISO time to `now`: never negative, 0 for a time that cannot be read. */
export function secondsSince(time: string, now: Date): number {
  const since = Math.max(0, Math.floor((now.getTime() - Date.parse(time)) / 1000));
  return Number.isFinite(since) ? since : 0;
}

/** "3 s", "2 min 5 s", "4 h 10 min", "3 d 2 h": how long ago, for people. */
export function formatAge(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}
