/**
 * Peers, TSIGs and ACLs in the emulator's state: the seed an empty state starts
 * with, their survival across restarts through the state file, and a state file
 * whose entries the spec would not return, refused at start.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startEmulator } from "../../src/emulator/index.js";
import { exampleSeed } from "../../src/emulator/handlers/state.js";
import { spec } from "../support/spec.js";
import { exchange } from "./exchange.js";

const EXAMPLE_ACCOUNT = spec.components.parameters?.account_id.example as string;
const ACCOUNT = "0123456789abcdef0123456789abcdef";
const SECRET = "l3qJr97PJWH4YV4k2uPsiVuPfmmcjV1t+8HbhItnu9U=";
const list = async (url: string, segment: string, account = ACCOUNT) =>
  (await exchange(url, "GET", `/accounts/${account}/secondary_dns/${segment}`)).body.result;

/** The first example of a list operation's 200, as the spec gives it. */
function listExample(segment: string) {
  const op = spec.paths[`/accounts/{account_id}/secondary_dns/${segment}`]?.get;
  const examples = op.responses["200"].content["application/json"].examples;
  return (Object.values(examples)[0] as { value: { result: unknown } }).value.result;
}

describe("the seed", () => {
  it("by default, the spec's example account with the peers, TSIGs and ACLs its examples list", async () => {
    const emulator = await startEmulator();
    try {
      for (const segment of ["peers", "tsigs", "acls"]) {
        const listed = await list(emulator.url, segment, EXAMPLE_ACCOUNT);
        expect(listed, segment).toEqual(listExample(segment));
        expect(listed.length, segment).toBeGreaterThan(0);
      }
      // The ids the outgoing examples and samples use are the seeded peers.
      const ids = (await list(emulator.url, "peers", EXAMPLE_ACCOUNT)).map(
        (p: { id: string }) => p.id,
      );
      expect(ids).toEqual(["23ff594956f20c2a721606e94745a8aa", "00920f38ce07c2e2f4df50b1f61d4194"]);
    } finally {
      await emulator.close();
    }
  });

  it("{} starts with nothing; a seed of one's own is what the lists answer", async () => {
    const empty = await startEmulator({ seed: {} });
    expect(await list(empty.url, "peers", EXAMPLE_ACCOUNT)).toEqual([]);
    await empty.close();
    const peers = [{ id: "a".repeat(32), name: "mine", ixfr_enable: false }];
    const own = await startEmulator({ seed: { peers: { [ACCOUNT]: peers } } });
    expect(await list(own.url, "peers")).toEqual(peers);
    expect(await list(own.url, "tsigs")).toEqual([]);
    await own.close();
  });

  it.each<[string, unknown, RegExp]>([
    [
      "a peer on port 0",
      { peers: { [ACCOUNT]: [{ id: "a".repeat(32), name: "p", port: 0 }] } },
      /peers\.0123.*\[0\].*Peer/,
    ],
    [
      "a key that is not an account id",
      { acls: { nope: [] } },
      /acls\.nope: the key is not an account id/,
    ],
    ["records not in a list", { tsigs: { [ACCOUNT]: { id: "a".repeat(32) } } }, /not a list/],
    [
      "one id twice",
      {
        peers: {
          [ACCOUNT]: [
            { id: "a".repeat(32), name: "p" },
            { id: "a".repeat(32), name: "q" },
          ],
        },
      },
      /used twice/,
    ],
    [
      "a peer naming a TSIG the account lacks",
      { peers: { [ACCOUNT]: [{ id: "a".repeat(32), name: "p", tsig_id: "b".repeat(32) }] } },
      /names TSIG b{32}/,
    ],
  ])("a bad seed, %s, is refused with a RangeError naming it", async (_case, seed, message) => {
    const start = startEmulator({ seed: seed as never });
    await expect(start).rejects.toThrow(RangeError);
    await expect(start).rejects.toThrow(message);
  });

  it("the default seed is a fresh copy each time: changing one does not change the next", () => {
    const first = exampleSeed();
    first.peers = {};
    expect(Object.keys(exampleSeed().peers ?? {})).toEqual([EXAMPLE_ACCOUNT]);
  });
});

