/**
 * The `emulator` command as a process, over its life: a bad or unreadable zone
 * file stops a fresh start (exit 1, file and line), a FIFO does not hang it, a
 * signal during a start that is held up stops it at once, SIGHUP reloads the
 * zone files (new serial, NOTIFY), and a restart with the same --state listens on
 * the same ports and sends NOTIFY for a file that changed while it was stopped.
 * Everything on 127.0.0.1; NOTIFY goes to a UDP socket of this test.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createSecondaryDnsClient } from "../../src/index.js";
import { builtFile } from "./built.js";

const ZONE_ID = "fedcba9876543210fedcba9876543210";
const ACCOUNT = "0123456789abcdef0123456789abcdef";
const NAME = "lifecycle.test";
const zoneText = (extra = "") =>
  `$TTL 300\n@ SOA ns1 hostmaster 7 3600 600 86400 300\n@ NS ns1\nns1 A 192.0.2.1\n${extra}`;

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let main: string;
let folder: string;
const children: ChildProcess[] = [];
const sockets: Socket[] = [];
beforeAll(async () => {
  main = await builtFile("dist/src/cli/main.js");
});
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  for (const socket of sockets.splice(0)) socket.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

async function scratch(): Promise<string> {
  folder = await mkdtemp(join(tmpdir(), "cli-emulator-life-"));
  return folder;
}

function start(args: string[]): Running {
  const child = spawn(process.execPath, [main, "emulator", ...args], {
    env: { PATH: process.env.PATH ?? "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

async function until<T>(check: () => T | undefined | null | false, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting (${ms} ms)`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Within a bound: the process must end by itself, not be killed by the teardown. */
function exitWithin(running: Running, ms = 10_000) {
  return Promise.race([
    running.exited,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms),
    ),
  ]);
}

