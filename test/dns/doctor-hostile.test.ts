/**
 * doctor in front of secondaries that lie or are many: an answer for another
 * question is a bad answer, a serial 2^31 from the primary's is not comparable
 * (not "ahead"), and 30 peers read in parallel print no MaxListenersExceededWarning.
 */
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DOCTOR_EXIT_CODES,
  checkSecondaries,
  doctorExitCode,
  formatDoctorReport,
} from "../../src/dns/doctor.js";
import { runDoctor } from "../../src/dns/api-doctor.js";
import type { DnsPrimary } from "../../src/dns/primary.js";
import { FLAG, packet } from "../../src/dns/wire.js";
import { minimalZone } from "../../src/dns/zone.js";
import { servingSoa } from "./soa-server.js";
import { startEmulator } from "../../src/emulator/index.js";
import { createSecondaryDnsClient } from "../../src/index.js";

const ZONE = "example.test";

/** A stand-in secondary that answers the zone's SOA at a fixed serial. */
const serving = (serial: number) => servingSoa(ZONE, serial);

type Question = { name: string; type: string; class: string };

/**
 * A secondary that answers authoritatively with the zone's SOA at `serial`, in
 * sync with the primary, but under the question `question` makes of the one asked.
 */
async function liar(
  serial: number,
  question: (asked: Question) => Question[],
): Promise<{ socket: UdpSocket; port: number }> {
  const socket = createSocket("udp4");
  socket.on("message", (message, rinfo) => {
    const query = packet.decode(message);
    const reply = packet.encode({
      id: query.id,
      type: "response",
      flags: FLAG.AA,
      questions: question(query.questions![0] as Question) as packet.Packet["questions"],
      answers: [minimalZone(ZONE, serial)[0] as packet.Answer],
    });
    socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
  return { socket, port: socket.address().port };
}

describe("doctor and answers to another question", () => {
  const sockets: UdpSocket[] = [];
  let primary: DnsPrimary;
  const ports: Record<string, number> = {};

  beforeAll(async () => {
    primary = await serving(100);
    const liars: Record<string, (asked: Question) => Question[]> = {
      honest: (asked) => [asked],
      otherName: (asked) => [{ ...asked, name: "other.test" }],
      otherType: (asked) => [{ ...asked, type: "A" }],
      otherClass: (asked) => [{ ...asked, class: "CH" }],
      twoQuestions: (asked) => [asked, asked],
      noQuestion: () => [],
    };
    for (const [name, question] of Object.entries(liars)) {
      const server = await liar(100, question);
      sockets.push(server.socket);
      ports[name] = server.port;
    }
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await primary.close();
  });

  it("is a bad answer, never in sync, whatever the serial says", async () => {
    const report = await checkSecondaries({
      zone: ZONE,
      primary: { host: "127.0.0.1", port: primary.port },
      timeoutMs: 2000,
      peers: Object.entries(ports).map(([id, port]) => ({ id, ip: "127.0.0.1", port })),
    });
    const states = Object.fromEntries(report.peers.map((peer) => [peer.id, peer.state]));
    expect(states).toEqual({
      honest: "in-sync",
      otherName: "bad-response",
      otherType: "bad-response",
      otherClass: "bad-response",
      twoQuestions: "bad-response",
      noQuestion: "bad-response",
    });
    const details = Object.fromEntries(report.peers.map((peer) => [peer.id, peer.detail]));
    expect(details.otherName).toContain("another question");
    expect(details.otherName).toContain("other.test");
    expect(details.otherType).toContain("type A");
    expect(details.otherClass).toContain("class CH");
    expect(doctorExitCode(report, true)).toBe(DOCTOR_EXIT_CODES.badResponse);
  });
});

describe("doctor and a serial 2^31 from the primary's", () => {
  it("is not comparable, with its own exit code, not ahead", async () => {
    const servers = await Promise.all([serving(100), serving(100 + 2 ** 31), serving(101)]);
    try {
      const [primary, far, ahead] = servers;
      const report = await checkSecondaries({
        zone: ZONE,
        primary: { host: "127.0.0.1", port: primary!.port },
        timeoutMs: 2000,
        peers: [
          { id: "far", ip: "127.0.0.1", port: far!.port },
          { id: "ahead", ip: "127.0.0.1", port: ahead!.port },
        ],
      });
      expect(report.peers[0]).toMatchObject({ state: "not-comparable", serial: 2147483748 });
      expect(report.peers[0]!.distance).toBeUndefined();
      expect(report.peers[1]).toMatchObject({ state: "ahead", distance: 1 });
      expect(formatDoctorReport(report)[1]).toContain("not comparable");
      expect(doctorExitCode(report, true)).toBe(DOCTOR_EXIT_CODES.ahead);
      const alone = { ...report, peers: [report.peers[0]!] };
      expect(doctorExitCode(alone, true)).toBe(DOCTOR_EXIT_CODES.notComparable);
    } finally {
      await Promise.all(servers.map((server) => server.close()));
    }
  });
});

describe("doctor with 30 peers", () => {
  it("reads them all under one signal and prints no MaxListenersExceededWarning", async () => {
    const emulator = await startEmulator({ dnsPort: 0, seed: {} });
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      const client = createSecondaryDnsClient({
        baseUrl: emulator.url,
        apiToken: "t",
        accountId: "0123456789abcdef0123456789abcdef",
      });
      const peers = [];
      for (let i = 0; i < 30; i++)
        peers.push((await client.peers.create({ name: `p${i}`, ip: "127.0.0.1", port: 1 })).id);
      const zoneId = "aaaabbbbccccddddeeeeffff00003333";
      await client.outgoing.create(zoneId, { name: "many.test.", peers });
      const stop = new AbortController();
      const report = await runDoctor(client, zoneId, {
        primary: { host: "127.0.0.1", port: emulator.dns!.port },
        accountId: "0123456789abcdef0123456789abcdef",
        timeoutMs: 1000,
        signal: stop.signal,
      });
      expect(report.peers).toHaveLength(30);
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on next tick
      expect(warnings.map((warning) => warning.name)).not.toContain("MaxListenersExceededWarning");
    } finally {
      process.off("warning", onWarning);
      await emulator.close();
    }
  });
});
