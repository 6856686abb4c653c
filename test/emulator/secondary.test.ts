/**
 * The emulator's secondary controller (src/emulator/secondary.ts) with this
 * package's own DNS primary as the zone's primary: NOTIFY on the emulator's
 * DNS port (signed, from the primary's address; refused from elsewhere unless
 * an ACL covers it; a bad signature answered BADSIG), transfers of the
 * secondary zone to its primary's address with its key only, a restart that
 * serves the stored zone, remove, and a primary off loopback skipped.
 */
import { createSocket } from "node:dgram";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { pullZone } from "../../src/dns/pull.js";
import { startDnsPrimary, type DnsPrimary, type ZoneView } from "../../src/dns/primary.js";
import { querySoa } from "../../src/dns/query.js";
import { findTsig, signMessage, TsigKey, TSIG_ERROR } from "../../src/dns/tsig.js";
import { FLAG, OPCODE, RCODE, packet, readHeader } from "../../src/dns/wire.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import {
  Secondary,
  incomingPrimaries,
  type IncomingZoneConfig,
} from "../../src/emulator/secondary.js";
import { Store } from "../../src/emulator/store.js";
import { createSecondaryDnsClient } from "../../src/index.js";
import { describeEvent } from "../../src/cli/emulator.js";
import { waitFor } from "../dns/servers.js";
import { ZONE, zoneRecords } from "../dns/pull-server.js";

