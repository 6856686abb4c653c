/**
 * `incoming setup` and `incoming doctor` against the emulator with a real Knot
 * primary on 127.0.0.1, configured from what `incoming setup --write-config`
 * writes: setup creates key, peer and zone; the emulator pulls; doctor says in
 * sync (0); a change on the primary without NOTIFY makes doctor say behind (17);
 * a NOTIFY brings it back to in sync. A rerun of setup is unchanged; bad input
 * exits 2 naming the flag with nothing sent. The NSD and BIND files pass their
 * servers' checkers. Also `dns-settings get|update [--account]`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DOCTOR_EXIT_CODES } from "../../src/dns/doctor.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { createSecondaryDnsClient } from "../../src/index.js";
import { freePort, waitFor } from "../dns/servers.js";
import { apiError, proxiesClosedAfterEach, startProxy } from "./proxy.js";
import { serialAt, startPrimary, type PrimaryServer } from "./primary-server.js";
import { cli } from "./run.js";

const CI = process.env.CI === "true";
const ACCOUNT = "01a7362d577a6c3019a474fd6f485823";
const ZONE = "incoming.test";
const ZONE_ID = "0123456789abcdef0123456789abcdef";
const TOOLS = [
  "/usr/sbin/knotd",
  "/usr/sbin/knotc",
  "/usr/sbin/nsd-checkconf",
  "/usr/bin/named-checkconf",
];
const present = TOOLS.every(
  (tool) => spawnSync(tool, ["-h"], { stdio: "ignore", timeout: 5000 }).error === undefined,
);
if (!present && !CI) console.warn("[incoming] knot, nsd or bind9 is not installed: skipped");

/** The zone file the primary serves: `www`'s address moves with the serial. */
const zoneText = (serial: number) => `$ORIGIN ${ZONE}.
$TTL 300
@ SOA ns.${ZONE}. admin.${ZONE}. ${serial} 3600 600 86400 300
@ NS ns.${ZONE}.
ns A 127.0.0.1
www A 192.0.2.${serial % 250}
`;

let emulator: Emulator;
let dir: string;
let port: number;
let knot: PrimaryServer | undefined;
let output = "";
/** Every server this file starts, stopped at its end. */
const started: PrimaryServer[] = [];
const proxies = proxiesClosedAfterEach();
const env = (url: string) => ({
  CLOUDFLARE_BASE_URL: url,
  CLOUDFLARE_API_TOKEN: "incoming-token",
  CLOUDFLARE_ACCOUNT_ID: ACCOUNT,
});
const knotConf = () => join(dir, "knot", "knot.conf");
const setupArgs = (...more: string[]) => [
  ...["incoming", "setup", ZONE_ID, "--name", ZONE, "--primary-ip", "127.0.0.1"],
  ...["--primary-port", String(port), "--tsig-name", "incoming-key", "--ixfr"],
  ...["--write-config", dir, ...more],
];
const doctor = () => cli(["incoming", "doctor", ZONE_ID, "--timeout", "1000"], env(emulator.url));
const context = () => `${knot?.output() ?? ""}\nknotc said:\n${output.slice(-2000)}`;

function knotc(...args: string[]): void {
  const done = spawnSync("/usr/sbin/knotc", ["-c", knotConf(), ...args], {
    encoding: "utf8",
    timeout: 10_000,
  });
  output += done.stdout + done.stderr;
  expect(done.status, `knotc ${args.join(" ")}: ${done.stderr}`).toBe(0);
}

/** Starts knotd from `conf` and waits until it serves `serial`. */
async function startKnot(conf: string, serial: number): Promise<void> {
  knot = await startPrimary("/usr/sbin/knotd", ["-c", conf], { port, zone: ZONE, serial });
  started.push(knot);
}

