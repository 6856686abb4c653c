/**
 * The DNS primary under denial of service on loopback (issue 17, items 4 and 5):
 * idle and slowloris connections that hold every TCP slot, one address that
 * opens many, pipelined transfers and queries whose answers are never read.
 * Each test asserts that a legitimate client is still served and that the
 * attack is bounded (closed, paused); timings are in bench/ (primary under abuse).
 */
import { Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { tcpExchange, udpExchange } from "../../src/dns/exchange.js";
import {
  startDnsPrimary,
  type DnsEvent,
  type DnsPrimary,
  type DnsPrimaryOptions,
  type ZoneView,
} from "../../src/dns/primary.js";
import { FLAG, RCODE, packet, readHeader } from "../../src/dns/wire.js";
import { minimalZone, type ZoneRecord } from "../../src/dns/zone.js";

const ZONE = "abuse.test";
const TEXT = "x".repeat(200);

/** A zone with `count` TXT records under `name`, plus the apex SOA and NS. */
function zoneView(count: number, name = `big.${ZONE}`): ZoneView {
  const records: ZoneRecord[] = [...minimalZone(ZONE, 7)];
  for (let i = 0; i < count; i++)
    records.push({ name, ttl: 60, type: "TXT", data: [TEXT, `${i}`] });
  return {
    zoneId: "zone-abuse",
    name: ZONE,
    records,
    serial: 7,
    transfersEnabled: true,
    peers: [{ id: "open", ip: "127.0.0.1", port: 9 }],
  };
}

let primary: DnsPrimary | undefined;
const sockets: Socket[] = [];
let events: DnsEvent[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await primary?.close();
  primary = undefined;
  events = [];
});

async function start(view: ZoneView, options: Partial<DnsPrimaryOptions> = {}) {
  primary = await startDnsPrimary({
    source: { zone: (name) => (name === ZONE ? view : undefined) },
    log: (event) => events.push(event),
    ...options,
  });
  return primary;
}

function query(name: string, type: "SOA" | "AXFR" | "TXT", id = 1): Buffer {
  return packet.encode({ id, type: "query", flags: 0, questions: [{ name, type, class: "IN" }] });
}

function framed(message: Buffer): Buffer {
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(message.length, 0);
  return Buffer.concat([prefix, message]);
}

/** A raw connection, from `localAddress` when given; resolves once connected. */
function open(port: number, localAddress?: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    sockets.push(socket);
    socket.on("error", () => {});
    socket.once("connect", () => resolve(socket));
    socket.once("close", () => reject(new Error("closed before connecting")));
    socket.connect({ port, host: "127.0.0.1", ...(localAddress ? { localAddress } : {}) });
  });
}

const closed = (socket: Socket) =>
  new Promise<void>((resolve) =>
    socket.destroyed ? resolve() : socket.once("close", () => resolve()),
  );

async function legitimate(port: number, type: "SOA" | "AXFR") {
  const outcome = await tcpExchange({
    host: "127.0.0.1",
    port,
    message: query(ZONE, type),
    timeoutMs: 3000,
  });
  if (!outcome.ok)
    throw new Error(`the legitimate ${type} over TCP was not served: ${outcome.failure}`);
  return outcome.response;
}

async function udpSoa(port: number) {
  const outcome = await udpExchange({
    host: "127.0.0.1",
    port,
    message: query(ZONE, "SOA"),
    timeoutMs: 3000,
  });
  if (!outcome.ok) throw new Error(`the UDP SOA was not answered: ${outcome.failure}`);
  return readHeader(outcome.response).rcode;
}

