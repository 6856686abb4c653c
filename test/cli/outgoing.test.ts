/**
 * Every `outgoing` action run in-process against the emulator: exit codes,
 * text and --json output, and what goes to stderr when something fails.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { querySoa } from "../../src/dns/index.js";
import { validatorAt } from "../support/spec.js";
import { cli, type Outcome } from "./run.js";

const PEER_A = "23ff594956f20c2a721606e94745a8aa";
const PEER_B = "00920f38ce07c2e2f4df50b1f61d4194";
const RAY = /cf-ray: [0-9a-f]{16}-EMU/;
const STACK_LINE = /^\s+at /m;

let emulator: Emulator;
let env: Record<string, string>;
beforeAll(async () => {
  emulator = await startEmulator();
  env = { CLOUDFLARE_BASE_URL: emulator.url, CLOUDFLARE_API_TOKEN: "cli-test-token" };
});
afterAll(() => emulator.close());

/** A zone id of its own for each test, so tests do not share state. */
let zones = 0;
const newZone = () => (++zones).toString(16).padStart(32, "a");

const outgoing = (...args: string[]) => cli(["outgoing", ...args], env);

function succeeded(outcome: Outcome): string {
  expect(outcome.stderr).toBe("");
  expect(outcome.code).toBe(0);
  return outcome.stdout;
}

function apiFailed(outcome: Outcome, status: number, code: number): string {
  expect(outcome.code).toBe(1);
  expect(outcome.stdout).toBe("");
  expect(outcome.stderr).toContain(`the API answered ${status} to`);
  expect(outcome.stderr).toContain(`error ${code}: `);
  expect(outcome.stderr).toMatch(RAY);
  expect(outcome.stderr).not.toMatch(STACK_LINE);
  return outcome.stderr;
}

describe("the lifecycle, as text", () => {
  it("get, create, enable, status, force-notify, update, disable, delete", async () => {
    const zone = newZone();
    expect(apiFailed(await outgoing("get", zone), 404, 1003)).toContain(
      "Primary zone configuration not found",
    );

    const created = succeeded(
      await outgoing("create", zone, "--name", "example.com.", "--peer", PEER_A, "--peer", PEER_B),
    );
    expect(created).toContain(`Created the outgoing configuration of zone ${zone}:`);
    expect(created).toMatch(/name\s+example\.com\.\n/);
    expect(created).toMatch(new RegExp(`peers\\s+${PEER_A}\\n\\s+${PEER_B}\\n`));
    const serial = Number(/soa_serial\s+(\d+)/.exec(created)?.[1]);
    const id = /id\s+([0-9a-f]{32})/.exec(created)?.[1];
    expect(serial).toBeGreaterThan(0);

    expect(
      apiFailed(await outgoing("create", zone, "--name", "example.com."), 400, 1005),
    ).toContain("already exists");
    expect(succeeded(await outgoing("get", zone))).toContain(
      `Outgoing configuration of zone ${zone}:\n  id                     ${id}`,
    );
    expect(succeeded(await outgoing("enable", zone))).toBe(
      `Outgoing transfers of zone ${zone}: Enabled\n`,
    );
    expect(succeeded(await outgoing("status", zone))).toBe(
      `Outgoing transfers of zone ${zone}: Enabled\n`,
    );
    expect(succeeded(await outgoing("force-notify", zone))).toBe(
      `NOTIFY sent to the peers of zone ${zone}: OK\n`,
    );

    const updated = succeeded(
      await outgoing("update", zone, "--name", "example.org.", "--peer", PEER_B),
    );
    expect(updated).toContain(`Updated the outgoing configuration of zone ${zone}:`);
    expect(updated).toMatch(new RegExp(`peers\\s+${PEER_B}\\n\\s+soa_serial\\s+${serial + 1}\\n`));

    expect(succeeded(await outgoing("disable", zone))).toBe(
      `Outgoing transfers of zone ${zone}: Disabled\n`,
    );
    expect(succeeded(await outgoing("status", zone))).toBe(
      `Outgoing transfers of zone ${zone}: Disabled\n`,
    );
    expect(succeeded(await outgoing("delete", zone))).toBe(
      `Deleted the outgoing configuration ${id} of zone ${zone}.\n`,
    );
    apiFailed(await outgoing("delete", zone), 404, 1003);
  });

  it("an update without peers links none, and says so", async () => {
    const zone = newZone();
    succeeded(await outgoing("create", zone, "--name", "example.com.", "--peer", PEER_A));
    expect(succeeded(await outgoing("update", zone, "--name", "example.com."))).toMatch(
      /peers\s+\(none\)/,
    );
  });
});

