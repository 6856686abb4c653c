/**
 * The `npm start` demo: starts the emulator on a free port and drives a whole
 * lifecycle through the built CLI, as a user would from a shell, printing each
 * command and what it answered. Exits 0 only when every step did what it should.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { querySoa, renderKnotConfig, type ZoneRecord } from "../src/dns/index.js";
import { startEmulator, type Emulator } from "../src/emulator/index.js";
import { createSecondaryDnsClient, type SecondaryDnsClient } from "../src/index.js";

const CLI = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
const ZONE = "023e105f4ecef8ad9ca31a8372d0c353";
const PEER_A = "23ff594956f20c2a721606e94745a8aa";
const PEER_B = "00920f38ce07c2e2f4df50b1f61d4194";

interface Step {
  title: string;
  args: string[];
  /** The exit code this step must end with. */
  exit: number;
}

const STEPS: Step[] = [
  {
    title: "Create the configuration with two peers",
    args: ["create", ZONE, "--name", "example.com.", "--peer", PEER_A, "--peer", PEER_B],
    exit: 0,
  },
  { title: "Read it back", args: ["get", ZONE], exit: 0 },
  { title: "Turn outgoing transfers on", args: ["enable", ZONE], exit: 0 },
  { title: "Check the status (as JSON)", args: ["status", ZONE, "--json"], exit: 0 },
  { title: "Send NOTIFY to the peers now", args: ["force-notify", ZONE], exit: 0 },
  {
    title: "Keep only one peer (the SOA serial goes up)",
    args: ["update", ZONE, "--name", "example.com.", "--peer", PEER_A],
    exit: 0,
  },
  { title: "Turn outgoing transfers off", args: ["disable", ZONE], exit: 0 },
  { title: "Remove the configuration", args: ["delete", ZONE], exit: 0 },
  {
    title: "Reading it now fails: the API answers 404, the CLI exits 1",
    args: ["get", ZONE],
    exit: 1,
  },
];

function runStep(step: Step, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, "outgoing", ...step.args], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const indent = (chunk: Buffer) => chunk.toString("utf8").replace(/^(?=.)/gm, "    ");
    child.stdout.on("data", (chunk: Buffer) => process.stdout.write(indent(chunk)));
    child.stderr.on("data", (chunk: Buffer) => process.stdout.write(indent(chunk)));
    child.on("error", reject);
    child.on("close", (code) => resolve(code ?? 1));
  });
}

const KNOTD = "/usr/sbin/knotd";
const DEMO_ACCOUNT = "d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0";
const DEMO_ZONE = "de70de70de70de70de70de70de70de70";
const DEMO_NAME = "demo.test";

