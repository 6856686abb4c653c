/**
 * Incoming zones (Cloudflare as secondary) in the transfers file, against the
 * emulator through the CLI with a counting proxy in front: apply creates key,
 * primary and the zone's incoming configuration; import writes it back and plan
 * finds nothing to change; auto_refresh_seconds or the primaries changed behind
 * the file's back make plan exit 2 naming the field, apply repairs, and a second
 * apply sends only GETs; a zone with both outgoing and incoming is refused with
 * file, line and field and nothing sent; a zone moved from outgoing to incoming
 * (and back) loses its old configuration first, and the plan says why; --prune
 * deletes an incoming configuration the file does not name. The primaries here
 * are documentation addresses, which the emulator never pulls from; the pull
 * from a real Knot primary is test/declare/incoming-knot.test.ts.
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
const SECRET = Buffer.from("declare-incoming-secret-01234567").toString("base64");
const KEY = "pull.example.test.";

const INCOMING = `    incoming:
      name: example.test.
      peers: [primary1, primary2]
      auto_refresh_seconds: 86400
`;
const OUTGOING = `    outgoing:
      name: example.test.
      peers: [primary1]
`;
const fileText = (zone: string) => `version: 1
account: ${ACCOUNT}
tsigs:
  - name: ${KEY}
    algo: hmac-sha256.
    secret: { env: PULL_SECRET }
peers:
  - name: primary1
    ip: 192.0.2.1
    port: 53
    tsig: ${KEY}
  - name: primary2
    ip: 192.0.2.2
    port: 5353
zones:
  - id: ${ZONE}
${zone}`;

const dir = mkdtempSync(join(tmpdir(), "declare-incoming-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

let emulator: Emulator;
let proxy: Proxy;
let client: SecondaryDnsClient;
const env = () => ({
  CLOUDFLARE_BASE_URL: proxy.url,
  CLOUDFLARE_API_TOKEN: "test-token",
  PULL_SECRET: SECRET,
});

beforeEach(async () => {
  emulator = await startEmulator({ seed: {} });
  proxy = await startProxy(emulator.url);
  client = createSecondaryDnsClient({ baseUrl: emulator.url, apiToken: "t", accountId: ACCOUNT });
});

afterEach(async () => {
  await proxy.close();
  await emulator.close();
});

async function run(args: string[]) {
  const outcome = await cli(args, env());
  expect(outcome.stdout + outcome.stderr).not.toContain(SECRET);
  return outcome;
}

/** The steps apply printed as done, by their subject. */
const doneSteps = (stdout: string) =>
  stdout
    .split("\n")
    .filter((line) => line.includes(": done"))
    .map((line) => line.trim().split(":")[0]);

const peerId = async (name: string) => (await client.peers.list()).find((p) => p.name === name)!.id;

