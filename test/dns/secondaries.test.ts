/**
 * The primary against real secondaries nobody here wrote: Knot and NSD, set up
 * from the renderers' text, transferring with TSIG over loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkSecondaries, doctorExitCode, DOCTOR_EXIT_CODES } from "../../src/dns/doctor.js";
import {
  startDnsPrimary,
  type DnsEvent,
  type DnsPrimary,
  type TransferInfo,
  type ZoneSource,
} from "../../src/dns/primary.js";
import { querySoa } from "../../src/dns/query.js";
import { minimalZone, type ZoneRecord } from "../../src/dns/zone.js";
import { KNOT, NSD, Secondary, installed, waitFor, type SecondaryKind } from "./servers.js";

const CI = process.env.CI === "true";
const ZONE = "example.test";
const KEY = {
  name: "xfr-key.",
  algorithm: "hmac-sha256.",
  secret: Buffer.from("secondaries-test-key-0123456789ab").toString("base64"),
};

/** A zone with enough records that a transfer spans several messages. */
function records(serial: number, extra: ZoneRecord[] = []): ZoneRecord[] {
  const hosts: ZoneRecord[] = Array.from({ length: 40 }, (_, i) => ({
    name: `host${i}.${ZONE}`,
    ttl: 300,
    type: "A",
    data: `192.0.2.${i + 1}`,
  }));
  return [...minimalZone(ZONE, serial), ...hosts, ...extra];
}

/** The test's zone state: what the emulator would hold, read by the primary on every request. */
class TestZone implements ZoneSource {
  serial = 1;
  recordList = records(1);
  /** While set, transfers are refused (no peer matches), so a restarted secondary stays behind. */
  holdTransfers = false;
  peerTsig: typeof KEY | undefined = KEY;
  peerPort = 0;
  readonly transfers: TransferInfo[] = [];

  zone(name: string) {
    if (name !== ZONE) return undefined;
    return {
      zoneId: "zone-1",
      name: ZONE,
      records: this.recordList,
      serial: this.serial,
      transfersEnabled: true,
      peers: this.holdTransfers
        ? []
        : [
            {
              id: "peer-1",
              ip: "127.0.0.1",
              port: this.peerPort,
              ...(this.peerTsig ? { tsig: this.peerTsig } : {}),
            },
          ],
    };
  }

  onTransfer(info: TransferInfo) {
    this.transfers.push(info);
  }

  change() {
    this.serial += 1;
    this.recordList = records(this.serial, [
      { name: `v${this.serial}.${ZONE}`, ttl: 300, type: "TXT", data: [`serial ${this.serial}`] },
    ]);
  }
}

async function serialOf(secondary: Secondary): Promise<number | undefined> {
  const answer = await querySoa({
    host: "127.0.0.1",
    port: secondary.port,
    zone: ZONE,
    timeoutMs: 500,
  });
  return answer.status === "answer" ? answer.serial : undefined;
}

