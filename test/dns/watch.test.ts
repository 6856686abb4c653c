/**
 * `outgoing doctor --watch` end to end, every part real and on loopback: the
 * emulator as primary; Knot and NSD as its secondaries, plus a Knot with a
 * wrong TSIG secret; the built CLI watching as a child process; and a real
 * Prometheus (Debian's package) scraping /metrics each second and loading
 * monitoring/alerts.yml. What is asserted is what Prometheus's query API says.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSecondaryDnsClient, type SecondaryDnsClient } from "../../src/index.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { minimalZone } from "../../src/dns/index.js";
import { builtFile } from "../cli/built.js";
import { KNOT, NSD, Secondary, freePort, installed, waitFor } from "./servers.js";

const CI = process.env.CI === "true";
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ACCOUNT = "0123456789abcdef0123456789abcdef";
const ZONE_ID = "00112233445566778899aabbccddeeff";
const ZONE = "watched.test";
const TOKEN = "watch-e2e-token-that-must-never-show-0001";
const KEY = {
  name: "watch-xfr.",
  algo: "hmac-sha256." as const,
  secret: Buffer.from("watch-secondaries-key-0123456789").toString("base64"),
};
/** Each test waits on Prometheus several times; under a loaded machine that takes a while. */
const PROMETHEUS_TIMEOUT = 45_000;
const WRONG_SECRET = Buffer.from("a-secret-the-primary-does-not-have").toString("base64");

const tools = ["/usr/bin/prometheus", "/usr/bin/promtool"];
const present =
  installed(KNOT) &&
  installed(NSD) &&
  tools.every((tool) => spawnSync(tool, ["--version"], { stdio: "ignore" }).status === 0);
if (!present && !CI)
  console.warn("[watch] knotd, nsd or prometheus is missing: the watch end-to-end test is skipped");

