import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect, promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  startDnsPrimary,
  type DnsEvent,
  type DnsPrimary,
  type ZoneView,
} from "../../src/dns/primary.js";
import { querySoa } from "../../src/dns/query.js";
import { renderKeyStanza } from "../../src/dns/render.js";
import {
  TSIG_ALGORITHMS,
  TSIG_ERROR,
  TsigKey,
  TsigKeyError,
  findTsig,
  keyLookup,
  signMessage,
  verifyMessage,
} from "../../src/dns/tsig.js";
import { packet } from "../../src/dns/wire.js";
import { minimalZone, type ZoneRecord } from "../../src/dns/zone.js";

const run = promisify(execFile);
const SECRET = Buffer.from("tsig-unit-test-secret-0123456789").toString("base64");
const key = (algorithm: string = "hmac-sha256.", name = "xfr-key.", secret = SECRET) =>
  new TsigKey({ name, algorithm, secret });
const query = (id = 4242) =>
  packet.encode({
    id,
    type: "query",
    flags: 0,
    questions: [{ name: "example.test", type: "SOA", class: "IN" }],
  });
const NOW = 1_800_000_000;
// The MAC length of each algorithm, by its DNS name, written by hand from the hash
// standards (MD5 128 bits, SHA-1 160, SHA-224/256/384/512): never read from the
// code's table, so a wrong row there fails here.
const MAC_BYTES_BY_NAME: Record<string, number> = {
  "hmac-md5.sig-alg.reg.int.": 16,
  "hmac-sha1.": 20,
  "hmac-sha224.": 28,
  "hmac-sha256.": 32,
  "hmac-sha384.": 48,
  "hmac-sha512.": 64,
};

