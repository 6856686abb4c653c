/**
 * The emulator as a secondary of real primaries: Knot, NSD and BIND 9 each run
 * on 127.0.0.1 (a high port) with a TSIG key, from the files primary-config.ts
 * writes for the emulator (what `incoming setup --write-config DIR` writes).
 * The emulator's secondary pulls the zone and serves the primary's serial on
 * its DNS port; a new zone file and a reload reach it by NOTIFY; forceAxfr
 * pulls a full AXFR; a wrong secret leaves the zone at its last good serial
 * with an event saying BADSIG. The zone's primaries are set to IXFR: Knot and
 * BIND send the change as differences, NSD as the whole zone (AXFR form).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { querySoa } from "../../src/dns/query.js";
import { emulatorTargets, writePrimaryConfigs } from "../../src/dns/primary-config.js";
import { startEmulator, type Emulator, type EmulatorEvent } from "../../src/emulator/index.js";
import type { IncomingZoneConfig } from "../../src/emulator/secondary.js";
import { freePort, stopChild, waitFor } from "./servers.js";

const CI = process.env.CI === "true";
const ZONE = "incoming.test";
const TSIG = {
  name: "incoming-key.",
  algorithm: "hmac-sha256.",
  secret: Buffer.alloc(32, 3).toString("base64"),
} as const;
const WRONG = { ...TSIG, secret: Buffer.alloc(32, 4).toString("base64") };

const SERVERS = [
  // How each answers an IXFR: Knot (its journal) and BIND (ixfr-from-differences) with the
  // differences, NSD 4.6 with the whole zone (AXFR form, which the engine accepts).
  { kind: "knot", binary: "/usr/sbin/knotd", version: "-V", run: ["-c"], form: "incremental" },
  { kind: "nsd", binary: "/usr/sbin/nsd", version: "-v", run: ["-d", "-c"], form: "full" },
  {
    kind: "bind",
    binary: "/usr/sbin/named",
    version: "-v",
    run: ["-g", "-c"],
    form: "incremental",
  },
] as const;

function zoneFile(serial: number, hosts: number): string {
  return [
    `$ORIGIN ${ZONE}.`,
    "$TTL 300",
    `@ IN SOA ns.${ZONE}. admin.${ZONE}. ${serial} 3600 600 86400 300`,
    `@ IN NS ns.${ZONE}.`,
    "ns IN A 127.0.0.1",
    '@ IN TXT "pulled from a real primary"',
    '@ IN CAA 0 issue "ca.example"', // a type the emulator does not keep: counted, left out
    ...Array.from({ length: hosts }, (_, i) => `h${i} IN A 192.0.2.${i + 1}`),
    "",
  ].join("\n");
}

async function servedSerial(emulator: Emulator): Promise<number | undefined> {
  const answer = await querySoa({ ...emulator.dns!, zone: ZONE, timeoutMs: 500 });
  return answer.status === "answer" ? answer.serial : undefined;
}

function pulls(emulator: Emulator): Extract<EmulatorEvent, { type: "incoming" }>[] {
  return emulator
    .events()
    .filter((e): e is Extract<EmulatorEvent, { type: "incoming" }> => e.type === "incoming");
}

let zones = 0;
for (const server of SERVERS) {
  const present =
    spawnSync(server.binary, [server.version], { stdio: "ignore", timeout: 5000 }).status === 0;
  if (!present && !CI) console.warn(`[dns] ${server.binary} is not installed: skipped`);

  describe.skipIf(!present && !CI)(`the emulator pulls from ${server.kind} as primary`, () => {
    let emulator: Emulator;
    let dir: string;
    let child: ChildProcess | undefined;
    let output = "";
    let port: number;
    let reload: () => void;
    const zoneId = (++zones).toString(16).padStart(32, "c");
    const file = () => join(dir, `${ZONE}.zone`);
    const config = (tsig: typeof TSIG | typeof WRONG): IncomingZoneConfig => ({
      zoneId,
      name: ZONE,
      autoRefreshSeconds: 3600, // only NOTIFY and forceAxfr can bring a change within the test
      primaries: [{ peerId: `${server.kind}-peer`, ip: "127.0.0.1", port, ixfr: true, tsig }],
    });
    const context = () =>
      `${server.kind} said:\n${output.slice(-3000)}\nevents:\n${JSON.stringify(emulator.events().slice(-15), null, 1)}`;

    beforeAll(async () => {
      expect(present, `${server.binary} must be installed when CI=true`).toBe(true);
      emulator = await startEmulator({ dnsPort: 0, seed: {} });
      dir = mkdtempSync(join(tmpdir(), `pull-${server.kind}-`));
      port = await freePort();
      writeFileSync(file(), zoneFile(100, 3));
      const [written] = writePrimaryConfigs({
        zone: ZONE,
        zoneFile: file(),
        listen: { port },
        tsig: TSIG,
        targets: emulatorTargets(emulator.dns!),
        dir,
      }).filter((f) => f.kind === server.kind);
      const conf = join(dir, written!.path);
      child = spawn(server.binary, [...server.run, conf], { stdio: ["ignore", "pipe", "pipe"] });
      child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const pid = child.pid!;
      reload =
        server.kind === "knot"
          ? () => {
              const done = spawnSync("/usr/sbin/knotc", ["-c", conf, "zone-reload", ZONE], {
                encoding: "utf8",
                timeout: 10_000,
              });
              output += done.stdout + done.stderr;
            }
          : () => process.kill(pid, "SIGHUP");
      await waitFor(
        `${server.kind} to serve the zone`,
        async () => {
          const answer = await querySoa({
            host: "127.0.0.1",
            port,
            zone: ZONE,
            tsig: TSIG,
            timeoutMs: 500,
          });
          return answer.status === "answer" ? answer.serial : undefined;
        },
        15_000,
        context,
      );
    }, 30_000);

    afterAll(async () => {
      if (child) await stopChild(child);
      await emulator?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }, 15_000);

    it("pulls the zone and serves the primary's serial on its DNS port", async () => {
      emulator.secondary.configure(config(TSIG));
      expect(
        await waitFor(
          "serial 100 at the emulator",
          async () => ((await servedSerial(emulator)) === 100 ? 100 : undefined),
          10_000,
          context,
        ),
      ).toBe(100);
      const state = emulator.secondary.state(zoneId)!;
      expect(state.serial).toBe(100);
      expect(state.checkedTime).toMatch(/^\d{4}-\d\d-\d\dT/);
      // A NOTIFY the primary sends at its start may bring a later check that finds no change.
      expect(state.modifiedTime! <= state.checkedTime!).toBe(true);
      expect(pulls(emulator).find((e) => e.outcome === "pulled")).toMatchObject({
        kind: "AXFR",
        serial: 100,
        records: 7,
        dropped: 1,
      });
    }, 20_000);

    it("follows a change on the primary by NOTIFY", async () => {
      writeFileSync(file(), zoneFile(101, 5));
      reload();
      await waitFor(
        "serial 101 at the emulator",
        async () => ((await servedSerial(emulator)) === 101 ? 101 : undefined),
        10_000,
        context,
      );
      const notified = emulator.events().filter((e) => e.type === "incoming-notify");
      expect(notified.at(-1)).toMatchObject({ zone: ZONE, accepted: true, zoneId });
      const last = pulls(emulator).find((e) => e.outcome === "pulled" && e.serial === 101);
      expect(last).toMatchObject({ outcome: "pulled", serial: 101, records: 9 });
      expect(last).toMatchObject({ kind: "IXFR", form: server.form });
    }, 20_000);

    it("pulls a full AXFR on forceAxfr", async () => {
      const before = pulls(emulator).length;
      emulator.secondary.forceAxfr(zoneId);
      const forced = await waitFor(
        "a forced AXFR",
        async () =>
          pulls(emulator)
            .slice(before)
            .find((e) => e.outcome === "pulled"),
        10_000,
        context,
      );
      expect(forced).toMatchObject({ kind: "AXFR", form: "full", serial: 101 });
    }, 20_000);

    it("keeps the last good zone, with an event saying BADSIG, when the secret is wrong", async () => {
      emulator.secondary.configure(config(WRONG));
      const failure = await waitFor(
        "a failed pull",
        async () => pulls(emulator).find((e) => e.outcome === "failed"),
        10_000,
        context,
      );
      expect(failure.reason).toBe("BADSIG");
      expect(JSON.stringify(emulator.events())).not.toContain(WRONG.secret);
      expect(await servedSerial(emulator)).toBe(101);
      expect(emulator.secondary.state(zoneId)).toMatchObject({
        serial: 101,
        lastError: expect.stringContaining("BADSIG"),
      });
    }, 20_000);
  });
}