/** Stops a child by its PID: SIGTERM, then SIGKILL after 5 s; resolves to its exit code. */
async function stopChild(child: ChildProcess | undefined): Promise<number | null> {
  if (!child || child.exitCode !== null || child.signalCode !== null)
    return child?.exitCode ?? null;
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

/** A Prometheus on 127.0.0.1 with its data in a temp dir, scraping `target` every second. */
async function startPrometheus(target: string, dir: string) {
  const port = await freePort();
  // The README's scrape configuration, pointed at this watcher, its rules and a 1 s interval.
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const monitoring = readme.slice(readme.indexOf("\n## Monitoring"));
  const shown = /^```yaml\n([\s\S]*?)^```/m.exec(monitoring)?.[1] ?? "";
  expect(shown).toContain('targets: ["127.0.0.1:9810"]');
  const config = join(dir, "prometheus.yml");
  writeFileSync(
    config,
    "global: { scrape_interval: 1s, evaluation_interval: 1s }\n" +
      shown
        .replace(/^ {2}- alerts\.yml.*$/m, `  - ${join(ROOT, "monitoring", "alerts.yml")}`)
        .replace(/scrape_interval: \S+/, "scrape_interval: 1s")
        .replace("127.0.0.1:9810", target),
  );
  let log = "";
  const child = spawn(
    "/usr/bin/prometheus",
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  child.stderr!.on("data", (chunk: Buffer) => (log += chunk.toString()));
  /** The value of a query's first series, or undefined when it has none (or Prometheus is not up). */
  const query = async (expr: string): Promise<number | undefined> => {
    try {
      const url = `http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(expr)}`;
      const body = (await (await fetch(url)).json()) as {
        data?: { result?: { value: [number, string] }[] };
      };
      const first = body.data?.result?.[0];
      return first ? Number(first.value[1]) : undefined;
    } catch {
      return undefined;
    }
  };
  return { child, query, log: () => log };
}

describe.skipIf(!present && !CI)("doctor --watch, scraped by a real Prometheus", () => {
  let emulator: Emulator;
  let admin: SecondaryDnsClient;
  let dir: string;
  const secondaries: Record<"knot" | "nsd" | "wrong", Secondary> = {} as never;
  let watcher: ChildProcess;
  let out = "";
  let err = "";
  let metricsUrl: string;
  let prometheus: Awaited<ReturnType<typeof startPrometheus>>;

  /** Waits until Prometheus's value for `expr` passes `ok`; says what it last saw otherwise. */
  const until = (expr: string, ok: (value: number | undefined) => boolean, ms = 15_000) => {
    let last: number | undefined;
    return waitFor(
      `Prometheus: ${expr}`,
      async () => ((last = await prometheus.query(expr)), ok(last) ? (last ?? 0) : undefined),
      ms,
      () =>
        `last value: ${last}\nwatcher stdout:\n${out}\nstderr:\n${err}\nprometheus:\n${prometheus.log()}`,
    );
  };

  beforeAll(async () => {
    expect(present, "knotd, nsd, prometheus and promtool must be installed when CI=true").toBe(
      true,
    );
    dir = mkdtempSync(join(tmpdir(), "watch-e2e-"));
    emulator = await startEmulator({ dnsPort: 0, seed: {} });
    admin = createSecondaryDnsClient({
      baseUrl: emulator.url,
      apiToken: TOKEN,
      accountId: ACCOUNT,
    });
    const setup = (secret: string) => ({
      zone: ZONE,
      primary: emulator.dns!,
      tsig: { name: KEY.name, algorithm: KEY.algo, secret },
    });
    secondaries.knot = await Secondary.create(KNOT, setup(KEY.secret));
    secondaries.nsd = await Secondary.create(NSD, setup(KEY.secret));
    secondaries.wrong = await Secondary.create(KNOT, setup(WRONG_SECRET));
    const tsig = await admin.tsigs.create(KEY);
    const peers = await Promise.all(
      (["knot", "nsd", "wrong"] as const).map((name) =>
        admin.peers.create({
          name: name === "wrong" ? "knot-wrong-key" : name,
          ip: "127.0.0.1",
          port: secondaries[name].port,
          tsig_id: tsig.id,
        }),
      ),
    );
    await admin.outgoing.create(ZONE_ID, { name: `${ZONE}.`, peers: peers.map((p) => p.id) });
    await admin.outgoing.enable(ZONE_ID);
    for (const secondary of Object.values(secondaries)) secondary.start();

    const metricsPort = await freePort();
    metricsUrl = `http://127.0.0.1:${metricsPort}`;
    const main = await builtFile("dist/src/cli/main.js");
    // One flag of each kind the watcher takes; --json makes every stdout line a JSON object.
    watcher = spawn(
      process.execPath,
      [main, "outgoing", "doctor", ZONE_ID, "--watch", "--json", "--interval", "500ms"].concat([
        "--timeout",
        "400",
        "--listen",
        `127.0.0.1:${metricsPort}`,
        "--account",
        ACCOUNT,
      ]),
      {
        env: {
          PATH: process.env.PATH,
          CLOUDFLARE_BASE_URL: emulator.url,
          CLOUDFLARE_API_TOKEN: TOKEN,
          CF_SECONDARY_DNS_PRIMARY: `127.0.0.1:${emulator.dns!.port}`,
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    watcher.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
    watcher.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString()));
    prometheus = await startPrometheus(`127.0.0.1:${metricsPort}`, dir);
  }, 30_000);

  afterAll(async () => {
    await stopChild(watcher);
    await stopChild(prometheus?.child);
    for (const secondary of Object.values(secondaries)) await secondary?.dispose();
    await emulator?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("promtool accepts the example alert rules, and their unit tests pass", () => {
    for (const args of [
      ["check", "rules", "monitoring/alerts.yml"],
      ["test", "rules", "monitoring/alerts.test.yml"],
    ]) {
      const run = spawnSync("/usr/bin/promtool", args, { cwd: ROOT, encoding: "utf8" });
      expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
    }
  });

  it(
    "after enable, Prometheus reads in_sync 1 for Knot and NSD; the wrong key shows as not serving the zone",
    { timeout: PROMETHEUS_TIMEOUT },
    async () => {
      await until('cf_secondary_dns_peer_in_sync{peer="knot"}', (v) => v === 1, 30_000);
      await until('cf_secondary_dns_peer_in_sync{peer="nsd"}', (v) => v === 1);
      const serial = (await admin.outgoing.get(ZONE_ID)).soa_serial;
      expect(await prometheus.query(`cf_secondary_dns_api_serial{zone="${ZONE}."}`)).toBe(serial);
      await until("cf_secondary_dns_primary_serial", (v) => v === serial);
      await until("cf_secondary_dns_outgoing_enabled", (v) => v === 1);
      // The wrong key: the primary refuses its transfers (BADSIG), so it never has the zone.
      await until(
        'cf_secondary_dns_peer_state{peer="knot-wrong-key",state="not_authoritative"}',
        (v) => v === 1,
      );
      await until(
        'cf_secondary_dns_probe_errors_total{peer="knot-wrong-key",reason="not_authoritative"}',
        (v) => (v ?? 0) > 0,
      );
      expect(await prometheus.query('cf_secondary_dns_peer_in_sync{peer="knot-wrong-key"}')).toBe(
        0,
      );
      expect(emulator.events().some((e) => e.type === "refused" && e.tsigError === "BADSIG")).toBe(
        true,
      );
      await until('cf_secondary_dns_api_requests_total{status="200"}', (v) => (v ?? 0) > 0);
      // The alert rules loaded from the README's rule_files: the wrong-key peer's alert is pending.
      await until(
        'ALERTS{alertname="SecondaryDnsPeerNotServingZone",peer="knot-wrong-key"}',
        (v) => v === 1,
      );
    },
  );

  it("/metrics passes promtool check metrics; /healthz is ok; neither holds the token", async () => {
    const response = await fetch(`${metricsUrl}/metrics`);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const lint = spawnSync("/usr/bin/promtool", ["check", "metrics"], {
      input: text,
      encoding: "utf8",
    });
    expect(lint.status, `${lint.stdout}${lint.stderr}`).toBe(0);
    for (const name of [
      "cf_secondary_dns_primary_serial",
      "cf_secondary_dns_api_serial",
      "cf_secondary_dns_peer_serial",
      "cf_secondary_dns_peer_serial_lag",
      "cf_secondary_dns_peer_in_sync",
      "cf_secondary_dns_peer_state",
      "cf_secondary_dns_propagation_seconds",
      "cf_secondary_dns_out_of_sync_seconds",
      "cf_secondary_dns_outgoing_enabled",
      "cf_secondary_dns_last_transfer_age_seconds",
      "cf_secondary_dns_probe_errors_total",
      "cf_secondary_dns_api_requests_total",
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).toMatch(
      /cf_secondary_dns_peer_in_sync\{zone_id="00112233445566778899aabbccddeeff",zone="watched\.test\.",peer="knot",peer_id="[0-9a-f]{32}",address="127\.0\.0\.1:\d+"\} 1/,
    );
    expect(text).not.toContain(TOKEN);
    const health = await fetch(`${metricsUrl}/healthz`);
    expect(health.status).toBe(200);
    expect((await fetch(`${metricsUrl}/nothing`)).status).toBe(404);
  });

  it(
    "a record change: the propagation histogram counts it and the lag is back to 0",
    { timeout: PROMETHEUS_TIMEOUT },
    async () => {
      const serial = await emulator.setRecords(ZONE_ID, minimalZone(ZONE, 1));
      for (const peer of ["knot", "nsd"]) {
        await until(`cf_secondary_dns_peer_serial{peer="${peer}"}`, (v) => v === serial);
        await until(
          `cf_secondary_dns_propagation_seconds_count{peer="${peer}"}`,
          (v) => (v ?? 0) >= 1,
        );
        await until(`cf_secondary_dns_peer_serial_lag{peer="${peer}"}`, (v) => v === 0);
      }
      expect(
        await prometheus.query('cf_secondary_dns_peer_serial_lag{peer="knot-wrong-key"}'),
      ).toBe(
        undefined, // it has no serial to compare
      );
    },
  );

  it(
    "a stopped secondary: in_sync 0 and unreachable within a few intervals, told once on stdout",
    { timeout: PROMETHEUS_TIMEOUT },
    async () => {
      await secondaries.nsd.stop();
      await until('cf_secondary_dns_peer_in_sync{peer="nsd"}', (v) => v === 0);
      await until('cf_secondary_dns_peer_state{peer="nsd",state="unreachable"}', (v) => v === 1);
      await until('cf_secondary_dns_out_of_sync_seconds{peer="nsd"}', (v) => (v ?? 0) > 0);
      const lines = out
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      const nsd = lines.filter((line) => line.subject === "peer" && line.peer === "nsd");
      expect(nsd.map((line) => line.to)).toContain("unreachable");
      expect(nsd.filter((line) => line.to === "unreachable")).toHaveLength(1);
      expect(nsd.at(-1)).toMatchObject({ from: "in_sync", to: "unreachable", zone_id: ZONE_ID });
    },
  );

  it("SIGTERM: exit 0; nothing it printed holds the token", async () => {
    expect(await stopChild(watcher)).toBe(0);
    expect(out + err).not.toContain(TOKEN);
    expect(err).toContain("metrics at http://127.0.0.1:");
  });
});
