import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { Socket } from "node:net";
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { tcpExchange, udpExchange } from "../../src/dns/exchange.js";
import {
  DnsPrimaryError,
  startDnsPrimary,
  type DnsEvent,
  type DnsPrimary,
  type ZoneView,
} from "../../src/dns/primary.js";
import { querySoa } from "../../src/dns/query.js";
import { TsigKey, keyLookup, signMessage, verifyMessage } from "../../src/dns/tsig.js";
import { FLAG, RCODE, packet, readHeader } from "../../src/dns/wire.js";
import { minimalZone } from "../../src/dns/zone.js";

const KEY = {
  name: "peer-key.",
  algorithm: "hmac-sha256.",
  secret: Buffer.from("primary-test-secret-000000000000").toString("base64"),
};

function zoneView(overrides: Partial<ZoneView> = {}): ZoneView {
  return {
    zoneId: "zone-1",
    name: "example.test",
    records: [
      ...minimalZone("example.test", 5),
      { name: "www.example.test", ttl: 60, type: "A", data: "192.0.2.80" },
    ],
    serial: 5,
    transfersEnabled: true,
    peers: [{ id: "open", ip: "127.0.0.1", port: 9 }],
    ...overrides,
  };
}

const request = (
  name: string,
  type: "SOA" | "AXFR" | "IXFR" | "A",
  extra: Partial<packet.Packet> = {},
) =>
  packet.encode({
    id: 77,
    type: "query",
    flags: FLAG.RD,
    questions: [{ name, type, class: "IN" }],
    ...extra,
  });

async function tcp(port: number, message: Buffer) {
  const outcome = await tcpExchange({ host: "127.0.0.1", port, message, timeoutMs: 2000 });
  if (!outcome.ok) throw new Error(`no TCP answer: ${outcome.failure}`);
  return outcome.response;
}

async function udp(port: number, message: Buffer, timeoutMs = 2000) {
  const outcome = await udpExchange({ host: "127.0.0.1", port, message, timeoutMs });
  return outcome.ok ? outcome.response : undefined;
}

const rcodeOf = (message: Buffer) => readHeader(message).rcode;

