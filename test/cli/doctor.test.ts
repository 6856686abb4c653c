/**
 * `outgoing doctor` without outside servers: its usage, its help, and the exit
 * codes it can reach against the emulator's DNS primary alone (the in-sync and
 * behind cases run against Knot and NSD: test/dns/emulator-secondaries.test.ts).
 */
import { createSocket } from "node:dgram";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DOCTOR_EXIT_CODES } from "../../src/dns/index.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { createSecondaryDnsClient, type SecondaryDnsClient } from "../../src/index.js";
import { cli } from "./run.js";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const ZONE_ID = "aaaabbbbccccddddeeeeffff00001111";

let emulator: Emulator;
let client: SecondaryDnsClient;
let env: Record<string, string>;
let quietPort: number;

beforeAll(async () => {
  emulator = await startEmulator({ dnsPort: 0, seed: {} });
  client = createSecondaryDnsClient({ baseUrl: emulator.url, apiToken: "t", accountId: ACCOUNT });
  env = {
    CLOUDFLARE_BASE_URL: emulator.url,
    CLOUDFLARE_API_TOKEN: "t",
    CLOUDFLARE_ACCOUNT_ID: ACCOUNT,
    CF_SECONDARY_DNS_PRIMARY: `127.0.0.1:${emulator.dns!.port}`,
  };
  // A loopback UDP port where nothing answers: the query times out.
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
  quietPort = socket.address().port;
  afterAll(() => socket.close());
});
afterAll(() => emulator.close());

const doctor = (...args: string[]) =>
  cli(["outgoing", "doctor", ZONE_ID, "--timeout", "300", ...args], env);

describe("outgoing doctor", () => {
  it("--help lists every exit code", async () => {
    const { code, stdout } = await cli(["outgoing", "doctor", "--help"], {});
    expect(code).toBe(0);
    for (const value of Object.values(DOCTOR_EXIT_CODES))
      expect(stdout).toMatch(new RegExp(`^  ${value} `, "m"));
    expect(stdout).toContain("CF_SECONDARY_DNS_PRIMARY");
  });

  it("requires an account, and says why; a bad --primary is a usage error", async () => {
    const noAccount = await cli(["outgoing", "doctor", ZONE_ID], {
      ...env,
      CLOUDFLARE_ACCOUNT_ID: "",
    });
    expect(noAccount.code).toBe(2);
    expect(noAccount.stderr).toContain("give --account ID or set CLOUDFLARE_ACCOUNT_ID");
    const badPrimary = await doctor("--primary", "ns1.example:53");
    expect(badPrimary.code).toBe(2);
    expect(badPrimary.stderr).toContain("invalid --primary");
  });

  it("a zone with no configuration: the API's 404, exit 1", async () => {
    expect((await doctor()).code).toBe(1);
  });

  it("disabled, no peers, unreachable, no answer, no ip: each its own exit code", async () => {
    await client.outgoing.create(ZONE_ID, { name: "doctor.test.", peers: [] });
    const disabled = await doctor("--json");
    expect(disabled.code).toBe(DOCTOR_EXIT_CODES.transfersDisabled);
    expect(JSON.parse(disabled.stdout)).toMatchObject({ status: "Disabled" });

    await client.outgoing.enable(ZONE_ID);
    const none = await doctor();
    expect(none.code).toBe(DOCTOR_EXIT_CODES.noPeers);
    expect(none.stdout).toContain("no peers are linked");

    const closed = await client.peers.create({ name: "closed", ip: "127.0.0.1", port: 1 });
    await client.outgoing.update(ZONE_ID, { name: "doctor.test.", peers: [closed.id] });
    const unreachable = await doctor("--json");
    expect(unreachable.code).toBe(DOCTOR_EXIT_CODES.unreachable);
    const report = JSON.parse(unreachable.stdout);
    expect(report.primary).toMatchObject({ state: "answered" });
    expect(report.primary.serial).toBe((await client.outgoing.get(ZONE_ID)).soa_serial);
    expect(report.peers[0]).toMatchObject({ id: closed.id, state: "unreachable" });

    const quiet = await client.peers.create({ name: "quiet", ip: "127.0.0.1", port: quietPort });
    await client.outgoing.update(ZONE_ID, { name: "doctor.test.", peers: [quiet.id] });
    const silent = await doctor();
    expect(silent.code).toBe(DOCTOR_EXIT_CODES.noAnswer);
    expect(silent.stdout).toContain("no answer within 300 ms");

    const noIp = await client.peers.create({ name: "no-ip" });
    await client.outgoing.update(ZONE_ID, { name: "doctor.test.", peers: [noIp.id] });
    const cannot = await doctor();
    expect(cannot.code).toBe(DOCTOR_EXIT_CODES.noIp);
    expect(cannot.stdout).toContain("no ip: cannot be checked");
  });
});

describe("emulator command", () => {
  it("refuses a --zone-file without <zone_id>=", async () => {
    const { code, stderr } = await cli(["emulator", "--zone-file", "x.zone"], {});
    expect(code).toBe(2);
    expect(stderr).toContain("invalid --zone-file");
  });

  it("prints where DNS is served and the doctor's primary, then stops", async () => {
    const stop = new AbortController();
    const running = cli(["emulator", "--dns-port", "0"], {}, stop.signal);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    stop.abort();
    const { code, stdout } = await running;
    expect(code).toBe(0);
    expect(stdout).toMatch(/DNS primary \(SOA, AXFR, NOTIFY\) on 127\.0\.0\.1:\d+, UDP and TCP/);
    expect(stdout).toMatch(/CF_SECONDARY_DNS_PRIMARY=127\.0\.0\.1:\d+/);
  });
});
