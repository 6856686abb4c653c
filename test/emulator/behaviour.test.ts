/**
 * The emulator's behaviour table: the lifecycle of a zone's configuration and
 * what each operation answers in each state. Every answer is validated against
 * the spec by exchange().
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { onlyError, OTHER_ZONE, outgoing, PEER_A, PEER_B, ZONE, type Action } from "./exchange.js";

let emulator: Emulator;
beforeEach(async () => {
  emulator = await startEmulator();
});
afterEach(() => emulator.close());

const input = { name: "www.example.com.", peers: [PEER_A, PEER_B] };
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/;

const create = () => outgoing(emulator.url, "POST", ZONE, "", { body: input });

describe("before a configuration exists", () => {
  it.each<[string, Action, unknown?]>([
    ["GET", ""],
    ["PUT", "", input],
    ["DELETE", ""],
    ["POST", "/enable"],
    ["POST", "/disable"],
    ["POST", "/force_notify"],
    ["GET", "/status"],
  ])("%s %s answers 404 with code 1003", async (method, action, body) => {
    const answer = await outgoing(
      emulator.url,
      method,
      ZONE,
      action,
      body === undefined ? {} : { body },
    );
    expect(answer.status).toBe(404);
    expect(onlyError(answer)).toEqual({
      code: 1003,
      message: "Primary zone configuration not found",
    });
  });
});

describe("create", () => {
  it("answers the new configuration: the input, a new id, a date-based serial and API timestamps", async () => {
    const before = new Date().toISOString().slice(0, 10).replace(/-/g, "");
    const { status, body } = await create();
    expect(status).toBe(200);
    const zone = body.result;
    expect(zone).toMatchObject(input);
    expect(zone.id).toMatch(/^[0-9a-f]{32}$/);
    expect(String(zone.soa_serial)).toMatch(new RegExp(`^(${before}|\\d{8})00$`));
    for (const key of ["created_time", "checked_time", "last_transferred_time"]) {
      expect(zone[key]).toMatch(TIMESTAMP);
    }
    expect(Date.parse(zone.created_time)).toBeGreaterThan(Date.now() - 60_000);
  });

  it("answers 400 (code 1005) while a configuration exists, and leaves it alone", async () => {
    const first = (await create()).body.result;
    const again = await outgoing(emulator.url, "POST", ZONE, "", {
      body: { name: "other.example.", peers: [] },
    });
    expect(again.status).toBe(400);
    expect(onlyError(again).code).toBe(1005);
    expect((await outgoing(emulator.url, "GET", ZONE)).body.result).toEqual(first);
  });

  it("keeps zones apart: one zone's configuration is not another's", async () => {
    await create();
    expect((await outgoing(emulator.url, "GET", OTHER_ZONE)).status).toBe(404);
  });

  it("starts with transfers disabled", async () => {
    await create();
    expect((await outgoing(emulator.url, "GET", ZONE, "/status")).body.result).toBe("Disabled");
  });
});

describe("with a configuration", () => {
  beforeEach(async () => {
    expect((await create()).status).toBe(200);
  });

  it("GET answers what create answered", async () => {
    const { body } = await outgoing(emulator.url, "GET", ZONE);
    expect(body.result).toMatchObject({ ...input, soa_serial: expect.any(Number) });
  });

  it("update replaces name and peers, adds one to the serial, keeps id and created_time", async () => {
    const before = (await outgoing(emulator.url, "GET", ZONE)).body.result;
    const { status, body } = await outgoing(emulator.url, "PUT", ZONE, "", {
      body: { name: "example.org.", peers: [PEER_B] },
    });
    expect(status).toBe(200);
    expect(body.result).toMatchObject({
      id: before.id,
      name: "example.org.",
      peers: [PEER_B],
      soa_serial: before.soa_serial + 1,
      created_time: before.created_time,
    });
    // Both move only on the wire (an SOA query, an AXFR served): test/emulator/primary.test.ts.
    expect(body.result.checked_time).toBe(before.checked_time);
    expect(body.result.last_transferred_time).toBe(before.last_transferred_time);
    expect((await outgoing(emulator.url, "GET", ZONE)).body.result).toEqual(body.result);
  });

  it("update while enabled leaves last_transferred_time alone: only a transfer served moves it", async () => {
    await outgoing(emulator.url, "POST", ZONE, "/enable");
    const before = (await outgoing(emulator.url, "GET", ZONE)).body.result;
    const after = (await outgoing(emulator.url, "PUT", ZONE, "", { body: input })).body.result;
    expect(after.last_transferred_time).toBe(before.last_transferred_time);
    expect(after.soa_serial).toBe(before.soa_serial + 1);
  });

  it("enable and disable switch what /status reports, and answer the new status", async () => {
    const step = async (method: string, action: Action) =>
      (await outgoing(emulator.url, method, ZONE, action)).body.result;
    expect(await step("POST", "/enable")).toBe("Enabled");
    expect(await step("GET", "/status")).toBe("Enabled");
    expect(await step("POST", "/enable")).toBe("Enabled"); // enabling twice is harmless
    expect(await step("POST", "/disable")).toBe("Disabled");
    expect(await step("GET", "/status")).toBe("Disabled");
  });

  it("force_notify answers OK and changes nothing of the configuration", async () => {
    const before = (await outgoing(emulator.url, "GET", ZONE)).body.result;
    const answer = await outgoing(emulator.url, "POST", ZONE, "/force_notify");
    expect(answer.body.result).toBe("OK");
    const after = (await outgoing(emulator.url, "GET", ZONE)).body.result;
    expect(after).toEqual(before);
  });

  it("actions accept no body, an empty object (as older SDKs send) or anything else", async () => {
    for (const send of [{}, { body: {} }, { rawBody: "not json" }]) {
      expect((await outgoing(emulator.url, "POST", ZONE, "/force_notify", send)).status).toBe(200);
    }
  });

  it("delete answers the id, then everything answers 404 again; a new create gets a new id", async () => {
    const { id } = (await outgoing(emulator.url, "GET", ZONE)).body.result;
    await outgoing(emulator.url, "POST", ZONE, "/enable");
    const deleted = await outgoing(emulator.url, "DELETE", ZONE);
    expect(deleted.body.result).toEqual({ id });
    expect((await outgoing(emulator.url, "GET", ZONE)).status).toBe(404);
    expect((await outgoing(emulator.url, "GET", ZONE, "/status")).status).toBe(404);
    expect((await outgoing(emulator.url, "DELETE", ZONE)).status).toBe(404);
    const again = (await create()).body.result;
    expect(again.id).not.toBe(id);
    expect((await outgoing(emulator.url, "GET", ZONE, "/status")).body.result).toBe("Disabled");
  });
});

describe("the serial", () => {
  it("wraps at 2^32 as RFC 1982 serial arithmetic does", async () => {
    // Reach the top through the store itself: thousands of updates would be slow.
    const { outgoingHandlers } = await import("../../src/emulator/handlers/outgoing.js");
    const store = (await import("../../src/emulator/store.js")).Store;
    const memory = await store.open();
    const { applySeed, exampleSeed } = await import("../../src/emulator/handlers/state.js");
    applySeed(memory, exampleSeed()); // the peers the input lists
    const context = {
      params: { zone_id: ZONE },
      store: memory,
      now: "2024-01-01T00:00:00.000000+00:00",
      date: new Date(),
    };
    const handler = (suffix: string) =>
      Object.entries(outgoingHandlers).find(([id]) => id.endsWith(suffix))![1];
    handler("create-primary-zone-configuration")({ ...context, body: input });
    const record = memory.get<{ zone: { soa_serial: number } }>("outgoing", ZONE)!;
    record.zone.soa_serial = 4294967295;
    const { result } = handler("update-primary-zone-configuration")({ ...context, body: input });
    expect((result as { soa_serial: number }).soa_serial).toBe(0);
  });
});