describe("TSIG sign and verify", () => {
  it("has a hand-written MAC length for every algorithm the spec lists", () => {
    expect(TSIG_ALGORITHMS.filter((name) => MAC_BYTES_BY_NAME[name] === undefined)).toEqual([]);
  });

  it.each(TSIG_ALGORITHMS)("round-trips a request and its response with %s", (algorithm) => {
    const k = key(algorithm);
    const request = signMessage(query(), k, { kind: "request" }, { timeSigned: NOW });
    const seen = verifyMessage(
      request.message,
      keyLookup([k]),
      { kind: "request" },
      { now: NOW + 10 },
    );
    expect(seen).toMatchObject({
      status: "ok",
      record: { keyName: "xfr-key", algorithm: algorithm.slice(0, -1), mac: request.mac },
    });
    expect(request.mac.length).toBe(MAC_BYTES_BY_NAME[algorithm]);

    const response = signMessage(
      query(),
      k,
      { kind: "response", requestMac: request.mac },
      { timeSigned: NOW },
    );
    expect(
      verifyMessage(
        response.message,
        keyLookup([k]),
        { kind: "response", requestMac: request.mac },
        { now: NOW },
      ).status,
    ).toBe("ok");
    // The response MAC covers the request MAC: another request's MAC does not verify it.
    expect(
      verifyMessage(
        response.message,
        keyLookup([k]),
        { kind: "response", requestMac: Buffer.alloc(32, 1) },
        { now: NOW },
      ),
    ).toMatchObject({
      status: "bad",
      error: TSIG_ERROR.BADSIG,
    });
  });

  it("says BADKEY for an unknown key or algorithm, BADSIG for a changed byte or secret, BADTIME outside the fudge", () => {
    const signed = signMessage(
      query(),
      key(),
      { kind: "request" },
      { timeSigned: NOW, fudge: 300 },
    ).message;
    const verify = (message: Buffer, keys: TsigKey[], now = NOW) =>
      verifyMessage(message, keyLookup(keys), { kind: "request" }, { now });
    expect(verify(signed, [key("hmac-sha256.", "other.")])).toMatchObject({
      status: "bad",
      error: TSIG_ERROR.BADKEY,
    });
    expect(verify(signed, [key("hmac-sha512.")])).toMatchObject({
      status: "bad",
      error: TSIG_ERROR.BADKEY,
    });
    expect(
      verify(signed, [key("hmac-sha256.", "xfr-key.", Buffer.from("another").toString("base64"))]),
    ).toMatchObject({ error: TSIG_ERROR.BADSIG });
    const tampered = Buffer.from(signed);
    tampered[2] = tampered[2]! ^ 0x01; // the RD flag
    expect(verify(tampered, [key()])).toMatchObject({ error: TSIG_ERROR.BADSIG });
    expect(verify(signed, [key()], NOW + 301)).toMatchObject({ error: TSIG_ERROR.BADTIME });
    expect(verify(signed, [key()], NOW - 300).status).toBe("ok");
    // Signed in the future by more than the fudge (the clock of the signer is ahead).
    expect(verify(signed, [key()], NOW - 301)).toMatchObject({ error: TSIG_ERROR.BADTIME });
    expect(verify(query(), [key()])).toEqual({ status: "unsigned" });
    // Key names compare without regard to case or the trailing dot.
    expect(verify(signed, [key("HMAC-SHA256", "XFR-Key")]).status).toBe("ok");
  });

  it("chains a multi-message response: each MAC covers the previous one, so order and completeness are checked", () => {
    const k = key("hmac-sha512.");
    const request = signMessage(query(), k, { kind: "request" }, { timeSigned: NOW });
    const messages: Buffer[] = [];
    let prior: Buffer | undefined;
    for (let i = 0; i < 3; i++) {
      const signed = signMessage(
        query(),
        k,
        prior
          ? { kind: "continuation", priorMac: prior }
          : { kind: "response", requestMac: request.mac },
        { timeSigned: NOW },
      );
      messages.push(signed.message);
      prior = signed.mac;
    }
    const walk = (list: Buffer[]) => {
      let previous: Buffer | undefined;
      return list.map((message) => {
        const verdict = verifyMessage(
          message,
          keyLookup([k]),
          previous
            ? { kind: "continuation", priorMac: previous }
            : { kind: "response", requestMac: request.mac },
          { now: NOW },
        );
        previous = findTsig(message)!.mac;
        return verdict.status === "ok"
          ? "ok"
          : verdict.status === "bad"
            ? verdict.error
            : verdict.status;
      });
    };
    expect(walk(messages)).toEqual(["ok", "ok", "ok"]);
    expect(walk([messages[0]!, messages[2]!])).toEqual(["ok", TSIG_ERROR.BADSIG]); // one left out
    expect(walk([messages[1]!, messages[0]!])).toEqual([TSIG_ERROR.BADSIG, TSIG_ERROR.BADSIG]);
  });

  it("refuses unusable keys without ever showing the secret", () => {
    expect(
      () => new TsigKey({ name: "k.", algorithm: "hmac-md5.", secret: SECRET }), // not md5's DNS name
    ).toThrow(TsigKeyError);
    expect(
      () => new TsigKey({ name: "k.", algorithm: "hmac-sha256.", secret: "not base64!" }),
    ).toThrow(/not valid non-empty base64/);
    expect(() => new TsigKey({ name: "", algorithm: "hmac-sha256.", secret: SECRET })).toThrow(
      /needs a name/,
    );
    try {
      new TsigKey({ name: "k.", algorithm: "hmac-sha999", secret: SECRET });
    } catch (error) {
      expect(String(error)).not.toContain(SECRET);
    }
    const k = key();
    for (const view of [
      inspect(k, { showHidden: true, depth: 5 }),
      JSON.stringify(k),
      String(Object.entries(k)),
      JSON.stringify({ ...k }),
    ]) {
      expect(view).not.toContain(SECRET);
      expect(view).not.toContain(Buffer.from(SECRET, "base64").toString("hex"));
    }
    expect(inspect(k)).toContain("secret: [hidden]");
  });

  it("finds no TSIG in a message whose last record is something else, and rejects a cut-off TSIG", () => {
    const withAdditional = packet.encode({
      id: 1,
      type: "query",
      questions: [{ name: "a.test", type: "A" }],
      additionals: [{ name: "a.test", type: "A", ttl: 1, data: "192.0.2.1" }],
    });
    expect(findTsig(withAdditional)).toBeUndefined();
    const signed = signMessage(query(), key(), { kind: "request" }).message;
    expect(() => findTsig(signed.subarray(0, signed.length - 8))).toThrow(
      /runs past the end|too short/,
    );
    // A TSIG followed by another record: not the last one, so the message is malformed.
    const trailer = packet.encode({
      id: 0,
      type: "query",
      answers: [{ name: "a.test", type: "A", ttl: 1, data: "192.0.2.1" }],
    });
    const extra = Buffer.concat([signed, trailer.subarray(12)]);
    extra.writeUInt16BE(extra.readUInt16BE(10) + 1, 10);
    expect(() => findTsig(extra)).toThrow(/not the last record/);
  });
});

