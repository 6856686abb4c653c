/**
 * The emulator as the watch tests' primary, and zones with peers made through
 * its API. A peer whose port is the emulator's own DNS port is always in sync.
 */
import { createSecondaryDnsClient, type PeerInput } from "../../src/index.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";

export const ACCOUNT = "0123456789abcdef0123456789abcdef";

export async function watchedEmulator(token: string) {
  const emulator: Emulator = await startEmulator({ dnsPort: 0, seed: {} });
  const admin = createSecondaryDnsClient({
    baseUrl: emulator.url,
    apiToken: token,
    accountId: ACCOUNT,
  });
  /** Creates the peers, links them to a new zone, and enables its transfers. */
  const addZone = async (zoneId: string, name: string, peers: PeerInput[]) => {
    const created = await Promise.all(peers.map((peer) => admin.peers.create(peer)));
    await admin.outgoing.create(zoneId, { name, peers: created.map((p) => p.id) });
    await admin.outgoing.enable(zoneId);
    return created;
  };
  const mirror = (name = "mirror"): PeerInput => ({
    name,
    ip: "127.0.0.1",
    port: emulator.dns!.port,
  });
  const env = {
    CLOUDFLARE_BASE_URL: emulator.url,
    CLOUDFLARE_API_TOKEN: token,
    CLOUDFLARE_ACCOUNT_ID: ACCOUNT,
    CF_SECONDARY_DNS_PRIMARY: `127.0.0.1:${emulator.dns!.port}`,
  };
  return { emulator, admin, addZone, mirror, env };
}
