// TSIG fails closed (issue 17, item 1): a peer that has a TSIG is served only a
// request signed with THAT key, whatever the key is (hmac-md5 included) and even
// when the key cannot be used; a key is looked for only among the peers at the
// request's address; and every message of a multi-message transfer is signed,
// in a chain that verifies (read from the raw TCP stream, no real secondary).
import { Socket } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  startDnsPrimary,
  type DnsEvent,
  type DnsPrimary,
  type ZonePeer,
  type ZoneView,
} from "../../src/dns/primary.js";
import {
  TSIG_ALGORITHMS,
  TSIG_ERROR,
  TsigKey,
  findTsig,
  keyLookup,
  signMessage,
  verifyMessage,
  type TsigKeyInput,
} from "../../src/dns/tsig.js";
import { checkSignature, transferAccess } from "../../src/dns/access.js";
import { FLAG, RCODE, packet, readHeader } from "../../src/dns/wire.js";
import { minimalZone, type ZoneRecord } from "../../src/dns/zone.js";

const secret = (text: string) => Buffer.from(text.padEnd(32, "-")).toString("base64");
const KEY_A: TsigKeyInput = { name: "a-key.", algorithm: "hmac-sha256.", secret: secret("a") };
const KEY_B: TsigKeyInput = { name: "b-key.", algorithm: "hmac-sha256.", secret: secret("b") };
const MD5: TsigKeyInput = {
  name: "md5-key.",
  algorithm: "hmac-md5.sig-alg.reg.int.",
  secret: secret("md5"),
};
const NOT_BASE64: TsigKeyInput = {
  name: "broken-key.",
  algorithm: "hmac-sha256.",
  secret: "this is not base64!",
};

const RECORDS: ZoneRecord[] = [
  ...minimalZone("example.test", 7),
  ...Array.from({ length: 60 }, (_, i): ZoneRecord => ({
    name: `host${i}.example.test`,
    ttl: 60,
    type: "TXT",
    data: [`record ${i} of a zone cut into several messages`],
  })),
];

const axfr = () =>
  packet.encode({
    id: 99,
    type: "query",
    flags: 0,
    questions: [{ name: "example.test", type: "AXFR", class: "IN" }],
  });

/**
 * Sends one request over TCP from `localAddress` and reads the raw stream: every
 * message, until the transfer's closing SOA, an error RCODE, or the connection closes.
 */
function transfer(port: number, message: Buffer, localAddress = "127.0.0.1"): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    const messages: Buffer[] = [];
    let buffered = Buffer.alloc(0);
    let soas = 0;
    const guard = setTimeout(() => done(new Error("no complete answer in 5 s")), 5000);
    const done = (error?: Error) => {
      clearTimeout(guard);
      socket.destroy();
      if (error) reject(error);
      else resolve(messages);
    };
    socket.on("error", (error) => done(error));
    socket.on("close", () => done());
    socket.on("data", (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const one = Buffer.from(buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
        buffered = buffered.subarray(2 + one.length);
        messages.push(one);
        const decoded = packet.decode(one);
        soas += (decoded.answers ?? []).filter((r) => r.type === "SOA").length;
        if (readHeader(one).rcode !== RCODE.NOERROR || soas >= 2) return done();
      }
    });
    socket.connect({ port, host: "127.0.0.1", localAddress }, () => {
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(message.length, 0);
      socket.write(Buffer.concat([prefix, message]));
    });
  });
}

/** Each message's TSIG verified in order: the first against the request MAC, the rest against the one before. */
function verifyChain(messages: Buffer[], key: TsigKey, requestMac: Buffer): string[] {
  let prior: Buffer | undefined;
  return messages.map((message) => {
    const record = findTsig(message);
    if (!record) return "unsigned";
    const verdict = verifyMessage(
      message,
      keyLookup([key]),
      prior ? { kind: "continuation", priorMac: prior } : { kind: "response", requestMac },
    );
    prior = record.mac;
    return verdict.status;
  });
}