describe("the DNS primary", () => {
  let view = zoneView();
  const events: DnsEvent[] = [];
  const soaQueries: unknown[] = [];
  const transfers: unknown[] = [];
  let primary: DnsPrimary;

  beforeAll(async () => {
    primary = await startDnsPrimary({
      source: {
        zone: (name) =>
          name === "example.test"
            ? view
            : name === "broken.test"
              ? ({ ...view, name: "broken.test", records: [] } as ZoneView)
              : undefined,
        onSoaQuery: (info) => soaQueries.push(info),
        onTransfer: (info) => transfers.push(info),
      },
      log: (e) => events.push(e),
      tcpIdleTimeoutMs: 800,
      tcpMessageTimeoutMs: 800,
      maxTcpConnections: 4,
    });
  });
  afterAll(() => primary?.close());
  afterEach(() => {
    view = zoneView();
  });

  it("listens on loopback only", async () => {
    for (const host of ["0.0.0.0", "192.0.2.1", "::", "localhost"]) {
      await expect(startDnsPrimary({ host, source: { zone: () => undefined } })).rejects.toThrow(
        DnsPrimaryError,
      );
    }
  });

  it("answers SOA over UDP and TCP with the source's serial, and reports the query", async () => {
    view = zoneView({ serial: 4000000000 });
    await expect(
      querySoa({ host: "127.0.0.1", port: primary.port, zone: "example.test" }),
    ).resolves.toMatchObject({ status: "answer", serial: 4000000000, transport: "udp" });
    await expect(
      querySoa({ host: "127.0.0.1", port: primary.port, zone: "EXAMPLE.test.", tcp: true }),
    ).resolves.toMatchObject({ status: "answer", serial: 4000000000, transport: "tcp" });
    expect(soaQueries.slice(-2)).toEqual([
      expect.objectContaining({
        zoneId: "zone-1",
        transport: "udp",
        serial: 4000000000,
        address: "127.0.0.1",
      }),
      expect.objectContaining({ zoneId: "zone-1", transport: "tcp" }),
    ]);
  });

  it("answers other names of the zone, NXDOMAIN for names it lacks", async () => {
    const a = packet.decode((await udp(primary.port, request("www.example.test", "A")))!);
    expect(a.answers).toEqual([
      expect.objectContaining({ name: "www.example.test", data: "192.0.2.80" }),
    ]);
    const missing = (await udp(primary.port, request("nope.example.test", "A")))!;
    expect(rcodeOf(missing)).toBe(RCODE.NXDOMAIN);
    expect(packet.decode(missing).authorities![0]).toMatchObject({ type: "SOA" });
  });

  it("transfers the zone by AXFR over TCP, SOA first and last, and IXFR in AXFR form", async () => {
    const axfr = packet.decode(await tcp(primary.port, request("example.test", "AXFR")));
    expect(axfr.answers!.map((r) => r.type)).toEqual(["SOA", "NS", "A", "SOA"]);
    expect(axfr.flag_aa).toBe(true);
    const ixfr = packet.decode(
      await tcp(
        primary.port,
        request("example.test", "IXFR", {
          authorities: [{ ...minimalZone("example.test", 3)[0]!, type: "SOA" } as packet.Answer],
        }),
      ),
    );
    expect(ixfr.answers!.map((r) => r.type)).toEqual(["SOA", "NS", "A", "SOA"]);
    // A secondary that is up to date gets the SOA alone (RFC 1995 section 2).
    const current = packet.decode(
      await tcp(
        primary.port,
        request("example.test", "IXFR", {
          authorities: [minimalZone("example.test", 5)[0]! as packet.Answer],
        }),
      ),
    );
    expect(current.answers!.map((r) => r.type)).toEqual(["SOA"]);
    expect(transfers).toContainEqual(
      expect.objectContaining({ zoneId: "zone-1", kind: "AXFR", peerId: "open", serial: 5 }),
    );
  });

  it("refuses what it must, with the RCODE the RFCs give", async () => {
    const port = primary.port;
    expect(rcodeOf((await udp(port, request("other.test", "SOA")))!)).toBe(RCODE.REFUSED);
    expect(rcodeOf(await tcp(port, request("other.test", "AXFR")))).toBe(RCODE.NOTAUTH);
    expect(rcodeOf((await udp(port, request("example.test", "AXFR")))!)).toBe(RCODE.REFUSED);
    view = zoneView({ transfersEnabled: false });
    expect(rcodeOf(await tcp(port, request("example.test", "AXFR")))).toBe(RCODE.REFUSED);
    expect(rcodeOf((await udp(port, request("example.test", "SOA")))!)).toBe(RCODE.REFUSED);
    view = zoneView({ peers: [{ id: "elsewhere", ip: "127.0.0.2", port: 53 }] });
    expect(rcodeOf(await tcp(port, request("example.test", "AXFR")))).toBe(RCODE.REFUSED);
    expect(events).toContainEqual(
      expect.objectContaining({
        type: "refused",
        reason: "the address is not one of the zone's peers",
      }),
    );
  });

  it("requires the TSIG of a peer that has one: unsigned NOTAUTH, wrong key BADKEY, and signs the answer", async () => {
    view = zoneView({ peers: [{ id: "signed", ip: "127.0.0.1", port: 9, tsig: KEY }] });
    const unsigned = await tcp(primary.port, request("example.test", "AXFR"));
    expect(rcodeOf(unsigned)).toBe(RCODE.NOTAUTH);
    expect(packet.decode(unsigned).answers).toEqual([]);

    const other = new TsigKey({ ...KEY, name: "stranger." });
    const badKey = await tcp(
      primary.port,
      signMessage(request("example.test", "AXFR"), other, { kind: "request" }).message,
    );
    expect(rcodeOf(badKey)).toBe(RCODE.NOTAUTH);
    expect(
      verifyMessage(badKey, keyLookup([other]), { kind: "response", requestMac: Buffer.alloc(32) }),
    ).toMatchObject({ status: "peer-error", error: 17 });

    const key = new TsigKey(KEY);
    const signed = signMessage(request("example.test", "AXFR"), key, { kind: "request" });
    const answer = await tcp(primary.port, signed.message);
    expect(rcodeOf(answer)).toBe(RCODE.NOERROR);
    expect(
      verifyMessage(answer, keyLookup([key]), { kind: "response", requestMac: signed.mac }).status,
    ).toBe("ok");
    expect(transfers).toContainEqual(expect.objectContaining({ peerId: "signed" }));
  });

  it("answers BADTIME, signed, with its own time, when the request's clock is off", async () => {
    view = zoneView({ peers: [{ id: "signed", ip: "127.0.0.1", port: 9, tsig: KEY }] });
    const key = new TsigKey(KEY);
    const stale = signMessage(
      request("example.test", "SOA"),
      key,
      { kind: "request" },
      { timeSigned: Math.floor(Date.now() / 1000) - 3600 },
    );
    const answer = (await udp(primary.port, stale.message))!;
    expect(rcodeOf(answer)).toBe(RCODE.NOTAUTH);
    const verdict = verifyMessage(
      answer,
      keyLookup([key]),
      { kind: "response", requestMac: stale.mac },
      { now: Math.floor(Date.now() / 1000) - 3600 },
    );
    expect(verdict).toMatchObject({ status: "peer-error", error: 18 });
    if (verdict.status === "peer-error")
      expect(Math.abs(verdict.record.other.readUIntBE(0, 6) - Date.now() / 1000)).toBeLessThan(5);
  });

  it("answers a malformed request FORMERR, another opcode NOTIMP, and drops what has no header or is a response", async () => {
    const port = primary.port;
    const header = Buffer.from([0, 9, 1, 0, 0, 5, 0, 0, 0, 0, 0, 0]); // says 5 questions, has none
    const formerr = (await udp(port, header))!;
    expect(readHeader(formerr)).toMatchObject({ id: 9, rcode: RCODE.FORMERR });
    const twoQuestions = packet.encode({
      id: 3,
      type: "query",
      questions: [
        { name: "a.test", type: "A" },
        { name: "b.test", type: "A" },
      ],
    });
    expect(rcodeOf((await udp(port, twoQuestions))!)).toBe(RCODE.FORMERR);
    const notify = packet.encode({
      id: 4,
      type: "query",
      flags: 4 << 11,
      questions: [{ name: "example.test", type: "SOA" }],
    });
    expect(rcodeOf((await udp(port, notify))!)).toBe(RCODE.NOTIMP);
    expect(await udp(port, Buffer.from([1, 2, 3]), 200)).toBeUndefined();
    expect(
      await udp(
        port,
        packet.encode({
          id: 5,
          type: "response",
          questions: [{ name: "example.test", type: "SOA" }],
        }),
        200,
      ),
    ).toBeUndefined();
    expect(events).toContainEqual(expect.objectContaining({ type: "malformed", transport: "udp" }));
  });

  it("answers SERVFAIL when the source's zone is unusable, and keeps serving", async () => {
    expect(rcodeOf((await udp(primary.port, request("broken.test", "SOA")))!)).toBe(RCODE.SERVFAIL);
    expect(
      (await querySoa({ host: "127.0.0.1", port: primary.port, zone: "example.test" })).status,
    ).toBe("answer");
  });

  it("survives random datagrams and answers afterwards", async () => {
    const sender = createSocket("udp4");
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 600 }), async (bytes) => {
        await new Promise<void>((resolve) =>
          sender.send(bytes, primary.port, "127.0.0.1", () => resolve()),
        );
      }),
      { numRuns: 300 },
    );
    sender.close();
    // The flood can fill the kernel's receive buffer, which drops datagrams (ours too): ask up to 3 times.
    let status = "";
    for (let i = 0; i < 3 && status !== "answer"; i++) {
      status = (
        await querySoa({
          host: "127.0.0.1",
          port: primary.port,
          zone: "example.test",
          timeoutMs: 500,
        })
      ).status;
    }
    expect(status).toBe("answer");
    expect(events.filter((e) => e.type === "malformed").length).toBeGreaterThan(20);
  });

  it("closes a TCP connection that sends a too-short length, or idles; at the cap, closes the idlest", async () => {
    const closedAfter = (write: (s: Socket) => void) =>
      new Promise<number>((resolve, reject) => {
        const started = Date.now();
        const socket = new Socket();
        const guard = setTimeout(() => reject(new Error("still open")), 3000);
        socket.on("error", () => {});
        socket.on("close", () => {
          clearTimeout(guard);
          resolve(Date.now() - started);
        });
        socket.connect(primary.port, "127.0.0.1", () => write(socket));
      });
    await closedAfter((s) => s.write(Buffer.from([0, 3, 1, 2, 3])));
    const idle = await closedAfter((s) => s.write(Buffer.from([0x40, 0x00, 1, 2]))); // promises 16 KiB, sends 2 bytes
    expect(idle).toBeGreaterThanOrEqual(750);

    const held = await Promise.all(
      Array.from(
        { length: 4 },
        () =>
          new Promise<Socket>((resolve) => {
            const s = new Socket();
            s.on("error", () => {});
            s.connect(primary.port, "127.0.0.1", () => resolve(s));
          }),
      ),
    );
    // A fifth connection closes the idlest held one at once (not by the idle timer) and is served.
    const closedAt = Promise.race(
      held.map((s, i) => new Promise<number>((resolve) => s.on("close", () => resolve(i)))),
    );
    expect(rcodeOf(await tcp(primary.port, request("example.test", "SOA")))).toBe(RCODE.NOERROR);
    const evicted = await closedAt;
    expect(held.filter((s) => s.destroyed || s.readyState === "closed")).toEqual([held[evicted]]);
    for (const s of held) s.destroy();
  });
});

