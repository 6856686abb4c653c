/**
 * The DNS primary fuzzed over TCP: random streams of length-prefixed messages
 * (valid queries, random bytes, lengths that lie, too-short lengths), pipelined
 * and cut into random partial writes with pauses between them. Whatever comes
 * back is whole DNS responses to the queries, in order; the primary never
 * crashes, and after every stream a legitimate query over TCP and UDP is answered.
 * Bounded: a fixed number of runs, each ended by the client after its stream.
 */
import fc from "fast-check";
import { Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tcpExchange, udpExchange } from "../../src/dns/exchange.js";
import { startDnsPrimary, type DnsPrimary } from "../../src/dns/primary.js";
import { FLAG, RCODE, packet, readHeader } from "../../src/dns/wire.js";
import { minimalZone } from "../../src/dns/zone.js";

const ZONE = "fuzz.test";
let primary: DnsPrimary;
beforeAll(async () => {
  const records = [
    ...minimalZone(ZONE, 3),
    { name: `www.${ZONE}`, ttl: 60, type: "A" as const, data: "192.0.2.1" },
  ];
  primary = await startDnsPrimary({
    source: {
      zone: (name) =>
        name === ZONE
          ? {
              zoneId: "z",
              name: ZONE,
              records,
              serial: 3,
              transfersEnabled: true,
              peers: [{ id: "p", ip: "127.0.0.1" }],
            }
          : undefined,
    },
    // Long enough for a loaded machine; a stream that ends is closed at once anyway.
    tcpMessageTimeoutMs: 2000,
    tcpIdleTimeoutMs: 2000,
  });
});
afterAll(() => primary.close());

/** A legitimate SOA query over one transport: its RCODE, or false when it got no answer. */
async function soaRcode(exchange: typeof tcpExchange | typeof udpExchange) {
  const message = packet.encode({
    id: 1,
    type: "query",
    flags: 0,
    questions: [{ name: ZONE, type: "SOA" }],
  });
  const outcome = await exchange({
    host: "127.0.0.1",
    port: primary.port,
    message,
    timeoutMs: 2000,
  });
  return outcome.ok && readHeader(outcome.response).rcode;
}

const query = fc
  .record({
    id: fc.integer({ min: 0, max: 0xffff }),
    name: fc.constantFrom(ZONE, `www.${ZONE}`, `nope.${ZONE}`, "other.test", ""),
    type: fc.constantFrom("SOA", "A", "AXFR", "IXFR", "TXT", "ANY"),
  })
  .map(({ id, name, type }) =>
    packet.encode({ id, type: "query", flags: 0, questions: [{ name, type: type as "A" }] }),
  );

/** One frame of the stream: its bytes, and whether the server must answer it. */
const frame = fc.oneof(
  query.map((message) => ({ bytes: prefixed(message, message.length), answered: true })),
  fc
    .uint8Array({ minLength: 12, maxLength: 80 })
    .map((bytes) => ({ bytes: prefixed(Buffer.from(bytes), bytes.length), answered: false })),
  // A length that promises more than comes, or too little for a header.
  fc
    .tuple(fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ maxLength: 40 }))
    .map(([length, bytes]) => ({ bytes: prefixed(Buffer.from(bytes), length), answered: false })),
);

function prefixed(message: Buffer, length: number): Buffer {
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(length, 0);
  return Buffer.concat([prefix, message]);
}

/** Writes `stream` in pieces cut at `cuts`, with a pause after some; resolves to all that came back. */
function send(stream: Buffer, cuts: number[], pauses: boolean[]): Promise<Buffer> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const chunks: Buffer[] = [];
    const guard = setTimeout(() => socket.destroy(), 3000);
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(guard);
      resolve(Buffer.concat(chunks));
    });
    socket.connect(primary.port, "127.0.0.1", async () => {
      const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
      let from = 0;
      for (const [i, at] of [...points, stream.length].entries()) {
        if (socket.destroyed) break;
        socket.write(stream.subarray(from, at));
        from = at;
        if (pauses[i]) await new Promise((r) => setTimeout(r, 20));
      }
      if (!socket.destroyed) socket.end();
    });
  });
}

/** The whole messages in `bytes` (a trailing partial one is dropped). */
function frames(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at + 2 <= bytes.length;) {
    const length = bytes.readUInt16BE(at);
    if (at + 2 + length > bytes.length) break;
    out.push(bytes.subarray(at + 2, at + 2 + length));
    at += 2 + length;
  }
  return out;
}

describe("the DNS primary over TCP, fuzzed", () => {
  it("answers only with whole responses, survives every stream, and serves a legitimate query after", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(frame, { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(2000), { maxLength: 8 }),
        fc.array(fc.boolean(), { maxLength: 9 }),
        async (stream, cuts, pauses) => {
          const bytes = Buffer.concat(stream.map((f) => f.bytes));
          const back = frames(await send(bytes, cuts, pauses));
          for (const response of back) {
            expect(response.length).toBeGreaterThanOrEqual(12);
            expect(readHeader(response).flags & FLAG.QR).toBeTruthy();
          }
          // The queries before the first frame that is not one are answered, in order
          // (a transfer's later messages carry no question, so count first messages).
          const leading = stream.findIndex((f) => !f.answered);
          const expected = leading === -1 ? stream.length : leading;
          const firsts = back.filter((r) => readHeader(r).qdcount > 0).slice(0, expected);
          expect(firsts.map((r) => readHeader(r).id)).toEqual(
            stream.slice(0, expected).map((f) => f.bytes.readUInt16BE(2)),
          );

          expect(await soaRcode(tcpExchange)).toBe(RCODE.NOERROR);
        },
      ),
      { numRuns: 100 },
    );
    expect(await soaRcode(udpExchange)).toBe(RCODE.NOERROR);
  }, 60_000);
});
