// An aborted AXFR is not a transfer (issue 17, item 10): a peer that reads the
// first bytes of a large transfer and resets the connection must not move the
// zone's transfer time (onTransfer) nor be logged as served. The zone is about
// 24 MB, far more than the loopback socket buffers take (about 3 MB here), so
// the reset arrives while the primary still has messages to write.
import { Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  startDnsPrimary,
  type DnsEvent,
  type DnsPrimary,
  type TransferInfo,
} from "../../src/dns/primary.js";
import { packet } from "../../src/dns/wire.js";
import { minimalZone, type ZoneRecord } from "../../src/dns/zone.js";

// 1,600 TXT records of 60 strings of 250 bytes: about 15 KB each, 24 MB in all.
const BULK: ZoneRecord[] = Array.from({ length: 1600 }, (_, i) => ({
  name: `t${i}.example.test`,
  ttl: 60,
  type: "TXT",
  data: Array.from({ length: 60 }, (_, j) => `${i}-${j}-`.padEnd(250, "z")),
}));

const axfr = packet.streamEncode({
  id: 3,
  type: "query",
  questions: [{ name: "example.test", type: "AXFR", class: "IN" }],
});

describe("a transfer the peer resets", () => {
  const transfers: TransferInfo[] = [];
  const events: DnsEvent[] = [];
  let primary: DnsPrimary;
  beforeAll(async () => {
    const view = {
      zoneId: "big-zone",
      name: "example.test",
      records: [...minimalZone("example.test", 2), ...BULK],
      serial: 2,
      transfersEnabled: true,
      peers: [{ id: "p", ip: "127.0.0.1", port: 53 }],
    };
    primary = await startDnsPrimary({
      source: {
        zone: (name) => (name === "example.test" ? view : undefined),
        onTransfer: (info) => transfers.push(info),
      },
      log: (event) => events.push(event),
      transferMessageBytes: 60_000,
    });
  });
  afterAll(() => primary?.close());

  /** Asks for the AXFR, reads until `enough` bytes came (all of it when Infinity), then resets or ends. */
  const client = (enough: number) =>
    new Promise<number>((resolve, reject) => {
      const socket = new Socket();
      let received = 0;
      const guard = setTimeout(() => reject(new Error(`stuck after ${received} bytes`)), 20_000);
      socket.on("error", () => {});
      socket.on("close", () => {
        clearTimeout(guard);
        resolve(received);
      });
      socket.on("data", (chunk) => {
        received += chunk.length;
        if (received >= enough) socket.resetAndDestroy();
      });
      socket.connect(primary.port, "127.0.0.1", () => socket.write(axfr));
    });

  const settled = async (what: () => boolean) => {
    for (let i = 0; i < 100 && !what(); i++) await new Promise((r) => setTimeout(r, 50));
  };

  it("is not counted when the peer reads the first bytes and resets", async () => {
    const received = await client(1);
    expect(received).toBeLessThan(20_000_000);
    await settled(() => events.some((e) => e.type === "error"));
    expect(events).toContainEqual({
      type: "error",
      reason: expect.stringMatching(/^AXFR of zone big-zone to 127\.0\.0\.1#\d+ not completed: /),
    });
    expect(events.filter((e) => e.type === "transfer")).toEqual([]);
    expect(transfers).toEqual([]);
  });

  it("is counted once when the peer reads it all", async () => {
    events.length = 0;
    // The client resets at the closing SOA at the latest; it reads everything before that.
    const total = await new Promise<number>((resolve, reject) => {
      const socket = new Socket();
      let buffered = Buffer.alloc(0);
      let bytes = 0;
      let soas = 0;
      const guard = setTimeout(() => reject(new Error("no complete transfer")), 20_000);
      socket.on("error", reject);
      socket.on("data", (chunk) => {
        buffered = Buffer.concat([buffered, chunk]);
        while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
          const length = buffered.readUInt16BE(0);
          const message = packet.decode(buffered.subarray(2, 2 + length));
          soas += (message.answers ?? []).filter((r) => r.type === "SOA").length;
          bytes += 2 + length;
          buffered = buffered.subarray(2 + length);
        }
        if (soas === 2) {
          clearTimeout(guard);
          socket.end();
          resolve(bytes);
        }
      });
      socket.connect(primary.port, "127.0.0.1", () => socket.write(axfr));
    });
    expect(total).toBeGreaterThan(20_000_000);
    await settled(() => transfers.length > 0);
    expect(transfers).toEqual([expect.objectContaining({ zoneId: "big-zone", peerId: "p" })]);
    expect(events.filter((e) => e.type === "transfer")).toHaveLength(1);
  });
});
