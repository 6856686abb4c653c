/**
 * `importConfig`: the transfers file for what exists now, for the account and
 * the zones given (each with its outgoing or its incoming configuration). Secrets are never written: each key's secret is a reference
 * to an environment variable (TSIG_SECRET_ and the key's name, see
 * secretEnvName) with the fingerprint of the secret the API holds, so plan can
 * see a secret that changed without anyone holding it.
 */
import type { SecondaryDnsClient } from "../index.js";
import type { DeclaredPeer, DeclaredZone, TransfersConfig } from "./format.js";
import { fingerprint, secretEnvName } from "./secrets.js";
import { duplicateNames, indexState, readState, type LiveState } from "./state.js";

export interface ImportOptions {
  accountId?: string | undefined;
  signal?: AbortSignal | undefined;
  /** The `$schema` to write at the top (for editors); default none. */
  schema?: string | undefined;
}

/** The state cannot be written as a file: names given twice, or references to nothing. */
export class ImportError extends Error {
  override name = "ImportError";
}

export async function importConfig(
  client: SecondaryDnsClient,
  zoneIds: readonly string[],
  options: ImportOptions = {},
): Promise<TransfersConfig> {
  const state = await readState(client, zoneIds, options);
  return configOf(state, options);
}

/** The file for a state already read. */
export function configOf(state: LiveState, options: ImportOptions = {}): TransfersConfig {
  const ambiguous = duplicateNames(state);
  if (ambiguous.length > 0) {
    throw new ImportError(
      `the file refers to objects by name, and the account has names given twice: ${ambiguous.join("; ")}. Rename one of each first.`,
    );
  }
  const live = indexState(state);
  const keyName = (id: string, peer: string) => {
    const found = live.tsigById.get(id);
    if (!found)
      throw new ImportError(
        `peer ${JSON.stringify(peer)} names the key ${id}, which does not exist`,
      );
    return found.name;
  };
  const peerName = (id: string, zone: string) => {
    const found = live.peerById.get(id);
    if (!found) throw new ImportError(`zone ${zone} lists the peer ${id}, which does not exist`);
    return found.name;
  };
  const peers = state.peers.map((peer): DeclaredPeer => ({
    name: peer.name,
    ...(peer.ip !== undefined ? { ip: peer.ip } : {}),
    ...(peer.port !== undefined ? { port: peer.port } : {}),
    ...(peer.ixfr_enable ? { ixfr_enable: true } : {}),
    ...(peer.tsig_id ? { tsig: keyName(peer.tsig_id, peer.name) } : {}),
  }));
  const zones = state.zones.map((zone): DeclaredZone => {
    if (zone.incoming) {
      const { name, peers: ids, auto_refresh_seconds } = zone.incoming;
      const linked = ids.map((id) => peerName(id, zone.id));
      return { id: zone.id, incoming: { name, peers: linked, auto_refresh_seconds } };
    }
    if (!zone.outgoing) return { id: zone.id };
    const { name, peers: ids } = zone.outgoing;
    const linked = ids.map((id) => peerName(id, zone.id));
    return { id: zone.id, outgoing: { name, peers: linked, enabled: zone.status === "Enabled" } };
  });
  return {
    ...(options.schema ? { $schema: options.schema } : {}),
    version: 1,
    ...(options.accountId ? { account: options.accountId } : {}),
    tsigs: state.tsigs.map(({ name, algo, secret }) => ({
      name,
      algo,
      secret: { env: secretEnvName(name), fingerprint: fingerprint(secret) },
    })),
    peers,
    acls: state.acls.map(({ name, ip_range }) => ({ name, ip_range })),
    zones,
  };
}
