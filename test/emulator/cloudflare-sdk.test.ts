/**
 * Cloudflare's own SDK (`cloudflare` 7.3.0, a dev dependency), unchanged, against
 * the emulator on loopback: its incoming zone transfer, force AXFR and DNS
 * settings methods send what the emulator takes and read what it answers.
 */
import Cloudflare from "cloudflare";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { DEFAULT_SETTINGS } from "../../src/emulator/handlers/dns-settings.js";

const ZONE = "023e105f4ecef8ad9ca31a8372d0c353";
const ACCOUNT = "01a7362d577a6c3019a474fd6f485823";
// The spec's example account, which the emulator starts with.
const PEERS = ["23ff594956f20c2a721606e94745a8aa", "00920f38ce07c2e2f4df50b1f61d4194"];

let emulator: Emulator;
let cf: Cloudflare;
beforeEach(async () => {
  emulator = await startEmulator();
  cf = new Cloudflare({ apiToken: "sdk-test-token", baseURL: emulator.url, maxRetries: 0 });
});
afterEach(() => emulator.close());

describe("Cloudflare's SDK against the emulator", () => {
  it("drives dns.zoneTransfers.incoming and forceAXFR through a zone's life", async () => {
    const incoming = cf.dns.zoneTransfers.incoming;
    const created = await incoming.create({
      zone_id: ZONE,
      name: "www.example.com.",
      peers: PEERS,
      auto_refresh_seconds: 86400,
    });
    expect(created).toMatchObject({ name: "www.example.com.", peers: PEERS, soa_serial: 0 });
    expect(created.id).toMatch(/^[0-9a-f]{32}$/);
    expect(await incoming.get({ zone_id: ZONE })).toEqual(created);

    const updated = await incoming.update({
      zone_id: ZONE,
      name: "www.example.com.",
      peers: [PEERS[0]!],
      auto_refresh_seconds: 3600,
    });
    expect(updated).toMatchObject({
      id: created.id,
      peers: [PEERS[0]],
      auto_refresh_seconds: 3600,
    });

    expect(await cf.dns.zoneTransfers.forceAXFR.create({ zone_id: ZONE })).toBe("OK");
    expect(await incoming.delete({ zone_id: ZONE })).toEqual({ id: created.id });
  });

  it("gets the emulator's failures as the SDK's typed errors", async () => {
    const missing = cf.dns.zoneTransfers.incoming.get({ zone_id: ZONE });
    await expect(missing).rejects.toBeInstanceOf(Cloudflare.NotFoundError);
    await expect(missing).rejects.toMatchObject({ status: 404 });
    const force = cf.dns.zoneTransfers.forceAXFR.create({ zone_id: ZONE });
    await expect(force).rejects.toBeInstanceOf(Cloudflare.NotFoundError);
    const unknownPeer = cf.dns.zoneTransfers.incoming.create({
      zone_id: ZONE,
      name: "www.example.com.",
      peers: ["0123456789abcdef0123456789abcdef"],
      auto_refresh_seconds: 86400,
    });
    await expect(unknownPeer).rejects.toBeInstanceOf(Cloudflare.BadRequestError);
    const anonymous = new Cloudflare({ apiToken: "", baseURL: emulator.url, maxRetries: 0 });
    await expect(anonymous.dns.settings.zone.get({ zone_id: ZONE })).rejects.toBeInstanceOf(
      Cloudflare.AuthenticationError,
    );
  });

  it("reads and edits the DNS settings of a zone and of an account", async () => {
    expect(await cf.dns.settings.zone.get({ zone_id: ZONE })).toEqual(DEFAULT_SETTINGS);
    const edited = await cf.dns.settings.zone.edit({
      zone_id: ZONE,
      multi_provider: true,
      soa: { min_ttl: 300 },
    });
    expect(edited.multi_provider).toBe(true);
    expect(edited.soa).toEqual({ ...DEFAULT_SETTINGS.soa, min_ttl: 300 });
    expect(await cf.dns.settings.zone.get({ zone_id: ZONE })).toEqual(edited);

    const account = await cf.dns.settings.account.get({ account_id: ACCOUNT });
    expect(account.zone_defaults).toEqual(DEFAULT_SETTINGS);
    const defaults = await cf.dns.settings.account.edit({
      account_id: ACCOUNT,
      zone_defaults: { multi_provider: true, ns_ttl: 3600 },
    });
    expect(defaults.zone_defaults).toMatchObject({ multi_provider: true, ns_ttl: 3600 });
    await expect(cf.dns.settings.zone.edit({ zone_id: ZONE, ns_ttl: 10 })).rejects.toBeInstanceOf(
      Cloudflare.BadRequestError,
    );
  });
});
