/**
 * `peers|tsigs|acls` run in-process against the emulator (seeded with the spec's
 * example account): every action as text and --json, every field flag, TSIG
 * secrets (generated, from a file, from stdin, masked), bad input that sends
 * nothing, API errors, and server text with control characters.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { createSecondaryDnsClient } from "../../src/index.js";
import { SECRET_BYTES } from "../../src/setup.js";
import { apiError, startProxy, proxiesClosedAfterEach } from "./proxy.js";
import { cli, collector, type Outcome } from "./run.js";

const ACCOUNT = "01a7362d577a6c3019a474fd6f485823";
const OTHER = "0000000000000000000000000000abcd";
const TSIG = "69cd1e104af3e6ed3cb344f263fd0d5a";
const TSIG_SECRET = "l3qJr97PJWH4YV4k2uPsiVuPfmmcjV1t+8HbhItnu9U=";
const PEER = "23ff594956f20c2a721606e94745a8aa";
const ACL = "b4ae99a55280e68a888defc35bb0cf97";
const STACK_LINE = /^\s+at /m;

let emulator: Emulator;
let folder: string;
let env: Record<string, string>;
beforeAll(async () => {
  emulator = await startEmulator();
  folder = mkdtempSync(path.join(tmpdir(), "cli-account-"));
  env = { CLOUDFLARE_BASE_URL: emulator.url, CLOUDFLARE_API_TOKEN: "account-token" };
});
afterAll(async () => {
  await emulator.close();
  rmSync(folder, { recursive: true, force: true });
});
const proxies = proxiesClosedAfterEach();
async function proxy(fail?: Parameters<typeof startProxy>[1]) {
  const started = await startProxy(emulator.url, fail);
  proxies.push(started);
  return started;
}

const checker = (accountId = ACCOUNT) =>
  createSecondaryDnsClient({ apiToken: "checker", baseUrl: emulator.url, accountId });
/** Runs the CLI in the example account (or `account`). */
const run = (args: string[], account = ACCOUNT) => cli([...args, "--account", account], env);

function ok(outcome: Outcome): string {
  expect(outcome.stderr).toBe("");
  expect(outcome.code).toBe(0);
  return outcome.stdout;
}

function secretFile(name: string, content: string): string {
  const file = path.join(folder, name);
  writeFileSync(file, content, { mode: 0o600 }); // others reading it: a warning
  return file;
}

describe("peers", () => {
  it("list, get, create, update, delete, as text", async () => {
    const account = OTHER.replace("abcd", "0001");
    expect(ok(await run(["peers", "list"], account))).toBe("No peers.\n");
    const created = ok(
      await run(
        ["peers", "create", "--name", "ns2", "--ip", "::1", "--port", "5353", "--ixfr"],
        account,
      ),
    );
    const id = /id\s+([0-9a-f]{32})/.exec(created)?.[1] as string;
    expect(created).toMatch(/^Created peer:\n {2}id {11}[0-9a-f]{32}\n {2}name {9}ns2\n/);
    expect(created).toContain("  ip           ::1\n  port         5353\n  ixfr_enable  true\n");
    expect(ok(await run(["peers", "get", id], account))).toMatch(/^Peer:\n {2}id {11}/);
    expect(ok(await run(["peers", "list"], account))).toMatch(/^1 peer:\n {2}id/);

    const updated = ok(
      await run(
        ["peers", "update", id, "--name", "ns2b", "--ip", "127.0.0.9", "--no-ixfr"],
        account,
      ),
    );
    expect(updated).toMatch(/^Updated peer:/);
    const peer = await checker(account).peers.get(id);
    expect(peer).toMatchObject({ name: "ns2b", ip: "127.0.0.9", ixfr_enable: false });
    expect(peer.port ?? undefined).toBeUndefined(); // update replaces every field

    expect(ok(await run(["peers", "delete", id], account))).toBe(`Deleted peer ${id}.\n`);
    expect(await checker(account).peers.list()).toEqual([]);
  });

  it("--json prints the API's result as is; CLOUDFLARE_ACCOUNT_ID stands in for --account", async () => {
    const stdout = ok(
      await cli(["peers", "list", "--json"], { ...env, CLOUDFLARE_ACCOUNT_ID: ACCOUNT }),
    );
    expect(JSON.parse(stdout)).toEqual(await checker().peers.list());
    const one = JSON.parse(ok(await run(["peers", "get", PEER, "--json"])));
    expect(one).toEqual(await checker().peers.get(PEER));
  });

  it("--tsig links a key, which must exist in the account", async () => {
    const out = ok(
      await run(["peers", "create", "--name", "signed", "--ip", "127.0.0.7", "--tsig", TSIG]),
    );
    expect(out).toContain(`  tsig_id      ${TSIG}\n`);
    const elsewhere = await run(["peers", "create", "--name", "p", "--tsig", TSIG], OTHER);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toMatch(/the API answered 4\d\d to POST/);
  });
});