describe("the state file", () => {
  let folder: string;
  let stateFile: string;
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), "cf-sdns-accounts-"));
    stateFile = join(folder, "state.json");
  });
  afterEach(() => rm(folder, { recursive: true, force: true }));

  it("keeps peers, TSIGs and ACLs across a restart, and a restart does not seed again", async () => {
    const first = await startEmulator({ stateFile });
    const made: Record<string, unknown> = {};
    for (const [segment, body] of [
      ["tsigs", { name: "k.", algo: "hmac-sha256.", secret: SECRET }],
      ["peers", { name: "ns", ip: "127.0.0.9", port: 53 }],
      ["acls", { name: "r", ip_range: "127.0.0.0/24" }],
    ] as const) {
      const answer = await exchange(
        first.url,
        "POST",
        `/accounts/${ACCOUNT}/secondary_dns/${segment}`,
        {
          body,
        },
      );
      made[segment] = answer.body.result;
    }
    // Delete the seeded example ACLs: the next start must not bring them back.
    for (const acl of await list(first.url, "acls", EXAMPLE_ACCOUNT)) {
      await exchange(
        first.url,
        "DELETE",
        `/accounts/${EXAMPLE_ACCOUNT}/secondary_dns/acls/${acl.id}`,
      );
    }
    await first.close();

    const second = await startEmulator({ stateFile });
    try {
      for (const segment of ["tsigs", "peers", "acls"]) {
        expect(await list(second.url, segment), segment).toEqual([made[segment]]);
      }
      expect(await list(second.url, "acls", EXAMPLE_ACCOUNT)).toEqual([]);
      expect(await list(second.url, "peers", EXAMPLE_ACCOUNT)).toEqual(listExample("peers"));
    } finally {
      await second.close();
    }
  });

  it("holds TSIG secrets, so only its owner may read it (mode 0600)", async () => {
    const emulator = await startEmulator({ stateFile });
    await exchange(emulator.url, "POST", `/accounts/${ACCOUNT}/secondary_dns/tsigs`, {
      body: { name: "k.", algo: "hmac-sha256.", secret: SECRET },
    });
    await emulator.close();
    expect(await readFile(stateFile, "utf8")).toContain(SECRET);
    expect((await stat(stateFile)).mode & 0o777).toBe(0o600);
  });

  it.each<[string, unknown, RegExp]>([
    [
      "a peer on port 70000",
      [{ id: "a".repeat(32), name: "p", port: 70000 }],
      /peers\..*\[0\]: not a Peer/,
    ],
    ["a peer without a name", [{ id: "a".repeat(32) }], /not a Peer/],
    ["not a list", { id: "a".repeat(32), name: "p" }, /not a list of records/],
  ])(
    "with %s is refused at start, naming the entry, and left as it was",
    async (_case, peers, message) => {
      const content = JSON.stringify({ format: 1, collections: { peers: { [ACCOUNT]: peers } } });
      await writeFile(stateFile, content);
      await expect(startEmulator({ stateFile })).rejects.toThrow(message);
      expect(await readFile(stateFile, "utf8")).toBe(content);
    },
  );
});

describe("concurrency", () => {
  it("64 concurrent creates in one account lose none, and the state file has every one", async () => {
    const folder = await mkdtemp(join(tmpdir(), "cf-sdns-accounts-"));
    const stateFile = join(folder, "state.json");
    try {
      const emulator = await startEmulator({ stateFile, seed: {} });
      const answers = await Promise.all(
        Array.from({ length: 64 }, (_, i) =>
          exchange(emulator.url, "POST", `/accounts/${ACCOUNT}/secondary_dns/peers`, {
            body: { name: `ns${i}`, ip: `127.0.0.${i + 1}`, port: 53 },
          }),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(64).fill(200));
      const ids = new Set(answers.map((a) => a.body.result.id));
      expect(ids.size).toBe(64);
      const listed = await list(emulator.url, "peers");
      expect(new Set(listed.map((p: { id: string }) => p.id))).toEqual(ids);
      await emulator.close();
      const saved = JSON.parse(await readFile(stateFile, "utf8"));
      expect(saved.collections.peers[ACCOUNT]).toEqual(listed);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