const TSIG = {
  name: "sec-key.",
  algorithm: "hmac-sha256.",
  secret: Buffer.alloc(32, 5).toString("base64"),
} as const;
const ZONE_ID = "5".repeat(32);
const ACCOUNT = "0123456789abcdef0123456789abcdef";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A primary whose serial the test moves; it sends NOTIFY to `notifyPort` (the emulator's DNS). */
async function primary(view: { serial: number }, notifyPort: number): Promise<DnsPrimary> {
  const source = {
    zone: (name: string): ZoneView | undefined =>
      name === ZONE
        ? {
            zoneId: "p",
            name: ZONE,
            records: zoneRecords(view.serial, 2),
            serial: view.serial,
            transfersEnabled: true,
            peers: [{ id: "emulator", ip: "127.0.0.1", port: notifyPort, tsig: TSIG }],
          }
        : undefined,
  };
  const started = await startDnsPrimary({ source });
  closers.push(() => started.close());
  return started;
}

async function emulator(stateFile?: string): Promise<Emulator> {
  const started = await startEmulator({ dnsPort: 0, seed: {}, stateFile });
  closers.push(() => started.close());
  return started;
}

function config(port: number, ip = "127.0.0.1"): IncomingZoneConfig {
  return {
    zoneId: ZONE_ID,
    name: ZONE,
    autoRefreshSeconds: 3600,
    primaries: [{ peerId: "p1", ip, port, ixfr: false, tsig: TSIG }],
  };
}

async function served(emu: Emulator): Promise<number | undefined> {
  const answer = await querySoa({ ...emu.dns!, zone: ZONE, timeoutMs: 500 });
  return answer.status === "answer" ? answer.serial : undefined;
}

const serialIs = (emu: Emulator, serial: number) =>
  waitFor(
    `serial ${serial}`,
    async () => ((await served(emu)) === serial ? true : undefined),
    5000,
  );

/** Sends a NOTIFY for the zone from `source` (a loopback address), signed with `key` if given; the rcode and TSIG error. */
async function notifyFrom(emu: Emulator, source: string, key?: TsigKey) {
  let message = packet.encode({
    id: 777,
    type: "query",
    flags: (OPCODE.NOTIFY << 11) | FLAG.AA,
    questions: [{ name: ZONE, type: "SOA", class: "IN" }],
  });
  if (key) ({ message } = signMessage(message, key, { kind: "request" }));
  const socket = createSocket("udp4");
  closers.push(() => new Promise((resolve) => socket.close(() => resolve())));
  await new Promise<void>((resolve) => socket.bind(0, source, () => resolve()));
  const answer = new Promise<Buffer>((resolve) => socket.once("message", resolve));
  socket.send(message, emu.dns!.port, emu.dns!.host);
  const response = await answer;
  return { rcode: readHeader(response).rcode, tsigError: findTsig(response)?.error };
}

describe("the emulator as a secondary", () => {
  it("pulls, follows a signed NOTIFY from its primary, and serves transfers to the primary's address with its key only", async () => {
    const emu = await emulator();
    const view = { serial: 20 };
    const source = await primary(view, emu.dns!.port);
    emu.secondary.configure(config(source.port));
    await serialIs(emu, 20);

    view.serial = 21;
    const [sent] = await source.notify(ZONE);
    expect(sent).toMatchObject({ outcome: "answered", rcode: RCODE.NOERROR });
    expect(sent!.reason).toBeUndefined(); // the answer was signed, and verified
    await serialIs(emu, 21);

    const dns = { ip: emu.dns!.host, port: emu.dns!.port };
    const signed = await pullZone({ zone: ZONE, primary: { ...dns, tsig: TSIG } });
    expect(signed).toMatchObject({ status: "pulled", serial: 21 });
    const unsigned = await pullZone({ zone: ZONE, primary: dns });
    expect(unsigned).toMatchObject({ status: "failed", reason: "notauth" });
  });

  it("refuses NOTIFY from an address that is no primary until an ACL covers it, and answers a bad signature BADSIG", async () => {
    const emu = await emulator();
    const source = await primary({ serial: 5 }, emu.dns!.port);
    emu.secondary.configure(config(source.port));
    await serialIs(emu, 5);

    expect(await notifyFrom(emu, "127.0.0.2")).toMatchObject({ rcode: RCODE.REFUSED });
    expect(emu.secondary.notify(ZONE, "127.0.0.2")).toBe(false);
    const client = createSecondaryDnsClient({
      apiToken: "t",
      baseUrl: emu.url,
      accountId: ACCOUNT,
    });
    await client.acls.create({ name: "loopback-2", ip_range: "127.0.0.2/32" });
    expect(await notifyFrom(emu, "127.0.0.2")).toMatchObject({ rcode: RCODE.NOERROR });
    expect(emu.secondary.notify(ZONE, "127.0.0.3")).toBe(false);

    const wrong = new TsigKey({ ...TSIG, secret: Buffer.alloc(32, 6).toString("base64") });
    expect(await notifyFrom(emu, "127.0.0.1", wrong)).toEqual({
      rcode: RCODE.NOTAUTH,
      tsigError: TSIG_ERROR.BADSIG,
    });
    expect(await notifyFrom(emu, "127.0.0.1", new TsigKey(TSIG))).toMatchObject({
      rcode: RCODE.NOERROR,
    });
    const notices = emu.events().filter((e) => e.type === "incoming-notify");
    expect(notices.map((e) => (e as { accepted: boolean }).accepted)).toEqual([
      false,
      false,
      true,
      false,
      true,
    ]);
  });

  it("serves the stored zone after a restart, and forgets it on remove", async () => {
    const folder = mkdtempSync(join(tmpdir(), "secondary-state-"));
    closers.push(async () => rmSync(folder, { recursive: true, force: true }));
    const stateFile = join(folder, "state.json");
    const first = await emulator(stateFile);
    const source = await primary({ serial: 33 }, first.dns!.port);
    first.secondary.configure(config(source.port));
    await serialIs(first, 33);
    await first.close();

    const second = await emulator(stateFile);
    expect(await served(second)).toBe(33); // not configured again: served from the state
    expect(second.secondary.state(ZONE_ID)).toMatchObject({ serial: 33 });
    second.secondary.remove(ZONE_ID);
    expect(await served(second)).toBeUndefined();
    expect(second.secondary.state(ZONE_ID)).toBeUndefined();
  });

  it("refreshes every autoRefreshSeconds without NOTIFY", async () => {
    const emu = await emulator();
    const view = { serial: 40 };
    const source = await primary(view, emu.dns!.port);
    emu.secondary.configure({ ...config(source.port), autoRefreshSeconds: 1 });
    await serialIs(emu, 40);
    view.serial = 41; // no NOTIFY is sent
    await serialIs(emu, 41);
  });

  it("closes without waiting for a primary that never answers", async () => {
    const emu = await startEmulator({ dnsPort: 0, seed: {} });
    const silent = createSocket("udp4");
    closers.push(() => new Promise((resolve) => silent.close(() => resolve())));
    await new Promise<void>((resolve) => silent.bind(0, "127.0.0.1", () => resolve()));
    emu.secondary.configure(config(silent.address().port));
    await new Promise((resolve) => setTimeout(resolve, 100)); // the SOA query is under way
    const closed = emu.close().then(() => "closed");
    const late = new Promise((resolve) => setTimeout(() => resolve("still waiting"), 3000));
    expect(await Promise.race([closed, late])).toBe("closed"); // the query's own timeout is 5 s
    expect(emu.events().filter((e) => e.type === "incoming")).toEqual([]);
  });

  it("skips a primary off loopback with an event, and serves nothing", async () => {
    const emu = await emulator();
    emu.secondary.configure(config(53, "192.0.2.53"));
    const skipped = await waitFor(
      "the skip",
      async () => emu.events().find((e) => e.type === "incoming"),
      5000,
    );
    expect(skipped).toMatchObject({ outcome: "skipped", primary: "192.0.2.53:53" });
    expect(describeEvent(skipped)).toMatch(
      /incoming zone 5+ \(pull\.test\) from p1 at 192\.0\.2\.53:53: skipped: 192\.0\.2\.53 is not a loopback address/,
    );
    expect(emu.secondary.state(ZONE_ID)?.lastError).toContain("skipped");
    expect(await served(emu)).toBeUndefined();
  });

  it("builds a zone's primaries from its peers: ip, port, ixfr_enable and TSIG; a missing TSIG fails closed", async () => {
    const store = await Store.open();
    store.set("tsigs", ACCOUNT, [
      { id: "t1", name: "k1.", algo: "hmac-sha256.", secret: TSIG.secret },
    ]);
    store.set("peers", ACCOUNT, [
      { id: "a", name: "a", ip: "127.0.0.1", port: 5300, ixfr_enable: true, tsig_id: "t1" },
      { id: "b", name: "b", ip: "127.0.0.2" },
      { id: "c", name: "c" },
      { id: "d", name: "d", ip: "127.0.0.4", tsig_id: "gone" },
    ]);
    const primaries = incomingPrimaries(store, ["a", "b", "c", "d", "nope"]);
    expect(primaries).toEqual([
      {
        peerId: "a",
        ip: "127.0.0.1",
        port: 5300,
        ixfr: true,
        tsig: { name: "k1.", algorithm: "hmac-sha256.", secret: TSIG.secret },
      },
      { peerId: "b", ip: "127.0.0.2", port: 53, ixfr: false },
      {
        peerId: "d",
        ip: "127.0.0.4",
        port: 53,
        ixfr: false,
        tsig: { name: "missing-gone", algorithm: "hmac-sha256.", secret: "" },
      },
    ]);
    const result = await pullZone({ zone: ZONE, primary: primaries[2]! });
    expect(result).toMatchObject({ status: "failed", reason: "bad-key" });
  });

  it("resumes the incoming zones a collection of the state holds", async () => {
    const emu = await emulator();
    const source = await primary({ serial: 61 }, emu.dns!.port);
    const store = await Store.open();
    store.set("tsigs", ACCOUNT, [
      { id: "t1", name: TSIG.name, algo: TSIG.algorithm, secret: TSIG.secret },
    ]);
    store.set("peers", ACCOUNT, [
      { id: "a", name: "a", ip: "127.0.0.1", port: source.port, tsig_id: "t1" },
    ]);
    store.set("incoming", ZONE_ID, { name: `${ZONE}.`, peers: ["a"], auto_refresh_seconds: 3600 });
    const secondary = new Secondary({ store, log: () => {} });
    closers.push(() => secondary.close());
    secondary.resumeFrom("incoming");
    await waitFor("the resumed pull", async () => secondary.state(ZONE_ID)?.serial, 5000);
    expect(secondary.state(ZONE_ID)).toMatchObject({ serial: 61 });
    expect(secondary.zone(ZONE)).toMatchObject({ zoneId: ZONE_ID, serial: 61 });
  });
});
