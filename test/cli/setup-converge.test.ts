/**
 * `outgoing setup` converges: a rerun reuses the key the zone's peers share, a
 * different --tsig-name moves the peer to that key, a failure names what the
 * run created, --replace-peers leaves exactly this peer, names are spelled one
 * way, and runs at the same time (then one more) leave one key, one peer per
 * address, linked once. State is checked through the API, not the text.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { createSecondaryDnsClient } from "../../src/index.js";
import { apiError, startProxy, proxiesClosedAfterEach } from "./proxy.js";
import { cli } from "./run.js";

const ACCOUNT = "01a7362d577a6c3019a474fd6f485823";
let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ seed: {}, dnsPort: 0 });
});
afterAll(() => emulator.close());
const proxies = proxiesClosedAfterEach();

let zones = 0;
const newZone = () => (++zones).toString(16).padStart(32, "d");
let peers = 0;
const newPeerIp = () => `127.0.3.${++peers}`;
const env = (url = emulator.url) => ({
  CLOUDFLARE_BASE_URL: url,
  CLOUDFLARE_API_TOKEN: "converge-token",
  CLOUDFLARE_ACCOUNT_ID: ACCOUNT,
});
const api = () =>
  createSecondaryDnsClient({ apiToken: "checker", baseUrl: emulator.url, accountId: ACCOUNT });
const setup = (zone: string, ip: string, ...more: string[]) =>
  cli(["outgoing", "setup", zone, "--name", "converge.example.", "--peer-ip", ip, ...more], env());

async function stateOf(zone: string, ip: string, keyName: string) {
  const client = api();
  const [tsigs, all, outgoing] = await Promise.all([
    client.tsigs.list(),
    client.peers.list(),
    client.outgoing.get(zone),
  ]);
  return {
    keys: tsigs.filter((t) => t.name === keyName),
    peers: all.filter((p) => p.ip === ip),
    linked: outgoing.peers,
    tsigs,
  };
}

describe("a rerun", () => {
  it("without --tsig-name reuses the key the zone's peers share: no stray key, no 409", async () => {
    const [zone, ipA, ipB] = [newZone(), newPeerIp(), newPeerIp()];
    const key = `own${zone.slice(-4)}.example.`;
    expect((await setup(zone, ipA, "--tsig-name", key)).code).toBe(0);
    const second = await setup(zone, ipB);
    expect(second.stderr).toBe("");
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(new RegExp(` {2}tsig {7}unchanged {2}found TSIG key ${key}`));
    const { tsigs } = await stateOf(zone, ipB, key);
    expect(tsigs.filter((t) => t.name === "cloudflare-transfer.converge.example.")).toEqual([]);
    const both = (await api().peers.list()).filter((p) => [ipA, ipB].includes(p.ip ?? ""));
    expect(new Set(both.map((p) => p.tsig_id))).toEqual(
      new Set([tsigs.find((t) => t.name === key)!.id]),
    );
  });

  it("with a different --tsig-name for an existing peer moves the peer to that key (in the API)", async () => {
    const [zone, ip] = [newZone(), newPeerIp()];
    const [first, second] = [`first${zone.slice(-4)}.example.`, `second${zone.slice(-4)}.example.`];
    expect((await setup(zone, ip, "--tsig-name", first)).code).toBe(0);
    const before = await stateOf(zone, ip, first);
    expect(before.peers[0]!.tsig_id).toBe(before.keys[0]!.id);
    const rerun = await setup(zone, ip, "--tsig-name", second);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stdout).toMatch(/ {2}peer {7}updated {4}.*now signed with second/);
    const after = await stateOf(zone, ip, second);
    expect(after.peers).toHaveLength(1);
    expect(after.peers[0]!.id).toBe(before.peers[0]!.id);
    expect(after.peers[0]!.tsig_id).toBe(after.keys[0]!.id);
    expect(after.peers[0]!.tsig_id).not.toBe(before.keys[0]!.id);
  });

  it("a failing step names what this run created; the rerun reuses it", async () => {
    const [zone, ip] = [newZone(), newPeerIp()];
    const proxy = await startProxy(emulator.url, (method, url) =>
      method === "POST" && url.endsWith(`/zones/${zone}/secondary_dns/outgoing`)
        ? { status: 403, body: apiError(10000, "Authentication error") }
        : undefined,
    );
    proxies.push(proxy);
    const failed = await cli(
      ["outgoing", "setup", zone, "--name", "converge.example.", "--peer-ip", ip, "--retries", "0"],
      env(proxy.url),
    );
    expect(failed.code).toBe(1);
    const key = "cloudflare-transfer.converge.example.";
    const keys = (await api().tsigs.list()).filter((t) => t.name === key);
    const peer = (await api().peers.list()).find((p) => p.ip === ip)!;
    const createdKey = keys.find((t) => failed.stderr.includes(t.id))!;
    expect(failed.stderr).toContain(
      `  this run created, and left in place: TSIG key "${key}" (${createdKey.id}), peer "${peer.name}" (${peer.id})\n`,
    );
    const rerun = await setup(zone, ip);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toMatch(/ {2}peer {7}unchanged /);
    expect((await stateOf(zone, ip, key)).linked).toEqual([peer.id]);
  });

  it("--replace-peers: the zone lists exactly this peer; the old one is unlinked, not deleted", async () => {
    const [zone, placeholder, real] = [newZone(), newPeerIp(), newPeerIp()];
    const key = ["--tsig-name", `rp${zone.slice(-4)}.example.`];
    expect((await setup(zone, placeholder, ...key)).code).toBe(0);
    const run = await setup(zone, real, ...key, "--replace-peers");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      / {2}outgoing {3}updated {4}converge\.example\. now lists only the peer \(1 unlinked\)/,
    );
    const all = await api().peers.list();
    const realPeer = all.find((p) => p.ip === real)!;
    expect((await api().outgoing.get(zone)).peers).toEqual([realPeer.id]);
    expect(all.some((p) => p.ip === placeholder)).toBe(true);
  });

  it("a key other than the one the zone's other peers share: exit 2 naming --tsig-name, nothing created", async () => {
    const [zone, ipA, ipB] = [newZone(), newPeerIp(), newPeerIp()];
    const [shared, other] = [`sh${zone.slice(-4)}.example.`, `ot${zone.slice(-4)}.example.`];
    expect((await setup(zone, ipA, "--tsig-name", shared)).code).toBe(0);
    const refused = await setup(zone, ipB, "--tsig-name", other);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `invalid --tsig-name: the zone's other peers use the key ${shared}`,
    );
    expect((await api().tsigs.list()).some((t) => t.name === other)).toBe(false);
    expect((await api().peers.list()).some((p) => p.ip === ipB)).toBe(false);

    // --replace-peers: the peer becomes the zone's only one, then moves to the new key.
    expect((await setup(zone, ipB, "--tsig-name", shared)).code).toBe(0);
    const moved = await setup(zone, ipB, "--tsig-name", other, "--replace-peers");
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stdout).toMatch(
      / {2}outgoing {3}updated {4}.*now lists only the peer \(1 unlinked\)/,
    );
    const after = await stateOf(zone, ipB, other);
    expect(after.linked).toEqual([after.peers[0]!.id]);
    expect(after.peers[0]!.tsig_id).toBe(after.keys[0]!.id);
  });

  it("names one way: --name without its dot and --tsig-algo hmac-sha256 change nothing", async () => {
    const [zone, ip] = [newZone(), newPeerIp()];
    const key = `algo${zone.slice(-4)}.example.`;
    const args = ["--tsig-name", key, "--tsig-algo", "hmac-sha256"];
    expect((await setup(zone, ip, ...args)).code).toBe(0);
    const before = await api().outgoing.get(zone);
    expect(before.name).toBe("converge.example.");
    const bare = await cli(
      ["outgoing", "setup", zone, "--name", "Converge.Example", "--peer-ip", ip, ...args],
      env(),
    );
    expect(bare.code, bare.stderr).toBe(0);
    expect(bare.stdout).toContain("Nothing to change");
    const after = await api().outgoing.get(zone);
    expect({ name: after.name, serial: after.soa_serial }).toEqual({
      name: "converge.example.",
      serial: before.soa_serial,
    });
    expect((await stateOf(zone, ip, key)).keys.map((t) => t.algo)).toEqual(["hmac-sha256."]);
    // The key's name too: upper case and without its dot, it is the same key.
    const spelled = ["--tsig-name", key.slice(0, -1).toUpperCase(), "--tsig-algo", "HMAC-SHA256"];
    const again = await cli(
      ["outgoing", "setup", zone, "--name", "converge.example.", "--peer-ip", ip, ...spelled],
      env(),
    );
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("Nothing to change");
    expect((await stateOf(zone, ip, key)).keys.map((t) => t.name)).toEqual([key]);
  });
});

describe("runs at the same time", () => {
  it("three concurrent runs, then one more: one key of the name, one peer at the address, linked once", async () => {
    const [zone, ip] = [newZone(), newPeerIp()];
    const key = `race${zone.slice(-4)}.example.`;
    const runs = await Promise.all([1, 2, 3].map(() => setup(zone, ip, "--tsig-name", key)));
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    const removed =
      runs
        .map((r) => r.stdout)
        .join("")
        .match(/removed duplicate/g) ?? [];
    const after = await stateOf(zone, ip, key);
    expect(after.keys).toHaveLength(1);
    expect(after.peers).toHaveLength(1);
    expect(after.linked).toEqual([after.peers[0]!.id]);
    expect(after.peers[0]!.tsig_id).toBe(after.keys[0]!.id);
    // The runs did race (each listed before any created), and said what they removed.
    expect(removed.length).toBeGreaterThan(0);

    const last = await setup(zone, ip, "--tsig-name", key);
    expect(last.code).toBe(0);
    expect(last.stdout).toContain("Nothing to change");
    expect(await stateOf(zone, ip, key)).toEqual(after);
  });

  it("a rerun removes duplicates left behind that are identical and unused, keeps the rest, and says so", async () => {
    const [zone, ip] = [newZone(), newPeerIp()];
    const key = `left${zone.slice(-4)}.example.`;
    expect((await setup(zone, ip, "--tsig-name", key)).code).toBe(0);
    const client = api();
    const { keys, peers } = await stateOf(zone, ip, key);
    const [usedKey, peer] = [keys[0]!, peers[0]!];
    // Leftovers, as an earlier version's concurrent runs made them.
    const spareKey = await client.tsigs.create({
      name: key,
      algo: usedKey.algo,
      secret: usedKey.secret,
    });
    const { id: _id, ...fields } = peer;
    const twin = await client.peers.create({ ...fields });
    const different = await client.peers.create({ ...fields, name: "someone else's" });
    await client.outgoing.update(zone, { name: "converge.example.", peers: [peer.id, twin.id] });

    const rerun = await setup(zone, ip, "--tsig-name", key);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stdout).toContain(
      `removed duplicate TSIG key "${key}" (${spareKey.id}): identical and unused`,
    );
    expect(rerun.stdout).toContain(
      `removed duplicate peer "${twin.name}" (${twin.id}): identical and unused`,
    );
    expect(rerun.stdout).toContain(
      `duplicate peer "someone else's" (${different.id}) kept: not identical`,
    );
    const after = await stateOf(zone, ip, key);
    expect(after.keys.map((t) => t.id)).toEqual([usedKey.id]);
    expect(after.peers.map((p) => p.id)).toEqual([peer.id, different.id]);
    expect(after.linked).toEqual([peer.id]);
  });
});
