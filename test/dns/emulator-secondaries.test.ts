/**
 * Real secondaries of the emulator: Knot and NSD on loopback high ports. The TSIG,
 * the peer and the outgoing configuration are created by `outgoing setup` (the
 * CLI, in-process), and each secondary is configured from the text setup printed
 * for it; then checked with `outgoing doctor`, also in-process.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSecondaryDnsClient, type SecondaryDnsClient } from "../../src/index.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { DOCTOR_EXIT_CODES, minimalZone, querySoa, type ZoneRecord } from "../../src/dns/index.js";
import { cli } from "../cli/run.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  KNOT,
  NSD,
  Secondary,
  freePort,
  installed,
  waitFor,
  type SecondaryKind,
} from "./servers.js";

const CI = process.env.CI === "true";
const ACCOUNT = "0123456789abcdef0123456789abcdef";
const ZONE_ID = "00112233445566778899aabbccddeeff";
const ZONE = "emulated.test";
const KEY = {
  name: "emulator-xfr.",
  algo: "hmac-sha256." as const,
  secret: Buffer.from("emulator-secondaries-key-0123456").toString("base64"),
};

function records(version: number): ZoneRecord[] {
  const hosts: ZoneRecord[] = Array.from({ length: 30 }, (_, i) => ({
    name: `host${i}.${ZONE}`,
    ttl: 300,
    type: "A",
    data: `192.0.2.${i + 1}`,
  }));
  return [
    ...minimalZone(ZONE, 1),
    ...hosts,
    { name: `v.${ZONE}`, ttl: 300, type: "TXT", data: [`version ${version}`] },
  ];
}

async function serialAt(port: number): Promise<number | undefined> {
  const answer = await querySoa({ host: "127.0.0.1", port, zone: ZONE, timeoutMs: 500 });
  return answer.status === "answer" ? answer.serial : undefined;
}

/**
 * An emulator primary set up by `outgoing setup` (TSIG, peer at a free port, the
 * zone's configuration, enabled), and a secondary configured from the text that
 * setup printed for it: what an operator would paste is what is tested.
 */
async function emulatorWithZone(kind: SecondaryKind, edit = (text: string) => text) {
  const emulator = await startEmulator({ dnsPort: 0, seed: {} });
  const client = createSecondaryDnsClient({
    baseUrl: emulator.url,
    apiToken: "test-token",
    accountId: ACCOUNT,
  });
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "dns-setup-"));
  const secretFile = join(dir, "tsig.secret");
  writeFileSync(secretFile, `${KEY.secret}\n`);
  const outcome = await cli(
    [
      "outgoing",
      "setup",
      ZONE_ID,
      "--name",
      `${ZONE}.`,
      "--peer-ip",
      "127.0.0.1",
      "--peer-port",
      String(port),
      "--tsig-name",
      KEY.name,
      "--tsig-algo",
      KEY.algo,
      "--tsig-secret-file",
      secretFile,
      "--primary",
      `127.0.0.1:${emulator.dns!.port}`,
      "--account",
      ACCOUNT,
      "--json",
    ],
    { CLOUDFLARE_BASE_URL: emulator.url, CLOUDFLARE_API_TOKEN: "test-token" },
  );
  rmSync(dir, { recursive: true, force: true });
  expect(outcome.code, outcome.stderr).toBe(0);
  const printed = JSON.parse(outcome.stdout) as {
    tsig: { id: string };
    secondary: { knot: string; nsd: string };
  };
  const text = edit(printed.secondary[kind.name as "knot" | "nsd"]);
  const secondary = Secondary.fromText(kind, port, text);
  return { emulator, client, secondary, tsig: printed.tsig };
}

async function doctor(emulator: Emulator, json = true) {
  const outcome = await cli(
    [
      "outgoing",
      "doctor",
      ZONE_ID,
      "--account",
      ACCOUNT,
      "--timeout",
      // Generous: a loaded 2-core CI machine answers late; no answer in time is a state of its own.
      "5000",
      ...(json ? ["--json"] : []),
    ],
    {
      CLOUDFLARE_BASE_URL: emulator.url,
      CLOUDFLARE_API_TOKEN: "test-token",
      CF_SECONDARY_DNS_PRIMARY: `127.0.0.1:${emulator.dns!.port}`,
    },
  );
  return { ...outcome, report: json ? JSON.parse(outcome.stdout || "null") : undefined };
}

