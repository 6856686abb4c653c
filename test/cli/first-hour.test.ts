/**
 * What a new user reads in the first hour: the top-level help names every command
 * and CLOUDFLARE_ACCOUNT_ID, the emulator's banner names the account it seeded, a
 * base URL without /client/v4 gets a hint instead of a bare "No route", and setup
 * says NOTIFY was requested (the API says no more than that). In-process, on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { exampleSeed } from "../../src/emulator/handlers/state.js";
import { runCli } from "../../src/cli/run.js";
import { cli, collector } from "./run.js";

const ZONE = "5f4dcc3b5aa765d61d8327deb882cf99";
const SEEDED = Object.keys(exampleSeed().peers ?? {})[0]!;

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ dnsPort: 0 }); // setup learns its DNS address from it
});
afterAll(() => emulator.close());

describe("the first hour", () => {
  it("--help lists outgoing setup, outgoing doctor and CLOUDFLARE_ACCOUNT_ID", async () => {
    const { code, stdout } = await cli(["--help"], {});
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ {2}outgoing setup <zone_id> /m);
    expect(stdout).toMatch(/^ {2}outgoing doctor <zone_id> /m);
    expect(stdout).toMatch(/^ {2}CLOUDFLARE_ACCOUNT_ID /m);
  });

  it("the emulator's banner names the seeded account", async () => {
    expect(SEEDED).toMatch(/^[0-9a-f]{32}$/);
    const stop = new AbortController();
    const stdout = collector();
    const running = runCli(["emulator"], {
      env: {},
      stdout,
      stderr: collector(),
      signal: stop.signal,
    });
    for (let i = 0; i < 400 && !stdout.text.includes("Press Ctrl+C"); i++)
      await new Promise((resolve) => setTimeout(resolve, 25));
    stop.abort();
    expect(await running).toBe(0);
    expect(stdout.text).toContain(`CLOUDFLARE_ACCOUNT_ID=${SEEDED}`);
  });

  it("a base URL without /client/v4: the 404 says what the base URL should end with", async () => {
    const env = {
      CLOUDFLARE_BASE_URL: emulator.url.replace(/\/client\/v4$/, ""),
      CLOUDFLARE_API_TOKEN: "t",
    };
    const { code, stderr } = await cli(["outgoing", "status", ZONE], env);
    expect(code).toBe(1);
    expect(stderr).toContain("No route for that URI");
    expect(stderr).toContain("does the base URL end with /client/v4?");
  });

  it("a path under /client/v4 that matches nothing gets no such hint", async () => {
    // Not /incoming: Cloudflare has that operation, and the emulator will serve it.
    const unknown = `${emulator.url}/zones/${ZONE}/secondary_dns/not_an_operation`;
    const response = await fetch(unknown, {
      headers: { authorization: "Bearer t" },
    });
    expect(response.status).toBe(404);
    const body = (await response.json()) as { errors: { message: string }[] };
    expect(body.errors[0]!.message).toBe("No route for that URI");
  });

  it("setup says NOTIFY was requested, not sent", async () => {
    const env = {
      CLOUDFLARE_BASE_URL: emulator.url,
      CLOUDFLARE_API_TOKEN: "t",
      CLOUDFLARE_ACCOUNT_ID: SEEDED,
    };
    const args = [
      "outgoing",
      "setup",
      ZONE,
      "--name",
      "first-hour.test.",
      "--peer-ip",
      "127.0.0.1",
    ];
    const { code, stdout, stderr } = await cli(
      [...args, "--peer-port", "1", "--tsig-name", "fh."],
      env,
    );
    expect(code, stdout + stderr).toBe(0);
    expect(stdout).toContain("enabled outgoing transfers (NOTIFY requested)");
    expect(stdout).not.toContain("NOTIFY sent");
  });
});