describe("TSIG access to transfers", () => {
  let peers: ZonePeer[] = [];
  const events: DnsEvent[] = [];
  const transfers: string[] = [];
  let primary: DnsPrimary;

  beforeAll(async () => {
    primary = await startDnsPrimary({
      source: {
        zone: (name): ZoneView | undefined =>
          name === "example.test"
            ? {
                zoneId: "zone-7",
                name: "example.test",
                records: RECORDS,
                serial: 7,
                transfersEnabled: true,
                peers,
              }
            : undefined,
        onTransfer: (info) => transfers.push(info.peerId ?? "?"),
      },
      log: (event) => events.push(event),
      transferMessageBytes: 400,
    });
  });
  afterAll(() => primary?.close());
  afterEach(() => {
    events.length = 0;
    transfers.length = 0;
  });

  const refusal = () =>
    events.find((e) => e.type === "refused") as Extract<DnsEvent, { type: "refused" }> | undefined;

  it.each([
    ["an hmac-md5 key", MD5],
    ["a secret that is not base64", NOT_BASE64],
  ])("an unsigned AXFR from a peer with %s is NOTAUTH, with no records", async (_what, tsig) => {
    peers = [{ id: "keyed", ip: "127.0.0.1", port: 53, tsig }];
    const [answer, ...more] = await transfer(primary.port, axfr());
    expect(readHeader(answer!).rcode).toBe(RCODE.NOTAUTH);
    expect(packet.decode(answer!).answers).toEqual([]);
    expect(more).toEqual([]);
    expect(refusal()).toMatchObject({ rcode: RCODE.NOTAUTH, qtype: "AXFR" });
    expect(refusal()!.reason).toMatch(/peer keyed .*the request is unsigned/);
    expect(transfers).toEqual([]);
  });

  it("names why a key cannot be used, refuses a request signed with its name BADKEY, and never shows the secret", async () => {
    peers = [{ id: "keyed", ip: "127.0.0.1", port: 53, tsig: NOT_BASE64 }];
    await transfer(primary.port, axfr());
    expect(refusal()!.reason).toMatch(/TSIG key of peer keyed cannot be used: .*base64/);
    events.length = 0;
    // Signed with a usable key of the same name: the peer's own key is what counts.
    const lookalike = new TsigKey({ ...NOT_BASE64, secret: secret("lookalike") });
    const request = signMessage(axfr(), lookalike, { kind: "request" });
    const [answer] = await transfer(primary.port, request.message);
    expect(readHeader(answer!).rcode).toBe(RCODE.NOTAUTH);
    expect(findTsig(answer!)).toMatchObject({ error: TSIG_ERROR.BADKEY });
    expect(refusal()).toMatchObject({ tsigError: "BADKEY" });
    expect(refusal()!.reason).toMatch(/cannot be used/);
    expect(JSON.stringify(events)).not.toContain(NOT_BASE64.secret);
    expect(transfers).toEqual([]);
  });

  it("serves an AXFR signed with the peer's hmac-md5 key, every message signed with a 16-byte MAC", async () => {
    peers = [{ id: "md5", ip: "127.0.0.1", port: 53, tsig: MD5 }];
    const key = new TsigKey(MD5);
    const request = signMessage(axfr(), key, { kind: "request" });
    const messages = await transfer(primary.port, request.message);
    expect(readHeader(messages[0]!).rcode).toBe(RCODE.NOERROR);
    expect(messages.length).toBeGreaterThan(3);
    expect(verifyChain(messages, key, request.mac).every((s) => s === "ok")).toBe(true);
    expect(messages.map((m) => findTsig(m)!.mac.length)).toEqual(messages.map(() => 16));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(transfers).toEqual(["md5"]);
  });

  it.each(TSIG_ALGORITHMS)(
    "every message of a multi-message AXFR signed with %s carries a TSIG, and the chain verifies",
    async (algorithm) => {
      const tsig = { name: "chain-key.", algorithm, secret: secret(algorithm) };
      peers = [{ id: "chain", ip: "127.0.0.1", port: 53, tsig }];
      const key = new TsigKey(tsig);
      const request = signMessage(axfr(), key, { kind: "request" });
      const messages = await transfer(primary.port, request.message);
      const records = messages.flatMap((m) => packet.decode(m).answers ?? []);
      expect(records.length).toBe(RECORDS.length + 1); // SOA first and last
      expect(messages.length).toBeGreaterThan(3);
      expect(verifyChain(messages, key, request.mac)).toEqual(messages.map(() => "ok"));
      // The chain covers order and completeness: a message left out breaks it.
      expect(verifyChain([messages[0]!, ...messages.slice(2)], key, request.mac)[1]).toBe("bad");
    },
  );

  it("an AXFR from one peer's address signed with ANOTHER peer's valid key is NOTAUTH/BADKEY", async () => {
    const withB = signMessage(axfr(), new TsigKey(KEY_B), { kind: "request" });
    // The peer at 127.0.0.1 has a key of its own ...
    peers = [
      { id: "a", ip: "127.0.0.1", port: 53, tsig: KEY_A },
      { id: "b", ip: "127.0.0.2", port: 53, tsig: KEY_B },
    ];
    let [answer] = await transfer(primary.port, withB.message);
    expect(readHeader(answer!).rcode).toBe(RCODE.NOTAUTH);
    expect(findTsig(answer!)).toMatchObject({ error: TSIG_ERROR.BADKEY });
    expect(packet.decode(answer!).answers).toEqual([]);
    // ... or none at all: either way b's key opens nothing at a's address.
    peers = [
      { id: "a", ip: "127.0.0.1", port: 53 },
      { id: "b", ip: "127.0.0.2", port: 53, tsig: KEY_B },
    ];
    [answer] = await transfer(primary.port, withB.message);
    expect(readHeader(answer!).rcode).toBe(RCODE.NOTAUTH);
    expect(findTsig(answer!)).toMatchObject({ error: TSIG_ERROR.BADKEY });
    expect(refusal()!.reason).toMatch(/no peer at this address has the key b-key\./);
    expect(transfers).toEqual([]);
    // From b's own address the same request is served.
    const messages = await transfer(primary.port, withB.message, "127.0.0.2");
    expect(readHeader(messages[0]!).rcode).toBe(RCODE.NOERROR);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(transfers).toEqual(["b"]);
  });

  it("matches the peer's address by value: ::ffff:127.0.0.1 and 127.0.0.1 are one address", async () => {
    peers = [{ id: "mapped", ip: "::ffff:127.0.0.1", port: 53, tsig: KEY_A }];
    const [unsigned] = await transfer(primary.port, axfr());
    expect(readHeader(unsigned!).rcode).toBe(RCODE.NOTAUTH);
    const key = new TsigKey(KEY_A);
    const request = signMessage(axfr(), key, { kind: "request" });
    const messages = await transfer(primary.port, request.message);
    expect(readHeader(messages[0]!).rcode).toBe(RCODE.NOERROR);
  });

  it("a request signed more than the fudge in the FUTURE gets BADTIME, signed, with the server's time", async () => {
    peers = [{ id: "a", ip: "127.0.0.1", port: 53, tsig: KEY_A }];
    const key = new TsigKey(KEY_A);
    const now = Math.floor(Date.now() / 1000);
    for (const qtype of ["AXFR", "SOA"] as const) {
      const future = signMessage(
        packet.encode({
          id: 5,
          type: "query",
          flags: FLAG.RD,
          questions: [{ name: "example.test", type: qtype, class: "IN" }],
        }),
        key,
        { kind: "request" },
        { timeSigned: now + 3600, fudge: 300 },
      );
      const [answer, ...more] = await transfer(primary.port, future.message);
      expect(readHeader(answer!).rcode).toBe(RCODE.NOTAUTH);
      expect(more).toEqual([]);
      const verdict = verifyMessage(
        answer!,
        keyLookup([key]),
        { kind: "response", requestMac: future.mac },
        { now: now + 3600 },
      );
      expect(verdict).toMatchObject({ status: "peer-error", error: TSIG_ERROR.BADTIME });
      if (verdict.status === "peer-error")
        expect(Math.abs(verdict.record.other.readUIntBE(0, 6) - now)).toBeLessThan(5);
    }
    expect(
      events
        .filter((e) => e.type === "refused")
        .map((e) => (e as { tsigError?: string }).tsigError),
    ).toEqual(["BADTIME", "BADTIME"]);
    expect(refusal()!.reason).toMatch(/signed with a-key\. is 3[56]\d\d s ahead of this clock/);
  });
});