describe("names one way", () => {
  it("--name without its dot, in any case, is the same zone: no rename, the serial moves by the update alone", async () => {
    const dns = await startEmulator({ dnsPort: 0 });
    try {
      const zone = newZone();
      const at = { ...env, CLOUDFLARE_BASE_URL: dns.url };
      const run = async (...args: string[]) =>
        JSON.parse(succeeded(await cli(["outgoing", ...args, "--json"], at))) as {
          name: string;
          soa_serial: number;
        };
      const created = await run("create", zone, "--name", "WWW.Example.COM", "--peer", PEER_A);
      expect(created.name).toBe("www.example.com.");
      const updated = await run("update", zone, "--name", "www.example.com", "--peer", PEER_A);
      expect(updated.name).toBe("www.example.com.");
      expect(updated.soa_serial).toBe(created.soa_serial + 1);
      // The primary serves the zone under the one name, at the API's serial.
      await run("enable", zone);
      const soa = await querySoa({ ...dns.dns!, zone: "www.example.com", timeoutMs: 2000 });
      expect(soa).toMatchObject({ status: "answer", serial: updated.soa_serial });
    } finally {
      await dns.close();
    }
  });
});

describe("the lifecycle, with --json: exactly the API's result", () => {
  const json = async (...args: string[]) =>
    JSON.parse(succeeded(await outgoing(...args, "--json")));
  const valid = (schema: string, value: unknown) => {
    const validate = validatorAt(`#/components/schemas/${schema}`);
    expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
    return value;
  };

  it("prints each result as JSON, valid against the spec", async () => {
    const zone = newZone();
    const created = valid(
      "OutgoingZone",
      await json("create", zone, "--name", "example.com.", "--peer", PEER_A),
    );
    expect(created).toMatchObject({ name: "example.com.", peers: [PEER_A] });
    expect(await json("get", zone)).toEqual(created);
    expect(valid("ActionResult", await json("enable", zone))).toBe("Enabled");
    expect(valid("TransferStatus", await json("status", zone))).toBe("Enabled");
    expect(await json("force-notify", zone)).toBe("OK");
    const updated = valid(
      "OutgoingZone",
      await json("update", zone, "--name", "example.com.", "--peer", PEER_B),
    );
    expect(updated).toMatchObject({
      peers: [PEER_B],
      soa_serial: (created as { soa_serial: number }).soa_serial + 1,
    });
    expect(await json("disable", zone)).toBe("Disabled");
    expect(valid("DeleteResult", await json("delete", zone))).toEqual({
      id: (created as { id: string }).id,
    });
  });
});

describe("credentials from the environment", () => {
  it("takes an email and a Global API Key instead of a token", async () => {
    const keyEnv = {
      CLOUDFLARE_BASE_URL: emulator.url,
      CLOUDFLARE_EMAIL: "me@example.com",
      CLOUDFLARE_API_KEY: "0123456789abcdef",
    };
    const outcome = await cli(["outgoing", "status", newZone()], keyEnv);
    apiFailed(outcome, 404, 1003); // through the authentication: the zone just has no configuration
  });

  it("--base-url wins over CLOUDFLARE_BASE_URL", async () => {
    const zone = newZone();
    const wrongEnv = { ...env, CLOUDFLARE_BASE_URL: "http://127.0.0.1:9/client/v4" };
    const outcome = await cli(
      ["outgoing", "create", zone, "--name", "a.", "--base-url", emulator.url],
      wrongEnv,
    );
    expect(outcome.code).toBe(0);
  });
});

