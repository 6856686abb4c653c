/**
 * import, plan and apply against the emulator, through the CLI in-process, with
 * a counting proxy in front: a file applied into an empty account; import then
 * plan finds nothing to change; each change made behind the file's back makes
 * plan exit 2 naming it, without printing a secret, and apply repairs it; a bad
 * file sends nothing; a fault midway (the emulator's own fault injection) stops
 * apply with what was done and not, and a rerun converges.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSecondaryDnsClient, type SecondaryDnsClient } from "../../src/index.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { cli } from "../cli/run.js";
import { startProxy, type Proxy } from "../cli/proxy.js";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const ZONE = "00112233445566778899aabbccddeeff";
const SECRET = Buffer.from("declare-test-secret-0123456789ab").toString("base64");
const OTHER_SECRET = Buffer.from("declare-test-other-secret-012345").toString("base64");
const KEY = "xfr.example.test.";
const IMPORTED_ENV = "TSIG_SECRET_XFR_EXAMPLE_TEST";

const FILE = `version: 1
account: ${ACCOUNT}
tsigs:
  - name: ${KEY}
    algo: hmac-sha256.
    secret: { env: XFR_SECRET }
peers:
  - name: ns1
    ip: 192.0.2.1
    port: 53
    tsig: ${KEY}
  - name: ns2
    ip: 192.0.2.2
    port: 5353
    tsig: ${KEY}
acls:
  - name: office
    ip_range: 192.0.2.16/28
zones:
  - id: ${ZONE}
    outgoing:
      name: example.test.
      peers: [ns1, ns2]
      enabled: true
`;

const dir = mkdtempSync(join(tmpdir(), "declare-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Request by request: fail every one after the first `failAfter` (Infinity: none). */
const faults = { failAfter: Infinity, seen: 0 };

let emulator: Emulator;
let proxy: Proxy;
let client: SecondaryDnsClient;
let env: Record<string, string>;

beforeEach(async () => {
  faults.failAfter = Infinity;
  faults.seen = 0;
  emulator = await startEmulator({
    seed: {},
    serverErrorShare: 0.5,
    random: () => (++faults.seen > faults.failAfter ? 0 : 0.99),
  });
  proxy = await startProxy(emulator.url);
  client = createSecondaryDnsClient({ baseUrl: emulator.url, apiToken: "t", accountId: ACCOUNT });
  env = { CLOUDFLARE_BASE_URL: proxy.url, CLOUDFLARE_API_TOKEN: "test-token" };
});

afterEach(async () => {
  await proxy.close();
  await emulator.close();
});

const run = (args: string[], extra: Record<string, string> = {}) => cli(args, { ...env, ...extra });

/** Every secret this test knows, none of which may ever be printed. */
function expectNoSecret(outcome: { stdout: string; stderr: string }) {
  for (const secret of [SECRET, OTHER_SECRET]) {
    expect(outcome.stdout + outcome.stderr).not.toContain(secret);
  }
}

async function applyFile(path = file("t.yaml", FILE), extra = { XFR_SECRET: SECRET }) {
  const outcome = await run(["apply", "-f", path, "--yes"], extra);
  expectNoSecret(outcome);
  return outcome;
}

/** Imports the zone into a file (no secret in the environment) and returns its path. */
async function imported(): Promise<string> {
  const outcome = await run(["import", ZONE, "--account", ACCOUNT]);
  expect(outcome.code, outcome.stderr).toBe(0);
  expectNoSecret(outcome);
  return file("imported.yaml", outcome.stdout);
}