/** A UDP socket on loopback that counts the NOTIFY messages (opcode 4) it receives. */
async function notifyCounter(): Promise<{ port: number; count: () => number }> {
  const socket = createSocket("udp4");
  sockets.push(socket);
  let count = 0;
  socket.on("message", (message) => {
    if (((message[2]! >> 3) & 0x0f) === 4) count++;
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
  return { port: socket.address().port, count: () => count };
}

describe("emulator start: zone files that cannot be used", () => {
  it("a bad --zone-file on a fresh start: exit 1 naming the file and the line", async () => {
    const dir = await scratch();
    const file = join(dir, "bad.zone");
    await writeFile(file, zoneText("www A 999.0.0.1\n"));
    const running = start(["--zone-file", `${ZONE_ID}=${file}`]);
    expect(await exitWithin(running)).toEqual({ code: 1, signal: null });
    expect(running.stderr()).toContain(`the emulator could not start: ${file}, line 5:`);
    expect(running.stdout()).not.toContain("listening");
  });

  it("a --zone-file whose names hang on the zone's name still parses on a fresh start", async () => {
    const dir = await scratch();
    const file = join(dir, "good.zone");
    await writeFile(file, zoneText("www A 192.0.2.2\n"));
    const running = start(["--zone-file", `${ZONE_ID}=${file}`]);
    await until(() => running.stdout().includes("listening on"));
    running.child.kill("SIGINT");
    expect(await exitWithin(running)).toEqual({ code: 0, signal: null });
  });

  it("a FIFO as --zone-file: exit 1 at once, saying it is not a regular file", async () => {
    const dir = await scratch();
    const fifo = join(dir, "zone.fifo");
    execFileSync("mkfifo", [fifo]);
    const running = start(["--zone-file", `${ZONE_ID}=${fifo}`]);
    expect(await exitWithin(running)).toEqual({ code: 1, signal: null });
    expect(running.stderr()).toContain(`zone file ${fifo} (zone ${ZONE_ID}) could not be read`);
    expect(running.stderr()).toContain("FIFO");
  });

  it("SIGTERM during a start held up on a stuck file stops the process at once", async () => {
    const dir = await scratch();
    const state = join(dir, "state.json");
    // The state file's lock is a FIFO: reading it blocks, as a stuck mount would.
    execFileSync("mkfifo", [`${state}.lock`]);
    const running = start(["--state", state]);
    await until(() => running.stdout().includes("Starting the emulator"));
    await new Promise((resolve) => setTimeout(resolve, 300)); // into the blocked read
    running.child.kill("SIGTERM");
    // Blocked in a read, the process cannot exit by itself: the signal, raised again, ends it.
    expect(await exitWithin(running, 5_000)).toEqual({ code: null, signal: "SIGTERM" });
    expect(running.stderr()).toContain("interrupted while the emulator was starting");
    expect(running.stdout()).not.toContain("listening");
  });
});

describe("emulator: records change from the CLI", () => {
  async function configure(url: string, notifyPort: number) {
    const client = createSecondaryDnsClient({ baseUrl: url, apiToken: "t", accountId: ACCOUNT });
    const peer = await client.peers.create({ name: "catcher", ip: "127.0.0.1", port: notifyPort });
    await client.outgoing.create(ZONE_ID, { name: `${NAME}.`, peers: [peer.id] });
    await client.outgoing.enable(ZONE_ID);
    return client;
  }
  const listening = (running: Running) =>
    until(() => /listening on (\S+)/.exec(running.stdout())?.[1]);
  const dnsAt = (running: Running) => /DNS primary .* on (\S+),/.exec(running.stdout())?.[1];

  it("SIGHUP reloads the zone files: new serial, NOTIFY; a bad edit keeps the records", async () => {
    const dir = await scratch();
    const file = join(dir, "zone.txt");
    await writeFile(file, zoneText());
    const notify = await notifyCounter();
    const running = start(["--zone-file", `${ZONE_ID}=${file}`]);
    const client = await configure(await listening(running), notify.port);
    const before = (await client.outgoing.get(ZONE_ID)).soa_serial;
    await until(() => notify.count() > 0); // enable sends one
    const seen = notify.count();

    await writeFile(file, zoneText("www A 192.0.2.2\n"));
    running.child.kill("SIGHUP");
    await until(() => running.stdout().includes(`Reloaded zone ${ZONE_ID}: changed`));
    expect((await client.outgoing.get(ZONE_ID)).soa_serial).toBe(before + 1);
    await until(() => notify.count() > seen);

    await writeFile(file, zoneText("www A 999.0.0.1\n"));
    running.child.kill("SIGHUP");
    await until(() => running.stderr().includes("zone files not reloaded"));
    expect(running.stderr()).toContain(`${file}, line 5`);
    expect((await client.outgoing.get(ZONE_ID)).soa_serial).toBe(before + 1);

    running.child.kill("SIGINT");
    expect(await exitWithin(running)).toEqual({ code: 0, signal: null });
  });

  it("a restart with the same --state: the same ports, and NOTIFY for a file changed meanwhile", async () => {
    const dir = await scratch();
    const file = join(dir, "zone.txt");
    const state = join(dir, "state.json");
    await writeFile(file, zoneText());
    const notify = await notifyCounter();
    const args = ["--state", state, "--zone-file", `${ZONE_ID}=${file}`];
    const first = start(args);
    const url = await listening(first);
    const dns = dnsAt(first);
    expect(dns).toMatch(/^127\.0\.0\.1:\d+$/);
    const client = await configure(url, notify.port);
    const serial = (await client.outgoing.get(ZONE_ID)).soa_serial;
    first.child.kill("SIGINT");
    expect(await exitWithin(first)).toEqual({ code: 0, signal: null });

    await writeFile(file, zoneText("www A 192.0.2.3\n"));
    const seen = notify.count();
    const second = start(args);
    expect(await listening(second)).toBe(url);
    expect(dnsAt(second)).toBe(dns);
    await until(() => notify.count() > seen); // no force-notify needed
    const again = createSecondaryDnsClient({ baseUrl: url, apiToken: "t" });
    expect((await again.outgoing.get(ZONE_ID)).soa_serial).toBe(serial + 1);
    second.child.kill("SIGINT");
    expect(await exitWithin(second)).toEqual({ code: 0, signal: null });
  });
});