for (const kind of [KNOT, NSD]) {
  const present = installed(kind);
  if (!present && !CI)
    console.warn(
      `[dns] ${kind.binary} is not installed: the ${kind.name} secondary tests are skipped`,
    );

  describe.skipIf(!present && !CI)(`${kind.name} as a secondary`, () => {
    const zone = new TestZone();
    const events: DnsEvent[] = [];
    let primary: DnsPrimary;
    let secondary: Secondary;
    const doctor = () =>
      checkSecondaries({
        zone: ZONE,
        primary: { host: "127.0.0.1", port: primary.port },
        peers: [{ id: "peer-1", ip: "127.0.0.1", port: secondary.port }],
        timeoutMs: 3000,
      });

    beforeAll(async () => {
      expect(present, `${kind.binary} must be installed when CI=true`).toBe(true);
      primary = await startDnsPrimary({
        source: zone,
        log: (e) => events.push(e),
        transferMessageBytes: 512,
        notifyTimeoutMs: 300,
      });
      secondary = await Secondary.create(kind, {
        zone: ZONE,
        primary: { host: "127.0.0.1", port: primary.port },
        tsig: KEY,
      });
      zone.peerPort = secondary.port;
      secondary.checkConfig();
      secondary.start();
    });

    afterAll(async () => {
      await secondary?.dispose();
      await primary?.close();
    });

    it("bootstraps the zone by AXFR with TSIG and serves the primary's serial", async () => {
      const serial = await waitFor(
        "the first transfer",
        () => serialOf(secondary),
        10_000,
        () => secondary.log(),
      );
      expect(serial).toBe(1);
      const transfer = events.find((e) => e.type === "transfer");
      expect(transfer).toMatchObject({ type: "transfer", tsig: "xfr-key." });
      expect((transfer as { messages: number }).messages).toBeGreaterThan(1); // chained MACs, checked by the secondary
      expect(zone.transfers[0]).toMatchObject({
        zoneId: "zone-1",
        peerId: "peer-1",
        address: "127.0.0.1",
        serial: 1,
      });
    });

    it("serves a new serial within a few seconds of a change and its NOTIFY", async () => {
      zone.change();
      const [result] = await primary.notify(ZONE);
      expect(result).toMatchObject({ peerId: "peer-1", outcome: "answered", rcode: 0 });
      expect(result!.reason).toBeUndefined(); // the secondary's signed answer verified
      const started = Date.now();
      await waitFor(
        "serial 2 on the secondary",
        async () => ((await serialOf(secondary)) === 2 ? true : undefined),
        5000,
        () => secondary.log(),
      );
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it("doctor: in sync, then unreachable and behind across a stop during a change, then in sync", async () => {
      // NSD forks a new server on a reload and the old one may answer a moment longer:
      // wait (bounded) for the report to settle before asserting it.
      let inSync = await doctor();
      for (const deadline = Date.now() + 5000; Date.now() < deadline;) {
        if (inSync.peers[0]?.state === "in-sync") break;
        await new Promise((resolve) => setTimeout(resolve, 200));
        inSync = await doctor();
      }
      expect(inSync.primary).toMatchObject({ state: "answered", serial: 2 });
      expect(inSync.peers[0]).toMatchObject({ state: "in-sync", serial: 2 });
      expect(doctorExitCode(inSync, true)).toBe(DOCTOR_EXIT_CODES.ok);

      if (kind.name === "nsd") {
        // NSD serves after a restart what it wrote to its zone file: wait for serial 2 there.
        await waitFor(
          "NSD to write serial 2",
          async () => (secondary.storedSerial(ZONE) === 2 ? true : undefined),
          5000,
        );
      }
      await secondary.stop();
      zone.change(); // serial 3 while the secondary is down
      const [notified] = await primary.notify(ZONE);
      expect(notified!.outcome).toBe("failed");
      const down = await doctor();
      expect(down.peers[0]!.state).toBe("unreachable");
      expect(doctorExitCode(down, true)).toBe(DOCTOR_EXIT_CODES.unreachable);

      zone.holdTransfers = true; // the restarted secondary sees serial 3 but cannot fetch it yet
      secondary.start();
      const behind = await waitFor(
        "the restarted secondary to answer",
        async () => {
          const report = await doctor();
          return report.peers[0]!.state === "behind" ? report : undefined;
        },
        10_000,
        () => secondary.log(),
      );
      expect(behind.peers[0]).toMatchObject({ state: "behind", serial: 2, distance: 1 });
      expect(behind.peers[0]!.detail).toContain("behind by 1");
      expect(doctorExitCode(behind, true)).toBe(DOCTOR_EXIT_CODES.behind);

      zone.holdTransfers = false;
      await primary.notify(ZONE);
      const synced = await waitFor(
        "the secondary to catch up",
        async () => {
          const report = await doctor();
          return report.peers[0]!.state === "in-sync" ? report : undefined;
        },
        10_000,
        () => secondary.log(),
      );
      expect(synced.peers[0]!.serial).toBe(3);
    });
  });

  describe.skipIf(!present && !CI)(`${kind.name} with a wrong key`, () => {
    const cases = [
      {
        what: "secret",
        tsig: {
          ...KEY,
          secret: Buffer.from("not-the-right-secret-at-all-00000").toString("base64"),
        },
        error: "BADSIG",
      },
      { what: "key name", tsig: { ...KEY, name: "other-key." }, error: "BADKEY" },
    ];
    for (const { what, tsig, error } of cases) {
      it(`a wrong ${what} makes the transfer fail (${error}) and doctor says the secondary does not serve the zone`, async () => {
        expect(present, `${kind.binary} must be installed when CI=true`).toBe(true);
        const zone = new TestZone();
        const events: DnsEvent[] = [];
        const primary = await startDnsPrimary({ source: zone, log: (e) => events.push(e) });
        const secondary = await Secondary.create(kind, {
          zone: ZONE,
          primary: { host: "127.0.0.1", port: primary.port },
          tsig,
        });
        zone.peerPort = secondary.port;
        try {
          secondary.checkConfig();
          secondary.start();
          const refusal = await waitFor(
            `a refused transfer with ${error}`,
            async () => events.find((e) => e.type === "refused" && e.tsigError === error),
            10_000,
            () => secondary.log(),
          );
          expect(refusal).toMatchObject({ rcode: 9 });
          const report = await waitFor(
            "the secondary to answer",
            async () => {
              const r = await checkSecondaries({
                zone: ZONE,
                primary: { host: "127.0.0.1", port: primary.port },
                peers: [{ id: "peer-1", ip: "127.0.0.1", port: secondary.port }],
                timeoutMs: 1000,
              });
              return r.peers[0]!.state === "unreachable" ? undefined : r;
            },
            10_000,
          );
          expect(report.primary.state).toBe("answered");
          expect(report.peers[0]!.state).toBe("not-authoritative");
          expect(zone.transfers).toEqual([]);
          expect(JSON.stringify(events)).not.toContain(tsig.secret);
          expect(JSON.stringify(events)).not.toContain(KEY.secret);
        } finally {
          await secondary.dispose();
          await primary.close();
        }
      });
    }
  });
}

export type { SecondaryKind };
