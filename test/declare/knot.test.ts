/**
 * From a file to a secondary in sync: an empty emulator (with its DNS primary),
 * a Knot secondary on a free loopback port configured with the key the file
 * names, and `apply --yes --verify` with the secret given only by environment.
 * Apply creates the key, the peer, the zone's configuration and enables it;
 * the emulator's NOTIFY brings Knot to the zone, and --verify (the outgoing
 * doctor) exits 0; so does `outgoing doctor` run on its own afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { createSecondaryDnsClient } from "../../src/index.js";
import { cli } from "../cli/run.js";
import { KNOT, Secondary, installed } from "../dns/servers.js";

const CI = process.env.CI === "true";
const present = installed(KNOT);
if (!present && !CI) console.warn("[declare] knotd is not installed: the Knot test is skipped");

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const ZONE_ID = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
const ZONE = "declared.test";
const KEY = "declared-xfr.";
const SECRET = Buffer.from("declare-knot-test-secret-0123456").toString("base64");

describe.skipIf(!present && !CI)("apply into an empty emulator, Knot as the secondary", () => {
  let emulator: Emulator;
  let secondary: Secondary;
  const dir = mkdtempSync(join(tmpdir(), "declare-knot-"));

  beforeAll(async () => {
    expect(present, "knotd must be installed when CI=true").toBe(true);
    emulator = await startEmulator({ dnsPort: 0, seed: {} });
    secondary = await Secondary.create(KNOT, {
      zone: ZONE,
      primary: { host: "127.0.0.1", port: emulator.dns!.port },
      tsig: { name: KEY, algorithm: "hmac-sha256.", secret: SECRET },
    });
    secondary.checkConfig();
    secondary.start();
  });

  afterAll(async () => {
    await secondary?.dispose();
    await emulator?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("apply --verify exits 0 once Knot serves the primary's serial; doctor agrees", async () => {
    const path = join(dir, "transfers.yaml");
    writeFileSync(
      path,
      [
        "version: 1",
        `account: ${ACCOUNT}`,
        "tsigs:",
        `  - name: ${KEY}`,
        "    algo: hmac-sha256.",
        "    secret: { env: DECLARED_XFR_SECRET }",
        "peers:",
        "  - name: knot",
        "    ip: 127.0.0.1",
        `    port: ${secondary.port}`,
        `    tsig: ${KEY}`,
        "zones:",
        `  - id: ${ZONE_ID}`,
        "    outgoing:",
        `      name: ${ZONE}.`,
        "      peers: [knot]",
        "",
      ].join("\n"),
    );
    const env = {
      CLOUDFLARE_BASE_URL: emulator.url,
      CLOUDFLARE_API_TOKEN: "test-token",
      CF_SECONDARY_DNS_PRIMARY: `127.0.0.1:${emulator.dns!.port}`,
    };
    const applied = await cli(["apply", "-f", path, "--yes", "--verify"], {
      ...env,
      DECLARED_XFR_SECRET: SECRET,
    });
    expect(applied.stdout + applied.stderr).not.toContain(SECRET);
    expect(applied.code, `${applied.stdout}\n${applied.stderr}\n${secondary.log()}`).toBe(0);
    expect(applied.stdout).toContain(`Verify zone ${ZONE_ID}: every peer in sync`);

    const client = createSecondaryDnsClient({ baseUrl: emulator.url, apiToken: "t" });
    const { soa_serial } = await client.outgoing.get(ZONE_ID);
    const doctor = await cli(
      ["outgoing", "doctor", ZONE_ID, "--account", ACCOUNT, "--timeout", "5000", "--json"],
      env,
    );
    expect(doctor.code, doctor.stdout).toBe(0);
    const report = JSON.parse(doctor.stdout) as { peers: { state: string; serial?: number }[] };
    expect(report.peers).toEqual([
      expect.objectContaining({ state: "in-sync", serial: soa_serial }),
    ]);
    // And nothing left to do: the secret need not be given again.
    expect(await cli(["plan", "-f", path], env)).toMatchObject({ code: 0 });
  });
});
