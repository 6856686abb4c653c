import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { querySoa } from "../../src/dns/query.js";
import { emulatorTargets, writePrimaryConfigs } from "../../src/dns/primary-config.js";
import { startEmulator } from "../../src/emulator/index.js";
import { createSecondaryDnsClient } from "../../src/index.js";
import { exchange } from "../emulator/exchange.js";
import { freePort, waitFor } from "./servers.js";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const ZONEID = "a".repeat(32);
it("HTTP create pulls from Knot; GET shows the serial; restart resumes", async () => {
  const dir = mkdtempSync(join(tmpdir(), "trial-"));
  const stateFile = join(dir, "state.json");
  let emulator = await startEmulator({ dnsPort: 0, seed: {}, stateFile });
  const port = await freePort();
  const secret = Buffer.alloc(32, 8).toString("base64");
  const zoneFile = join(dir, "t.test.zone");
  const zone = (serial: number) =>
    `$ORIGIN t.test.\n$TTL 300\n@ SOA ns.t.test. a.t.test. ${serial} 3600 600 86400 300\n@ NS ns.t.test.\nns A 127.0.0.1\n`;
  writeFileSync(zoneFile, zone(7));
  const [knot] = writePrimaryConfigs({
    zone: "t.test",
    zoneFile,
    listen: { port },
    tsig: { name: "k.", algorithm: "hmac-sha256.", secret },
    targets: emulatorTargets(emulator.dns!),
    dir,
  });
  const child = spawn("/usr/sbin/knotd", ["-c", join(dir, knot!.path)], { stdio: "ignore" });
  try {
    const client = createSecondaryDnsClient({
      apiToken: "t",
      baseUrl: emulator.url,
      accountId: ACCOUNT,
    });
    const tsig = await client.tsigs.create({ name: "k.", algo: "hmac-sha256.", secret });
    const peer = await client.peers.create({ name: "knot" });
    await client.peers.update(peer.id, {
      name: "knot",
      ip: "127.0.0.1",
      port,
      ixfr_enable: true,
      tsig_id: tsig.id,
    });
    const created = await exchange(
      emulator.url,
      "POST",
      `/zones/${ZONEID}/secondary_dns/incoming`,
      { body: { name: "t.test.", peers: [peer.id], auto_refresh_seconds: 3600 } },
    );
    expect(created.status).toBe(200);
    const serialOf = async () =>
      (await exchange(emulator.url, "GET", `/zones/${ZONEID}/secondary_dns/incoming`)).body.result
        .soa_serial;
    await waitFor(
      "soa_serial 7",
      async () => ((await serialOf()) === 7 ? 7 : undefined),
      10_000,
      () => JSON.stringify(emulator.events().slice(-5)),
    );
    const dnsSerial = await querySoa({ ...emulator.dns!, zone: "t.test", timeoutMs: 500 });
    expect(dnsSerial).toMatchObject({ status: "answer", serial: 7 });
    await emulator.close();
    writeFileSync(zoneFile, zone(8));
    spawnSync("/usr/sbin/knotc", ["-c", join(dir, knot!.path), "zone-reload", "t.test"]);
    await waitFor(
      "knot at 8",
      async () => {
        const a = await querySoa({ host: "127.0.0.1", port, zone: "t.test", timeoutMs: 500 });
        return a.status === "answer" && a.serial === 8 ? 8 : undefined;
      },
      10_000,
    );
    emulator = await startEmulator({ dnsPort: 0, seed: {}, stateFile });
    await waitFor(
      "soa_serial 8 after restart",
      async () => ((await serialOf()) === 8 ? 8 : undefined),
      10_000,
      () => JSON.stringify(emulator.events().slice(-5)),
    );
  } finally {
    child.kill("SIGTERM");
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
}, 30_000);