beforeAll(async () => {
  emulator = await startEmulator({ dnsPort: 0, seed: {} });
  dir = mkdtempSync(join(tmpdir(), "incoming-setup-"));
  port = await freePort();
});
afterAll(async () => {
  for (const server of started) await server.stop();
  await emulator?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 15_000);

describe.skipIf(!present && !CI)("incoming setup and doctor with a Knot primary", () => {
  it("needs knot, nsd and bind9 under CI", () => expect(present).toBe(true));

  it("sets up key, peer and zone, and writes configurations that pass the checkers", async () => {
    const first = await cli(setupArgs(), env(emulator.url));
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^ {2}tsig {7}created {4}created TSIG key incoming-key\./m);
    expect(first.stdout).toMatch(/^ {2}peer {7}created {4}created peer "primary 127\.0\.0\.1/m);
    expect(first.stdout).toMatch(/^ {2}incoming {3}created /m);
    const dns = emulator.dns!;
    expect(first.stdout).toContain(`send NOTIFY to ${dns.host} port ${dns.port}`);
    expect(first.stdout).toContain(`allow transfers (AXFR, IXFR) from ${dns.host}`);
    expect(first.stdout).toContain(`serving the zone file ${join(dir, `${ZONE}.zone`)} `);
    // The key's secret is printed once, by the run that creates it, and is in the files.
    const secret = /secret "([^"]+)"/.exec(first.stdout)![1]!;
    expect(readFileSync(knotConf(), "utf8")).toContain(secret);
    const knotCheck = spawnSync("/usr/sbin/knotc", ["-c", knotConf(), "conf-check"], {
      encoding: "utf8",
    });
    expect(knotCheck.status, knotCheck.stderr).toBe(0);
    for (const [tool, file] of [
      ["/usr/sbin/nsd-checkconf", join(dir, "nsd", "nsd.conf")],
      ["/usr/bin/named-checkconf", join(dir, "bind", "named.conf")],
    ] as const) {
      const checked = spawnSync(tool, [file], { encoding: "utf8" });
      expect(checked.status, `${tool}: ${checked.stdout}${checked.stderr}`).toBe(0);
    }
    const client = createSecondaryDnsClient({ apiToken: "t", baseUrl: emulator.url });
    const peer = (await client.peers.list({ accountId: ACCOUNT }))[0];
    expect(peer).toMatchObject({ ip: "127.0.0.1", port, ixfr_enable: true });
  });

  it("a rerun changes nothing and says unchanged, the secret masked", async () => {
    const rerun = await cli(setupArgs(), env(emulator.url));
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toContain("Nothing to change: everything was already set up.");
    for (const step of ["tsig", "peer", "incoming"])
      expect(rerun.stdout).toMatch(new RegExp(`^ {2}${step} +unchanged `, "m"));
    expect(rerun.stdout).toContain("(--show-secret to see it)");
  });

  it("the emulator pulls from Knot and doctor says in sync (exit 0)", async () => {
    writeFileSync(join(dir, `${ZONE}.zone`), zoneText(100));
    // Knot first runs without its NOTIFY line, so the change below reaches the emulator only later.
    const quiet = join(dir, "knot", "quiet.conf");
    writeFileSync(quiet, readFileSync(knotConf(), "utf8").replace(/^ {4}notify: .*\n/m, ""), {
      mode: 0o600,
    });
    await startKnot(quiet, 100);
    const forced = await cli(["incoming", "force-axfr", ZONE_ID], env(emulator.url));
    expect(forced.code, forced.stderr).toBe(0);
    await waitFor(
      "serial 100 at the emulator",
      () => serialAt(emulator.dns!.port, ZONE, 100),
      10_000,
    );
    const inSync = await doctor();
    expect(inSync.stderr).toBe("");
    expect(inSync.stdout).toContain("Cloudflare's DNS: in sync at serial 100");
    expect(inSync.stdout).toContain("API soa_serial 100: in sync");
    expect(inSync.code).toBe(0);
  }, 40_000);

  it("a change without NOTIFY: behind (17); a NOTIFY brings it back in sync (0)", async () => {
    writeFileSync(join(dir, `${ZONE}.zone`), zoneText(101));
    knotc("zone-reload", ZONE);
    await waitFor("knot at serial 101", () => serialAt(port, ZONE, 101), 10_000, context);
    const behind = await doctor();
    expect(behind.stdout).toContain("Cloudflare's DNS: behind by 1 (serial 100, primary 101)");
    expect(behind.code).toBe(DOCTOR_EXIT_CODES.behind);
    // Knot again from the file setup wrote: with its NOTIFY to the emulator.
    await knot!.stop();
    await startKnot(knotConf(), 101);
    knotc("zone-notify", ZONE);
    const back = await waitFor(
      "doctor in sync at 101",
      async () => {
        const outcome = await doctor();
        return outcome.code === 0 ? outcome : undefined;
      },
      15_000,
      context,
    );
    expect(back.stdout).toContain("API soa_serial 101: in sync");
  }, 60_000);

  it("a primary that does not answer: the primary gave no serial (11)", async () => {
    const args = ["incoming", "doctor", ZONE_ID, "--timeout", "300", "--json"];
    const idle = await freePort();
    const outcome = await cli([...args, "--primary", `127.0.0.1:${idle}`], env(emulator.url));
    expect(outcome.code).toBe(DOCTOR_EXIT_CODES.primaryFailed);
    expect(JSON.parse(outcome.stdout)).toMatchObject({ zone: `${ZONE}.`, exitCode: 11 });
  });
});