describe("NOTIFY", () => {
  let responder: UdpSocket;
  let responderPort: number;
  const received: Buffer[] = [];
  let answer = true;

  beforeAll(async () => {
    responder = createSocket("udp4");
    responder.on("message", (message, rinfo) => {
      received.push(message);
      if (!answer) return;
      const decoded = packet.decode(message);
      const reply = packet.encode({
        id: decoded.id,
        type: "response",
        flags: (4 << 11) | FLAG.AA,
        questions: decoded.questions,
      });
      responder.send(reply, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve) => responder.bind(0, "127.0.0.1", () => resolve()));
    responderPort = responder.address().port;
  });
  afterAll(() => responder?.close());

  it("goes to loopback peers only, signed when the peer has a TSIG; other addresses are skipped and logged", async () => {
    const events: DnsEvent[] = [];
    const view = zoneView({
      peers: [
        { id: "local", ip: "127.0.0.1", port: responderPort, tsig: KEY },
        { id: "remote", ip: "192.0.2.53", port: 53 },
        { id: "remote6", ip: "2001:db8::53", port: 53 },
        { id: "no-ip", ip: null },
      ],
    });
    const primary = await startDnsPrimary({
      source: { zone: () => view },
      log: (e) => events.push(e),
      notifyTimeoutMs: 300,
    });
    try {
      received.length = 0;
      const results = await primary.notify("example.test");
      expect(results.map((r) => [r.peerId, r.outcome])).toEqual([
        ["local", "answered"],
        ["remote", "skipped"],
        ["remote6", "skipped"],
        ["no-ip", "skipped"],
      ]);
      expect(results[1]!.reason).toMatch(/not a loopback address/);
      expect(events.filter((e) => e.type === "notify" && e.outcome === "skipped")).toHaveLength(3);
      expect(received).toHaveLength(1);
      const notify = received[0]!;
      expect(readHeader(notify).opcode).toBe(4);
      expect(packet.decode(notify).answers![0]).toMatchObject({ type: "SOA", data: { serial: 5 } });
      expect(verifyMessage(notify, keyLookup([new TsigKey(KEY)]), { kind: "request" }).status).toBe(
        "ok",
      );
      expect(results[0]!.reason).toBe("the answer is not signed"); // the test responder does not sign
    } finally {
      await primary.close();
    }
  });

  it("retries a silent peer a bounded number of times, then says it failed", async () => {
    answer = false;
    received.length = 0;
    const view = zoneView({ peers: [{ id: "silent", ip: "127.0.0.1", port: responderPort }] });
    const primary = await startDnsPrimary({
      source: { zone: () => view },
      notifyTimeoutMs: 150,
      notifyAttempts: 3,
    });
    try {
      const started = Date.now();
      const [result] = await primary.notify("example.test");
      expect(result).toMatchObject({ outcome: "failed", attempts: 3, reason: "no answer" });
      expect(received).toHaveLength(3);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      answer = true;
      await primary.close();
    }
  });
});

describe("the primary's edges", () => {
  it("sets TC on a UDP answer too big for the client, and querySoa then asks over TCP", async () => {
    const long = `${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.test`; // SOA answer > 512 bytes
    const view = zoneView({ name: long, records: minimalZone(long, 3), serial: 3 });
    const primary = await startDnsPrimary({
      source: { zone: (name) => (name === long ? view : undefined) },
    });
    try {
      const raw = (await udp(primary.port, request(long, "SOA")))!;
      expect(readHeader(raw).flags & FLAG.TC).toBeTruthy();
      expect(packet.decode(raw).answers).toEqual([]);
      expect(raw.length).toBeLessThanOrEqual(512);
      await expect(
        querySoa({ host: "127.0.0.1", port: primary.port, zone: long }),
      ).resolves.toMatchObject({ status: "answer", serial: 3, transport: "tcp" });
    } finally {
      await primary.close();
    }
  });

  it("listens on ::1, and says clearly when its port is taken", async () => {
    const view = zoneView();
    const six = await startDnsPrimary({ host: "::1", source: { zone: () => view } });
    try {
      await expect(
        querySoa({ host: "::1", port: six.port, zone: "example.test" }),
      ).resolves.toMatchObject({ status: "answer", serial: 5 });
      await expect(
        startDnsPrimary({ host: "::1", port: six.port, source: { zone: () => view } }),
      ).rejects.toThrow(`cannot listen for DNS on TCP ::1:${six.port} (EADDRINUSE)`);
    } finally {
      await six.close();
    }
  });

  it("a source callback that throws is logged; the answer and the transfer still go out", async () => {
    const events: DnsEvent[] = [];
    const view = zoneView();
    const primary = await startDnsPrimary({
      source: {
        zone: () => view,
        onSoaQuery: () => {
          throw new Error("soa hook broke");
        },
        onTransfer: () => {
          throw new Error("transfer hook broke");
        },
      },
      log: (e) => events.push(e),
    });
    try {
      await expect(
        querySoa({ host: "127.0.0.1", port: primary.port, zone: "example.test" }),
      ).resolves.toMatchObject({ status: "answer" });
      expect(
        packet.decode(await tcp(primary.port, request("example.test", "AXFR"))).answers,
      ).toHaveLength(4);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(
        events.filter((e) => e.type === "error").map((e) => (e as { reason: string }).reason),
      ).toEqual([
        "source callback failed: soa hook broke",
        "source callback failed: transfer hook broke",
      ]);
    } finally {
      await primary.close();
    }
  });

  it("sends no NOTIFY for a zone whose transfers are disabled", async () => {
    const view = zoneView({
      transfersEnabled: false,
      peers: [{ id: "p", ip: "127.0.0.1", port: 9 }],
    });
    const primary = await startDnsPrimary({
      source: { zone: (name) => (name === "example.test" ? view : undefined) },
    });
    try {
      await expect(primary.notify("example.test")).resolves.toEqual([
        {
          zoneId: "zone-1",
          peerId: "p",
          target: "",
          outcome: "skipped",
          attempts: 0,
          reason: "outgoing transfers are disabled",
        },
      ]);
      await expect(primary.notify("unknown.test")).resolves.toEqual([]);
    } finally {
      await primary.close();
    }
  });

  it("serves TXT records without changing the source's records", async () => {
    const view = zoneView({
      records: [
        ...minimalZone("example.test", 5),
        { name: "t.example.test", ttl: 60, type: "TXT", data: ["one", "two"] },
      ],
    });
    const before = JSON.stringify(view.records);
    const primary = await startDnsPrimary({
      source: { zone: (name) => (name === "example.test" ? view : undefined) },
    });
    try {
      const axfr = packet.decode(await tcp(primary.port, request("example.test", "AXFR")));
      expect(axfr.answers!.find((r) => r.type === "TXT")!.data).toEqual([
        Buffer.from("one"),
        Buffer.from("two"),
      ]);
      expect(JSON.stringify(view.records)).toBe(before);
    } finally {
      await primary.close();
    }
  });
});
