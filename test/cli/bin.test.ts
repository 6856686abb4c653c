/**
 * The built bin and the demo, spawned as a user runs them: the shebang, exit
 * codes through a real process, SIGINT stopping the emulator, and `npm start`'s demo.
 */
import { existsSync } from "node:fs";
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { VERSION } from "../../src/index.js";
import { builtFile } from "./built.js";

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function run(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  whileRunning?: (child: ReturnType<typeof spawn>, stdout: () => string) => void,
) {
  return new Promise<Finished>((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...args], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
    whileRunning?.(child, () => stdout);
  });
}

/** The environment of the tests' own process, without any Cloudflare credentials in it. */
const {
  CLOUDFLARE_API_TOKEN: _t,
  CLOUDFLARE_EMAIL: _e,
  CLOUDFLARE_API_KEY: _k,
  CLOUDFLARE_BASE_URL: _b,
  ...cleanEnv
} = process.env;

let main: string;
let emulator: Emulator;
beforeAll(async () => {
  main = await builtFile("dist/src/cli/main.js");
  emulator = await startEmulator();
});
afterAll(() => emulator.close());

describe("the cf-secondary-dns bin", () => {
  it("starts with the node shebang", async () => {
    expect((await readFile(main, "utf8")).split("\n")[0]).toBe("#!/usr/bin/env node");
  });

  it("--version: exit 0", async () => {
    expect(await run(main, ["--version"], cleanEnv)).toMatchObject({
      code: 0,
      stdout: `${VERSION}\n`,
      stderr: "",
    });
  });

  it("an API error: exit 1 through a real process, without a stack trace", async () => {
    const env = {
      ...cleanEnv,
      CLOUDFLARE_BASE_URL: emulator.url,
      CLOUDFLARE_API_TOKEN: "bin-test",
    };
    const result = await run(main, ["outgoing", "get", "023e105f4ecef8ad9ca31a8372d0c353"], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error 1003: Primary zone configuration not found");
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it("bad usage: exit 2", async () => {
    const result = await run(main, ["outgoing", "get"], cleanEnv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("missing <zone_id>");
  });

  it("emulator runs in the foreground until SIGINT, then exits 0", async () => {
    let answered = 0;
    const result = await run(main, ["emulator"], cleanEnv, (child, stdout) => {
      const poll = setInterval(async () => {
        const url = /listening on (\S+)/.exec(stdout())?.[1];
        if (!url) return;
        clearInterval(poll);
        const response = await fetch(
          `${url}/zones/023e105f4ecef8ad9ca31a8372d0c353/secondary_dns/outgoing/status`,
          {
            headers: { authorization: "Bearer bin-test" },
          },
        );
        answered = response.status;
        child.kill("SIGINT");
      }, 25);
    });
    expect(answered).toBe(404);
    expect(result).toMatchObject({ code: 0, signal: null, stderr: "" });
    expect(result.stdout).toMatch(/Emulator stopped\.\n$/);
  });
});

describe("the npm start demo", () => {
  it("drives the whole lifecycle through the CLI and exits 0", async () => {
    const demo = await builtFile("dist/examples/demo.js");
    const result = await run(demo, [], cleanEnv);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const commands = [...result.stdout.matchAll(/\$ cf-secondary-dns outgoing ([a-z-]+)/g)].map(
      (m) => m[1],
    );
    expect(commands).toEqual([
      "create",
      "get",
      "enable",
      "status",
      "force-notify",
      "update",
      "disable",
      "delete",
      "get",
      ...(existsSync("/usr/sbin/knotd") ? ["doctor"] : []),
    ]);
    expect(result.stdout).toMatch(
      existsSync("/usr/sbin/knotd")
        ? /ok: doctor exits 0/
        : /skipped: \/usr\/sbin\/knotd is not installed/,
    );
    expect(result.stdout).not.toMatch(/\(expected \d+\)|FAILED/);
    // No unexplained NOTIFY failures: the example peers are skipped (off loopback), with the reason.
    expect(result.stdout).not.toMatch(/NOTIFY to peer \w+: failed/);
    expect(result.stdout).toMatch(/NOTIFY to peer \w+: skipped \(not a loopback address/);
    expect(result.stdout).toMatch(/Demo complete: every step behaved as expected\.\n$/);
  }, 60_000);
});