describe("incoming setup with bad input", () => {
  const cases = [
    [["--primary-ip", "300.1.1.1"], "--primary-ip"],
    [["--primary-ip", "127.0.0.1", "--primary-port", "0"], "--primary-port"],
    [["--primary-ip", "127.0.0.1", "--tsig-algo", "hmac-md4"], "--tsig-algo"],
    [["--primary-ip", "127.0.0.1", "--auto-refresh", "0"], "--auto-refresh"],
  ] as const;
  for (const [flags, flag] of cases) {
    it(`exits 2 naming ${flag}, nothing sent (${flags.at(-1)})`, async () => {
      const proxy = await startProxy(emulator.url);
      proxies.push(proxy);
      const args = ["incoming", "setup", ZONE_ID, "--name", ZONE, ...flags];
      const outcome = await cli(args, env(proxy.url));
      expect(outcome.code).toBe(2);
      expect(outcome.stderr).toContain(`invalid ${flag}`);
      expect(proxy.seen).toEqual([]);
    });
  }
});

describe("dns-settings get|update [--account]", () => {
  it("reads and updates the zone's settings, or the account's with --account", async () => {
    const proxy = await startProxy(emulator.url);
    proxies.push(proxy);
    const zone = await cli(["dns-settings", "get", ZONE_ID, "--json"], env(proxy.url));
    expect(zone.code, zone.stderr).toBe(0);
    const update = ["dns-settings", "update", ZONE_ID, "--ns-ttl", "3600", "--json"];
    const updated = await cli(update, env(proxy.url));
    expect(updated.code, updated.stderr).toBe(0);
    expect(JSON.parse(updated.stdout)).toMatchObject({ ns_ttl: 3600 });
    const account = await cli(["dns-settings", "get", "--account", ACCOUNT], env(proxy.url));
    expect(account.code, account.stderr).toBe(0);
    expect(proxy.seen).toEqual([
      `GET /client/v4/zones/${ZONE_ID}/dns_settings`,
      `PATCH /client/v4/zones/${ZONE_ID}/dns_settings`,
      `GET /client/v4/accounts/${ACCOUNT}/dns_settings`,
    ]);
  });
});

