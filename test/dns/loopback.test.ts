// Loopback is decided by parsing the address, never by how its text ends: an
// IPv6 address that ends in "::1" but is not ::1 is somewhere else, and the
// primary must send it nothing. The NOTIFY test replaces the UDP exchange with
// a recorder, so that even a broken check cannot put a packet on the network.
import { afterEach, describe, expect, it, vi } from "vitest";

const sent = vi.hoisted(() => [] as string[]);
const messages = vi.hoisted(() => [] as Buffer[]);
vi.mock("../../src/dns/exchange.js", async (original) => ({
  ...(await original<typeof import("../../src/dns/exchange.js")>()),
  udpExchange: async ({ host, message }: { host: string; message: Buffer }) => {
    sent.push(host);
    messages.push(message);
    return { ok: false, failure: "timeout", detail: "not sent: this test records, never sends" };
  },
}));

const { startDnsPrimary } = await import("../../src/dns/primary.js");
const { addressBytes, isLoopbackAddress, sameAddress } = await import("../../src/dns/wire.js");
const { minimalZone } = await import("../../src/dns/zone.js");
const { findTsig } = await import("../../src/dns/tsig.js");

describe("isLoopbackAddress", () => {
  it.each([
    "127.0.0.1",
    "127.255.10.2",
    "::1",
    "0:0:0:0:0:0:0:1",
    "0000::0001",
    "::ffff:127.0.0.1",
    "::ffff:7f00:2",
    "::FFFF:127.1.2.3",
  ])("%s is loopback", (address) => {
    expect(isLoopbackAddress(address)).toBe(true);
  });

  it.each([
    "2001:db8::1",
    "fe80::1",
    "fe80::1%lo",
    "1::1",
    "::",
    "::2",
    "::127.0.0.1", // IPv4-compatible, not mapped
    "::ffff:10.0.0.1",
    "::ffff:1:1",
    "128.0.0.1",
    "12.7.0.0.1",
    "localhost",
    "",
    "::1::",
  ])("%s is not loopback", (address) => {
    expect(isLoopbackAddress(address)).toBe(false);
  });

  it("compares addresses by value, whatever the spelling", () => {
    expect(sameAddress("::1", "0:0:0:0:0:0:0:1")).toBe(true);
    expect(sameAddress("127.0.0.1", "::ffff:127.0.0.1")).toBe(true);
    expect(sameAddress("2001:DB8::1", "2001:db8:0::1")).toBe(true);
    expect(sameAddress("::1", "2001:db8::1")).toBe(false);
    expect(sameAddress("127.0.0.1", "127.0.0.2")).toBe(false);
    expect(sameAddress("bad", "bad")).toBe(false);
    expect(addressBytes("::ffff:192.0.2.1")).toEqual([192, 0, 2, 1]);
    expect(addressBytes("1:2:3:4:5:6:7:8")).toEqual([
      0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8,
    ]);
  });
});

describe("NOTIFY goes only where it may", () => {
  afterEach(() => {
    sent.length = 0;
    messages.length = 0;
  });

  it("is skipped to an address that ends in ::1 but is not loopback, and sent to ::1 itself", async () => {
    const primary = await startDnsPrimary({
      source: {
        zone: () => ({
          zoneId: "z",
          name: "example.test",
          records: minimalZone("example.test", 1),
          serial: 1,
          transfersEnabled: true,
          peers: [
            { id: "doc", ip: "2001:db8::1", port: 53 },
            { id: "link", ip: "fe80::1", port: 53 },
            { id: "mapped-elsewhere", ip: "::ffff:192.0.2.1", port: 53 },
            { id: "loopback", ip: "::1", port: 53 },
          ],
        }),
      },
      notifyAttempts: 1,
      notifyTimeoutMs: 50,
    });
    try {
      const results = await primary.notify("example.test");
      expect(results.map((r) => [r.peerId, r.outcome, r.attempts])).toEqual([
        ["doc", "skipped", 0],
        ["link", "skipped", 0],
        ["mapped-elsewhere", "skipped", 0],
        ["loopback", "failed", 1],
      ]);
      expect(results[0]!.reason).toMatch(/not a loopback address/);
      expect(sent).toEqual(["::1"]);
    } finally {
      await primary.close();
    }
  });

  it("is never sent unsigned to a peer whose key cannot be used, and signed with an hmac-md5 key", async () => {
    const secret = Buffer.from("notify-secret-0123456789abcdef").toString("base64");
    const primary = await startDnsPrimary({
      source: {
        zone: () => ({
          zoneId: "z",
          name: "example.test",
          records: minimalZone("example.test", 1),
          serial: 1,
          transfersEnabled: true,
          peers: [
            {
              id: "broken",
              ip: "127.0.0.1",
              port: 53,
              tsig: { name: "k.", algorithm: "hmac-sha256.", secret: "not base64!" },
            },
            {
              id: "md5",
              ip: "127.0.0.2",
              port: 53,
              tsig: { name: "m.", algorithm: "hmac-md5.sig-alg.reg.int.", secret },
            },
          ],
        }),
      },
      notifyAttempts: 1,
      notifyTimeoutMs: 50,
    });
    try {
      const [broken, md5] = await primary.notify("example.test");
      expect(broken).toMatchObject({ outcome: "skipped", attempts: 0 });
      expect(broken!.reason).toMatch(/TSIG key cannot be used: .*base64/);
      expect(md5).toMatchObject({ outcome: "failed", attempts: 1 });
      expect(sent).toEqual(["127.0.0.2"]);
      expect(findTsig(messages[0]!)).toMatchObject({
        keyName: "m",
        algorithm: "hmac-md5.sig-alg.reg.int",
      });
      expect(findTsig(messages[0]!)!.mac).toHaveLength(16);
    } finally {
      await primary.close();
    }
  });
});
