/**
 * The README's first hour ("On one machine, from nothing to three secondaries in
 * sync"), end to end, with the built CLI as child processes only, and the README's
 * own zone file and command lines: `cf-secondary-dns emulator` with the zone file
 * and --state (its banner says where the API and the DNS primary are), `outgoing
 * setup … --write-config DIR` once per secondary (a free port in place of each of
 * the README's), Knot, NSD and BIND 9 started with the README's lines, which must
 * be the ones setup printed (so with exactly the files it wrote), `outgoing
 * doctor` until it exits 0, then a record changed as the README says (edit the
 * zone file, SIGHUP the emulator) and doctor again until every secondary is in
 * sync at the new serial.
 *
 * Everything listens on 127.0.0.1; every address the emulator sends to, and
 * every primary the written files name, is checked to be loopback. Each wait
 * has a deadline, and every process this test starts is stopped by its PID.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtFile } from "./built.js";
import { freePort } from "../dns/servers.js";
import { shellWords } from "../docs/shell-words.js";

const CI = process.env.CI === "true";
const README = await readFile(new URL("../../README.md", import.meta.url), "utf8");
const SECTION = README.slice(
  README.indexOf("### On one machine"),
  README.indexOf("### Troubleshooting"),
);
const blocks = (lang: string) =>
  [...SECTION.matchAll(new RegExp(`^\`\`\`${lang}\n([\\s\\S]*?)^\`\`\``, "gm"))].map((m) => m[1]!);
const [ZONE_TEXT = ""] = blocks("text");
const [EMULATOR_LINE = "", STEPS = ""] = blocks("sh");
const STEP_LINES = STEPS.trim().split("\n");
const ZONE_FILE = "example.com.zone";

/** The three secondaries: the binary setup's printed command starts, and how to tell it is here. */
const SERVERS = [
  { kind: "knot", binary: "knotd", version: "-V" },
  { kind: "nsd", binary: "nsd", version: "-v" },
  { kind: "bind", binary: "named", version: "-v" },
] as const;
const PATH = `/usr/sbin:/usr/bin:/sbin:/bin:${process.env.PATH ?? ""}`;
const present = SERVERS.every(
  (s) =>
    spawnSync(s.binary, [s.version], { stdio: "ignore", timeout: 5000, env: { PATH } }).status ===
    0,
);
if (!present && !CI) console.warn("[first hour] knotd, nsd or named is not installed: skipped");

interface Child {
  process: ChildProcess;
  /** stdout and stderr as they came. */
  output: () => string;
  stdout: () => string;
}

let main: string;
let dir: string;
const children: Child[] = [];

beforeAll(async () => {
  main = await builtFile("dist/src/cli/main.js");
  dir = await mkdtemp(join(tmpdir(), "first-hour-e2e-"));
});