describe("the access decision alone", () => {
  it("refuses an unsigned transfer when any peer at the address has a key, and names that peer", () => {
    const open: ZonePeer = { id: "open", ip: "127.0.0.1", port: 5300 };
    const keyed: ZonePeer = { id: "keyed", ip: "127.0.0.1", port: 5301, tsig: KEY_A };
    expect(transferAccess([open, keyed], undefined)).toMatchObject({
      ok: false,
      rcode: RCODE.NOTAUTH,
      reason: expect.stringContaining("peer keyed"),
    });
    expect(transferAccess([open], undefined)).toEqual({ ok: true, peer: open });
    expect(transferAccess([], undefined)).toMatchObject({ ok: false, rcode: RCODE.REFUSED });
  });

  it("checks a signature only against the candidates given, and tries each peer that has the key's name", () => {
    const key = new TsigKey(KEY_A);
    const request = signMessage(axfr(), key, { kind: "request" }).message;
    const record = findTsig(request)!;
    const now = Math.floor(Date.now() / 1000);
    const same = { name: KEY_A.name, algorithm: KEY_A.algorithm };
    const wrong: ZonePeer = {
      id: "wrong",
      ip: "127.0.0.1",
      tsig: { ...same, secret: secret("x") },
    };
    const right: ZonePeer = { id: "right", ip: "127.0.0.1", tsig: KEY_A };
    expect(checkSignature(request, record, [wrong, right], "here", now)).toMatchObject({
      ok: true,
      peer: right,
    });
    expect(checkSignature(request, record, [wrong], "here", now)).toMatchObject({
      ok: false,
      error: TSIG_ERROR.BADSIG,
    });
    expect(checkSignature(request, record, [], "here", now)).toMatchObject({
      ok: false,
      error: TSIG_ERROR.BADKEY,
      reason: "no peer here has the key a-key. (hmac-sha256.)",
    });
  });
});
