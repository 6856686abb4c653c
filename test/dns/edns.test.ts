// EDNS(0) (issue 17, item 9; RFC 6891): a request with an OPT record gets an OPT
// back (6.1.1), the requester's UDP payload size decides truncation (512 at
// least), two OPTs are FORMERR, and a version other than 0 is BADVERS.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tcpExchange, udpExchange } from "../../src/dns/exchange.js";
import { startDnsPrimary, type DnsPrimary, type ZoneView } from "../../src/dns/primary.js";
import { TsigKey, keyLookup, signMessage, verifyMessage } from "../../src/dns/tsig.js";
import { FLAG, RCODE, packet, readHeader } from "../../src/dns/wire.js";
import { minimalZone, type ZoneRecord } from "../../src/dns/zone.js";

const KEY = {
  name: "edns-key.",
  algorithm: "hmac-sha256.",
  secret: Buffer.from("edns-test-secret-0123456789abcdef").toString("base64"),
};
// 7 TXT records of 100 characters at one name: an answer of about 1 KB.
const BIG: ZoneRecord[] = Array.from({ length: 7 }, (_, i) => ({
  name: "big.example.test",
  ttl: 60,
  type: "TXT",
  data: [`${i}`.padEnd(100, "x")],
}));
// 40 of them at another: about 4.5 KB, more than this primary sends over UDP.
const HUGE: ZoneRecord[] = Array.from({ length: 40 }, (_, i) => ({
  name: "huge.example.test",
  ttl: 60,
  type: "TXT",
  data: [`${i}`.padEnd(100, "y")],
}));

type Opt = {
  type: "OPT";
  udpPayloadSize: number;
  extendedRcode: number;
  ednsVersion: number;
  flag_do: boolean;
};
const opt = (udpPayloadSize: number, ednsVersion = 0) =>
  ({ name: ".", type: "OPT", udpPayloadSize, ednsVersion, flags: 0 }) as unknown as packet.Answer;
const query = (name: string, type: "SOA" | "TXT" | "AXFR", additionals: packet.Answer[] = []) =>
  packet.encode({
    id: 31,
    type: "query",
    flags: FLAG.RD,
    questions: [{ name, type, class: "IN" }],
    additionals,
  });
const optsOf = (message: Buffer) =>
  (packet.decode(message).additionals ?? []).filter((r) => r.type === "OPT") as unknown as Opt[];

describe("EDNS(0)", () => {
  let primary: DnsPrimary;
  beforeAll(async () => {
    const view: ZoneView = {
      zoneId: "z",
      name: "example.test",
      records: [...minimalZone("example.test", 4), ...BIG, ...HUGE],
      serial: 4,
      transfersEnabled: true,
      peers: [{ id: "p", ip: "127.0.0.1", port: 53, tsig: KEY }],
    };
    primary = await startDnsPrimary({
      source: { zone: (name) => (name === "example.test" ? view : undefined) },
    });
  });
  afterAll(() => primary?.close());

  const udp = async (message: Buffer) => {
    const outcome = await udpExchange({
      host: "127.0.0.1",
      port: primary.port,
      message,
      timeoutMs: 2000,
    });
    if (!outcome.ok) throw new Error(`no UDP answer: ${outcome.failure}`);
    return outcome.response;
  };
  const tcp = async (message: Buffer) => {
    const outcome = await tcpExchange({
      host: "127.0.0.1",
      port: primary.port,
      message,
      timeoutMs: 2000,
    });
    if (!outcome.ok) throw new Error(`no TCP answer: ${outcome.failure}`);
    return outcome.response;
  };

  it("answers a query that has an OPT with one OPT, version 0, and one without with none", async () => {
    const withOpt = await udp(query("example.test", "SOA", [opt(1232)]));
    expect(readHeader(withOpt).rcode).toBe(RCODE.NOERROR);
    expect(optsOf(withOpt)).toEqual([
      expect.objectContaining({ udpPayloadSize: 4096, ednsVersion: 0, extendedRcode: 0 }),
    ]);
    expect(optsOf(withOpt)[0]!.flag_do).toBe(false);
    expect(optsOf(await udp(query("example.test", "SOA")))).toEqual([]);
    // Refusals and NXDOMAIN carry it too.
    expect(optsOf(await udp(query("other.test", "SOA", [opt(1232)])))).toHaveLength(1);
    expect(optsOf(await udp(query("nope.example.test", "TXT", [opt(1232)])))).toHaveLength(1);
  });

  it("keeps the TSIG last, after the OPT, and the signed answer verifies", async () => {
    const key = new TsigKey(KEY);
    const signed = signMessage(query("example.test", "SOA", [opt(1232)]), key, {
      kind: "request",
    });
    const answer = await udp(signed.message);
    expect(packet.decode(answer).additionals!.map((r) => r.type)).toEqual(["OPT", "TSIG"]);
    expect(
      verifyMessage(answer, keyLookup([key]), { kind: "response", requestMac: signed.mac }).status,
    ).toBe("ok");
  });

  it("truncates by the requester's UDP payload size: 512 without OPT or below it, its size above", async () => {
    const truncated = (message: Buffer) => (readHeader(message).flags & FLAG.TC) !== 0;
    const plain = await udp(query("big.example.test", "TXT"));
    expect(truncated(plain)).toBe(true);
    const roomy = await udp(query("big.example.test", "TXT", [opt(1400)]));
    expect(truncated(roomy)).toBe(false);
    expect(packet.decode(roomy).answers).toHaveLength(BIG.length);
    expect(roomy.length).toBeGreaterThan(512);
    expect(truncated(await udp(query("big.example.test", "TXT", [opt(700)])))).toBe(true);
    const tiny = await udp(query("big.example.test", "TXT", [opt(100)])); // taken as 512
    expect(truncated(tiny)).toBe(true);
    expect(optsOf(tiny)).toHaveLength(1);
    // Never more than this primary sends over UDP, whatever the requester says.
    expect(truncated(await udp(query("huge.example.test", "TXT", [opt(65000)])))).toBe(true);
    // TCP is never truncated.
    const overTcp = await tcp(query("huge.example.test", "TXT", [opt(512)]));
    expect(truncated(overTcp)).toBe(false);
    expect(packet.decode(overTcp).answers).toHaveLength(HUGE.length);
  });

  it("puts an OPT in the first message of a transfer", async () => {
    const key = new TsigKey(KEY);
    const signed = signMessage(query("example.test", "AXFR", [opt(1232)]), key, {
      kind: "request",
    });
    const first = await tcp(signed.message);
    expect(readHeader(first).rcode).toBe(RCODE.NOERROR);
    expect(packet.decode(first).additionals!.map((r) => r.type)).toEqual(["OPT", "TSIG"]);
  });

  it("answers two OPT records FORMERR, and an EDNS version other than 0 BADVERS with an OPT of version 0", async () => {
    expect(readHeader(await udp(query("example.test", "SOA", [opt(1232), opt(1232)]))).rcode).toBe(
      RCODE.FORMERR,
    );
    const badvers = await udp(query("example.test", "SOA", [opt(1232, 1)]));
    // BADVERS is 16: 0 in the header's 4 bits, 1 in the OPT's extended RCODE.
    expect(readHeader(badvers).rcode).toBe(0);
    expect(optsOf(badvers)).toEqual([
      expect.objectContaining({ extendedRcode: 1, ednsVersion: 0 }),
    ]);
    expect(packet.decode(badvers).answers).toEqual([]);
  });
});
