// A transfer is made as it is written (issue 17, item 5): to a client that does
// not read, the primary makes (and signs) only the messages the socket takes,
// then stops until it drains, instead of encoding the whole zone at once and
// holding the event loop meanwhile. Counted through the clock the primary reads
// once for the request's check and once per signed message.
import { Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDnsPrimary, type DnsEvent, type DnsPrimary } from "../../src/dns/primary.js";
import { TsigKey, signMessage, verifyMessage, type TsigKeyInput } from "../../src/dns/tsig.js";
import { packet } from "../../src/dns/wire.js";
import { minimalZone, type ZoneRecord } from "../../src/dns/zone.js";

const KEY: TsigKeyInput = {
  name: "stream-key.",
  algorithm: "hmac-sha256.",
  secret: Buffer.from("transfer-stream-test-secret-0001").toString("base64"),
};
// 3,000 TXT records of 16 strings of 250 bytes: about 4 KB each, 12 MB in all;
// about 3,000 messages of 4 KB each (transferMessageBytes), far more than the
// loopback socket buffers hold.
const BULK: ZoneRecord[] = Array.from({ length: 3000 }, (_, i) => ({
  name: `t${i}.stream.test`,
  ttl: 60,
  type: "TXT",
  data: Array.from({ length: 16 }, (_, j) => `${i}-${j}-`.padEnd(250, "z")),
}));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("a transfer to a client that does not read", () => {
  let clockReads = 0;
  const events: DnsEvent[] = [];
  let primary: DnsPrimary;
  beforeAll(async () => {
    const view = {
      zoneId: "stream",
      name: "stream.test",
      records: [...minimalZone("stream.test", 5), ...BULK],
      serial: 5,
      transfersEnabled: true,
      peers: [{ id: "p", ip: "127.0.0.1", tsig: KEY }],
    };
    primary = await startDnsPrimary({
      source: { zone: (name) => (name === "stream.test" ? view : undefined) },
      log: (event) => events.push(event),
      transferMessageBytes: 4000,
      now: () => {
        clockReads++;
        return Math.floor(Date.now() / 1000);
      },
    });
  });
  afterAll(() => primary?.close());

  it("makes only what the socket takes, then the rest as it is read, every message signed in a chain", async () => {
    const key = new TsigKey(KEY);
    const request = signMessage(
      packet.encode({
        id: 5,
        type: "query",
        questions: [{ name: "stream.test", type: "AXFR", class: "IN" }],
      }),
      key,
      { kind: "request" },
    );
    const socket = new Socket();
    socket.on("error", () => {});
    await new Promise<void>((resolve) => socket.connect(primary.port, "127.0.0.1", resolve));
    socket.pause();
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16BE(request.message.length, 0);
    socket.write(Buffer.concat([prefix, request.message]));
    // Unread: what is made stops growing, well short of the whole transfer.
    let made = -1;
    for (let i = 0; i < 40 && made !== clockReads; i++) {
      made = clockReads;
      await sleep(250);
    }
    expect(made).toBe(clockReads);
    expect(made).toBeGreaterThan(1);
    expect(made).toBeLessThan(1500);
    expect(events.some((e) => e.type === "transfer")).toBe(false);

    // Read: the rest is made and arrives, each message's MAC chained to the one before.
    const messages = await readAll(socket);
    let prior: Buffer = request.mac;
    messages.forEach((message, index) => {
      const context =
        index === 0
          ? { kind: "response" as const, requestMac: prior }
          : { kind: "continuation" as const, priorMac: prior };
      const verdict = verifyMessage(message, () => key, context);
      expect(verdict.status).toBe("ok");
      if (verdict.status === "ok") prior = verdict.record.mac;
    });
    expect(messages.length).toBeGreaterThan(2000);
    await sleep(50);
    expect(events.find((e) => e.type === "transfer")).toMatchObject({
      messages: messages.length,
      records: BULK.length + 3,
    });
  });
});

/** Reads framed messages until the one with the closing SOA (the second SOA seen). */
function readAll(socket: Socket): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const messages: Buffer[] = [];
    let buffered = Buffer.alloc(0);
    let soas = 0;
    const timer = setTimeout(() => reject(new Error(`stuck after ${messages.length}`)), 20_000);
    socket.on("data", (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const message = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
        buffered = buffered.subarray(2 + message.length);
        messages.push(message);
        soas += (packet.decode(message).answers ?? []).filter((a) => a.type === "SOA").length;
        if (soas >= 2) {
          clearTimeout(timer);
          socket.destroy();
          resolve(messages);
        }
      }
    });
    socket.resume();
  });
}
