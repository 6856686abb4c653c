/**
 * The emulator as a DNS primary, on loopback, without outside servers: a UDP
 * socket of the test stands in for a secondary receiving NOTIFY. Knot and NSD
 * through the emulator: test/dns/emulator-secondaries.test.ts.
 */
import { createSocket, type Socket } from "node:dgram";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createSecondaryDnsClient } from "../../src/index.js";
import { startEmulator, type Emulator, type EmulatorOptions } from "../../src/emulator/index.js";
import { minimalZone, querySoa, type ZoneRecord } from "../../src/dns/index.js";
import { packet } from "../../src/dns/wire.js";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const ZONE_ID = "fedcba9876543210fedcba9876543210";
const NAME = "primary.test";
const SECRET = Buffer.from("emulator-primary-test-secret-0001").toString("base64");

let emulator: Emulator | undefined;
let socket: Socket | undefined;
let folder: string | undefined;
afterEach(async () => {
  await emulator?.close();
  socket?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
  emulator = socket = folder = undefined;
});

/** A UDP socket that records NOTIFY messages and answers each (unsigned: the emulator notes that). */
async function notifyCatcher(): Promise<{ port: number; received: Buffer[] }> {
  const received: Buffer[] = [];
  socket = createSocket("udp4");
  socket.on("message", (message, rinfo) => {
    received.push(message);
    const query = packet.decode(message);
    const answer = packet.encode({
      id: query.id,
      type: "response",
      flags: (4 << 11) | (1 << 10),
      questions: query.questions,
    });
    socket!.send(answer, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket!.bind(0, "127.0.0.1", () => resolve()));
  return { port: socket.address().port, received };
}

async function setUp(options: EmulatorOptions = {}, ip = "127.0.0.1", port?: number) {
  emulator = await startEmulator({ dnsPort: 0, seed: {}, ...options });
  const client = createSecondaryDnsClient({
    baseUrl: emulator.url,
    apiToken: "test-token",
    accountId: ACCOUNT,
  });
  const tsig = await client.tsigs.create({
    name: "primary-key.",
    algo: "hmac-sha256.",
    secret: SECRET,
  });
  const peer = await client.peers.create({
    name: "secondary",
    ip,
    ...(port !== undefined ? { port } : {}),
    tsig_id: tsig.id,
  });
  await client.outgoing.create(ZONE_ID, { name: `${NAME}.`, peers: [peer.id] });
  return { client, peer };
}

const soa = (port: number) => querySoa({ host: "127.0.0.1", port, zone: NAME, timeoutMs: 1000 });

async function until<T>(check: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("the emulator's DNS primary", () => {
  it("is off without dnsPort, and refuses a host off loopback", async () => {
    emulator = await startEmulator({ seed: {} });
    expect(emulator.dns).toBeUndefined();
    await expect(startEmulator({ host: "0.0.0.0", dnsPort: 0 })).rejects.toThrow(/loopback/);
  });

  it("answers SOA with the API's serial only once transfers are enabled; the query moves checked_time", async () => {
    const { client } = await setUp();
    const port = emulator!.dns!.port;
    expect(emulator!.dns!.host).toBe("127.0.0.1");
    expect((await soa(port)).status).toBe("refused");
    await client.outgoing.enable(ZONE_ID);
    const before = await client.outgoing.get(ZONE_ID);
    const answer = await soa(port);
    expect(answer).toMatchObject({ status: "answer", serial: before.soa_serial });
    const checked = await client.outgoing.get(ZONE_ID);
    expect(checked.checked_time > before.checked_time).toBe(true);
    expect(checked.last_transferred_time).toBe(before.last_transferred_time);
  });

  it("setRecords raises the serial (RFC 1982), the API and the wire follow, and the peer gets a signed NOTIFY", async () => {
    const catcher = await notifyCatcher();
    const { client } = await setUp({}, "127.0.0.1", catcher.port);
    await client.outgoing.enable(ZONE_ID);
    await until(() => (catcher.received.length >= 1 ? true : undefined));
    const start = (await client.outgoing.get(ZONE_ID)).soa_serial;
    const records: ZoneRecord[] = [
      ...minimalZone(NAME, 1),
      { name: `www.${NAME}`, ttl: 60, type: "A", data: "192.0.2.7" },
    ];
    const serial = await emulator!.setRecords(ZONE_ID, records);
    expect(serial).toBe((start + 1) % 2 ** 32);
    expect((await client.outgoing.get(ZONE_ID)).soa_serial).toBe(serial);
    expect(await soa(emulator!.dns!.port)).toMatchObject({ status: "answer", serial });
    await until(() => (catcher.received.length >= 2 ? true : undefined));
    const notify = packet.decode(catcher.received.at(-1)!);
    expect((notify as { opcode?: string }).opcode).toBe("NOTIFY");
    expect(notify.additionals?.some((r) => (r.type as string) === "TSIG")).toBe(true);
    const events = await until(() => {
      const found = emulator!.events().filter((e) => e.type === "notify");
      return found.length >= 2 ? found : undefined;
    });
    expect(events[0]).toMatchObject({ outcome: "answered", rcode: 0 });
    expect(JSON.stringify(emulator!.events())).not.toContain(SECRET);
    // records that are no zone: refused with the record's index, nothing changed
    await expect(
      emulator!.setRecords(ZONE_ID, [{ name: `x.other.test`, ttl: 1, type: "A", data: "1.2.3.4" }]),
    ).rejects.toThrow(/SOA/);
    expect((await client.outgoing.get(ZONE_ID)).soa_serial).toBe(serial);
  });

  it("skips NOTIFY to a peer off loopback, and the event log says so", async () => {
    const { client, peer } = await setUp({}, "192.0.2.53", 53);
    await client.outgoing.enable(ZONE_ID);
    const event = await until(() => emulator!.events().find((e) => e.type === "notify"));
    expect(event).toMatchObject({ peerId: peer.id, outcome: "skipped", attempts: 0 });
    expect((event as { reason: string }).reason).toMatch(/not a loopback address/);
  });

  it("serves a zone file, keeps its records in the state, and a changed file raises the serial at restart and on reload", async () => {
    folder = await mkdtemp(join(tmpdir(), "emulator-primary-"));
    const file = join(folder, "zone.txt");
    const stateFile = join(folder, "state.json");
    const text = (extra: string) =>
      `$TTL 300\n@ SOA ns1 hostmaster 7 3600 600 86400 300\n@ NS ns1\nns1 A 192.0.2.1\n${extra}`;
    await writeFile(file, text(""));
    const { client } = await setUp({ zoneFiles: { [ZONE_ID]: file }, stateFile });
    await client.outgoing.enable(ZONE_ID);
    const first = (await client.outgoing.get(ZONE_ID)).soa_serial;
    expect(first).toBeGreaterThan(7); // the date serial is later than the file's 7
    await emulator!.close();

    emulator = await startEmulator({ dnsPort: 0, zoneFiles: { [ZONE_ID]: file }, stateFile });
    const same = createSecondaryDnsClient({ baseUrl: emulator.url, apiToken: "t" });
    expect((await same.outgoing.get(ZONE_ID)).soa_serial).toBe(first); // same file, same serial
    expect(await soa(emulator.dns!.port)).toMatchObject({ serial: first });
    await emulator.close();

    await writeFile(file, text("www A 192.0.2.2\n"));
    emulator = await startEmulator({ dnsPort: 0, zoneFiles: { [ZONE_ID]: file }, stateFile });
    const c = createSecondaryDnsClient({ baseUrl: emulator.url, apiToken: "t" });
    expect((await c.outgoing.get(ZONE_ID)).soa_serial).toBe(first + 1);

    await writeFile(file, text("www A 192.0.2.3\n"));
    expect(await emulator.reloadZoneFiles()).toEqual([
      { zoneId: ZONE_ID, serial: first + 2, changed: true },
    ]);
    expect((await c.outgoing.get(ZONE_ID)).soa_serial).toBe(first + 2);
    expect(await emulator.reloadZoneFiles()).toEqual([
      { zoneId: ZONE_ID, serial: first + 2, changed: false },
    ]);
  });

  it("refuses to start with a zone file it cannot use, naming the file and the line", async () => {
    folder = await mkdtemp(join(tmpdir(), "emulator-primary-"));
    const stateFile = join(folder, "state.json");
    const file = join(folder, "bad.zone");
    await setUp({ stateFile });
    await emulator!.close();
    emulator = undefined;
    await writeFile(file, "$TTL 300\n@ SOA ns1 hostmaster 1 1 1 1 1\n@ NS ns1\nwww A 999.0.0.1\n");
    await expect(startEmulator({ zoneFiles: { [ZONE_ID]: file }, stateFile })).rejects.toThrow(
      `${file}, line 4`,
    );
    await expect(
      startEmulator({ zoneFiles: { [ZONE_ID]: join(folder, "missing.zone") } }),
    ).rejects.toThrow(/missing\.zone.*ENOENT/);
  });
});
