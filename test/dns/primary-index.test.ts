/**
 * Queries are answered from an index of the zone's records by owner name
 * (issue 17, item 7): the answers are those a pass over every record gives,
 * the index follows the source when its records change, and a query no longer
 * reads every record of the zone. Timings: bench/ (primary under abuse).
 */
import { afterEach, describe, expect, it } from "vitest";
import { udpExchange } from "../../src/dns/exchange.js";
import { startDnsPrimary, type DnsPrimary, type ZoneView } from "../../src/dns/primary.js";
import { RCODE, packet, readHeader } from "../../src/dns/wire.js";
import { minimalZone, type ZoneRecord } from "../../src/dns/zone.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { createSecondaryDnsClient } from "../../src/index.js";

const ZONE = "index.test";

let primary: DnsPrimary | undefined;
let emulator: Emulator | undefined;
afterEach(async () => {
  await primary?.close();
  await emulator?.close();
  primary = emulator = undefined;
});

function view(records: readonly ZoneRecord[]): ZoneView {
  return { zoneId: "z", name: ZONE, records, serial: 9, transfersEnabled: true, peers: [] };
}

async function ask(port: number, name: string, type: string) {
  const message = packet.encode({
    id: 3,
    type: "query",
    flags: 0,
    questions: [{ name, type: type as "A", class: "IN" }],
  });
  const outcome = await udpExchange({ host: "127.0.0.1", port, message, timeoutMs: 2000 });
  if (!outcome.ok) throw new Error(`no answer: ${outcome.failure}`);
  const decoded = packet.decode(outcome.response);
  return {
    rcode: readHeader(outcome.response).rcode,
    answers: (decoded.answers ?? []).map(
      (a) => `${a.name} ${a.type} ${JSON.stringify((a as { data?: unknown }).data)}`,
    ),
    authorities: (decoded.authorities ?? []).map((a) => `${a.name} ${a.type}`),
  };
}

const soaRecord = minimalZone(ZONE, 9)[0]!;
const RECORDS: ZoneRecord[] = [
  { name: `www.${ZONE}.`, ttl: 60, type: "A", data: "192.0.2.1" },
  { name: `WWW.Index.Test`, ttl: 60, type: "A", data: "192.0.2.2" },
  { name: `www.${ZONE}`, ttl: 60, type: "AAAA", data: "2001:db8::1" },
  { name: ZONE, ttl: 60, type: "A", data: "192.0.2.9" },
  ...minimalZone(ZONE, 9).slice(1), // NS at the apex
  soaRecord, // the SOA need not come first
];

describe("answers from the index of owner names", () => {
  it("are those a pass over every record gives: case, apex, ANY, NODATA, NXDOMAIN", async () => {
    let records = RECORDS;
    primary = await startDnsPrimary({
      source: { zone: (name) => (name === ZONE ? view(records) : undefined) },
    });
    const port = primary.port;
    expect(await ask(port, `www.${ZONE}`, "A")).toEqual({
      rcode: RCODE.NOERROR,
      answers: [`www.${ZONE} A "192.0.2.1"`, `WWW.Index.Test A "192.0.2.2"`],
      authorities: [],
    });
    expect((await ask(port, `WwW.${ZONE}.`, "ANY")).answers).toHaveLength(3);
    expect(await ask(port, `www.${ZONE}`, "TXT")).toEqual({
      rcode: RCODE.NOERROR,
      answers: [],
      authorities: [`${ZONE} SOA`],
    });
    expect((await ask(port, `nope.${ZONE}`, "A")).rcode).toBe(RCODE.NXDOMAIN);
    expect((await ask(port, ZONE, "SOA")).answers).toEqual([expect.stringMatching(/ SOA /)]);
    expect((await ask(port, ZONE, "A")).answers).toEqual([`${ZONE} A "192.0.2.9"`]);
    expect((await ask(port, ZONE, "ANY")).answers.map((a) => a.split(" ")[1])).toEqual([
      "SOA",
      "A",
      "NS",
    ]);

    // New records from the source: the index follows (a new array, or a longer one).
    records = [...RECORDS.slice(2), { name: `new.${ZONE}`, ttl: 60, type: "A", data: "192.0.2.7" }];
    expect((await ask(port, `www.${ZONE}`, "A")).answers).toEqual([]);
    expect((await ask(port, `new.${ZONE}`, "A")).answers).toEqual([`new.${ZONE} A "192.0.2.7"`]);
    records.push({ name: `later.${ZONE}`, ttl: 60, type: "A", data: "192.0.2.8" });
    expect((await ask(port, `later.${ZONE}`, "A")).rcode).toBe(RCODE.NOERROR);
  });

  it("a query reads the zone's records once for the index, not once per query", async () => {
    const records: ZoneRecord[] = [...minimalZone(ZONE, 9)];
    for (let i = 0; i < 5000; i++)
      records.push({ name: `h${i}.${ZONE}`, ttl: 60, type: "A", data: "192.0.2.1" });
    let reads = 0;
    const counted = new Proxy(records, {
      get(target, key, receiver) {
        if (typeof key === "string" && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    primary = await startDnsPrimary({
      source: { zone: (name) => (name === ZONE ? view(counted) : undefined) },
    });
    for (let i = 0; i < 50; i++) {
      expect((await ask(primary.port, `h${i}.${ZONE}`, "A")).answers).toHaveLength(1);
    }
    // A pass per query would be 50 x 5002 reads.
    expect(reads).toBeLessThan(3 * records.length);
  });

  it("in the emulator, setRecords replaces what the index answers", async () => {
    emulator = await startEmulator({ dnsPort: 0, seed: {} });
    const client = createSecondaryDnsClient({
      baseUrl: emulator.url,
      apiToken: "t",
      accountId: "0123456789abcdef0123456789abcdef",
    });
    const zoneId = "fedcba9876543210fedcba9876543210";
    await client.outgoing.create(zoneId, { name: `${ZONE}.`, peers: [] });
    await client.outgoing.enable(zoneId);
    const port = emulator.dns!.port;
    await emulator.setRecords(zoneId, [
      ...minimalZone(ZONE, 1),
      { name: `a.${ZONE}`, ttl: 60, type: "A", data: "192.0.2.1" },
    ]);
    expect((await ask(port, `a.${ZONE}`, "A")).answers).toEqual([`a.${ZONE} A "192.0.2.1"`]);
    await emulator.setRecords(zoneId, [
      ...minimalZone(ZONE, 2),
      { name: `b.${ZONE}`, ttl: 60, type: "A", data: "192.0.2.2" },
    ]);
    expect((await ask(port, `a.${ZONE}`, "A")).rcode).toBe(RCODE.NXDOMAIN);
    expect((await ask(port, `b.${ZONE}`, "A")).answers).toEqual([`b.${ZONE} A "192.0.2.2"`]);
    // A renamed zone is found by its new name only.
    await client.outgoing.update(zoneId, { name: `other.${ZONE}.`, peers: [] });
    expect((await ask(port, `a.${ZONE}`, "A")).rcode).toBe(RCODE.REFUSED);
    expect((await ask(port, `other.${ZONE}`, "SOA")).rcode).toBe(RCODE.NOERROR);
  });
});