for (const kind of [KNOT, NSD]) {
  const present = installed(kind);
  if (!present && !CI)
    console.warn(
      `[dns] ${kind.binary} is not installed: the ${kind.name} tests through the emulator are skipped`,
    );

  describe.skipIf(!present && !CI)(`${kind.name} as a secondary of the emulator`, () => {
    let emulator: Emulator;
    let client: SecondaryDnsClient;
    let secondary: Secondary;
    let tsigId: string;

    beforeAll(async () => {
      expect(present, `${kind.binary} must be installed when CI=true`).toBe(true);
      ({
        emulator,
        client,
        secondary,
        tsig: { id: tsigId },
      } = await emulatorWithZone(kind));
      secondary.checkConfig();
      secondary.start();
    });

    afterAll(async () => {
      await secondary?.dispose();
      await emulator?.close();
    });

    it("bootstraps by AXFR with TSIG, serves the API's serial, and last_transferred_time moves", async () => {
      const created = await client.outgoing.get(ZONE_ID);
      const serial = await waitFor(
        "the first transfer",
        () => serialAt(secondary.port),
        10_000,
        () => secondary.log(),
      );
      expect(serial).toBe(created.soa_serial);
      const transfer = emulator.events().find((e) => e.type === "transfer");
      expect(transfer).toMatchObject({ zoneId: ZONE_ID, tsig: KEY.name });
      const after = await waitFor(
        "last_transferred_time to move",
        async () => {
          const zone = await client.outgoing.get(ZONE_ID);
          return zone.last_transferred_time > created.last_transferred_time ? zone : undefined;
        },
        3000,
      );
      expect(after.soa_serial).toBe(serial);
    });

    it("setRecords: the emulator sends NOTIFY and the secondary serves the new serial within seconds", async () => {
      await waitFor("the first transfer", () => serialAt(secondary.port), 10_000);
      const serial = await emulator.setRecords(ZONE_ID, records(1));
      const started = Date.now();
      await waitFor(
        `serial ${serial} on the secondary`,
        async () => ((await serialAt(secondary.port)) === serial ? true : undefined),
        5000,
        () => secondary.log(),
      );
      expect(Date.now() - started).toBeLessThan(5000);
      const notified = emulator
        .events()
        .filter((e) => e.type === "notify" && e.outcome === "answered");
      expect(notified.length).toBeGreaterThan(0);
    });

    it("doctor: in sync; unreachable while stopped; behind while it cannot transfer; in sync again", async () => {
      let serial = (await client.outgoing.get(ZONE_ID)).soa_serial;
      await waitFor(
        "the secondary at the API's serial",
        async () => ((await serialAt(secondary.port)) === serial ? true : undefined),
        10_000,
      );
      const text = await doctor(emulator, false);
      expect(text.code).toBe(0);
      expect(text.stdout).toContain(`in sync at serial ${serial}`);
      expect(text.stdout).toContain("outgoing transfers Enabled; last transfer");
      const inSync = await doctor(emulator);
      expect(inSync.code).toBe(DOCTOR_EXIT_CODES.ok);
      expect(inSync.report).toMatchObject({ status: "Enabled", peers: [{ state: "in-sync" }] });

      if (kind.name === "nsd") {
        // NSD serves after a restart what it wrote to its zone file.
        await waitFor(
          "NSD to write the serial",
          async () => (secondary.storedSerial(ZONE) === serial ? true : undefined),
          5000,
        );
      }
      await secondary.stop();
      const previous = serial;
      serial = await emulator.setRecords(ZONE_ID, records(2)); // a change while it is down
      const down = await doctor(emulator);
      expect(down.code).toBe(DOCTOR_EXIT_CODES.unreachable);
      expect(down.report.peers[0].state).toBe("unreachable");

      // The key changes on the API's side: the restarted secondary cannot transfer.
      await client.tsigs.update(tsigId, {
        ...KEY,
        secret: Buffer.from("a-key-the-secondary-does-not-have").toString("base64"),
      });
      secondary.start();
      const behind = await waitFor(
        "the restarted secondary to answer, behind",
        async () => {
          const run = await doctor(emulator);
          return run.report?.peers[0]?.state === "behind" ? run : undefined;
        },
        10_000,
        () => secondary.log(),
      );
      expect(behind.code).toBe(DOCTOR_EXIT_CODES.behind);
      expect(behind.report.peers[0]).toMatchObject({ serial: previous, distance: 1 });

      await client.tsigs.update(tsigId, KEY);
      const notify = await cli(["outgoing", "force-notify", ZONE_ID], {
        CLOUDFLARE_BASE_URL: emulator.url,
        CLOUDFLARE_API_TOKEN: "test-token",
      });
      expect(notify.code).toBe(0);
      const synced = await waitFor(
        "the secondary to catch up",
        async () => {
          const run = await doctor(emulator);
          return run.code === 0 ? run : undefined;
        },
        10_000,
        () => secondary.log(),
      );
      expect(synced.report.peers[0]).toMatchObject({ state: "in-sync", serial });
    });
  });

  describe.skipIf(!present && !CI)(`${kind.name} with a wrong key, through the emulator`, () => {
    // The text setup printed, with the secondary's copy of the key made wrong.
    const wrongSecret = Buffer.from("not-the-right-secret-at-all-0000").toString("base64");
    for (const [what, edit, error] of [
      ["secret", (text: string) => text.replaceAll(KEY.secret, wrongSecret), "BADSIG"],
      ["key name", (text: string) => text.replaceAll("emulator-xfr", "another-key"), "BADKEY"],
    ] as const) {
      it(`a wrong ${what}: the transfer is refused (${error}) and doctor says the secondary does not serve the zone`, async () => {
        expect(present, `${kind.binary} must be installed when CI=true`).toBe(true);
        const { emulator, secondary } = await emulatorWithZone(kind, (text) => {
          const wrong = edit(text);
          expect(wrong).not.toBe(text);
          return wrong;
        });
        try {
          secondary.checkConfig();
          secondary.start();
          await waitFor(
            `a transfer refused with ${error}`,
            async () =>
              emulator.events().find((e) => e.type === "refused" && e.tsigError === error),
            10_000,
            () => secondary.log(),
          );
          const run = await waitFor(
            "the secondary to answer",
            async () => {
              const r = await doctor(emulator);
              return r.report?.peers[0]?.state === "unreachable" ? undefined : r;
            },
            10_000,
          );
          expect(run.report.primary.state).toBe("answered");
          expect(run.report.peers[0].state).toBe("not-authoritative");
          expect(run.code).toBe(DOCTOR_EXIT_CODES.notAuthoritative);
          expect(emulator.events().some((e) => e.type === "transfer")).toBe(false);
          const events = JSON.stringify(emulator.events());
          expect(events).not.toContain(KEY.secret);
          expect(events).not.toContain(wrongSecret);
        } finally {
          await secondary.dispose();
          await emulator.close();
        }
      });
    }
  });
}
