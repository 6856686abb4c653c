/**
 * runIncomingDoctor (behind `incoming doctor`) with a client that answers from
 * memory, for the cases no DNS is asked in: no primaries (20), a primary with
 * no ip (19). And `incoming setup` reruns: a new refresh updates only the zone,
 * --no-tsig sets up an unsigned peer and says so. And the targets setup prints.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DOCTOR_EXIT_CODES } from "../../src/dns/doctor.js";
import { runIncomingDoctor, type IncomingDoctorClient } from "../../src/dns/incoming-doctor.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { targetsFor } from "../../src/cli/incoming.js";
import {
  CLOUDFLARE_NOTIFY_SOURCES,
  CLOUDFLARE_SECONDARY_NOTIFY,
} from "../../src/dns/cloudflare.js";
import { cli } from "./run.js";

const zone = (peers: string[]) => ({
  name: "memory.test.",
  peers,
  soa_serial: 7,
  checked_time: "2026-12-04T00:00:00Z",
});
const client = (peers: string[]): IncomingDoctorClient => ({
  incoming: { get: async () => zone(peers) },
  peers: { get: async (id) => ({ id, name: `peer ${id}` }) },
});
// Never asked: both cases end before any DNS query.
const cloudflare = { host: "127.0.0.1", port: 9 };

describe("runIncomingDoctor without DNS", () => {
  it("no primaries: 20", async () => {
    const report = await runIncomingDoctor(client([]), "z", { cloudflare });
    expect(report).toMatchObject({ zone: "memory.test.", soaSerial: 7, primaries: [] });
    expect(report.exitCode).toBe(DOCTOR_EXIT_CODES.noPeers);
  });

  it("a primary with no ip: 19, named", async () => {
    const report = await runIncomingDoctor(client(["p1"]), "z", { cloudflare });
    expect(report.exitCode).toBe(DOCTOR_EXIT_CODES.noIp);
    expect(report.primaries[0]).toMatchObject({ id: "p1", cloudflare: { state: "no-ip" } });
  });
});

describe("incoming setup reruns", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ dnsPort: 0, seed: {} });
  });
  afterAll(() => emulator.close());
  const env = () => ({
    CLOUDFLARE_BASE_URL: emulator.url,
    CLOUDFLARE_API_TOKEN: "t",
    CLOUDFLARE_ACCOUNT_ID: "01a7362d577a6c3019a474fd6f485823",
  });
  const args = [
    "incoming",
    "setup",
    "a".repeat(32),
    "--name",
    "rerun.test",
    "--primary-ip",
    "127.0.0.7",
  ];

  it("--no-tsig: an unsigned peer, said so; a new --auto-refresh updates only the zone", async () => {
    const first = await cli([...args, "--no-tsig"], env());
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).not.toMatch(/^ {2}tsig /m);
    expect(first.stdout).toContain("allow transfers (AXFR) from 127.0.0.1, unsigned");
    const again = await cli([...args, "--no-tsig", "--auto-refresh", "600"], env());
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^ {2}peer {7}unchanged /m);
    expect(again.stdout).toMatch(
      /^ {2}incoming {3}updated {4}rerun\.test\. now pulls .* every 600 s/m,
    );
    expect(again.stdout).toContain("Done: 1 updated, 1 unchanged.");
  });
});

describe("the secondary setup's primary is told of", () => {
  it("Cloudflare's transfer sources and NOTIFY addresses for Cloudflare's API, the emulator's address for it", () => {
    const cloudflare = targetsFor({ host: "172.65.64.6", port: 53, from: "cloudflare" });
    expect(cloudflare.transferFrom).toEqual(CLOUDFLARE_NOTIFY_SOURCES);
    expect(cloudflare.notify).toEqual(
      CLOUDFLARE_SECONDARY_NOTIFY.map((host) => ({ host, port: 53 })),
    );
    const emulator = targetsFor({ host: "127.0.0.1", port: 5399, from: "emulator" });
    expect(emulator).toEqual({
      transferFrom: ["127.0.0.1"],
      notify: [{ host: "127.0.0.1", port: 5399 }],
    });
  });
});
