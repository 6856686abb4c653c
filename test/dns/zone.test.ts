import { describe, expect, it } from "vitest";
import {
  ZoneDataError,
  ZoneFileError,
  checkZone,
  minimalZone,
  parseTtl,
  parseZoneFile,
  toWire,
  type ZoneRecord,
} from "../../src/dns/zone.js";

const ZONE = `
$ORIGIN example.test.
$TTL 1h
; the apex
@   IN  SOA ns1 hostmaster (
        2026112801 ; serial
        2h 15m 2w  ; refresh retry expire
        300 )      ; minimum
    IN  NS  ns1
    IN  NS  ns2.other.test.
    IN  MX  10 mail
ns1 300 IN A 192.0.2.53
    IN  AAAA 2001:db8::53
www IN 600 CNAME @
mail A 192.0.2.25
txt TXT "v=spf1 -all" "two; strings" plain
_sip._tcp SRV 10 5 5060 sip.example.test.
`;

describe("zone file parser", () => {
  it("reads the supported subset: directives, @, relative names, blank owners, parentheses, comments", () => {
    const zone = parseZoneFile(ZONE);
    expect(zone.origin).toBe("example.test");
    expect(zone.soa).toEqual({
      mname: "ns1.example.test",
      rname: "hostmaster.example.test",
      serial: 2026112801,
      refresh: 7200,
      retry: 900,
      expire: 1209600,
      minimum: 300,
    });
    const line = (name: string, type: string) =>
      zone.records.filter((r) => r.name === name && r.type === type);
    expect(line("example.test", "NS").map((r) => r.data)).toEqual([
      "ns1.example.test",
      "ns2.other.test",
    ]);
    expect(line("example.test", "MX")[0]).toEqual({
      name: "example.test",
      ttl: 3600,
      type: "MX",
      data: { preference: 10, exchange: "mail.example.test" },
    });
    expect(line("ns1.example.test", "A")[0]).toMatchObject({ ttl: 300, data: "192.0.2.53" });
    expect(line("ns1.example.test", "AAAA")[0]).toMatchObject({ ttl: 3600, data: "2001:db8::53" }); // $TTL, not the previous record's
    expect(line("www.example.test", "CNAME")[0]).toMatchObject({ ttl: 600, data: "example.test" });
    expect(line("txt.example.test", "TXT")[0]!.data).toEqual([
      "v=spf1 -all",
      "two; strings",
      "plain",
    ]);
    expect(line("_sip._tcp.example.test", "SRV")[0]!.data).toEqual({
      priority: 10,
      weight: 5,
      port: 5060,
      target: "sip.example.test",
    });
    expect(zone.records).toHaveLength(10);
  });

  it("takes the origin from the caller when the file has no $ORIGIN", () => {
    const zone = parseZoneFile("@ 60 IN SOA ns hm 1 2 3 4 5\n@ 60 NS ns\n", {
      origin: "Other.Test.",
    });
    expect(zone.origin).toBe("other.test");
    expect(zone.records[1]).toEqual({
      name: "other.test",
      ttl: 60,
      type: "NS",
      data: "ns.other.test",
    });
  });

  it.each([
    [
      "$ORIGIN example.test.\n$TTL 60\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\nbad A 300.1.1.1\n",
      5,
      "A needs an IPv4 address",
    ],
    [
      "$ORIGIN example.test.\n$TTL 60\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\nx LOC 1 2 3\n",
      5,
      "record type LOC is not supported",
    ],
    ["$ORIGIN example.test.\n$INCLUDE other\n", 2, "$INCLUDE is not supported"],
    ["$ORIGIN example.test.\n@ SOA ns hm 1 2 3 4 5\n", 2, "no TTL"],
    ["$ORIGIN example.test.\n$TTL 60\n@ SOA ns hm (1 2 3\n 4 5\n", 3, "'(' is never closed"],
    ['$ORIGIN example.test.\n$TTL 60\n@ TXT "open\n', 3, "quoted string is not closed"],
    ["$ORIGIN example.test.\n$TTL 60\n@ CH TXT x\n", 3, "class CH is not supported"],
    ["$TTL 60\nwww A 192.0.2.1\n", 2, "used before any $ORIGIN"],
    ["$ORIGIN example.test.\n$TTL 60\n@ MX ten mail\n", 3, "MX preference must be a number"],
    ["$ORIGIN example.test.\n$TTL 60\n@ SOA ns hm 1 2 3 4\n", 3, "SOA needs 7 fields, got 6"],
    ["$ORIGIN example.test.\n$TTL 60\n@ NS ns\n", 3, "exactly one SOA record, found 0"],
    [
      "$ORIGIN example.test.\n$TTL 60\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\nwww.other.test. A 192.0.2.1\n",
      5,
      'record "www.other.test" is outside the zone',
    ],
    ["$ORIGIN example.test.\n$TTL 60\n@ SOA ns hm 1 2 3 4 5\n", 3, "no NS record at its origin"],
    [`$ORIGIN example.test.\n$TTL 60\n${"a".repeat(64)} A 192.0.2.1\n`, 3, "label of 64 bytes"],
  ])("names the line of a problem (%#)", (text, line, reason) => {
    const error = (() => {
      try {
        parseZoneFile(text, { source: "zones/example.test" });
      } catch (e) {
        return e;
      }
      throw new Error("parsed");
    })() as ZoneFileError;
    expect(error).toBeInstanceOf(ZoneFileError);
    expect(error.line).toBe(line);
    expect(error.message).toContain(`zones/example.test, line ${line}: `);
    expect(error.message).toContain(reason);
  });

  it("reads TTL units", () => {
    expect(parseTtl("3600")).toBe(3600);
    expect(parseTtl("1h30m")).toBe(5400);
    expect(parseTtl("1W")).toBe(604800);
    expect(parseTtl("1x")).toBeUndefined();
    expect(parseTtl("4294967296")).toBeUndefined();
  });

  it("derives a minimal zone (SOA + NS) from the zone's name, which parses back the same", () => {
    const records = minimalZone("Example.Test.", 42);
    expect(records.map((r) => r.type)).toEqual(["SOA", "NS"]);
    expect(records[0]).toMatchObject({
      name: "example.test",
      data: { serial: 42, rname: "hostmaster.example.test" },
    });
    const text = records
      .map((r) =>
        r.type === "SOA"
          ? `${r.name}. ${r.ttl} IN SOA ${r.data.mname}. ${r.data.rname}. ${r.data.serial} ${r.data.refresh} ${r.data.retry} ${r.data.expire} ${r.data.minimum}`
          : `${r.name}. ${r.ttl} IN ${r.type} ${String(r.data)}.`,
      )
      .join("\n");
    expect(parseZoneFile(text).records).toEqual(records);
    expect(() => minimalZone("example.test", -1)).toThrow(RangeError);
  });
});

