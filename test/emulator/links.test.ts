/**
 * The rules between peers, TSIGs and outgoing configurations, through raw HTTP.
 * The real API's answers here are not published: the statuses and codes are the
 * emulator's own (README, "Emulator"), and these tests pin them.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { exchange, onlyError, outgoing, ZONE } from "./exchange.js";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const OTHER_ACCOUNT = "fedcba9876543210fedcba9876543210";
const MISSING = "ffffffffffffffffffffffffffffffff";
const SECRET = "l3qJr97PJWH4YV4k2uPsiVuPfmmcjV1t+8HbhItnu9U=";

let emulator: Emulator;
beforeEach(async () => {
  emulator = await startEmulator({ seed: {} });
});
afterEach(() => emulator.close());

const path = (segment: string, id = "", account = ACCOUNT) =>
  `/accounts/${account}/secondary_dns/${segment}${id ? `/${id}` : ""}`;

async function made(segment: string, body: unknown, account = ACCOUNT): Promise<string> {
  const answer = await exchange(emulator.url, "POST", path(segment, "", account), { body });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.result.id;
}
const tsig = (name = "tsig.example.com.", account = ACCOUNT) =>
  made("tsigs", { name, algo: "hmac-sha256.", secret: SECRET }, account);
const peer = (fields: Record<string, unknown> = {}, account = ACCOUNT) =>
  made("peers", { name: "ns", ip: "127.0.0.2", port: 53, ...fields }, account);
const link = (peers: string[], method = "POST") =>
  outgoing(emulator.url, method, ZONE, "", { body: { name: "example.com.", peers } });

describe("an outgoing configuration lists only peers that exist", () => {
  it("a peer id no account has: 400 code 1008, naming its place; nothing is created", async () => {
    const known = await peer();
    const answer = await link([known, MISSING]);
    expect(answer.status).toBe(400);
    expect(onlyError(answer)).toMatchObject({ code: 1008, source: { pointer: "/peers/1" } });
    expect(onlyError(answer).message).toContain(MISSING);
    expect((await outgoing(emulator.url, "GET", ZONE)).status).toBe(404);
  });

  it("the same on update, which leaves the configuration as it was", async () => {
    const known = await peer();
    const before = (await link([known])).body.result;
    const answer = await link([MISSING], "PUT");
    expect(answer.status).toBe(400);
    expect(onlyError(answer).code).toBe(1008);
    expect((await outgoing(emulator.url, "GET", ZONE)).body.result).toEqual(before);
  });

  it("peers of two accounts: 400 code 1009 (a zone takes the account of its peers)", async () => {
    const mine = await peer();
    const theirs = await peer({}, OTHER_ACCOUNT);
    const answer = await link([mine, theirs]);
    expect(answer.status).toBe(400);
    expect(onlyError(answer)).toMatchObject({ code: 1009, source: { pointer: "/peers/1" } });
    expect((await link([theirs])).status).toBe(200); // any one account will do
  });

  it("no peers at all is fine, and so are 30 of one account", async () => {
    expect((await link([])).status).toBe(200);
    const thirty: string[] = [];
    for (let i = 0; i < 30; i++) thirty.push(await peer({ name: `ns${i}` }));
    expect((await link(thirty, "PUT")).status).toBe(200);
    const answer = await link([...thirty, await peer({ name: "one too many" })], "PUT");
    expect(answer.status).toBe(400);
    expect(onlyError(answer)).toMatchObject({ code: 1004, source: { pointer: "/peers" } });
  });
});

describe("the peers of a zone share one TSIG, or have none", () => {
  it("one with a TSIG and one without: 400 code 1010", async () => {
    const key = await tsig();
    const signed = await peer({ tsig_id: key });
    const unsigned = await peer({ name: "plain" });
    const answer = await link([signed, unsigned]);
    expect(answer.status).toBe(400);
    expect(onlyError(answer)).toMatchObject({ code: 1010, source: { pointer: "/peers/1" } });
  });

  it("two TSIGs: 400 code 1010; the same TSIG, or none on all: 200", async () => {
    const [one, two] = [await tsig("one."), await tsig("two.")];
    const a = await peer({ tsig_id: one });
    const b = await peer({ tsig_id: two });
    expect(onlyError(await link([a, b])).code).toBe(1010);
    const c = await peer({ tsig_id: one });
    expect((await link([a, c])).status).toBe(200);
    expect((await link([await peer(), await peer()], "PUT")).status).toBe(200);
  });

  it("a linked peer may not move to another TSIG alone: 409 code 1010; together they may", async () => {
    const [one, two] = [await tsig("one."), await tsig("two.")];
    const a = await peer({ tsig_id: one });
    const b = await peer({ tsig_id: one });
    await link([a, b]);
    const moved = { name: "ns", ip: "127.0.0.2", port: 53, tsig_id: two };
    const answer = await exchange(emulator.url, "PUT", path("peers", a), { body: moved });
    expect(answer.status).toBe(409);
    expect(onlyError(answer)).toMatchObject({ code: 1010, source: { pointer: "/tsig_id" } });
    expect((await exchange(emulator.url, "GET", path("peers", a))).body.result.tsig_id).toBe(one);
    // Unlinked first, each may move; then the zone may list them again.
    await link([], "PUT");
    for (const id of [a, b]) {
      expect((await exchange(emulator.url, "PUT", path("peers", id), { body: moved })).status).toBe(
        200,
      );
    }
    expect((await link([a, b], "PUT")).status).toBe(200);
  });

  it("a linked peer may change anything else", async () => {
    const a = await peer();
    await link([a]);
    const answer = await exchange(emulator.url, "PUT", path("peers", a), {
      body: { name: "renamed", ip: "::1", port: 5353 },
    });
    expect(answer.status).toBe(200);
  });
});

describe("a peer's TSIG must exist in its account", () => {
  it("an unknown tsig_id: 400 code 1007 naming /tsig_id, on create and update", async () => {
    const answer = await exchange(emulator.url, "POST", path("peers"), {
      body: { name: "ns", tsig_id: MISSING },
    });
    expect(answer.status).toBe(400);
    expect(onlyError(answer)).toMatchObject({ code: 1007, source: { pointer: "/tsig_id" } });
    const a = await peer();
    const update = await exchange(emulator.url, "PUT", path("peers", a), {
      body: { name: "ns", tsig_id: MISSING },
    });
    expect(onlyError(update).code).toBe(1007);
    expect((await exchange(emulator.url, "GET", path("peers"))).body.result).toHaveLength(1);
  });

  it("a TSIG of another account: 400 code 1007", async () => {
    const theirs = await tsig("theirs.", OTHER_ACCOUNT);
    const answer = await exchange(emulator.url, "POST", path("peers"), {
      body: { name: "ns", tsig_id: theirs },
    });
    expect(onlyError(answer).code).toBe(1007);
  });
});

describe("what is in use cannot be deleted", () => {
  it("a peer linked to a zone: 409 code 1011 naming the zone; unlinked, it can", async () => {
    const a = await peer();
    await link([a]);
    const answer = await exchange(emulator.url, "DELETE", path("peers", a));
    expect(answer.status).toBe(409);
    expect(onlyError(answer).code).toBe(1011);
    expect(onlyError(answer).message).toContain(ZONE);
    await outgoing(emulator.url, "DELETE", ZONE);
    expect((await exchange(emulator.url, "DELETE", path("peers", a))).status).toBe(200);
  });

  it("a TSIG a peer uses: 409 code 1012 naming the peer; once the peer drops it, it can", async () => {
    const key = await tsig();
    const a = await peer({ tsig_id: key });
    const answer = await exchange(emulator.url, "DELETE", path("tsigs", key));
    expect(answer.status).toBe(409);
    expect(onlyError(answer)).toMatchObject({ code: 1012 });
    expect(onlyError(answer).message).toContain(a);
    await exchange(emulator.url, "PUT", path("peers", a), { body: { name: "ns" } });
    expect((await exchange(emulator.url, "DELETE", path("tsigs", key))).status).toBe(200);
  });

  it("no secret in any of these messages", async () => {
    const key = await tsig();
    await peer({ tsig_id: key });
    const answer = await exchange(emulator.url, "DELETE", path("tsigs", key));
    expect(answer.text).not.toContain(SECRET);
  });
});
