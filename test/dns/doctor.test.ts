import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CLOUDFLARE_PRIMARY,
  DOCTOR_EXIT_CODES,
  checkSecondaries,
  doctorExitCode,
  formatDoctorReport,
  parseAddress,
  type DoctorReport,
  type PeerState,
} from "../../src/dns/doctor.js";
import { startDnsPrimary, type DnsPrimary } from "../../src/dns/primary.js";
import { FLAG, packet } from "../../src/dns/wire.js";
import { minimalZone } from "../../src/dns/zone.js";
import { servingSoa } from "./soa-server.js";
import { freePort } from "./servers.js";

const ZONE = "example.test";

/** A stand-in secondary that answers the zone's SOA at a fixed serial. */
const serving = (serial: number) => servingSoa(ZONE, serial);

/** A UDP server that answers every query with what `reply` builds, or never answers. */
async function fake(
  reply: ((query: ReturnType<typeof packet.decode>) => Buffer) | undefined,
): Promise<{ socket: UdpSocket; port: number }> {
  const socket = createSocket("udp4");
  socket.on("message", (message, rinfo) => {
    if (reply) socket.send(reply(packet.decode(message)), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
  return { socket, port: socket.address().port };
}

describe("checkSecondaries", () => {
  const servers: DnsPrimary[] = [];
  const sockets: UdpSocket[] = [];
  let primary: DnsPrimary;
  const ports = {} as Record<
    | "same"
    | "behind"
    | "ahead"
    | "wrapped"
    | "refusing"
    | "silent"
    | "notAa"
    | "servfail"
    | "garbage"
    | "closed",
    number
  >;

  beforeAll(async () => {
    primary = await serving(100);
    const add = async (name: keyof typeof ports, serial: number) => {
      const server = await serving(serial);
      servers.push(server);
      ports[name] = server.port;
    };
    await add("same", 100);
    await add("behind", 97);
    await add("ahead", 102);
    await add("wrapped", 4294967290); // 100 is 106 steps after it
    const other = await startDnsPrimary({ source: { zone: () => undefined } }); // does not serve the zone: REFUSED
    servers.push(other);
    ports.refusing = other.port;
    const silent = await fake(undefined);
    const notAa = await fake((q) =>
      packet.encode({
        id: q.id,
        type: "response",
        flags: 0,
        questions: q.questions,
        answers: [{ ...minimalZone(ZONE, 100)[0]!, type: "SOA" } as packet.Answer],
      }),
    );
    const servfail = await fake((q) =>
      packet.encode({ id: q.id, type: "response", flags: FLAG.AA | 2, questions: q.questions }),
    );
    const garbage = await fake((q) =>
      Buffer.from([q.id! >> 8, q.id! & 0xff, 0x84, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
    ); // one question promised, none sent
    sockets.push(silent.socket, notAa.socket, servfail.socket, garbage.socket);
    Object.assign(ports, {
      silent: silent.port,
      notAa: notAa.port,
      servfail: servfail.port,
      garbage: garbage.port,
      closed: await freePort(),
    });
  });

  afterAll(async () => {
    for (const s of sockets) s.close();
    await Promise.all([primary, ...servers].map((s) => s?.close()));
  });

  it("classifies every peer, in parallel, within the timeout", async () => {
    const started = Date.now();
    const report = await checkSecondaries({
      zone: ZONE,
      primary: { host: "127.0.0.1", port: primary.port },
      timeoutMs: 400,
      peers: [
        { id: "a", name: "same", ip: "127.0.0.1", port: ports.same },
        { id: "b", ip: "127.0.0.1", port: ports.behind },
        { id: "c", ip: "127.0.0.1", port: ports.ahead },
        { id: "d", ip: "127.0.0.1", port: ports.wrapped },
        { id: "e", ip: "127.0.0.1", port: ports.refusing },
        { id: "f", ip: "127.0.0.1", port: ports.silent },
        { id: "g", ip: "127.0.0.1", port: ports.notAa },
        { id: "h", ip: "127.0.0.1", port: ports.servfail },
        { id: "i", ip: "127.0.0.1", port: ports.closed },
        { id: "j", ip: "127.0.0.1", port: ports.garbage },
        { id: "k", ip: null },
      ],
    });
    expect(Date.now() - started).toBeLessThan(1500); // one timeout, not one per silent peer
    expect(report.primary).toEqual({
      target: `127.0.0.1:${primary.port}`,
      state: "answered",
      serial: 100,
      detail: "serial 100",
    });
    const states = Object.fromEntries(report.peers.map((p) => [p.id, p.state]));
    expect(states).toEqual({
      a: "in-sync",
      b: "behind",
      c: "ahead",
      d: "behind",
      e: "refused",
      f: "no-answer",
      g: "not-authoritative",
      h: "not-authoritative",
      i: "unreachable",
      j: "bad-response",
      k: "no-ip",
    });
    const byId = Object.fromEntries(report.peers.map((p) => [p.id, p]));
    expect(byId.a).toMatchObject({ name: "same", serial: 100, detail: "in sync at serial 100" });
    expect(byId.b).toMatchObject({
      serial: 97,
      distance: 3,
      detail: "behind by 3 (serial 97, primary 100)",
    });
    expect(byId.c).toMatchObject({ serial: 102, distance: 2 });
    expect(byId.d).toMatchObject({ distance: 106 });
    expect(byId.e!.detail).toBe("refused (REFUSED)");
    expect(byId.f!.detail).toBe("no answer within 400 ms");
    expect(byId.g!.detail).toContain("no AA bit");
    expect(byId.h!.detail).toContain("SERVFAIL");
    expect(byId.i!.detail).toContain("ECONNREFUSED");
    expect(byId.k).toEqual({
      id: "k",
      target: null,
      state: "no-ip",
      detail: "no ip: cannot be checked",
    });
    expect(JSON.parse(JSON.stringify(report))).toEqual(report); // plain data
  });

  it("says when the primary gives no serial, and still reports what peers serve", async () => {
    const report = await checkSecondaries({
      zone: ZONE,
      primary: { host: "127.0.0.1", port: ports.closed },
      peers: [{ id: "a", ip: "127.0.0.1", port: ports.same }],
      timeoutMs: 400,
    });
    expect(report.primary.state).toBe("unreachable");
    expect(report.peers[0]).toMatchObject({ state: "not-compared", serial: 100 });
    expect(doctorExitCode(report, true)).toBe(DOCTOR_EXIT_CODES.primaryFailed);
  });
});

describe("doctor exit codes", () => {
  const report = (...states: PeerState[]): DoctorReport => ({
    zone: ZONE,
    primary: { target: "127.0.0.1:53", state: "answered", serial: 1, detail: "" },
    peers: states.map((state, i) => ({ id: String(i), target: "127.0.0.1:53", state, detail: "" })),
  });

  it("are distinct and apart from the CLI's general codes (0-3, 130)", () => {
    const codes = Object.values(DOCTOR_EXIT_CODES);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes.filter((c) => c !== 0)) expect(code).toBeGreaterThanOrEqual(10);
  });

  it("are 0 only when transfers are enabled and every peer is in sync", () => {
    expect(doctorExitCode(report("in-sync", "in-sync"), true)).toBe(0);
    expect(doctorExitCode(report("in-sync"), false)).toBe(DOCTOR_EXIT_CODES.transfersDisabled);
    expect(doctorExitCode(report(), true)).toBe(DOCTOR_EXIT_CODES.noPeers);
    expect(doctorExitCode(report("in-sync", "behind"), true)).toBe(DOCTOR_EXIT_CODES.behind);
    expect(doctorExitCode(report("in-sync", "no-ip"), true)).toBe(DOCTOR_EXIT_CODES.noIp);
  });

  it("take the first reason in the table's order when several apply", () => {
    expect(doctorExitCode(report("behind", "unreachable", "no-answer"), true)).toBe(
      DOCTOR_EXIT_CODES.unreachable,
    );
    expect(doctorExitCode(report("ahead", "refused"), true)).toBe(DOCTOR_EXIT_CODES.refused);
    expect(doctorExitCode(report("behind", "bad-response"), false)).toBe(
      DOCTOR_EXIT_CODES.transfersDisabled,
    );
    expect(doctorExitCode(report("not-authoritative", "ahead"), true)).toBe(
      DOCTOR_EXIT_CODES.notAuthoritative,
    );
  });
});

describe("doctor helpers", () => {
  it("parseAddress reads host:port, [v6]:port and bare IPs, and says what is wrong", () => {
    expect(parseAddress("127.0.0.1:5353")).toEqual({ host: "127.0.0.1", port: 5353 });
    expect(parseAddress("[::1]:53")).toEqual({ host: "::1", port: 53 });
    expect(parseAddress("::1")).toEqual({ host: "::1", port: 53 });
    expect(parseAddress("172.65.64.6")).toEqual(CLOUDFLARE_PRIMARY);
    expect(() => parseAddress("primary.example:53")).toThrow(/not an IP address/);
    expect(() => parseAddress("127.0.0.1:0")).toThrow(/from 1 to 65535/);
    expect(() => parseAddress("127.0.0.1:99999")).toThrow(RangeError);
  });

  it("formatDoctorReport gives one line for the primary and one per peer", () => {
    expect(
      formatDoctorReport({
        zone: "example.test",
        primary: { target: "127.0.0.1:53", state: "answered", serial: 9, detail: "serial 9" },
        peers: [
          {
            id: "p1",
            name: "knot",
            target: "127.0.0.1:5301",
            state: "behind",
            serial: 7,
            distance: 2,
            detail: "behind by 2 (serial 7, primary 9)",
          },
          { id: "p2", target: null, state: "no-ip", detail: "no ip: cannot be checked" },
        ],
      }),
    ).toEqual([
      "example.test: primary 127.0.0.1:53: serial 9",
      "  knot (p1) at 127.0.0.1:5301: behind by 2 (serial 7, primary 9)",
      "  p2: no ip: cannot be checked",
    ]);
  });
});