describe("tsigs", () => {
  it("create without a secret generates one as long as the algorithm's output, printed once", async () => {
    const account = OTHER.replace("abcd", "0003");
    for (const [algo, bytes] of Object.entries(SECRET_BYTES)) {
      const name = `${algo.split(/[.-]/)[1]}.key.example.`;
      const text = ok(await run(["tsigs", "create", "--name", name, "--algo", algo], account));
      const tsig = (await checker(account).tsigs.list()).find((t) => t.name === name)!;
      expect(Buffer.from(tsig.secret, "base64"), algo).toHaveLength(bytes);
      expect(text).toContain(`  secret       ${tsig.secret}\n`);
      expect(text).toContain("The secret above was generated for this key");
      // Later reads mask it.
      const read = ok(await run(["tsigs", "get", tsig.id], account));
      expect(read).not.toContain(tsig.secret);
      expect(read).toContain("  secret       ******** (--show-secret to see it)\n");
      expect(ok(await run(["tsigs", "get", tsig.id, "--show-secret"], account))).toContain(
        tsig.secret,
      );
    }
    const list = ok(await run(["tsigs", "list"], account));
    expect(list).toMatch(/^6 TSIG keys:\n/);
    expect(list).not.toMatch(/secret {7}[A-Za-z0-9+/]/);
  });

  it("a secret from --secret-file or from standard input (-), masked in the text", async () => {
    const account = OTHER.replace("abcd", "0004");
    const fromFile = Buffer.alloc(32, 1).toString("base64");
    const file = secretFile("file.secret", `  ${fromFile}\n`);
    const created = ok(
      await run(
        [
          "tsigs",
          "create",
          "--name",
          "f.example.",
          "--algo",
          "hmac-sha256.",
          "--secret-file",
          file,
        ],
        account,
      ),
    );
    expect(created).not.toContain(fromFile);
    expect(created).toContain("******** (--show-secret to see it)");
    const [tsig] = await checker(account).tsigs.list();
    expect(tsig?.secret).toBe(fromFile);

    const fromStdin = Buffer.alloc(48, 2).toString("base64");
    const stdout = collector();
    const stderr = collector();
    const code = await runCli(
      [
        "tsigs",
        "update",
        tsig!.id,
        "--name",
        "f.example.",
        "--algo",
        "hmac-sha384.",
        "--secret-file",
        "-",
        "--account",
        account,
        "--json",
      ],
      { env, stdout, stderr, stdin: Readable.from([`${fromStdin}\n`]) },
    );
    expect({ code, stderr: stderr.text }).toEqual({ code: 0, stderr: "" });
    expect(JSON.parse(stdout.text)).toEqual({
      id: tsig!.id,
      name: "f.example.",
      algo: "hmac-sha384.",
      secret: fromStdin,
    });
  });

  it("update without --secret-file rotates the secret; --json shows the API's result with it", async () => {
    const out = JSON.parse(
      ok(
        await run([
          "tsigs",
          "update",
          TSIG,
          "--name",
          "tsig.example.com.",
          "--algo",
          "hmac-sha256.",
          "--json",
        ]),
      ),
    );
    expect(out.secret).not.toBe(TSIG_SECRET);
    expect(Buffer.from(out.secret, "base64")).toHaveLength(32);
    expect(await checker().tsigs.get(TSIG)).toEqual(out);
  });

  it("no secret in error output, even when the server echoes it", async () => {
    const secret = Buffer.alloc(32, 3).toString("base64");
    const file = secretFile("echo.secret", secret);
    const echo = await proxy((method) =>
      method === "POST" ? { status: 400, body: apiError(1000, `bad secret ${secret}`) } : undefined,
    );
    const args = [
      "tsigs",
      "create",
      "--name",
      "e.example.",
      "--algo",
      "hmac-sha256.",
      "--secret-file",
      file,
    ];
    const outcome = await cli([...args, "--account", ACCOUNT], {
      ...env,
      CLOUDFLARE_BASE_URL: echo.url,
    });
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain("the API answered 400 to POST");
    expect(outcome.stderr).not.toContain(secret);
    expect(outcome.stdout).toBe("");
  });

  it("names one way: --name and --algo as nameservers write them are sent as the API spells them", async () => {
    const account = OTHER.replace("abcd", "0009");
    const created = JSON.parse(
      ok(
        await run(
          ["tsigs", "create", "--name", "Spelled.Example.COM", "--algo", "HMAC-SHA256", "--json"],
          account,
        ),
      ),
    ) as { id: string; name: string; algo: string; secret: string };
    expect({ name: created.name, algo: created.algo }).toEqual({
      name: "spelled.example.com.",
      algo: "hmac-sha256.",
    });
    expect(Buffer.from(created.secret, "base64")).toHaveLength(32); // generated for sha256
    // hmac-md5 is the API's long name; update with the other spelling of the same name.
    const file = secretFile("md5.secret", Buffer.alloc(16, 7).toString("base64"));
    const update = ["tsigs", "update", created.id, "--name", "spelled.example.com"];
    ok(await run([...update, "--algo", "hmac-md5", "--secret-file", file], account));
    const [tsig] = await checker(account).tsigs.list();
    expect({ name: tsig!.name, algo: tsig!.algo }).toEqual({
      name: "spelled.example.com.",
      algo: "hmac-md5.sig-alg.reg.int.",
    });
    // A peer's name is free text, not a DNS name: kept as given.
    const peer = ok(await run(["peers", "create", "--name", "NS1-Backup"], account));
    expect(peer).toContain("  name         NS1-Backup\n");
  });
});

