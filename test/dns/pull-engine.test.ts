/**
 * The pull engine (src/dns/pull.ts) against this package's own primary and
 * against a scripted one: signed AXFR in many messages, IXFR answered in AXFR
 * form and as differences, up to date, and each failure typed: BADSIG (from the
 * primary, and mid-stream), unsigned messages between signed ones (allowed, but
 * not last), malformed, oversized, timeout, refused, and non-loopback skipped.
 */
import { afterEach, describe, expect, it } from "vitest";
import { pullZone, type PullResult } from "../../src/dns/pull.js";
import { startDnsPrimary, type DnsPrimary, type ZoneView } from "../../src/dns/primary.js";
import { TsigKey } from "../../src/dns/tsig.js";
import type { ZoneRecord } from "../../src/dns/zone.js";
import {
  ZONE,
  framed,
  response,
  scriptedPrimary,
  signRun,
  soa,
  zoneRecords,
  type Script,
  type ScriptedPrimary,
} from "./pull-server.js";

const SECRET = Buffer.alloc(32, 7).toString("base64");
const TSIG = { name: "pull-key.", algorithm: "hmac-sha256.", secret: SECRET };
const WRONG = { ...TSIG, secret: Buffer.alloc(32, 9).toString("base64") };
const KEY = new TsigKey(TSIG);

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function ownPrimary(records: ZoneRecord[], serial: number): Promise<DnsPrimary> {
  const view: ZoneView = {
    zoneId: "z",
    name: ZONE,
    records,
    serial,
    transfersEnabled: true,
    peers: [{ id: "us", ip: "127.0.0.1", tsig: TSIG }],
  };
  const primary = await startDnsPrimary({
    source: { zone: (name) => (name === ZONE ? view : undefined) },
    transferMessageBytes: 200,
  });
  closers.push(() => primary.close());
  return primary;
}

async function scripted(script: Script, serial = 10): Promise<ScriptedPrimary> {
  const primary = await scriptedPrimary({ serial, key: KEY, script });
  closers.push(() => primary.close());
  return primary;
}

function failed(result: PullResult) {
  expect(result.status, JSON.stringify(result)).toBe("failed");
  return result as Extract<PullResult, { status: "failed" }>;
}

describe("pulling from this package's primary", () => {
  it("pulls a signed AXFR of many messages, then finds itself up to date", async () => {
    const records = zoneRecords(7, 40);
    const primary = await ownPrimary(records, 7);
    const target = { ip: "127.0.0.1", port: primary.port, tsig: TSIG };
    const result = await pullZone({ zone: ZONE, primary: target });
    expect(result.status).toBe("pulled");
    if (result.status !== "pulled") return;
    expect(result.kind).toBe("AXFR");
    expect(result.messages).toBeGreaterThan(3);
    expect(result.serial).toBe(7);
    expect(result.records).toHaveLength(records.length);
    expect(result.records).toContainEqual({
      name: "h39.pull.test",
      ttl: 300,
      type: "A",
      data: "192.0.2.40",
    });
    const again = await pullZone({
      zone: ZONE,
      primary: target,
      serial: 7,
      records: result.records,
    });
    expect(again).toEqual({ status: "up-to-date", serial: 7, primarySerial: 7 });
  });

  it("takes an IXFR answered in AXFR form", async () => {
    const primary = await ownPrimary(zoneRecords(9, 5), 9);
    const result = await pullZone({
      zone: ZONE,
      primary: { ip: "127.0.0.1", port: primary.port, tsig: TSIG, ixfr: true },
      serial: 8,
      records: zoneRecords(8, 2),
    });
    expect(result).toMatchObject({ status: "pulled", kind: "IXFR", form: "full", serial: 9 });
  });

  it("names BADSIG when the primary does not accept our secret", async () => {
    const primary = await ownPrimary(zoneRecords(7), 7);
    const result = failed(
      await pullZone({ zone: ZONE, primary: { ip: "127.0.0.1", port: primary.port, tsig: WRONG } }),
    );
    expect(result.reason).toBe("BADSIG");
    expect(result.step).toBe("soa");
    expect(result.detail).not.toContain(WRONG.secret);
  });
});