describe("apply, import, plan", () => {
  it("applies into an empty account in dependency order; import then plan gives no change; a second apply changes nothing", async () => {
    const first = await applyFile();
    expect(first.code, first.stderr).toBe(0);
    const steps = first.stdout
      .split("\n")
      .filter((line) => line.endsWith(")") && line.includes(": done"));
    expect(steps.map((line) => line.trim().split(":")[0])).toEqual([
      `+ tsig "${KEY}"`,
      '+ peer "ns1"',
      '+ peer "ns2"',
      '+ acl "office"',
      `+ zone ${ZONE} outgoing configuration`,
    ]);
    expect(first.stdout).toContain(`~ zone ${ZONE} transfers: enable`);
    expect(await client.outgoing.status(ZONE)).toBe("Enabled");
    const [tsig] = await client.tsigs.list();
    expect(tsig!.secret).toBe(SECRET);

    const path = await imported();
    expect(await run(["plan", "-f", path])).toMatchObject({ code: 0 });
    const again = await run(["plan", "-f", file("t.yaml", FILE)], { XFR_SECRET: SECRET });
    expect(again.code, again.stdout).toBe(0);
    expect(again.stdout).toContain("No changes");
    const before = proxy.seen.length;
    const second = await applyFile();
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("No changes");
    expect(proxy.seen.slice(before).every((line) => line.startsWith("GET "))).toBe(true);
  });

  it.each([
    [
      "a peer's port",
      async () => {
        const peer = (await client.peers.list()).find((p) => p.name === "ns1")!;
        const { id: _id, ...rest } = peer;
        await client.peers.update(peer.id, { ...rest, port: 5300 });
      },
      /~ peer "ns1": update \(port: 5300 -> 53\)/,
    ],
    [
      "a key's secret",
      async () => {
        const [tsig] = await client.tsigs.list();
        await client.tsigs.update(tsig!.id, {
          name: KEY,
          algo: "hmac-sha256.",
          secret: OTHER_SECRET,
        });
      },
      new RegExp(`~ tsig "${KEY.replace(/\./g, "\\.")}": update \\(secret differs\\)`),
    ],
    [
      "a deleted zone configuration",
      () => client.outgoing.delete(ZONE),
      new RegExp(
        `\\+ zone ${ZONE} outgoing configuration: create \\(name: \\(none\\) -> example\\.test\\.; peers: \\(none\\) -> ns1, ns2\\)`,
      ),
    ],
    [
      "transfers disabled",
      () => client.outgoing.disable(ZONE),
      new RegExp(`~ zone ${ZONE} transfers: enable \\(status: Disabled -> Enabled\\)`),
    ],
    [
      "a key's algorithm",
      async () => {
        const [tsig] = await client.tsigs.list();
        await client.tsigs.update(tsig!.id, { name: KEY, algo: "hmac-sha512.", secret: SECRET });
      },
      /~ tsig "xfr\.example\.test\.": update \(algo: hmac-sha512\. -> hmac-sha256\.\)/,
    ],
    [
      "a zone's peers",
      async () => {
        const ns1 = (await client.peers.list()).find((p) => p.name === "ns1")!;
        await client.outgoing.update(ZONE, { name: "example.test.", peers: [ns1.id] });
      },
      new RegExp(`~ zone ${ZONE} outgoing configuration: update \\(peers: ns1 -> ns1, ns2\\)`),
    ],
  ])(
    "%s changed out of band: plan exits 2 naming it, apply repairs it, then nothing to change",
    async (_what, change, expected) => {
      expect((await applyFile()).code).toBe(0);
      const path = await imported();
      await change();
      // The imported file, with no secret in the environment: the fingerprint tells.
      const plan = await run(["plan", "-f", path]);
      expectNoSecret(plan);
      expect(plan.code, plan.stdout + plan.stderr).toBe(2);
      expect(plan.stdout).toMatch(expected);
      const applied = await run(["apply", "-f", path, "--yes"], { [IMPORTED_ENV]: SECRET });
      expectNoSecret(applied);
      expect(applied.code, applied.stderr).toBe(0);
      expect(await run(["plan", "-f", path])).toMatchObject({ code: 0 });
      expect((await client.tsigs.list())[0]!.secret).toBe(SECRET);
      const second = await run(["apply", "-f", path, "--yes"]);
      expect(second.stdout).toContain("No changes");
      // A secret given wins over the file's fingerprint, and plan says the fingerprint is stale.
      const rotated = await run(["plan", "-f", path], { [IMPORTED_ENV]: OTHER_SECRET });
      expectNoSecret(rotated);
      expect(rotated.code).toBe(2);
      expect(rotated.stdout).toContain("secret differs");
      expect(rotated.stdout).toContain(
        `the file's fingerprint is not that of the secret in environment variable ${IMPORTED_ENV}`,
      );
    },
  );

  it("a bad file is refused with file, line and field, and nothing is sent", async () => {
    const port = file("port.yaml", FILE.replace("port: 5353", "port: 70000"));
    const key = file("key.yaml", FILE.replace("tsig: xfr", "tsig: nokey.xfr"));
    for (const [bad, problem] of [
      [port, `${port}:14: peers[1].port: must be from 1 to 65535`],
      [key, `${key}:11: peers[0].tsig: names the key "nokey.${KEY}", which tsigs does not define`],
    ]) {
      for (const args of [["plan"], ["apply", "--yes"]]) {
        const outcome = await run([...args, "-f", bad!], { XFR_SECRET: SECRET });
        expect(outcome.code).toBe(2);
        expect(outcome.stdout).toBe("");
        expect(outcome.stderr).toContain(problem);
        expect(outcome.stderr).toContain("nothing was sent");
      }
    }
    const syntax = await run([
      "apply",
      "-f",
      file("syntax.yaml", "version: 1\npeers: [\n"),
      "--yes",
    ]);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toMatch(/syntax\.yaml:\d+: YAML: /);
    const missing = await run(["plan", "-f", join(dir, "no-such-file.yaml")]);
    expect(missing.code).toBe(2);
    expect(proxy.seen).toEqual([]);
  });

  it("a fault midway: apply says what was done and not, exits 1, and a rerun converges", async () => {
    // 5 reads (3 lists, the zone's outgoing and incoming configurations: 404), then the key and the first peer.
    faults.failAfter = 7;
    const failed = await run(["apply", "-f", file("t.yaml", FILE), "--yes", "--retries", "0"], {
      XFR_SECRET: SECRET,
    });
    expectNoSecret(failed);
    expect(failed.code, failed.stderr).toBe(1);
    expect(failed.stderr).toContain("the API answered 500");
    expect(failed.stderr).toContain('Failed: peer "ns2": create');
    expect(failed.stderr).toMatch(
      /Done before it \(2\):\n {2}\+ tsig "xfr\.example\.test\.": create[^\n]*\n {2}\+ peer "ns1": create/,
    );
    expect(failed.stderr).toMatch(/Not done \(4\):\n {2}\+ peer "ns2": create/);
    expect(failed.stderr).toContain("Run apply again");
    faults.failAfter = Infinity;
    expect((await client.peers.list()).map((p) => p.name)).toEqual(["ns1"]);
    const rerun = await applyFile();
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(await run(["plan", "-f", file("t.yaml", FILE)], { XFR_SECRET: SECRET })).toMatchObject({
      code: 0,
    });
    expect((await client.peers.list()).map((p) => p.name).sort()).toEqual(["ns1", "ns2"]);
  });

  it("deletes what the file does not name only with --prune, zone configurations first and keys last", async () => {
    expect((await applyFile()).code).toBe(0);
    const acl = await client.acls.create({ name: "stray", ip_range: "198.51.100.0/24" });
    // Without the zone, ns1 and ns2 in the file, the key and peers are left over too.
    const bare = file("bare.yaml", `version: 1\naccount: ${ACCOUNT}\nzones:\n  - id: ${ZONE}\n`);
    const kept = await run(["plan", "-f", bare]);
    expect(kept.code, kept.stdout).toBe(0);
    expect(kept.stdout).toContain('left alone (--prune deletes them): outgoing "' + ZONE);
    const pruned = await run(["plan", "-f", bare, "--prune"]);
    expect(pruned.code).toBe(2);
    const order = pruned.stdout
      .split("\n")
      .filter((line) => line.startsWith("  - "))
      .map((line) => line.trim().split(":")[0]);
    expect(order).toEqual([
      `- zone ${ZONE} outgoing configuration`,
      '- acl "office"',
      '- acl "stray"',
      '- peer "ns1"',
      '- peer "ns2"',
      `- tsig "${KEY}"`,
    ]);
    const applied = await run(["apply", "-f", bare, "--prune", "--yes"]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(await client.acls.list()).toEqual([]);
    expect(await client.tsigs.list()).toEqual([]);
    await expect(client.acls.get(acl.id)).rejects.toThrow();
    expect(await run(["plan", "-f", bare, "--prune"])).toMatchObject({ code: 0 });
  });

  it("a secret that is needed but not available fails that step, before it is sent; one not needed is no error", async () => {
    const missing = await run(["apply", "-f", file("t.yaml", FILE), "--yes"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      `Failed: tsig "${KEY}": create: tsig "${KEY}": environment variable XFR_SECRET gives no secret, and one is needed to create the key`,
    );
    expect(missing.stderr).not.toContain("unexpected error");
    expect(proxy.seen.filter((line) => !line.startsWith("GET "))).toEqual([]);
    // Once the key exists with the right secret, the variable is not needed any more.
    expect((await applyFile()).code).toBe(0);
    const later = await run([
      "apply",
      "-f",
      file("t.yaml", FILE.replace("port: 53\n", "port: 54\n")),
      "--yes",
    ]);
    expect(later.code, later.stderr).toBe(0);
    expect(later.stdout).toMatch(/~ peer "ns1": update \(port: 53 -> 54\): done/);
    expect(later.stdout).toMatch(/note: tsig "xfr\.example\.test\.": secret not compared/);
  });

  it('apply without --yes and nobody to ask sends nothing; with "yes" on stdin it applies', async () => {
    const refused = await run(["apply", "-f", file("t.yaml", FILE)], { XFR_SECRET: SECRET });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("give --yes");
    expect(proxy.seen.filter((line) => !line.startsWith("GET "))).toEqual([]);
    const stdout = { text: "", write: (t: string) => ((stdout.text += t), true) };
    const stderr = { text: "", write: (t: string) => ((stderr.text += t), true) };
    async function* answer() {
      yield "yes\n";
    }
    const { runCli } = await import("../../src/cli/run.js");
    const code = await runCli(["apply", "-f", file("t.yaml", FILE)], {
      env: { ...env, XFR_SECRET: SECRET },
      stdout,
      stderr,
      stdin: answer(),
    });
    expect(code, stderr.text).toBe(0);
    expect(stdout.text).toContain('Apply these changes? Only "yes" applies them:');
    expect(await client.outgoing.status(ZONE)).toBe("Enabled");
  });

  it("import refuses an account with two peers of one name, saying which", async () => {
    await client.peers.create({ name: "twin", ip: "192.0.2.7" });
    await client.peers.create({ name: "twin", ip: "192.0.2.8" });
    const outcome = await run(["import", ZONE, "--account", ACCOUNT]);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(/peers: "twin" is the name of [0-9a-f]{32}, [0-9a-f]{32}/);
  });

  it("a name from the API cannot steer the terminal: control and bidi characters are escaped", async () => {
    await client.peers.create({ name: "evil\u001b[2J\u202eslin", ip: "192.0.2.66" });
    const outcome = await run([
      "plan",
      "-f",
      file("empty.yaml", `version: 1\naccount: ${ACCOUNT}\n`),
    ]);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain(String.raw`peer "evil\x1b[2J\u202eslin"`);
    expect(outcome.stdout).not.toMatch(/[\u001b\u202e]/);
  });

  it("reads a secret from a file named relative to the transfers file", async () => {
    writeFileSync(join(dir, "xfr.key"), `${SECRET}\n`, { mode: 0o600 });
    const path = file("from-file.yaml", FILE.replace("{ env: XFR_SECRET }", "{ file: xfr.key }"));
    const applied = await run(["apply", "-f", path, "--yes"]);
    expectNoSecret(applied);
    expect(applied.code, applied.stderr).toBe(0);
    expect((await client.tsigs.list())[0]!.secret).toBe(SECRET);
    expect(await run(["plan", "-f", path])).toMatchObject({ code: 0 });
  });

  it("each command's help names its flags and exit codes, and sends nothing", async () => {
    for (const command of ["import", "plan", "apply"]) {
      const help = await run([command, "--help"]);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: cf-secondary-dns ${command}`);
      expect(help.stdout).toContain("Exit codes");
    }
    expect((await run(["plan", "--help"])).stdout).toMatch(/2 {2}changes to make/);
    expect((await run(["apply", "-f", "x.yaml", "--output", "y"])).code).toBe(2);
    expect(proxy.seen).toEqual([]);
  });

  it("import -o writes the file with a $schema line; plan --json holds the changes and no secret", async () => {
    expect((await applyFile()).code).toBe(0);
    const out = join(dir, "written.yaml");
    const schema = "./node_modules/cf-secondary-dns/generated/transfers.schema.json";
    const written = await run([
      "import",
      ZONE,
      "--account",
      ACCOUNT,
      "-o",
      out,
      "--schema",
      schema,
    ]);
    expect(written.code, written.stderr).toBe(0);
    expect(written.stdout).toBe("");
    expect(written.stderr).toContain(`Wrote ${out}: 1 keys, 2 peers, 1 ACLs, 1 zones`);
    const text = readFileSync(out, "utf8");
    expect(text).toContain(`$schema: ${schema}\nversion: 1\naccount: ${ACCOUNT}\n`);
    expect(text).not.toContain(SECRET);
    await client.outgoing.disable(ZONE);
    const json = await run(["plan", "-f", out, "--json"]);
    expect(json.code).toBe(2);
    expectNoSecret(json);
    expect(JSON.parse(json.stdout).changes).toEqual([
      {
        kind: "transfers",
        action: "enable",
        name: ZONE,
        fields: [{ field: "status", from: "Disabled", to: "Enabled" }],
      },
    ]);
  });
});