describe("acls", () => {
  it("list, get, create, update, delete, as text and --json", async () => {
    expect(ok(await run(["acls", "get", ACL]))).toContain("  ip_range     192.0.2.16/28\n");
    const created = ok(
      await run(["acls", "create", "--name", "v6", "--ip-range", "2001:db8::/64", "--json"]),
    );
    const acl = JSON.parse(created);
    expect(acl).toMatchObject({ name: "v6", ip_range: "2001:db8::/64" });
    expect(ok(await run(["acls", "list"]))).toContain(acl.id);
    expect(
      ok(await run(["acls", "update", acl.id, "--name", "one", "--ip-range", "2001:db8::1/128"])),
    ).toMatch(/^Updated ACL:\n.*\n {2}name {9}one\n {2}ip_range {5}2001:db8::1\/128$/m);
    expect(ok(await run(["acls", "delete", acl.id, "--json"]))).toBe(
      `${JSON.stringify({ id: acl.id }, null, 2)}\n`,
    );
  });
});

describe("bad input: a usage error naming the flag, exit 2, nothing sent", () => {
  const empty = () => secretFile("empty.secret", "\n");
  const cases: [string, () => string[], RegExp][] = [
    [
      "a /23 IPv4 range",
      () => ["acls", "create", "--name", "a", "--ip-range", "192.0.2.0/23"],
      /invalid --ip-range: must be an IP range in CIDR notation, no larger than \/24 for IPv4/,
    ],
    [
      "a /63 IPv6 range",
      () => ["acls", "create", "--name", "a", "--ip-range", "2001:db8::/63"],
      /invalid --ip-range: must be an IP range in CIDR notation, .*\/64 for IPv6.* got "2001:db8::\/63"/,
    ],
    [
      "port 0",
      () => ["peers", "create", "--name", "a", "--port", "0"],
      /invalid --port: must be a whole number from 1 to 65535, got "0"/,
    ],
    [
      "port 70000",
      () => ["peers", "create", "--name", "a", "--port", "70000"],
      /invalid --port: .* got "70000"/,
    ],
    [
      "ip 999.1.1.1",
      () => ["peers", "create", "--name", "a", "--ip", "999.1.1.1"],
      /invalid --ip: must be the peer's IPv4 or IPv6 address, got "999.1.1.1"/,
    ],
    [
      "a bad --tsig id",
      () => ["peers", "update", PEER, "--name", "a", "--tsig", "XYZ"],
      /invalid --tsig: must be 32 lowercase hex/,
    ],
    [
      "an empty --name",
      () => ["peers", "create", "--name", ""],
      /invalid --name: must be a non-empty string/,
    ],
    [
      "no --name",
      () => ["acls", "create", "--ip-range", "127.0.0.1/32"],
      /invalid --name: is required/,
    ],
    [
      "an algorithm the API does not have (named as given)",
      () => ["tsigs", "create", "--name", "k.", "--algo", "hmac-sha999"],
      /invalid --algo: must be one of .*got "hmac-sha999"/,
    ],
    [
      "a key name that is not a DNS name (named as given)",
      () => ["tsigs", "create", "--name", "k ey", "--algo", "hmac-sha1."],
      /invalid --name: .*got "k ey"/,
    ],
    [
      "an empty secret file",
      () => ["tsigs", "create", "--name", "k.", "--algo", "hmac-sha1.", "--secret-file", empty()],
      /no secret in --secret-file .*: it is empty/,
    ],
    [
      "a secret file that is not base64",
      () => [
        "tsigs",
        "create",
        "--name",
        "k.",
        "--algo",
        "hmac-sha1.",
        "--secret-file",
        secretFile("x.secret", "not base64!"),
      ],
      /is not base64/,
    ],
    [
      "a missing secret file",
      () => [
        "tsigs",
        "update",
        TSIG,
        "--name",
        "k.",
        "--algo",
        "hmac-sha1.",
        "--secret-file",
        path.join(folder, "nope"),
      ],
      /cannot read --secret-file .*ENOENT/,
    ],
    ["a bad id", () => ["peers", "get", "1234"], /invalid <id>: must be 32 lowercase hex/],
    ["a missing id", () => ["acls", "delete"], /missing <id>/],
    ["an extra argument", () => ["acls", "list", "x"], /unexpected argument "x"/],
    [
      "a field flag on get",
      () => ["peers", "get", PEER, "--name", "a"],
      /--name is only for create and update/,
    ],
    [
      "--ixfr with --no-ixfr",
      () => ["peers", "create", "--name", "a", "--ixfr", "--no-ixfr"],
      /exclude each other/,
    ],
    [
      "a flag of another resource",
      () => ["acls", "create", "--name", "a", "--ip", "127.0.0.1"],
      /unknown option "--ip"/,
    ],
    ["an unknown action", () => ["tsigs", "rotate"], /unknown action "rotate"/],
    [
      "a bad --account",
      () => ["acls", "list", "--account", "nope"],
      /invalid --account: must be 32 lowercase hex/,
    ],
  ];
  it.each(cases)("%s", async (_, args, message) => {
    const seen = await proxy();
    const argv = args();
    const withAccount = argv.includes("--account") ? argv : [...argv, "--account", ACCOUNT];
    const outcome = await cli(withAccount, { ...env, CLOUDFLARE_BASE_URL: seen.url });
    expect(outcome.stderr).toMatch(message);
    expect(outcome.stderr).toMatch(/Run "cf-secondary-dns \w+( \w+)? --help" for usage\./);
    expect({ code: outcome.code, stdout: outcome.stdout, seen: seen.seen }).toEqual({
      code: 2,
      stdout: "",
      seen: [],
    });
  });

  it("no account anywhere", async () => {
    const outcome = await cli(["peers", "list"], { ...env, CLOUDFLARE_ACCOUNT_ID: "" });
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain("missing --account ID (or CLOUDFLARE_ACCOUNT_ID)");
  });
});

