/**
 * `outgoing doctor --watch` in-process: its usage errors, its help, and a run
 * against the emulator (whose own DNS server is the peer in sync) that serves
 * /metrics and /healthz, prints one text line per change and ends with exit 0
 * when its signal aborts, as SIGINT/SIGTERM do in main.ts.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtFile } from "./built.js";
import { cli } from "./run.js";
import { freePort, waitFor } from "../dns/servers.js";
import { watchedEmulator } from "../dns/watch-emulator.js";

const ZONE_ID = "00112233445566778899aabbccddeeff";
const TOKEN = "cli-watch-token-must-never-show-0001";
let setup: Awaited<ReturnType<typeof watchedEmulator>>;

beforeAll(async () => {
  setup = await watchedEmulator(TOKEN);
  await setup.addZone(ZONE_ID, "cli-watch.test.", [setup.mirror()]);
});
afterAll(() => setup?.emulator.close());

const watch = (args: string[], signal?: AbortSignal) =>
  cli(["outgoing", "doctor", ...args, "--watch"], setup.env, signal);

describe("doctor --watch: usage", () => {
  it.each([
    [[], "missing <zone_id>"],
    [["not-a-zone"], 'invalid <zone_id> "not-a-zone"'],
    [[ZONE_ID, "--interval", "5"], "invalid --interval: must be a duration such as 500ms"],
    [[ZONE_ID, "--interval", "10ms"], "invalid --interval"],
    [[ZONE_ID, "--listen", "localhost:9810"], "invalid --listen"],
    [[ZONE_ID, "--listen", "127.0.0.1:70000"], "invalid --listen"],
    [[ZONE_ID, "--lag-warning", "3"], 'unknown option "--lag-warning"'],
  ])("%j: exit 2, says what is wrong", async (args, message) => {
    const run = await watch(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe("");
  });

  it("--help tells --watch, --interval, --listen and --format nagios", async () => {
    const run = await cli(["outgoing", "doctor", "--watch", "--help"], setup.env);
    expect(run.code).toBe(0);
    for (const text of ["--watch", "--interval DURATION", "--listen HOST:PORT", "--format nagios"])
      expect(run.stdout).toContain(text);
  });

  it("a --listen address in use: a clear error, no hang", async () => {
    const busy = createServer();
    const port = await new Promise<number>((resolve) =>
      busy.listen(0, "127.0.0.1", () => resolve((busy.address() as { port: number }).port)),
    );
    try {
      const run = await watch([ZONE_ID, "--listen", `127.0.0.1:${port}`]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`cannot listen on 127.0.0.1:${port}: EADDRINUSE`);
    } finally {
      busy.close();
    }
  });
});

describe("doctor --watch: a run", () => {
  it("serves /metrics and /healthz, prints one line per change, exits 0 on abort", async () => {
    const port = await freePort();
    const stop = new AbortController();
    const running = watch(
      [ZONE_ID, "--interval", "200ms", "--timeout", "150", "--listen", `127.0.0.1:${port}`],
      stop.signal,
    );
    const metrics = await waitFor(
      "the mirror in sync in /metrics",
      async () => {
        const text = await fetch(`http://127.0.0.1:${port}/metrics`)
          .then((r) => r.text())
          .catch(() => "");
        return /cf_secondary_dns_peer_in_sync\{[^}]*peer="mirror"[^}]*\} 1/.test(text)
          ? text
          : undefined;
      },
      10_000,
    );
    expect(metrics).not.toContain(TOKEN);
    // fetch asks for gzip, as Prometheus does, and reads the body through it.
    const zipped = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(zipped.headers.get("content-encoding")).toBe("gzip");
    expect(await zipped.text()).toContain("# TYPE cf_secondary_dns_peer_in_sync gauge");
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`, { method: "POST" })).status).toBe(405);
    await new Promise((resolve) => setTimeout(resolve, 600)); // a few more ticks: no new lines
    stop.abort();
    const run = await running;
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines).toHaveLength(4); // api ok, outgoing enabled, primary answered, mirror in sync
    const serial = (await setup.admin.outgoing.get(ZONE_ID)).soa_serial;
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^\\S+Z cli-watch\\.test\\. \\(${ZONE_ID}\\) peer mirror \\([0-9a-f]{32}\\) at 127\\.0\\.0\\.1:\\d+: in_sync: in sync at serial ${serial}$`,
        ),
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/ outgoing: enabled: outgoing transfers enabled$/),
    );
    expect(run.stdout + run.stderr).not.toContain(TOKEN);
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow(); // the server is closed
  });
});

describe("doctor --watch: the built bin", () => {
  it("SIGINT ends it with exit 0 (SIGTERM: test/dns/watch.test.ts)", async () => {
    const main = await builtFile("dist/src/cli/main.js");
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [main, "outgoing", "doctor", ZONE_ID, "--watch", "--interval", "200ms"].concat([
        "--listen",
        `127.0.0.1:${port}`,
      ]),
      { env: { PATH: process.env.PATH, ...setup.env }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    try {
      await waitFor(
        "a first line",
        async () => (out.includes(" in_sync") ? true : undefined),
        10_000,
      );
      child.kill("SIGINT");
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL"); // no-op once it has exited
    }
  });
});