/** A loopback port free for TCP at the moment of asking (Knot takes UDP and TCP). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForSerial(port: number, wanted?: number): Promise<number | undefined> {
  const end = Date.now() + 10_000;
  while (Date.now() < end) {
    const answer = await querySoa({ host: "127.0.0.1", port, zone: DEMO_NAME, timeoutMs: 500 });
    if (answer.status === "answer" && (wanted === undefined || answer.serial === wanted))
      return answer.serial;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return undefined;
}

/** Waits (up to 10 s) until something answers DNS on the port, whatever it says. */
async function knotListening(port: number): Promise<void> {
  const end = Date.now() + 10_000;
  while (Date.now() < end) {
    const answer = await querySoa({ host: "127.0.0.1", port, zone: DEMO_NAME, timeoutMs: 300 });
    if (answer.status !== "unreachable" && answer.status !== "timeout") return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The Knot configuration: its folders under `dir`, listening on `port`, a secondary of `primary` with the key. */
function writeKnotConfig(
  dir: string,
  port: number,
  primary: { host: string; port: number },
  tsig: { name: string; algo: string; secret: string },
): string {
  for (const sub of ["run", "db", "zones"]) mkdirSync(join(dir, sub));
  const config = join(dir, "knot.conf");
  writeFileSync(
    config,
    [
      "server:",
      `  rundir: "${dir}/run"`,
      `  listen: 127.0.0.1@${port}`,
      "database:",
      `  storage: "${dir}/db"`,
      "template:",
      "  - id: default",
      `    storage: "${dir}/zones"`,
      "",
      renderKnotConfig({
        zone: DEMO_NAME,
        primary,
        tsig: { name: tsig.name, algorithm: tsig.algo, secret: tsig.secret },
      }),
    ].join("\n"),
  );
  return config;
}

/** The demo zone's records after its change: a new SOA (the emulator gives it the next serial) and a www. */
const CHANGED_ZONE: ZoneRecord[] = [
  {
    name: DEMO_NAME,
    ttl: 300,
    type: "SOA",
    data: {
      mname: `ns.${DEMO_NAME}`,
      rname: `hostmaster.${DEMO_NAME}`,
      serial: 1,
      refresh: 3600,
      retry: 600,
      expire: 604800,
      minimum: 300,
    },
  },
  { name: DEMO_NAME, ttl: 300, type: "NS", data: `ns.${DEMO_NAME}` },
  { name: `ns.${DEMO_NAME}`, ttl: 300, type: "A", data: "192.0.2.53" },
  { name: `www.${DEMO_NAME}`, ttl: 300, type: "A", data: "192.0.2.80" },
];

/** Stops knotd: SIGTERM, then SIGKILL if it has not exited within 3 s. */
async function stopKnot(knot: ChildProcess): Promise<void> {
  if (knot.exitCode !== null || knot.signalCode !== null) return;
  const exited = new Promise((resolve) => knot.once("exit", resolve));
  knot.kill("SIGTERM");
  const timer = setTimeout(() => knot.kill("SIGKILL"), 3000);
  await exited;
  clearTimeout(timer);
}

/** What the transfer part checks, once Knot runs: it serves the zone, follows a change, doctor agrees. */
async function checkTransfers(
  emulator: Emulator,
  client: SecondaryDnsClient,
  port: number,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const dns = emulator.dns!;
  let failed = 0;
  const check = (ok: boolean, text: string) => {
    if (!ok) failed++;
    console.log(`  ${ok ? "ok" : "FAILED"}: ${text}`);
  };
  console.log(`  knotd listens on 127.0.0.1:${port}; the primary is ${dns.host}:${dns.port}`);
  const api = (await client.outgoing.get(DEMO_ZONE)).soa_serial;
  const first = await waitForSerial(port, api);
  check(
    first === api,
    `Knot transferred the zone (AXFR with TSIG) and serves serial ${first} (the API says ${api})`,
  );
  const next = await emulator.setRecords(DEMO_ZONE, CHANGED_ZONE);
  const seen = await waitForSerial(port, next);
  check(
    seen === next,
    `after a change, the emulator sent NOTIFY and Knot serves serial ${seen ?? "(none)"} (wanted ${next})`,
  );
  console.log(`  $ cf-secondary-dns outgoing doctor ${DEMO_ZONE} --account ${DEMO_ACCOUNT}`);
  const code = await runStep(
    {
      title: "doctor",
      args: ["doctor", DEMO_ZONE, "--account", DEMO_ACCOUNT, "--timeout", "1000"],
      exit: 0,
    },
    { ...env, CF_SECONDARY_DNS_PRIMARY: `${dns.host}:${dns.port}` },
  );
  check(code === 0, `doctor exits ${code}: every peer in sync`);
  return failed;
}

/**
 * Knot as a real secondary of the emulator, on loopback: a TSIG, a peer and a
 * configuration through the client, Knot set up from the text `outgoing setup`
 * prints, a change that Knot picks up by NOTIFY, and `outgoing doctor`.
 * Returns the number of failed checks; skipped (0) without knotd.
 */
async function realTransfer(emulator: Emulator, env: NodeJS.ProcessEnv): Promise<number> {
  console.log("A real zone transfer: Knot DNS as a secondary of the emulator's DNS primary");
  if (spawnSync(KNOTD, ["-V"], { stdio: "ignore", timeout: 5000 }).status !== 0) {
    console.log(`  skipped: ${KNOTD} is not installed (apt-get install knot)\n`);
    return 0;
  }
  const client = createSecondaryDnsClient({
    baseUrl: emulator.url,
    apiToken: "demo-token",
    accountId: DEMO_ACCOUNT,
  });
  const tsig = await client.tsigs.create({
    name: "demo-xfr.",
    algo: "hmac-sha256.",
    secret: Buffer.from("cf-secondary-dns-demo-key-000000").toString("base64"),
  });
  const dir = mkdtempSync(join(tmpdir(), "cf-secondary-dns-demo-"));
  const port = await freePort();
  const config = writeKnotConfig(dir, port, emulator.dns!, tsig);
  const peer = await client.peers.create({ name: "knot", ip: "127.0.0.1", port, tsig_id: tsig.id });
  await client.outgoing.create(DEMO_ZONE, { name: `${DEMO_NAME}.`, peers: [peer.id] });
  const knot = spawn(KNOTD, ["-c", config], { stdio: ["ignore", "ignore", "pipe"] });
  let knotLog = "";
  knot.stderr.on("data", (chunk: Buffer) => (knotLog += chunk.toString("utf8")));
  try {
    // Enabled once Knot listens, so the NOTIFY of `enable` reaches it (sent earlier, it
    // would find nothing on the port and fail with ECONNREFUSED).
    await knotListening(port);
    await client.outgoing.enable(DEMO_ZONE);
    const failed = await checkTransfers(emulator, client, port, env);
    if (failed > 0) console.log(`  knotd said:\n${knotLog.replace(/^/gm, "    ")}`);
    console.log("");
    return failed;
  } finally {
    await stopKnot(knot);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const emulator = await startEmulator({
    dnsPort: 0,
    // NOTIFY outcomes: the example account's peers have documentation addresses
    // (192.0.2.0/24), off loopback, so the emulator skips them and says why.
    onEvent: (event) => {
      if (event.type === "notify")
        console.log(
          `    [emulator] NOTIFY to peer ${event.peerId}: ${event.outcome}${event.reason ? ` (${event.reason})` : ""}`,
        );
    },
  });
  console.log(`cf-secondary-dns demo: the emulator listens on ${emulator.url}`);
  console.log(`and serves DNS on ${emulator.dns!.host}:${emulator.dns!.port}\n`);
  // Only the demo's own credentials: a token in the caller's environment must not mix in.
  const { CLOUDFLARE_EMAIL: _email, CLOUDFLARE_API_KEY: _key, ...inherited } = process.env;
  const env = {
    ...inherited,
    CLOUDFLARE_BASE_URL: emulator.url,
    CLOUDFLARE_API_TOKEN: "demo-token",
  };
  let failed = 0;
  try {
    for (const [index, step] of STEPS.entries()) {
      console.log(`${index + 1}. ${step.title}`);
      console.log(`  $ cf-secondary-dns outgoing ${step.args.join(" ")}`);
      const code = await runStep(step, env);
      const ok = code === step.exit;
      if (!ok) failed++;
      console.log(`  -> exit ${code}${ok ? "" : ` (expected ${step.exit})`}\n`);
    }
    failed += await realTransfer(emulator, env);
  } finally {
    await emulator.close();
  }
  console.log(
    failed === 0
      ? "Demo complete: every step behaved as expected."
      : `Demo FAILED: ${failed} step(s) went wrong.`,
  );
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
