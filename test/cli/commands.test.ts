/** The top-level command, help for every command, and `emulator` run in-process. */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../generated/commands.js";
import { CLIENT_FLAGS } from "../../src/cli/help.js";
import {
  DEFAULT_BASE_URL,
  DEFAULT_MAX_RETRIES,
  DEFAULT_TIMEOUT_MS,
} from "../../src/client/options.js";
import { startEmulator } from "../../src/emulator/index.js";
import { VERSION } from "../../src/index.js";
import { runCli } from "../../src/cli/run.js";
import { cli, collector } from "./run.js";

const ZONE = "023e105f4ecef8ad9ca31a8372d0c353";
/** outgoing's table-driven actions, from the spec (generated/commands.ts). */
const OUTGOING_ACTIONS = COMMANDS.outgoing!.actions;

describe("the top level", () => {
  it.each([["--version"], ["-v"]])("%s prints the version", async (flag) => {
    expect(await cli([flag], {})).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: "" });
  });

  it.each([["--help"], ["-h"], ["help"]])(
    "%s prints the commands, the environment and the exit codes",
    async (flag) => {
      const { code, stdout, stderr } = await cli([flag], {});
      expect(code).toBe(0);
      expect(stderr).toBe("");
      for (const text of [
        "Usage: cf-secondary-dns <command>",
        "outgoing <action> <zone_id>",
        "emulator",
        "CLOUDFLARE_API_TOKEN",
        "Exit codes:",
      ]) {
        expect(stdout).toContain(text);
      }
    },
  );

  it("no command: the help on stderr, exit 2", async () => {
    const { code, stdout, stderr } = await cli([], {});
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("Usage: cf-secondary-dns <command>");
  });

  it("an unknown command: exit 2, naming it", async () => {
    expect(await cli(["zones"], {})).toEqual({
      code: 2,
      stdout: "",
      stderr:
        'cf-secondary-dns: unknown command "zones"\nRun "cf-secondary-dns --help" for usage.\n',
    });
  });
});

describe("a bug", () => {
  it("is the one failure shown with its stack trace, exit 1", async () => {
    const stderr = collector();
    const broken = {
      write: () => {
        throw new Error("stdout is broken");
      },
    };
    const code = await runCli(["--version"], { env: {}, stdout: broken, stderr });
    expect(code).toBe(1);
    expect(stderr.text).toMatch(
      /^cf-secondary-dns: unexpected error \(please report it\):\nError: stdout is broken\n\s+at /,
    );
  });
});

describe("--help for every command", () => {
  it("outgoing --help lists every action", async () => {
    const { code, stdout } = await cli(["outgoing", "--help"], {});
    expect(code).toBe(0);
    for (const action of Object.keys(OUTGOING_ACTIONS))
      expect(stdout).toMatch(new RegExp(`^  ${action} `, "m"));
  });

  it("outgoing --help lists each client flag once, with the client's own defaults", async () => {
    const { stdout } = await cli(["outgoing", "--help"], {});
    for (const flag of Object.keys(CLIENT_FLAGS))
      expect(stdout.match(new RegExp(`^  (?:-h, )?--${flag}\\b`, "gm"))).toHaveLength(1);
    expect(stdout).toContain(`(default ${DEFAULT_TIMEOUT_MS})`);
    expect(stdout).toContain(`(default ${DEFAULT_MAX_RETRIES})`);
    expect(stdout).toContain(`(default ${DEFAULT_BASE_URL})`);
  });

  it.each(Object.entries(COMMANDS))(
    "%s: a command of the spec's table, each action with its help and positional arguments",
    async (name, command) => {
      const { code, stdout } = await cli([...name.split(" "), "--help"], {});
      expect(code).toBe(0);
      for (const [verb, action] of Object.entries(command.actions)) {
        expect(stdout).toMatch(new RegExp(`^  ${verb} +\\S`, "m"));
        const help = await cli([...name.split(" "), verb, "--help"], {});
        expect(help.code).toBe(0);
        const args = action.params
          .filter((p) => p !== "account_id")
          .map((p) => (p === "zone_id" ? " <zone_id>" : " <id>"));
        expect(help.stdout).toContain(`Usage: cf-secondary-dns ${name} ${verb}${args.join("")}`);
        for (const field of action.fields)
          expect(help.stdout).toContain(`--${command.fields[field]!.flag}`);
      }
    },
  );

  it("outgoing with no action: its help on stderr, exit 2", async () => {
    const { code, stderr } = await cli(["outgoing"], {});
    expect(code).toBe(2);
    expect(stderr).toContain("Usage: cf-secondary-dns outgoing <action>");
  });

  it.each(Object.keys(OUTGOING_ACTIONS))("outgoing %s --help", async (action) => {
    // Help wins over everything else on the line, even arguments that are wrong.
    const { code, stdout, stderr } = await cli(
      ["outgoing", action, "not-a-zone", "--help", "--frob"],
      {},
    );
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout).toContain(`Usage: cf-secondary-dns outgoing ${action} <zone_id>`);
    expect(stdout).toContain("--json");
    expect(stdout.includes("--name NAME")).toBe(action === "create" || action === "update");
  });

  it("emulator --help", async () => {
    const { code, stdout } = await cli(["emulator", "-h"], {});
    expect(code).toBe(0);
    for (const flag of [
      "--port",
      "--host",
      "--state",
      "--latency",
      "--rate-limit-share",
      "--server-error-share",
      "--request-timeout",
      "--headers-timeout",
      "--keep-alive-timeout",
    ]) {
      expect(stdout).toContain(flag);
    }
  });
});