describe("pulling from a scripted primary", () => {
  const axfr = (serial: number, hosts: number, perMessage: number) => {
    const records = zoneRecords(serial, hosts);
    const all = [...records, soa(serial)];
    const runs: ZoneRecord[][] = [];
    for (let i = 0; i < all.length; i += perMessage) runs.push(all.slice(i, i + perMessage));
    return runs;
  };
  const send =
    (plan: ("sign" | "none" | "wrong")[], runs: ZoneRecord[][]): Script =>
    (socket, request) => {
      const messages = runs.map((answers, i) => response(request, answers, i === 0));
      const wrong = new TsigKey(WRONG);
      for (const message of signRun(messages, request, KEY, plan, wrong))
        socket.write(framed(message));
    };

  /** The zone's start, then messages of `hosts` A records every `everyMs`, never the closing SOA. */
  const flood =
    (hosts: number, everyMs: number): Script =>
    (socket, request) => {
      socket.write(framed(response(request, zoneRecords(10, 0), true)));
      const more = framed(response(request, zoneRecords(10, hosts).slice(2), false));
      const timer = setInterval(
        () => (socket.destroyed ? clearInterval(timer) : socket.write(more)),
        everyMs,
      );
    };

  it("accepts unsigned messages between signed ones, folded into the running MAC", async () => {
    const runs = axfr(10, 6, 2); // 5 messages
    const primary = await scripted(send(["sign", "none", "none", "sign", "sign"], runs));
    const result = await pullZone({
      zone: ZONE,
      primary: { ip: "127.0.0.1", port: primary.port, tsig: TSIG },
    });
    expect(result).toMatchObject({ status: "pulled", serial: 10, messages: 5 });
  });

  it("fails BADSIG when a message mid-stream is signed with another key, or the last is unsigned", async () => {
    const runs = axfr(10, 6, 2);
    for (const plan of [
      ["sign", "sign", "wrong", "sign", "sign"],
      ["sign", "sign", "sign", "sign", "none"],
      ["none", "sign", "sign", "sign", "sign"],
    ] as ("sign" | "none" | "wrong")[][]) {
      const primary = await scripted(send(plan, runs));
      const result = failed(
        await pullZone({
          zone: ZONE,
          primary: { ip: "127.0.0.1", port: primary.port, tsig: TSIG },
        }),
      );
      expect(result.reason, plan.join(",")).toBe("BADSIG");
      expect(result.step).toBe("transfer");
    }
  });

  it("applies IXFR differences to the zone held", async () => {
    const held = zoneRecords(10, 2); // h0 192.0.2.1, h1 192.0.2.2
    const h1 = held[3]!;
    const h5: ZoneRecord = { name: "h5.pull.test", ttl: 300, type: "A", data: "192.0.2.55" };
    const h6: ZoneRecord = { name: "h6.pull.test", ttl: 300, type: "A", data: "192.0.2.66" };
    const answers = [soa(12), soa(10), h1, soa(11), h5, soa(11), soa(12), h6, soa(12)];
    const primary = await scripted(
      send(["sign", "sign"], [answers.slice(0, 4), answers.slice(4)]),
      12,
    );
    const result = await pullZone({
      zone: ZONE,
      primary: { ip: "127.0.0.1", port: primary.port, tsig: TSIG, ixfr: true },
      serial: 10,
      records: held,
    });
    expect(result).toMatchObject({
      status: "pulled",
      kind: "IXFR",
      form: "incremental",
      serial: 12,
    });
    if (result.status !== "pulled") return;
    const names = result.records
      .filter((r) => r.type === "A")
      .map((r) => r.name)
      .sort();
    expect(names).toEqual(["h0.pull.test", "h5.pull.test", "h6.pull.test"]);
  });

  it("takes an IXFR answered by the SOA alone as up to date", async () => {
    const primary = await scripted(send(["sign"], [[soa(10)]]), 11);
    const result = await pullZone({
      zone: ZONE,
      primary: { ip: "127.0.0.1", port: primary.port, tsig: TSIG, ixfr: true },
      serial: 10,
      records: zoneRecords(10),
    });
    expect(result).toEqual({ status: "up-to-date", serial: 10, primarySerial: 10 });
    expect(primary.transfers).toBe(1);
  });

  it("fails malformed for a message that cannot be read, and for differences that do not follow on", async () => {
    const garbage = await scripted((socket, request) => {
      const head = response(request, [], true).subarray(0, 12);
      head.writeUInt16BE(3, 6); // three answers that are not there
      socket.write(framed(Buffer.concat([head, Buffer.from([0, 0, 6])])));
    });
    const result = failed(
      await pullZone({ zone: ZONE, primary: { ip: "127.0.0.1", port: garbage.port } }),
    );
    expect(result.reason).toBe("malformed");

    const answers = [soa(12), soa(9), soa(12), soa(12)];
    const gap = await scripted(send(["sign"], [answers]), 12);
    const ixfr = failed(
      await pullZone({
        zone: ZONE,
        primary: { ip: "127.0.0.1", port: gap.port, tsig: TSIG, ixfr: true },
        serial: 10,
        records: zoneRecords(10),
      }),
    );
    expect(ixfr.reason).toBe("malformed");
  });

  it("fails oversized past the byte cap and past the record cap, and stops reading", async () => {
    const endless = await scripted(flood(50, 5));
    const target = { ip: "127.0.0.1", port: endless.port };
    const bytes = failed(
      await pullZone({ zone: ZONE, primary: target, limits: { maxBytes: 20_000 } }),
    );
    expect(bytes.reason, bytes.detail).toBe("oversized");
    const records = failed(
      await pullZone({ zone: ZONE, primary: target, limits: { maxRecords: 120 } }),
    );
    expect(records.reason).toBe("oversized");
  });

  it("fails timeout when the primary goes quiet, per message and in total", async () => {
    const silent = await scripted(() => {});
    const quiet = failed(
      await pullZone({
        zone: ZONE,
        primary: { ip: "127.0.0.1", port: silent.port },
        limits: { messageTimeoutMs: 300 },
      }),
    );
    expect(quiet.reason).toBe("timeout");
    const trickle = await scripted(flood(1, 50));
    const slow = failed(
      await pullZone({
        zone: ZONE,
        primary: { ip: "127.0.0.1", port: trickle.port },
        limits: { messageTimeoutMs: 1000, totalTimeoutMs: 400 },
      }),
    );
    expect(slow.reason).toBe("timeout");
    expect(slow.detail).toContain("whole answer");
  });

  it("fails refused when the transfer is refused", async () => {
    const refusing = await scripted((socket, request) =>
      socket.write(framed(response(request, [], true, 5))),
    );
    const result = failed(
      await pullZone({ zone: ZONE, primary: { ip: "127.0.0.1", port: refusing.port } }),
    );
    expect(result).toMatchObject({ reason: "refused", step: "transfer" });
  });

  it("skips a primary that is not on loopback without contacting it", async () => {
    for (const ip of ["192.0.2.1", "2001:db8::1", "::ffff:198.51.100.7", "not-an-address"]) {
      const started = Date.now();
      const result = await pullZone({
        zone: ZONE,
        primary: { ip, port: 53 },
        limits: { messageTimeoutMs: 5000 },
      });
      expect(result.status, ip).toBe("skipped");
      expect(Date.now() - started).toBeLessThan(1000); // answered at once: nothing was waited for
    }
  });
});