/** NSD and BIND 9 as the primary, each from the file setup wrote for it: pulled, and doctor in sync. */
const OTHERS = [
  { kind: "nsd", binary: "/usr/sbin/nsd", run: ["-d", "-c"], file: "nsd/nsd.conf", id: "d" },
  { kind: "bind", binary: "/usr/sbin/named", run: ["-g", "-c"], file: "bind/named.conf", id: "b" },
] as const;
for (const server of OTHERS) {
  describe.skipIf(!present && !CI)(`incoming setup with a ${server.kind} primary`, () => {
    it("setup --write-config, the server from its file, force-axfr: doctor in sync (0)", async () => {
      const zoneId = server.id.repeat(32);
      const [at, home] = [
        await freePort(),
        mkdtempSync(join(tmpdir(), `incoming-${server.kind}-`)),
      ];
      try {
        writeFileSync(join(home, `${ZONE}.zone`), zoneText(300));
        const args = ["incoming", "setup", zoneId, "--name", ZONE, "--primary-ip", "127.0.0.1"];
        const more = [
          "--primary-port",
          String(at),
          "--tsig-algo",
          "hmac-sha512",
          "--write-config",
          home,
        ];
        const setup = await cli([...args, ...more], env(emulator.url));
        expect(setup.code, setup.stderr).toBe(0);
        const conf = join(home, server.file);
        const primary = await startPrimary(server.binary, [...server.run, conf], {
          ...{ port: at, zone: ZONE, serial: 300 },
        });
        started.push(primary);
        expect((await cli(["incoming", "force-axfr", zoneId], env(emulator.url))).code).toBe(0);
        const doctored = await waitFor(
          "doctor in sync at 300",
          async () => {
            const outcome = await cli(["incoming", "doctor", zoneId], env(emulator.url));
            return outcome.code === 0 ? outcome : undefined;
          },
          15_000,
          primary.output,
        );
        expect(doctored.stdout).toContain("Cloudflare's DNS: in sync at serial 300");
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    }, 40_000);
  });
}

describe("incoming setup and doctor, without a primary running", () => {
  it("a failure at the incoming step says what was done and not, and a rerun finishes", async () => {
    const zoneId = "e".repeat(32);
    const fail = (method: string, path: string) =>
      method === "POST" && path.endsWith("/secondary_dns/incoming")
        ? { status: 500, body: apiError(1000, "Internal error") }
        : undefined;
    const proxy = await startProxy(emulator.url, fail);
    proxies.push(proxy);
    const args = [
      "incoming",
      "setup",
      zoneId,
      "--name",
      "failing.test",
      "--primary-ip",
      "127.0.0.9",
    ];
    const failed = await cli([...args, "--retries", "0"], env(proxy.url));
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('incoming setup stopped at step "incoming"');
    expect(failed.stderr).toContain("done: tsig created, peer created");
    expect(failed.stderr).toContain("not done: incoming");
    const rerun = await cli([...args, "--json"], env(emulator.url));
    expect(rerun.code, rerun.stderr).toBe(0);
    const result = JSON.parse(rerun.stdout);
    expect(result.steps.map((s: { outcome: string }) => s.outcome)).toEqual([
      "unchanged",
      "unchanged",
      "created",
    ]);
    // --json holds the key with its secret, as `tsigs get --json` does.
    expect(result.tsig.secret).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(result.incoming).toMatchObject({ name: "failing.test.", auto_refresh_seconds: 86400 });
    expect(result.targets.notify).toEqual([emulator.dns]);
  });

  it("doctor against Cloudflare's API wants --cloudflare-dns, and sends nothing before", async () => {
    const calls: unknown[] = [];
    vi.stubGlobal("fetch", (...args: unknown[]) => {
      calls.push(args);
      return Promise.reject(new Error("no request may leave this test"));
    });
    try {
      const base = ["--base-url", "https://api.cloudflare.com/client/v4"];
      const outcome = await cli(["incoming", "doctor", ZONE_ID, ...base], env(emulator.url));
      expect(outcome.code).toBe(2);
      expect(outcome.stderr).toContain("--cloudflare-dns");
      expect(calls).toEqual([]);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
