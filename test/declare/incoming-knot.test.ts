/**
 * From a file to Cloudflare's copy at the primary's serial: an empty emulator
 * (with its DNS port), a Knot primary on a free loopback port run from the file
 * src/dns/primary-config.ts writes, and `apply --yes` of a transfers file whose
 * zone is incoming, pulling from that primary with the key the file names (the
 * secret given only by environment) and --verify. The emulator pulls on
 * create: --verify (the incoming doctor) exits 0, the API's soa_serial and a
 * SOA query to the emulator's DNS port both show the primary's serial (bounded
 * waits); plan then finds nothing to change.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorTargets, writePrimaryConfigs } from "../../src/dns/primary-config.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { createSecondaryDnsClient } from "../../src/index.js";
import { serialAt, startPrimary, type PrimaryServer } from "../cli/primary-server.js";
import { cli } from "../cli/run.js";
import { freePort, waitFor } from "../dns/servers.js";

const CI = process.env.CI === "true";
const KNOTD = "/usr/sbin/knotd";
const present = spawnSync(KNOTD, ["-h"], { stdio: "ignore", timeout: 5000 }).error === undefined;
if (!present && !CI)
  console.warn("[declare] knotd is not installed: the incoming Knot test is skipped");

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const ZONE_ID = "fedcba9876543210fedcba9876543210";
const ZONE = "pulled.test";
const KEY = "pulled-xfr.";
const SECRET = Buffer.from("declare-incoming-knot-secret-012").toString("base64");
const SERIAL = 2026120501;

const zoneText = `$ORIGIN ${ZONE}.
$TTL 300
@ SOA ns.${ZONE}. admin.${ZONE}. ${SERIAL} 3600 600 86400 300
@ NS ns.${ZONE}.
ns A 127.0.0.1
www A 192.0.2.10
`;

describe.skipIf(!present && !CI)(
  "apply an incoming zone into an empty emulator, Knot as the primary",
  () => {
    let emulator: Emulator;
    let knot: PrimaryServer | undefined;
    let port: number;
    const dir = mkdtempSync(join(tmpdir(), "declare-incoming-knot-"));

    beforeAll(async () => {
      expect(present, "knotd must be installed when CI=true").toBe(true);
      emulator = await startEmulator({ dnsPort: 0, seed: {} });
      port = await freePort();
      const zoneFile = join(dir, `${ZONE}.zone`);
      writeFileSync(zoneFile, zoneText);
      const [conf] = writePrimaryConfigs({
        zone: `${ZONE}.`,
        zoneFile,
        listen: { host: "127.0.0.1", port },
        tsig: { name: KEY, algorithm: "hmac-sha256.", secret: SECRET },
        targets: emulatorTargets(emulator.dns!),
        dir,
      });
      const args = ["-c", join(dir, conf!.path)];
      knot = await startPrimary(KNOTD, args, { port, zone: ZONE, serial: SERIAL });
    }, 30_000);

    afterAll(async () => {
      await knot?.stop();
      await emulator?.close();
      rmSync(dir, { recursive: true, force: true });
    }, 15_000);

    it("apply creates key, primary and incoming zone; the emulator serves the primary's serial", async () => {
      const path = join(dir, "transfers.yaml");
      // Flow style: one key, one primary (the Knot above), one incoming zone.
      const text = `version: 1
account: ${ACCOUNT}
tsigs: [{ name: ${KEY}, algo: hmac-sha256., secret: { env: PULLED_XFR_SECRET } }]
peers: [{ name: knot-primary, ip: 127.0.0.1, port: ${port}, tsig: ${KEY} }]
zones:
  - id: ${ZONE_ID}
    incoming: { name: ${ZONE}., peers: [knot-primary], auto_refresh_seconds: 86400 }
`;
      writeFileSync(path, text);
      const env = { CLOUDFLARE_BASE_URL: emulator.url, CLOUDFLARE_API_TOKEN: "test-token" };
      const applied = await cli(["apply", "-f", path, "--yes", "--verify"], {
        ...env,
        PULLED_XFR_SECRET: SECRET,
      });
      expect(applied.stdout + applied.stderr).not.toContain(SECRET);
      expect(applied.code, `${applied.stdout}\n${applied.stderr}`).toBe(0);
      expect(applied.stdout).toContain(`+ zone ${ZONE_ID} incoming configuration: create`);
      // --verify: the incoming doctor, until Cloudflare's copy is at the primary's serial.
      expect(applied.stdout).toContain(
        `Verify zone ${ZONE_ID} (incoming): Cloudflare's copy at every primary's serial`,
      );
      expect(applied.stdout).toContain(`Cloudflare's DNS: in sync at serial ${SERIAL}`);

      const client = createSecondaryDnsClient({ baseUrl: emulator.url, apiToken: "t" });
      const pulled = await waitFor(
        `the emulator's copy of ${ZONE} at serial ${SERIAL}`,
        async () => {
          const { soa_serial } = await client.incoming.get(ZONE_ID);
          return soa_serial === SERIAL ? soa_serial : undefined;
        },
        15_000,
        () => knot?.output() ?? "",
      );
      expect(pulled).toBe(SERIAL);
      expect(await serialAt(emulator.dns!.port, ZONE)).toBe(SERIAL);
      // Nothing left to do, and the secret need not be given again.
      expect(await cli(["plan", "-f", path], env)).toMatchObject({ code: 0 });
    }, 40_000);
  },
);