describe("incoming zones in the transfers file", () => {
  it("apply creates key, primaries and the incoming zone; import then plan: no change; a second apply sends only GETs", async () => {
    const first = await run(["apply", "-f", file("in.yaml", fileText(INCOMING)), "--yes"]);
    expect(first.code, first.stderr).toBe(0);
    expect(doneSteps(first.stdout)).toEqual([
      `+ tsig "${KEY}"`,
      '+ peer "primary1"',
      '+ peer "primary2"',
      `+ zone ${ZONE} incoming configuration`,
    ]);
    const live = await client.incoming.get(ZONE);
    expect(live).toMatchObject({ name: "example.test.", auto_refresh_seconds: 86400 });
    expect(live.peers.sort()).toEqual([await peerId("primary1"), await peerId("primary2")].sort());

    const imported = await run(["import", ZONE, "--account", ACCOUNT]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain(
      `  - id: ${ZONE}\n    incoming:\n      name: example.test.\n      peers:\n        - primary1\n        - primary2\n      auto_refresh_seconds: 86400\n`,
    );
    expect(imported.stdout).not.toContain("outgoing");
    const plan = await run(["plan", "-f", file("imported.yaml", imported.stdout)]);
    expect(plan.code, plan.stdout).toBe(0);
    expect(plan.stdout).toContain("No changes");

    const before = proxy.seen.length;
    const second = await run(["apply", "-f", file("in.yaml", fileText(INCOMING)), "--yes"]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain("No changes");
    expect(proxy.seen.length).toBeGreaterThan(before);
    expect(proxy.seen.slice(before).every((line) => line.startsWith("GET "))).toBe(true);
  });

  it.each([
    [
      "auto_refresh_seconds",
      async () => {
        const { name, peers } = await client.incoming.get(ZONE);
        await client.incoming.update(ZONE, { name, peers, auto_refresh_seconds: 3600 });
      },
      `~ zone ${ZONE} incoming configuration: update (auto_refresh_seconds: 3600 -> 86400)`,
    ],
    [
      "the primaries",
      async () => {
        const peers = [await peerId("primary2")];
        await client.incoming.update(ZONE, {
          name: "example.test.",
          peers,
          auto_refresh_seconds: 86400,
        });
      },
      `~ zone ${ZONE} incoming configuration: update (peers: primary2 -> primary1, primary2)`,
    ],
    [
      "a deleted incoming configuration",
      () => client.incoming.delete(ZONE),
      `+ zone ${ZONE} incoming configuration: create (name: (none) -> example.test.; peers: (none) -> primary1, primary2; auto_refresh_seconds: (none) -> 86400)`,
    ],
  ])(
    "%s changed out of band: plan exits 2 naming it, apply repairs, a second apply sends only GETs",
    async (_what, change, expected) => {
      const path = file("in.yaml", fileText(INCOMING));
      expect((await run(["apply", "-f", path, "--yes"])).code).toBe(0);
      await change();
      const plan = await run(["plan", "-f", path]);
      expect(plan.code, plan.stdout + plan.stderr).toBe(2);
      expect(plan.stdout).toContain(expected);
      const applied = await run(["apply", "-f", path, "--yes"]);
      expect(applied.code, applied.stderr).toBe(0);
      expect(applied.stdout).toContain(`${expected}: done`);
      expect(await client.incoming.get(ZONE)).toMatchObject({ auto_refresh_seconds: 86400 });
      const before = proxy.seen.length;
      const again = await run(["apply", "-f", path, "--yes"]);
      expect(again.stdout).toContain("No changes");
      expect(proxy.seen.slice(before).every((line) => line.startsWith("GET "))).toBe(true);
    },
  );

  it("a zone with both outgoing and incoming is refused with file, line and field, and nothing is sent", async () => {
    const both = file("both.yaml", fileText(OUTGOING + INCOMING));
    for (const args of [["plan"], ["apply", "--yes"]]) {
      const outcome = await run([...args, "-f", both]);
      expect(outcome.code).toBe(2);
      expect(outcome.stdout).toBe("");
      expect(outcome.stderr).toContain(
        `${both}:20: zones[0].incoming: is not allowed beside outgoing: a zone is primary (outgoing) or secondary (incoming), never both`,
      );
      expect(outcome.stderr).toContain("nothing was sent");
    }
    const unknown = file("unknown.yaml", fileText(INCOMING.replace("primary2]", "primary9]")));
    const refused = await run(["plan", "-f", unknown]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `${unknown}:19: zones[0].incoming.peers[1]: names the peer "primary9", which peers does not define`,
    );
    expect(proxy.seen).toEqual([]);
  });

  it("a zone moved from outgoing to incoming and back: the old side is deleted first, and the plan says so", async () => {
    const outgoing = file("out.yaml", fileText(OUTGOING));
    expect((await run(["apply", "-f", outgoing, "--yes"])).code).toBe(0);
    expect(await client.outgoing.status(ZONE)).toBe("Enabled");

    const incoming = file("in.yaml", fileText(INCOMING));
    const plan = await run(["plan", "-f", incoming]);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain(
      `  - zone ${ZONE} outgoing configuration: delete (the file makes the zone incoming; a zone is primary or secondary, never both, so its outgoing configuration goes first)\n  + zone ${ZONE} incoming configuration: create`,
    );
    const json = JSON.parse((await run(["plan", "-f", incoming, "--json"])).stdout) as {
      changes: { kind: string; action: string; reason?: string }[];
    };
    expect(json.changes.map((c) => `${c.action} ${c.kind}`)).toEqual([
      "delete outgoing",
      "create incoming",
    ]);
    expect(json.changes[0]!.reason).toMatch(/^the file makes the zone incoming/);
    const toIncoming = await run(["apply", "-f", incoming, "--yes"]);
    expect(toIncoming.code, toIncoming.stderr).toBe(0);
    expect(doneSteps(toIncoming.stdout)).toEqual([
      `- zone ${ZONE} outgoing configuration`,
      `+ zone ${ZONE} incoming configuration`,
    ]);
    await expect(client.outgoing.get(ZONE)).rejects.toThrow();
    expect((await run(["plan", "-f", incoming])).code).toBe(0);

    const back = await run(["apply", "-f", outgoing, "--yes"]);
    expect(back.code, back.stderr).toBe(0);
    expect(doneSteps(back.stdout)).toEqual([
      `- zone ${ZONE} incoming configuration`,
      `+ zone ${ZONE} outgoing configuration`,
      `~ zone ${ZONE} transfers`,
    ]);
    await expect(client.incoming.get(ZONE)).rejects.toThrow();
    expect(await client.outgoing.status(ZONE)).toBe("Enabled");
  });

  it("an incoming configuration the file does not name is left alone, and deleted only with --prune", async () => {
    expect((await run(["apply", "-f", file("in.yaml", fileText(INCOMING)), "--yes"])).code).toBe(0);
    const bare = file("bare.yaml", fileText(""));
    const kept = await run(["plan", "-f", bare]);
    expect(kept.code, kept.stdout).toBe(0);
    expect(kept.stdout).toContain(`left alone (--prune deletes them): incoming "${ZONE}"`);
    const pruned = await run(["apply", "-f", bare, "--prune", "--yes"]);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(doneSteps(pruned.stdout)).toEqual([`- zone ${ZONE} incoming configuration`]);
    await expect(client.incoming.get(ZONE)).rejects.toThrow();
    // The key and primaries are in the file: they stay.
    expect((await client.peers.list()).length).toBe(2);
    expect(readFileSync(bare, "utf8")).not.toContain("incoming");
  });
});
