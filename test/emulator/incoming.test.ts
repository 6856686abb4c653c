/**
 * The emulator's incoming configurations (Cloudflare as a secondary) over HTTP:
 * the lifecycle, a zone being primary or secondary but not both, the peers it
 * may list; and, driven alone, what the handlers tell the secondary controller
 * and read back from it. Every HTTP answer is validated against the spec by
 * exchange().
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import {
  incomingHandlers,
  secondaryZones,
  type SecondaryHooks,
} from "../../src/emulator/handlers/incoming.js";
import { Store } from "../../src/emulator/store.js";
import { peerHandlers } from "../../src/emulator/handlers/peers.js";
import { tsigHandlers } from "../../src/emulator/handlers/tsigs.js";
import { applySeed, exampleSeed } from "../../src/emulator/handlers/state.js";
import type { HandlerContext } from "../../src/emulator/resource.js";
import { exchange, onlyError, outgoing, PEER_A, PEER_B, ZONE } from "./exchange.js";

const INCOMING = `/zones/${ZONE}/secondary_dns/incoming`;
const FORCE = `/zones/${ZONE}/secondary_dns/force_axfr`;
const MISSING_PEER = "0123456789abcdef0123456789abcdef";
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/;
const input = { name: "www.example.com.", peers: [PEER_A, PEER_B], auto_refresh_seconds: 86400 };

let emulator: Emulator;
beforeEach(async () => {
  emulator = await startEmulator();
});
afterEach(() => emulator.close());

const send = (method: string, path: string, body?: unknown) =>
  exchange(emulator.url, method, path, body === undefined ? {} : { body });

describe("incoming configuration over HTTP", () => {
  it.each([
    ["GET", INCOMING, undefined],
    ["PUT", INCOMING, input],
    ["DELETE", INCOMING, undefined],
    ["POST", FORCE, undefined],
  ])("%s %s answers 404 with code 1003 before one exists", async (method, path, body) => {
    const answer = await send(method, path, body);
    expect(answer.status).toBe(404);
    expect(onlyError(answer)).toEqual({
      code: 1003,
      message: "Secondary zone configuration not found",
    });
  });

  it("creates, reads, updates, forces an AXFR and deletes", async () => {
    const created = await send("POST", INCOMING, input);
    expect(created.status).toBe(200);
    const zone = created.body.result;
    expect(zone).toMatchObject({ ...input, soa_serial: 0 });
    expect(zone.id).toMatch(/^[0-9a-f]{32}$/);
    for (const key of ["checked_time", "created_time", "modified_time"]) {
      expect(zone[key]).toMatch(TIMESTAMP);
    }
    expect((await send("GET", INCOMING)).body.result).toEqual(zone);

    const again = await send("POST", INCOMING, input);
    expect(again.status).toBe(400);
    expect(onlyError(again).code).toBe(1005);

    const change = { ...input, peers: [PEER_A], auto_refresh_seconds: 3600 };
    const updated = (await send("PUT", INCOMING, change)).body.result;
    expect(updated).toMatchObject({ ...change, id: zone.id, created_time: zone.created_time });
    expect(updated.modified_time >= zone.modified_time).toBe(true);

    const forced = await send("POST", FORCE);
    expect(forced.status).toBe(200);
    expect(forced.body.result).toBe("OK");

    const deleted = await send("DELETE", INCOMING);
    expect(deleted.body.result).toEqual({ id: zone.id });
    expect((await send("GET", INCOMING)).status).toBe(404);
  });

  it("takes DELETE with an empty JSON body, as upstream declares it, and refuses a non-empty one", async () => {
    await send("POST", INCOMING, input);
    expect((await send("DELETE", INCOMING, { id: "x" })).status).toBe(400);
    expect((await send("DELETE", INCOMING, {})).status).toBe(200);
  });

  it("refuses a peer that does not exist, naming it, and a refresh that is not a whole count", async () => {
    const unknown = await send("POST", INCOMING, { ...input, peers: [PEER_A, MISSING_PEER] });
    expect(unknown.status).toBe(400);
    expect(onlyError(unknown)).toMatchObject({ code: 1008, source: { pointer: "/peers/1" } });
    for (const auto_refresh_seconds of [0, 1.5, "3600", 2 ** 32]) {
      const bad = await send("POST", INCOMING, { ...input, auto_refresh_seconds });
      expect(bad.status, String(auto_refresh_seconds)).toBe(400);
      expect(onlyError(bad).source?.pointer).toBe("/auto_refresh_seconds");
    }
    const missing = await send("POST", INCOMING, { name: input.name, peers: [PEER_A] });
    expect(missing.status).toBe(400);
    expect((await send("GET", INCOMING)).status).toBe(404);
  });

  it("keeps a zone primary or secondary, not both, either way round", async () => {
    await outgoing(emulator.url, "POST", ZONE, "", { body: { name: input.name, peers: [PEER_A] } });
    const secondary = await send("POST", INCOMING, input);
    expect(secondary.status).toBe(400);
    expect(onlyError(secondary).code).toBe(1015);
    expect(onlyError(secondary).message).toContain("is a primary zone");

    await outgoing(emulator.url, "DELETE", ZONE);
    expect((await send("POST", INCOMING, input)).status).toBe(200);
    const primary = await outgoing(emulator.url, "POST", ZONE, "", {
      body: { name: input.name, peers: [PEER_A] },
    });
    expect(primary.status).toBe(400);
    expect(onlyError(primary)).toMatchObject({ code: 1015 });
    expect(onlyError(primary).message).toContain("is a secondary zone");
  });

  it("refuses to delete a peer an incoming configuration pulls from", async () => {
    await send("POST", INCOMING, input);
    const account = "01a7362d577a6c3019a474fd6f485823";
    const answer = await send("DELETE", `/accounts/${account}/secondary_dns/peers/${PEER_B}`);
    expect(answer.status).toBe(409);
    expect(onlyError(answer).message).toBe(
      `Peer ${PEER_B} is linked to the incoming configuration of zone ${ZONE}; unlink it first`,
    );
  });
});

describe("incoming handlers and the secondary controller", () => {
  /** A controller that records what it is told and answers a fixed state. */
  function fakeSecondary(state?: ReturnType<SecondaryHooks["state"]>) {
    const calls: unknown[][] = [];
    const hooks: SecondaryHooks = {
      configure: (zone) => calls.push(["configure", zone]),
      remove: (zoneId) => calls.push(["remove", zoneId]),
      forceAxfr: (zoneId) => calls.push(["forceAxfr", zoneId]),
      state: () => state,
    };
    return { calls, hooks };
  }

  async function run(
    operationId: string,
    secondary: SecondaryHooks | undefined,
    store: Store,
    body?: unknown,
  ) {
    const context: HandlerContext = {
      params: { zone_id: ZONE },
      body,
      store,
      now: "2026-12-04T23:00:00.000000+00:00",
      date: new Date(),
      secondary,
    };
    const answer = incomingHandlers[operationId]!(context);
    answer.after?.();
    return answer.result as Record<string, unknown>;
  }

  const ID = "secondary-dns-(-secondary-zone)-";
  async function seeded() {
    const store = await Store.open();
    applySeed(store, exampleSeed());
    return store;
  }

  it("configures the controller with each primary's address, port, IXFR choice and key", async () => {
    const store = await seeded();
    const { calls, hooks } = fakeSecondary();
    await run(`${ID}create-secondary-zone-configuration`, hooks, store, input);
    const [[verb, zone]] = calls as [[string, any]];
    expect(verb).toBe("configure");
    expect(zone).toMatchObject({ zoneId: ZONE, name: input.name, autoRefreshSeconds: 86400 });
    const seed = exampleSeed();
    const peers = Object.values(seed.peers ?? {}).flat();
    const tsigs = Object.values(seed.tsigs ?? {}).flat();
    // The example account's two peers, each with an address and the one TSIG.
    expect(zone.primaries.map((p: { peerId: string }) => p.peerId)).toEqual(input.peers);
    for (const primary of zone.primaries) {
      const peer = peers.find((p) => p.id === primary.peerId)!;
      expect(primary).toMatchObject({
        ip: peer.ip,
        port: peer.port ?? 53,
        ixfr: peer.ixfr_enable ?? false,
      });
      const tsig = tsigs.find((t) => t.id === peer.tsig_id);
      expect(primary.tsig).toEqual(
        tsig ? { name: tsig.name, algorithm: tsig.algo, secret: tsig.secret } : undefined,
      );
    }
    await run(`${ID}force-axfr`, hooks, store);
    await run(`${ID}delete-secondary-zone-configuration`, hooks, store);
    expect(calls.slice(1)).toEqual([
      ["forceAxfr", ZONE],
      ["remove", ZONE],
    ]);
  });

  it("lists every stored configuration as the controller takes it, for a start from a state file", async () => {
    const store = await seeded();
    expect(secondaryZones(store)).toEqual([]);
    const { calls, hooks } = fakeSecondary();
    await run(`${ID}create-secondary-zone-configuration`, hooks, store, input);
    expect(secondaryZones(store)).toEqual([calls[0]![1]]);
  });

  it("gives the controller a zone again when a peer or TSIG its primaries use is updated, and only then", async () => {
    const store = await seeded();
    const { calls, hooks } = fakeSecondary();
    await run(`${ID}create-secondary-zone-configuration`, hooks, store, {
      ...input,
      peers: [PEER_A],
    });
    const seed = exampleSeed();
    const [account, peers] = Object.entries(seed.peers ?? {})[0]!;
    const peerA = peers.find((p) => p.id === PEER_A)!;
    const update = (handlers: typeof peerHandlers, idParam: string, id: string, body: unknown) => {
      const operationId = Object.keys(handlers).find((k) => /update/.test(k))!;
      const answer = handlers[operationId]!({
        params: { account_id: account, [idParam]: id },
        body,
        store,
        now: "2026-12-04T23:02:00.000000+00:00",
        date: new Date(),
        secondary: hooks,
      });
      answer.after?.();
    };
    calls.length = 0;
    update(peerHandlers, "peer_id", PEER_A, { name: peerA.name, ip: "127.0.0.9", port: 5399 });
    expect(calls).toHaveLength(1);
    expect((calls[0]![1] as { primaries: unknown[] }).primaries).toEqual([
      { peerId: PEER_A, ip: "127.0.0.9", port: 5399, ixfr: false },
    ]);
    // A peer the zone does not list changes nothing for it.
    calls.length = 0;
    const peerB = peers.find((p) => p.id === PEER_B)!;
    update(peerHandlers, "peer_id", PEER_B, { name: peerB.name, ip: "127.0.0.10" });
    expect(calls).toEqual([]);
    // A TSIG the zone's peer signs with: the zone is configured again with the new secret.
    const tsig = Object.values(seed.tsigs ?? {}).flat()[0]!;
    update(peerHandlers, "peer_id", PEER_A, {
      name: peerA.name,
      ip: "127.0.0.9",
      tsig_id: tsig.id,
    });
    calls.length = 0;
    const secret = Buffer.alloc(32, 7).toString("base64");
    update(tsigHandlers, "tsig_id", tsig.id, { name: tsig.name, algo: tsig.algo, secret });
    expect(calls).toHaveLength(1);
    const [primary] = (calls[0]![1] as { primaries: { tsig?: { secret: string } }[] }).primaries;
    expect(primary!.tsig?.secret).toBe(secret);
  });

  it("answers the controller's serial and times, else the stored ones", async () => {
    const store = await seeded();
    const created = await run(`${ID}create-secondary-zone-configuration`, undefined, store, input);
    const get = `${ID}secondary-zone-configuration-details`;
    expect(await run(get, undefined, store)).toEqual(created);
    const pulled = { serial: 2026120401, checkedTime: "2026-12-04T23:01:00.000000+00:00" };
    const { hooks } = fakeSecondary(pulled);
    expect(await run(get, hooks, store)).toEqual({
      ...created,
      soa_serial: 2026120401,
      checked_time: pulled.checkedTime,
    });
  });
});