describe("bad usage: exit 2, saying which argument and why, with nothing sent", () => {
  const zone = "0123456789abcdef0123456789abcdef";
  it.each<[string, string[], Record<string, string> | undefined, string]>([
    ["an unknown action", ["frob", zone], undefined, 'unknown action "frob"'],
    ["no zone", ["get"], undefined, "missing <zone_id>"],
    [
      "a zone id that is not 32 hex",
      ["get", "example.com"],
      undefined,
      "invalid <zone_id>: must be 32 lowercase hex characters",
    ],
    ["an extra argument", ["get", zone, "extra"], undefined, 'unexpected argument "extra"'],
    ["create without --name", ["create", zone], undefined, "invalid --name: is required"],
    [
      "a name that is not a DNS name",
      ["create", zone, "--name", "bad_name!"],
      undefined,
      "invalid --name: must be a DNS name",
    ],
    [
      "a bad second peer",
      ["update", zone, "--name", "a.", "--peer", PEER_A, "--peer", "xyz"],
      undefined,
      "invalid --peer number 2: must be 32 lowercase hex",
    ],
    [
      "a peer twice",
      ["create", zone, "--name", "a.", "--peer", PEER_A, "--peer", PEER_A],
      undefined,
      "invalid --peer number 2: repeats peer",
    ],
    [
      "--name on get",
      ["get", zone, "--name", "a."],
      undefined,
      "--name is only for create and update",
    ],
    [
      "an unknown option, in words of our own (no unbalanced quote)",
      ["get", zone, "--frob"],
      undefined,
      'unknown option "--frob" (an argument that starts with "-" goes after "--")\n',
    ],
    [
      "an option without its value",
      ["get", zone, "--base-url"],
      undefined,
      "--base-url needs a value\n",
    ],
    [
      "a value given to a switch",
      ["get", zone, "--json=yes"],
      undefined,
      "--json takes no value\n",
    ],
    [
      "an empty --retries",
      ["get", zone, "--retries", ""],
      undefined,
      'invalid --retries: must be a whole number, got ""',
    ],
    [
      "an empty --timeout",
      ["get", zone, "--timeout="],
      undefined,
      'invalid --timeout: must be a whole number, got ""',
    ],
    [
      "a fractional --retries",
      ["get", zone, "--retries", "1.5"],
      undefined,
      'invalid --retries: must be a whole number, got "1.5"',
    ],
    [
      "a --timeout in exponent form",
      ["get", zone, "--timeout", "1e3"],
      undefined,
      'invalid --timeout: must be a whole number, got "1e3"',
    ],
    [
      "a negative --retries",
      ["get", zone, "--retries=-1"],
      undefined,
      'invalid --retries: must be a whole number, got "-1"',
    ],
    [
      "a --timeout with spaces",
      ["get", zone, "--timeout", " 5"],
      undefined,
      'invalid --timeout: must be a whole number, got " 5"',
    ],
    [
      "--base-url over plain http to another host",
      ["get", zone, "--base-url", "http://example.com/client/v4"],
      undefined,
      "invalid --base-url: plain http:// is only allowed to a loopback host",
    ],
    [
      "a bad CLOUDFLARE_BASE_URL",
      ["get", zone],
      { CLOUDFLARE_BASE_URL: "not a url" },
      "invalid CLOUDFLARE_BASE_URL: is not a URL",
    ],
    [
      "a --timeout that is not a number",
      ["get", zone, "--timeout", "soon"],
      undefined,
      'invalid --timeout: must be a whole number, got "soon"',
    ],
    [
      "too many --retries",
      ["get", zone, "--retries=99"],
      undefined,
      "invalid --retries: must be an integer in 0..10",
    ],
    [
      "no credentials",
      ["get", zone],
      { CLOUDFLARE_API_TOKEN: "" },
      "no credentials: set CLOUDFLARE_API_TOKEN",
    ],
    [
      "an email without a key",
      ["get", zone],
      { CLOUDFLARE_API_TOKEN: "", CLOUDFLARE_EMAIL: "me@example.com" },
      "invalid CLOUDFLARE_API_KEY: is required with CLOUDFLARE_EMAIL",
    ],
  ])("%s", async (_case, args, envChanges, message) => {
    const outcome = await cli(["outgoing", ...args], { ...env, ...envChanges });
    expect(outcome.code).toBe(2);
    expect(outcome.stdout).toBe("");
    expect(outcome.stderr).toContain(`cf-secondary-dns: ${message}`);
    expect(outcome.stderr).toMatch(
      /Run "cf-secondary-dns outgoing( [a-z-]+)? --help" for usage\.\n$/,
    );
    expect(outcome.stderr).not.toMatch(STACK_LINE);
    expect((await outgoing("get", zone)).code).toBe(1); // still 404: nothing was created
  });
});

describe("failures of the API and of the network", () => {
  const zone = "0123456789abcdef0123456789abcde0";
  const against = async (
    options: Parameters<typeof startEmulator>[0],
    args: string[],
    signal?: AbortSignal,
  ) => {
    const faulty = await startEmulator(options);
    try {
      return await cli(["outgoing", ...args], { ...env, CLOUDFLARE_BASE_URL: faulty.url }, signal);
    } finally {
      await faulty.close();
    }
  };

  it("429: exit 1 with code 971, the wait asked for, and the ray id", async () => {
    const outcome = await against({ rateLimitShare: 1, retryAfterSeconds: 90 }, ["get", zone]);
    expect(apiFailed(outcome, 429, 971)).toContain("retry after: 90 s");
  });

  it("a proxy's HTML 502: exit 1 with what was wrong with the body", async () => {
    const outcome = await against({ serverErrorShare: 1, random: () => 0.9 }, [
      "get",
      zone,
      "--retries",
      "0",
    ]);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain("the API answered 502 to GET");
    expect(outcome.stderr).toContain("the body is not JSON: 502 Bad Gateway");
    expect(outcome.stderr).toMatch(RAY);
  });

  it("nothing listening: exit 3", async () => {
    const gone = await startEmulator();
    await gone.close();
    const outcome = await cli(["outgoing", "get", zone, "--retries", "0"], {
      ...env,
      CLOUDFLARE_BASE_URL: gone.url,
    });
    expect(outcome.code).toBe(3);
    expect(outcome.stderr).toMatch(
      /^cf-secondary-dns: no answer from the API: GET http:\/\/127\.0\.0\.1:\d+\/client\/v4\/zones\/.* failed to connect/,
    );
    expect(outcome.stderr).not.toMatch(STACK_LINE);
  });

  it("no answer in time: exit 3", async () => {
    const outcome = await against({ latencyMs: 1000 }, [
      "status",
      zone,
      "--timeout",
      "100",
      "--retries",
      "0",
    ]);
    expect(outcome.code).toBe(3);
    expect(outcome.stderr).toContain("timed out after 100 ms");
  });

  it("interrupted (Ctrl+C) in the middle of a call: exit 130", async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 100);
    const outcome = await against({ latencyMs: 2000 }, ["status", zone], stop.signal);
    expect(outcome).toEqual({ code: 130, stdout: "", stderr: "cf-secondary-dns: interrupted\n" });
  });
});