describe("emulator", () => {
  it("serves until stopped, and keeps its state in --state", async () => {
    const folder = await mkdtemp(join(tmpdir(), "cli-emulator-"));
    const stateFile = join(folder, "state.json");
    try {
      const stop = new AbortController();
      const stdout = collector();
      const stderr = collector();
      const running = runCli(["emulator", "--port", "0", "--state", stateFile], {
        env: {},
        stdout,
        stderr,
        signal: stop.signal,
      });
      const url = await waitForUrl(stdout);
      expect(stdout.text).toContain(`State file: ${stateFile}`);

      const env = { CLOUDFLARE_BASE_URL: url, CLOUDFLARE_API_TOKEN: "tok" };
      expect((await cli(["outgoing", "create", ZONE, "--name", "example.com."], env)).code).toBe(0);
      stop.abort();
      expect(await running).toBe(0);
      expect(stdout.text).toMatch(/Emulator stopped\.\n$/);
      expect(stderr.text).toBe("");
      const saved = JSON.parse(await readFile(stateFile, "utf8"));
      expect(saved.collections.outgoing[ZONE].zone.name).toBe("example.com.");
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it("--request-timeout cuts off a body that never ends", async () => {
    const stop = new AbortController();
    const stdout = collector();
    const running = runCli(["emulator", "--request-timeout", "400"], {
      env: {},
      stdout,
      stderr: collector(),
      signal: stop.signal,
    });
    try {
      const url = new URL(await waitForUrl(stdout));
      const socket = connect(Number(url.port), url.hostname);
      let received = "";
      socket.on("data", (chunk: Buffer) => (received += chunk.toString("utf8")));
      const started = performance.now();
      socket.write(
        `PUT ${url.pathname}/zones/${ZONE}/secondary_dns/outgoing HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n{`,
      );
      await new Promise((resolve) => socket.on("close", resolve));
      expect(performance.now() - started).toBeLessThan(4_000);
      expect(received).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      stop.abort();
      await running;
    }
  });

  it("a state file another emulator holds: exit 1, naming it", async () => {
    const folder = await mkdtemp(join(tmpdir(), "cli-emulator-"));
    const stateFile = join(folder, "state.json");
    const holder = await startEmulator({ stateFile });
    try {
      const { code, stderr } = await cli(["emulator", "--state", stateFile], {});
      expect(code).toBe(1);
      expect(stderr).toContain(
        `the emulator could not start: the state file ${stateFile} is in use`,
      );
    } finally {
      await holder.close();
      await rm(folder, { recursive: true, force: true });
    }
  });

  it("a port already taken: exit 1, saying why", async () => {
    const taken = await startEmulator();
    try {
      const { code, stderr } = await cli(["emulator", "--port", String(taken.port)], {});
      expect(code).toBe(1);
      expect(stderr).toMatch(/^cf-secondary-dns: the emulator could not start: .*EADDRINUSE/);
    } finally {
      await taken.close();
    }
  });

  it.each([
    [["--port", "http"], "invalid --port: must be a whole number from 0 to 65535"],
    [["--port", "70000"], "invalid --port"],
    [["--latency=-5"], "invalid --latency"],
    [["--rate-limit-share", "1.5"], "invalid --rate-limit-share: must be a number from 0 to 1"],
    [["--rate-limit-share", "0.6", "--server-error-share", "0.6"], "add up to more than 1"],
    [["now"], 'unexpected argument "now"'],
    [["--verbose"], 'unknown option "--verbose"'],
    [["--port", ""], 'invalid --port: must be a whole number from 0 to 65535, got ""'],
    [["--request-timeout", "0"], "invalid --request-timeout: must be a whole number from 1 to"],
    [["--keep-alive-timeout="], "invalid --keep-alive-timeout"],
    [["--headers-timeout", "2.5"], "invalid --headers-timeout"],
  ])("%j: exit 2", async (args, message) => {
    const { code, stderr } = await cli(["emulator", ...args], {});
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).toContain('Run "cf-secondary-dns emulator --help" for usage.');
  });
});

/** Resolves with the URL the emulator command printed, once it has. */
async function waitForUrl(stdout: { text: string }): Promise<string> {
  for (let waited = 0; waited < 10_000; waited += 20) {
    const url = /listening on (\S+)/.exec(stdout.text)?.[1];
    if (url) return url;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the emulator printed no URL: ${stdout.text}`);
}