/** Waits for the server to log that it closed an idle connection; then `socket` (which never read) sees the end. */
async function closedByServer(socket: Socket) {
  const idle = () => events.some((e) => e.type === "error" && /idle for more than/.test(e.reason));
  for (let i = 0; i < 100 && !idle(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(idle()).toBe(true);
  socket.resume();
  await closed(socket);
}

/** Waits until `value()` has not changed for `quietMs` (at most `maxMs`), and returns it. */
async function settled(value: () => number, quietMs = 400, maxMs = 8000): Promise<number> {
  const end = Date.now() + maxMs;
  let last = value();
  let since = Date.now();
  while (Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = value();
    if (now !== last) [last, since] = [now, Date.now()];
    else if (Date.now() - since >= quietMs) return now;
  }
  return value();
}

describe("TCP slots", () => {
  it("32 idle connections do not lock out a legitimate SOA or AXFR over TCP", async () => {
    const { port } = await start(zoneView(3));
    const idle = await Promise.all(Array.from({ length: 32 }, () => open(port)));
    expect(readHeader(await legitimate(port, "SOA")).rcode).toBe(RCODE.NOERROR);
    const axfr = packet.decode(await legitimate(port, "AXFR"));
    expect(axfr.answers!.at(-1)!.type).toBe("SOA");
    // Room was made by closing the idlest, not by refusing the newcomer.
    expect(idle.filter((s) => s.destroyed || s.readyState === "closed").length).toBeGreaterThan(0);
  });

  it("a slowloris connection (a byte now and then) is closed by the message deadline", async () => {
    const { port } = await start(zoneView(3), {
      tcpMessageTimeoutMs: 500,
      tcpIdleTimeoutMs: 60_000,
    });
    const slow = await Promise.all(Array.from({ length: 32 }, () => open(port)));
    const message = framed(query(ZONE, "SOA"));
    let sent = 0;
    const drip = setInterval(() => {
      // One byte of the message every 100 ms: every byte would reset an idle timer.
      for (const s of slow) if (!s.destroyed) s.write(message.subarray(sent, sent + 1));
      sent = Math.min(sent + 1, message.length - 1);
    }, 100);
    try {
      expect(readHeader(await legitimate(port, "SOA")).rcode).toBe(RCODE.NOERROR);
      const bound = new Promise((_, reject) =>
        setTimeout(() => reject(new Error("slowloris connections still open")), 5000),
      );
      await Promise.race([Promise.all(slow.map(closed)), bound]);
    } finally {
      clearInterval(drip);
    }
    expect(events).toContainEqual(
      expect.objectContaining({
        type: "error",
        reason: expect.stringMatching(/took more than 500 ms/),
      }),
    );
  });

  it("one address holds at most its share of connections; another address is still served", async () => {
    const { port } = await start(zoneView(3), { maxTcpConnectionsPerAddress: 4 });
    const many: Socket[] = [];
    for (let i = 0; i < 12; i++) many.push(await open(port, "127.0.0.2"));
    // The evicted ones see the server's close soon after; wait for it (bounded).
    const stillOpen = () => many.filter((s) => !s.destroyed && s.readyState === "open").length;
    for (let i = 0; i < 100 && stillOpen() > 4; i++) await new Promise((r) => setTimeout(r, 30));
    expect(stillOpen()).toBeLessThanOrEqual(4);
    expect(readHeader(await legitimate(port, "SOA")).rcode).toBe(RCODE.NOERROR);
  });
});

describe("backpressure", () => {
  it("100 AXFRs pipelined in one write by a client that never reads: answered only as the output drains", async () => {
    const { port } = await start(zoneView(2000), { tcpIdleTimeoutMs: 1500 });
    const attacker = await open(port);
    attacker.pause(); // never reads
    const axfrs = Array.from({ length: 100 }, (_, i) => framed(query(ZONE, "AXFR", i)));
    attacker.write(Buffer.concat(axfrs));
    // While the attack is under way a UDP SOA is answered.
    expect(await udpSoa(port)).toBe(RCODE.NOERROR);
    const transfers = await settled(() => events.filter((e) => e.type === "transfer").length);
    expect(transfers).toBeGreaterThan(0);
    expect(transfers).toBeLessThan(100); // paused: the rest waits for a drain that never comes
    expect(await udpSoa(port)).toBe(RCODE.NOERROR);
    // Paused with nothing drained: closed by the idle limit.
    await closedByServer(attacker);
  });

  it("thousands of pipelined queries whose answers are never read: answering stops until a drain", async () => {
    const { port } = await start(zoneView(40), { tcpIdleTimeoutMs: 1500 });
    const attacker = await open(port);
    attacker.pause();
    // Each answer is ~9 KB (40 TXT records), so the kernel's buffers fill after a few hundred.
    const total = 4000;
    const one = framed(query(`big.${ZONE}`, "TXT"));
    attacker.write(Buffer.concat(Array.from({ length: total }, () => one)));
    expect(await udpSoa(port)).toBe(RCODE.NOERROR);
    const answered = await settled(() => events.filter((e) => e.type === "query").length);
    expect(answered).toBeGreaterThan(0);
    expect(answered).toBeLessThan(total);
    expect(await udpSoa(port)).toBe(RCODE.NOERROR);
    await closedByServer(attacker);
  });

  it("a client that asks, ends its side and reads slowly still gets every answer", async () => {
    const { port } = await start(zoneView(40));
    const client = await open(port);
    const chunks: Buffer[] = [];
    client.on("data", (chunk: Buffer) => chunks.push(chunk));
    const count = 50;
    client.end(
      Buffer.concat(
        Array.from({ length: count }, (_, i) => framed(query(`big.${ZONE}`, "TXT", i))),
      ),
    );
    await closed(client);
    const all = Buffer.concat(chunks);
    const ids: number[] = [];
    for (let at = 0; at + 2 <= all.length; at += 2 + all.readUInt16BE(at)) {
      const answer = all.subarray(at + 2, at + 2 + all.readUInt16BE(at));
      expect(readHeader(answer).flags & FLAG.QR).toBeTruthy();
      ids.push(readHeader(answer).id);
    }
    expect(ids).toEqual(Array.from({ length: count }, (_, i) => i));
  });
});