describe("failures and help", () => {
  it("a 404 is exit 1 with the API's error and cf-ray; an unreachable API is exit 3", async () => {
    const missing = await run(["acls", "get", "f".repeat(32)]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("the API answered 404 to GET");
    expect(missing.stderr).toMatch(/cf-ray: \S+/);
    expect(missing.stderr).not.toMatch(STACK_LINE);

    const gone = await startProxy(emulator.url);
    await gone.close();
    const unreachable = await cli(["peers", "list", "--account", ACCOUNT, "--retries", "0"], {
      ...env,
      CLOUDFLARE_BASE_URL: gone.url,
    });
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toContain("no answer from the API");
  });

  it("server text with control characters is escaped in text, exact in --json", async () => {
    const account = OTHER.replace("abcd", "0005");
    const { id } = await checker(account).peers.create({ name: "evil\x1b[2J\x07name" });
    const text = ok(await run(["peers", "get", id], account));
    expect(text).toContain("evil\\x1b[2J\\x07name");
    expect(text).not.toContain("\x1b");
    const json = JSON.parse(ok(await run(["peers", "get", id, "--json"], account)));
    expect(json.name).toBe("evil\x1b[2J\x07name");
  });

  it("--help for each resource and action, usage on stderr without an action", async () => {
    for (const resource of ["peers", "tsigs", "acls"]) {
      const help = await cli([resource, "--help"], {});
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`cf-secondary-dns ${resource} list [options]`);
      expect(help.stdout).toContain("--account ID");
      const bare = await cli([resource], {});
      expect(bare.code).toBe(2);
      expect(bare.stderr).toBe(help.stdout);
    }
    const tsigs = ok(await cli(["tsigs", "create", "--help"], {}));
    expect(tsigs).toContain("--secret-file FILE");
    expect(tsigs).toContain("sha256 32");
    expect(ok(await cli(["peers", "update", "--help"], {}))).toContain("--ip IP");
    const top = ok(await cli(["--help"], {}));
    for (const resource of ["peers", "tsigs", "acls"])
      expect(top).toContain(`  ${resource} <action>`);
  });
});
