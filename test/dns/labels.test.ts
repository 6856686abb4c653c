// Labels are octets (issue 17, item 8): a name is measured in the UTF-8 octets it
// is written in, a name that does not fit 63-octet labels and 255 octets is
// refused at load with the record named, and a question comes back in the
// answer octet for octet, whatever its octets are.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tcpExchange, udpExchange } from "../../src/dns/exchange.js";
import { startDnsPrimary, type DnsPrimary, type ZoneView } from "../../src/dns/primary.js";
import {
  HEADER_BYTES,
  RCODE,
  encodedNameBytes,
  packet,
  readHeader,
  skipQuestion,
} from "../../src/dns/wire.js";
import {
  ZoneDataError,
  checkZone,
  minimalZone,
  parseZoneFile,
  type ZoneRecord,
} from "../../src/dns/zone.js";

const run = promisify(execFile);
const ZONE = "example.test";
// 30 two-octet characters: 30 characters, 60 octets (fits); 40 of them: 80 octets (does not).
const FITS = "é".repeat(30);
const TOO_LONG = "é".repeat(40);

const zoneWith = (...records: ZoneRecord[]) => [...minimalZone(ZONE, 3), ...records];

/** A primary serving ZONE with `records` (checked as a load would) to a peer on 127.0.0.1. */
function serve(records: ZoneRecord[]): Promise<DnsPrimary> {
  checkZone(ZONE, records);
  const view: ZoneView = {
    zoneId: "z",
    name: ZONE,
    records,
    serial: 3,
    transfersEnabled: true,
    peers: [{ id: "p", ip: "127.0.0.1", port: 53 }],
  };
  return startDnsPrimary({ source: { zone: (name) => (name === ZONE ? view : undefined) } });
}

describe("names are measured in octets", () => {
  it("measures a label in UTF-8 octets, not characters", () => {
    expect(encodedNameBytes(`${FITS}.${ZONE}`)).toBe(1 + 60 + 1 + 7 + 1 + 4 + 1);
    expect(() => encodedNameBytes(`${TOO_LONG}.${ZONE}`)).toThrow(/label of 80 bytes/);
    expect(() => encodedNameBytes("a..b")).toThrow(/empty label/);
    // 4 labels of 60 octets (30 characters each) + the zone: 136 characters, 258 octets.
    expect(() => encodedNameBytes(`${FITS}.${FITS}.${FITS}.${FITS}.${ZONE}`)).toThrow(
      /longer than 255 bytes \(258\)/,
    );
  });

  it.each<[string, ZoneRecord]>([
    ["an owner", { name: `${TOO_LONG}.${ZONE}`, ttl: 60, type: "A", data: "192.0.2.1" }],
    ["an NS target", { name: ZONE, ttl: 60, type: "NS", data: `${TOO_LONG}.example.net` }],
    [
      "an MX exchange",
      { name: ZONE, ttl: 60, type: "MX", data: { preference: 1, exchange: `${TOO_LONG}.net` } },
    ],
    ["a CNAME target", { name: `c.${ZONE}`, ttl: 60, type: "CNAME", data: `a..${ZONE}` }],
    [
      "a name of 258 octets",
      { name: `${FITS}.${FITS}.${FITS}.${FITS}.${ZONE}`, ttl: 60, type: "A", data: "192.0.2.1" },
    ],
  ])("refuses at load a record with %s that does not fit, naming the record", (_what, bad) => {
    const records = zoneWith(bad);
    let error: unknown;
    try {
      checkZone(ZONE, records);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ZoneDataError);
    expect((error as ZoneDataError).index).toBe(records.length - 1);
    expect((error as ZoneDataError).message).toContain(
      `${bad.type} record "${bad.name.slice(0, 10)}`,
    );
  });

  it("refuses the same in a zone file, naming the line", () => {
    const text = [
      `$ORIGIN ${ZONE}.`,
      "@ 3600 IN SOA ns.primary.invalid. hostmaster 1 3600 600 604800 300",
      "@ 3600 IN NS ns.primary.invalid.",
      `${TOO_LONG} 60 IN A 192.0.2.1`,
    ].join("\n");
    expect(() => parseZoneFile(text, { origin: ZONE })).toThrow(/line 4: .*label of 80 bytes/);
  });
});