afterAll(async () => {
  // Every process of this test, by its PID: SIGTERM, then SIGKILL after 3 s.
  await Promise.all(children.map(({ process: child }) => stop(child)));
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("close", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
  await exited;
  clearTimeout(timer);
}

function start(command: string, args: string[], env: Record<string, string> = {}): Child {
  const child = spawn(command, args, {
    cwd: dir,
    env: { PATH, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let stdout = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
    stdout += chunk.toString("utf8");
  });
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const started = { process: child, output: () => output, stdout: () => stdout };
  children.push(started);
  return started;
}

/** One CLI command to its end (bounded), as a user types it. */
async function cli(args: string[], env: Record<string, string>) {
  const child = start(process.execPath, [main, ...args], env);
  const timer = setTimeout(() => child.process.kill("SIGKILL"), 30_000);
  const code = await new Promise<number | null>((resolve) =>
    child.process.once("close", (status) => resolve(status)),
  );
  clearTimeout(timer);
  children.splice(children.indexOf(child), 1);
  return { code, output: child.output(), stdout: child.stdout() };
}

async function until<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  ms: number,
  context: () => string = () => "",
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end)
      throw new Error(`timed out after ${ms} ms waiting for ${what}\n${context()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface DoctorReport {
  primary: { target: string; state: string; serial?: number };
  peers: { name: string; target: string | null; state: string; serial?: number }[];
}

describe.skipIf(!present && !CI)("the README's first hour, with the built CLI", () => {
  it("emulator, setup --write-config for Knot, NSD and BIND, doctor in sync, a record changed by SIGHUP, in sync again", async () => {
    expect(present, "knotd, nsd and named must be installed when CI=true").toBe(true);
    // The README's zone file, in the folder the README's commands run in (cwd: dir).
    expect(ZONE_TEXT).toContain("www  A   192.0.2.10");
    const zoneFile = join(dir, ZONE_FILE);
    await writeFile(zoneFile, ZONE_TEXT);

    // 1. The emulator, with the README's line; the banner says where everything is.
    const emulatorWords = shellWords(EMULATOR_LINE);
    expect(emulatorWords.slice(0, 2)).toEqual(["cf-secondary-dns", "emulator"]);
    expect(emulatorWords.at(-1)).toMatch(new RegExp(`^[0-9a-f]{32}=${ZONE_FILE}$`));
    const zoneId = emulatorWords.at(-1)!.slice(0, 32);
    const emulator = start(process.execPath, [main, ...emulatorWords.slice(1)]);
    const banner = await until(
      "the emulator's banner",
      () => (emulator.output().includes("Press Ctrl+C") ? emulator.output() : undefined),
      15_000,
      emulator.output,
    );
    const baseUrl = /Emulator listening on (http:\/\/127\.0\.0\.1:\d+\/client\/v4)/.exec(
      banner,
    )?.[1];
    const account = /CLOUDFLARE_ACCOUNT_ID=([0-9a-f]{32})/.exec(banner)?.[1];
    const dns = /DNS primary \(SOA, AXFR, NOTIFY\) on 127\.0\.0\.1:(\d+)/.exec(banner)?.[1];
    expect(baseUrl && account && dns, banner).toBeTruthy();
    expect(banner).toContain(`kill -HUP ${emulator.process.pid}`);

    // The README's export line: the banner's URL in place of PORT, the banner's account.
    const [exported, ...steps] = STEP_LINES;
    const env: Record<string, string> = {};
    for (const [, name, value] of exported!.matchAll(/(\w+)=(\S+)/g)) env[name!] = value!;
    expect(Object.keys(env).sort()).toEqual([
      "CLOUDFLARE_ACCOUNT_ID",
      "CLOUDFLARE_API_TOKEN",
      "CLOUDFLARE_BASE_URL",
    ]);
    expect(env.CLOUDFLARE_BASE_URL).toBe(baseUrl!.replace(/:\d+\//, ":PORT/"));
    expect(env.CLOUDFLARE_ACCOUNT_ID).toBe(account);
    env.CLOUDFLARE_BASE_URL = baseUrl!;

    // 2. The README's setup lines, each with a free port in place of its own.
    const setups = steps.filter((line) => line.startsWith("cf-secondary-dns outgoing setup "));
    const launches = steps.filter((line) => / &$/.test(line));
    expect(setups).toHaveLength(3);
    expect(launches.map((line) => line.split(" ")[0])).toEqual(SERVERS.map((s) => s.binary));
    const commands: { kind: string; argv: string[]; port: number }[] = [];
    for (const [i, server] of SERVERS.entries()) {
      const port = await freePort();
      const words = shellWords(setups[i]!).map((w) => (/^530\d$/.test(w) ? String(port) : w));
      expect(words).toContain(String(port));
      expect(words.slice(2, 4)).toEqual(["setup", zoneId]);
      const setup = await cli(words.slice(1), env);
      expect(setup.code, setup.output).toBe(0);
      expect(setup.output).toContain(`from 127.0.0.1 port ${dns}`);
      // The README's command line for this server is the one setup printed, its path made absolute.
      const argv = shellWords(launches[i]!.replace(/ &$/, ""));
      const file = argv.at(-1)!;
      expect(setup.output).toContain(`\n  ${[...argv.slice(0, -1), join(dir, file)].join(" ")}\n`);
      const written = await readFile(join(dir, file), "utf8");
      // The written file transfers from the emulator's loopback DNS address, and nowhere else.
      expect(written).toContain(`127.0.0.1`);
      expect(written).toContain(String(dns));
      expect(written).not.toMatch(/172\.65\.64\.6/);
      commands.push({ kind: server.kind, argv, port });
    }

    // 3. Each server from exactly the command line and file setup gave.
    const servers = commands.map((c) => ({ ...c, child: start(c.argv[0]!, c.argv.slice(1)) }));
    const logs = () =>
      [emulator.output(), ...servers.map((s) => `--- ${s.kind}\n${s.child.output()}`)].join("\n");

    // 4. The README's doctor line, until every secondary is in sync (exit 0).
    const doctorWords = shellWords(steps.at(-1)!);
    expect(doctorWords).toEqual(["cf-secondary-dns", "outgoing", "doctor", zoneId]);
    const doctor = async () => {
      const run = await cli([...doctorWords.slice(1), "--json"], env);
      const report =
        run.code === 0 || (run.code ?? 0) >= 10
          ? (JSON.parse(run.stdout) as DoctorReport)
          : undefined;
      return { code: run.code, report, output: run.output };
    };
    const first = await until(
      "doctor to find Knot, NSD and BIND in sync",
      async () => {
        const result = await doctor();
        return result.code === 0 ? result.report : undefined;
      },
      60_000,
      logs,
    );
    expect(first!.primary.target).toBe(`127.0.0.1:${dns}`);
    expect(first!.peers.map((p) => p.target).sort()).toEqual(
      commands.map((c) => `127.0.0.1:${c.port}`).sort(),
    );
    expect(
      first!.peers.every((p) => p.state === "in-sync" && p.serial === first!.primary.serial),
    ).toBe(true);
    const before = first!.primary.serial!;

    // 5. A record changes from the CLI: edit the zone file, SIGHUP the emulator.
    await writeFile(zoneFile, ZONE_TEXT.replace("192.0.2.10", "192.0.2.20"));
    emulator.process.kill("SIGHUP");
    const reloaded = await until(
      "the emulator to reload the zone file",
      () => {
        const match = new RegExp(`Reloaded zone ${zoneId}: changed, serial (\\d+)`).exec(
          emulator.output(),
        );
        return match ? Number(match[1]) : undefined;
      },
      15_000,
      logs,
    );
    expect(reloaded).toBe(before + 1);

    // 6. doctor sees the new serial: behind while the secondaries transfer, then in sync (exit 0).
    const seen: string[] = [];
    const after = await until(
      `doctor to find every secondary in sync at serial ${reloaded}`,
      async () => {
        const result = await doctor();
        if (result.report) {
          expect(result.report.primary.serial).toBe(reloaded);
          seen.push(...result.report.peers.map((p) => p.state));
          // Between the reload and the transfers, a secondary is behind by exactly one.
          if (result.code === 17)
            expect(
              result.report.peers
                .filter((p) => p.state === "behind")
                .every((p) => p.serial === before),
            ).toBe(true);
        }
        return result.code === 0 ? result.report : undefined;
      },
      60_000,
      logs,
    );
    expect(after!.peers).toHaveLength(3);
    expect(after!.peers.every((p) => p.state === "in-sync" && p.serial === reloaded)).toBe(true);
    expect(
      // Never another zone's serial, a refusal or a lost zone; a slow answer under load may time out.
      seen.every((s) => s === "behind" || s === "in-sync" || s === "no-answer"),
      seen.join(", "),
    ).toBe(true);

    // Nothing left loopback: every NOTIFY and every transfer the emulator logged was to 127.0.0.1.
    const notifies = emulator.output().match(/NOTIFY zone \S+ to peer \S+ at (\S+):/g) ?? [];
    expect(notifies.length).toBeGreaterThanOrEqual(3);
    expect(notifies.every((line) => line.includes(" at 127.0.0.1:"))).toBe(true);
    expect(emulator.output()).not.toMatch(/skipped/);
    const transfers = emulator.output().match(/of zone \S+ served to (\S+)/g) ?? [];
    expect(transfers.length).toBeGreaterThanOrEqual(6);
    expect(transfers.every((line) => line.includes("served to 127.0.0.1"))).toBe(true);
  }, 180_000);
});