describe("checkZone (records given by a program)", () => {
  const base = minimalZone("example.test", 1);

  it("accepts a zone and returns its SOA", () => {
    expect(
      checkZone("example.test.", [
        ...base,
        { name: "www.example.test", ttl: 60, type: "A", data: "192.0.2.1" },
      ]),
    ).toMatchObject({ serial: 1 });
  });

  it.each([
    [[base[1]!], undefined, "exactly one SOA record, found 0"],
    [[...base, base[0]!], 2, "exactly one SOA record, found 2"],
    [[base[0]!], 0, "no NS record at its origin"],
    [
      [...base, { name: "www.other.test", ttl: 60, type: "A" as const, data: "192.0.2.1" }],
      2,
      "outside the zone",
    ],
    [
      [...base, { name: "www.example.test", ttl: 60, type: "A" as const, data: "not-an-ip" }],
      2,
      'A record "www.example.test" needs an IPv4 address',
    ],
  ])("names the record at fault (%#)", (records, index, reason) => {
    const error = (() => {
      try {
        checkZone("example.test", records);
      } catch (e) {
        return e as ZoneDataError;
      }
      throw new Error("accepted");
    })();
    expect(error).toBeInstanceOf(ZoneDataError);
    expect(error.index).toBe(index);
    expect(error.message).toContain(reason);
  });

  it("never changes the records it checks or encodes", () => {
    const records: ZoneRecord[] = [
      ...base,
      { name: "t.example.test", ttl: 60, type: "TXT", data: ["a", "b"] },
    ];
    const before = JSON.stringify(records);
    checkZone("example.test", records);
    toWire(records);
    expect(JSON.stringify(records)).toBe(before);
  });
});