describe("a non-ASCII name on the wire", () => {
  const records = zoneWith(
    { name: `${FITS}.${ZONE}`, ttl: 60, type: "A", data: "192.0.2.7" },
    { name: `mail.${ZONE}`, ttl: 60, type: "CNAME", data: `bücher.${ZONE}` },
  );
  let primary: DnsPrimary;
  beforeAll(async () => {
    primary = await serve(records);
  });
  afterAll(() => primary?.close());

  const axfr = packet.encode({
    id: 1,
    type: "query",
    questions: [{ name: ZONE, type: "AXFR", class: "IN" }],
  });

  it("is written with its octet length, so the transfer parses", async () => {
    const outcome = await tcpExchange({
      host: "127.0.0.1",
      port: primary.port,
      message: axfr,
      timeoutMs: 2000,
    });
    expect(outcome.ok).toBe(true);
    const raw = (outcome as { response: Buffer }).response;
    const wanted = Buffer.concat([Buffer.from([60]), Buffer.from(FITS, "utf8"), Buffer.from([7])]);
    expect(raw.includes(wanted)).toBe(true); // the length octet is 60, not 30
    const names = packet
      .decode(raw)
      .answers!.map((r) => [r.name, r.type, (r as { data?: unknown }).data]);
    expect(names).toContainEqual([`${FITS}.${ZONE}`, "A", "192.0.2.7"]);
    expect(names).toContainEqual([`mail.${ZONE}`, "CNAME", `bücher.${ZONE}`]);
  });

  const kdig = "/usr/bin/kdig";
  const CI = process.env.CI === "true";
  it.skipIf(!existsSync(kdig) && !CI)("parses for kdig", async () => {
    const { stdout } = await run(
      kdig,
      ["-p", String(primary.port), "@127.0.0.1", ZONE, "AXFR", "+noidn"],
      { timeout: 10_000 },
    );
    expect(stdout).toMatch(/Received \d+ B \(1 messages, 5 records\)/);
    // kdig shows the octets of the label as \DDD escapes: 30 times c3 a9 ("é").
    expect(stdout).toContain(`${"\\195\\169".repeat(30)}.example.test.`);
    expect(stdout).not.toMatch(/malformed|failed/i);
  });

  it("a question of arbitrary octets is echoed octet for octet", async () => {
    // Labels: ff fe 80 41, "WwW" (case kept), a dot inside a label, then the zone.
    const labels = [Buffer.from([0xff, 0xfe, 0x80, 0x41]), Buffer.from("WwW"), Buffer.from("a.b")];
    const name = Buffer.concat([
      ...labels.flatMap((l) => [Buffer.from([l.length]), l]),
      ...ZONE.split(".").flatMap((l) => [Buffer.from([l.length]), Buffer.from(l)]),
      Buffer.from([0]),
    ]);
    for (const [type, transport] of [
      [1, "udp"],
      [6, "tcp"],
      [252, "tcp"],
    ] as const) {
      const question = Buffer.concat([name, Buffer.from([0, type, 0, 1])]);
      const header = Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
      const message = Buffer.concat([header, question]);
      const exchange = transport === "udp" ? udpExchange : tcpExchange;
      const outcome = await exchange({
        host: "127.0.0.1",
        port: primary.port,
        message,
        timeoutMs: 2000,
      });
      expect(outcome.ok).toBe(true);
      const response = (outcome as { response: Buffer }).response;
      expect(readHeader(response).qdcount).toBe(1);
      const echoed = response.subarray(HEADER_BYTES, skipQuestion(response, HEADER_BYTES));
      expect(echoed.toString("hex"), `type ${type}`).toBe(question.toString("hex"));
      if (type === 1) expect(readHeader(response).rcode).toBe(RCODE.NXDOMAIN);
    }
  });
});

describe("a name with escapes on the wire", () => {
  // This package's form (names.ts): `\.` is a dot inside a label, `\DDD` an octet.
  const records = zoneWith(
    { name: `a\\.b.${ZONE}`, ttl: 60, type: "A", data: "192.0.2.8" },
    { name: `x\\255y.${ZONE}`, ttl: 60, type: "CNAME", data: `t\\.\\..s\\092.${ZONE}` },
  );
  let primary: DnsPrimary;
  beforeAll(async () => {
    primary = await serve(records);
  });
  afterAll(() => primary?.close());

  it("is written as the octets its escapes stand for", async () => {
    const outcome = await tcpExchange({
      host: "127.0.0.1",
      port: primary.port,
      message: packet.encode({
        id: 2,
        type: "query",
        questions: [{ name: ZONE, type: "AXFR", class: "IN" }],
      }),
      timeoutMs: 2000,
    });
    const raw = (outcome as { response: Buffer }).response;
    const wire = (...labels: (string | number[])[]) =>
      Buffer.concat(
        labels.flatMap((l) => {
          const bytes = typeof l === "string" ? Buffer.from(l) : Buffer.from(l);
          return [Buffer.from([bytes.length]), bytes];
        }),
      );
    expect(raw.includes(wire("a.b", "example", "test"))).toBe(true);
    expect(raw.includes(wire([0x78, 0xff, 0x79], "example", "test"))).toBe(true);
    expect(raw.includes(wire("t..", "s\\", "example", "test"))).toBe(true);
    expect(packet.decode(raw).answers).toHaveLength(5);
  });

  const kdig = "/usr/bin/kdig";
  const CI = process.env.CI === "true";
  it.skipIf(!existsSync(kdig) && !CI)("reads back for kdig as the same escapes", async () => {
    const { stdout } = await run(kdig, ["-p", String(primary.port), "@127.0.0.1", ZONE, "AXFR"], {
      timeout: 10_000,
    });
    expect(stdout).toMatch(/^a\\\.b\.example\.test\.\s+60\s+IN\s+A\s+192\.0\.2\.8$/m);
    expect(stdout).toMatch(
      /^x\\255y\.example\.test\.\s+60\s+IN\s+CNAME\s+t\\\.\\\.\.s\\\\\.example\.test\.$/m,
    );
  });
});