describe("TSIG against real tools (dig, kdig)", () => {
  const tools = { dig: "/usr/bin/dig", kdig: "/usr/bin/kdig" };
  const haveTools = Object.values(tools).every((tool) => existsSync(tool));
  const CI = process.env.CI === "true";
  if (!haveTools && !CI)
    console.warn("[dns] dig or kdig is not installed: the TSIG interoperability tests are skipped");

  const peerKeys = {
    sha256: { name: "xfr-key.", algorithm: "hmac-sha256.", secret: SECRET },
    sha512: {
      name: "kdig-key.",
      algorithm: "hmac-sha512.",
      secret: Buffer.from("a-second-secret-for-kdig-0123456").toString("base64"),
    },
  };
  const records: ZoneRecord[] = [
    ...minimalZone("example.test", 9),
    ...Array.from({ length: 30 }, (_, i): ZoneRecord => ({
      name: `h${i}.example.test`,
      ttl: 60,
      type: "TXT",
      data: [`record number ${i}`],
    })),
  ];
  const view: ZoneView = {
    zoneId: "z",
    name: "example.test",
    records,
    serial: 9,
    transfersEnabled: true,
    peers: [
      { id: "dig", ip: "127.0.0.1", port: 9, tsig: peerKeys.sha256 },
      { id: "kdig", ip: "127.0.0.1", port: 9, tsig: peerKeys.sha512 },
    ],
  };
  const events: DnsEvent[] = [];
  let primary: DnsPrimary;
  let dir: string;

  beforeAll(async () => {
    primary = await startDnsPrimary({
      source: { zone: (name) => (name === "example.test" ? view : undefined) },
      log: (e) => events.push(e),
      transferMessageBytes: 300,
    });
    dir = mkdtempSync(join(tmpdir(), "dns-tsig-"));
  });
  afterAll(async () => {
    await primary?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const tool = async (command: string, args: string[]) => {
    try {
      const { stdout, stderr } = await run(command, args, { timeout: 10_000 });
      return stdout + stderr;
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string };
      return `${e.stdout ?? ""}${e.stderr ?? ""}`;
    }
  };

  it.skipIf(!haveTools && !CI)(
    "dig -y: our signed multi-message AXFR verifies, and dig's signature verifies here",
    async () => {
      const out = await tool(tools.dig, [
        "-p",
        String(primary.port),
        "@127.0.0.1",
        "-y",
        `hmac-sha256:xfr-key.:${SECRET}`,
        "example.test",
        "AXFR",
      ]);
      expect(out).not.toContain("Couldn't verify");
      expect(out).not.toContain("Transfer failed");
      const size = /XFR size: (\d+) records \(messages (\d+)/.exec(out);
      expect(size, out).not.toBeNull();
      expect(Number(size![1])).toBe(records.length + 1);
      expect(Number(size![2])).toBeGreaterThan(3);
      expect(events.find((e) => e.type === "transfer")).toMatchObject({ tsig: "xfr-key." });
    },
  );

  it.skipIf(!haveTools && !CI)(
    "dig -k with the rendered key stanza, and kdig -y with hmac-sha512",
    async () => {
      const file = join(dir, "key.conf");
      writeFileSync(file, renderKeyStanza(peerKeys.sha256));
      const viaFile = await tool(tools.dig, [
        "-p",
        String(primary.port),
        "@127.0.0.1",
        "-k",
        file,
        "example.test",
        "SOA",
        "+tcp",
      ]);
      expect(viaFile).toMatch(/status: NOERROR/);
      expect(viaFile).toMatch(/TSIG\s+hmac-sha256\. \d+ 300 32 \S+ \d+ NOERROR 0/);
      expect(viaFile).not.toContain("Couldn't verify");

      const kdig = await tool(tools.kdig, [
        "-p",
        String(primary.port),
        "@127.0.0.1",
        "-y",
        `hmac-sha512:kdig-key.:${peerKeys.sha512.secret}`,
        "example.test",
        "AXFR",
      ]);
      expect(kdig).toMatch(/Received \d+ B \(\d+ messages, \d+ records\)/);
      expect(kdig).not.toMatch(/failed|BADSIG|BADKEY|WARNING/);
    },
  );

  it.skipIf(!haveTools && !CI)(
    "a wrong secret from kdig is answered NOTAUTH with BADSIG, and the secret is logged nowhere",
    async () => {
      const wrong = Buffer.from("definitely-the-wrong-secret-here").toString("base64");
      const out = await tool(tools.kdig, [
        "-p",
        String(primary.port),
        "@127.0.0.1",
        "-y",
        `hmac-sha512:kdig-key.:${wrong}`,
        "example.test",
        "SOA",
      ]);
      expect(out).toMatch(/NOTAUTH|BADSIG/);
      expect(events).toContainEqual(
        expect.objectContaining({ type: "refused", tsigError: "BADSIG", rcode: 9 }),
      );
      expect(JSON.stringify(events)).not.toContain(wrong);
      expect(JSON.stringify(events)).not.toContain(SECRET);
    },
  );

  it("querySoa signs its query and verifies the signed answer; a key the server does not know gives BADKEY", async () => {
    await expect(
      querySoa({
        host: "127.0.0.1",
        port: primary.port,
        zone: "example.test",
        tsig: peerKeys.sha512,
      }),
    ).resolves.toMatchObject({ status: "answer", serial: 9, signed: true });
    await expect(
      querySoa({
        host: "127.0.0.1",
        port: primary.port,
        zone: "example.test",
        tsig: { ...peerKeys.sha512, name: "nobody." },
      }),
    ).resolves.toEqual({
      status: "refused",
      rcode: 9,
      tsigError: "BADKEY",
    });
  });
});
