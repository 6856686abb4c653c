/**
 * Zone files as bytes: RFC 1035 escapes decoded in names and strings, names in
 * the form src/dns/names.ts describes, raw control characters and bytes that
 * are not UTF-8 refused with the line, and errors that quote a word short.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatLabel, formatName, nameLabels, nameOctets, parseName } from "../../src/dns/names.js";
import { ZoneFileError, parseZoneFile } from "../../src/dns/zone.js";
import { startEmulator, type EmulatorEvent } from "../../src/emulator/index.js";
import { createSecondaryDnsClient } from "../../src/index.js";

const HEAD = `$ORIGIN example.test.
$TTL 300
@ SOA ns hostmaster 1 2h 15m 2w 300
  NS ns
ns A 192.0.2.1
`;

const parse = (body: string | Buffer) =>
  parseZoneFile(typeof body === "string" ? HEAD + body : Buffer.concat([Buffer.from(HEAD), body]), {
    source: "z.zone",
  });
const names = (body: string) =>
  parse(body)
    .records.slice(3)
    .map((record) => record.name);
const failure = (body: string | Buffer): ZoneFileError => {
  try {
    parse(body);
  } catch (error) {
    if (error instanceof ZoneFileError) return error;
    throw error;
  }
  throw new Error("parsed without an error");
};
const octets = (name: string) => nameLabels(name).map((label) => [...label]);

describe("escapes in names", () => {
  it("\\. is a dot inside a label: one label, kept escaped", () => {
    const [name] = names("a\\.b A 192.0.2.2\n");
    expect(name).toBe("a\\.b.example.test");
    expect(octets(name!)).toEqual([
      [...Buffer.from("a.b")],
      [...Buffer.from("example")],
      [...Buffer.from("test")],
    ]);
  });

  it("\\DDD is an octet: decoded where it is text, kept as \\DDD where it is not", () => {
    expect(names("\\065bc A 192.0.2.2\n")).toEqual(["abc.example.test"]);
    expect(names("caf\\195\\169 A 192.0.2.2\n")).toEqual(["café.example.test"]);
    expect(names("x\\255y A 192.0.2.2\n")).toEqual(["x\\255y.example.test"]);
    expect(octets("x\\255y.example.test")[0]).toEqual([0x78, 0xff, 0x79]);
    expect(names("n\\000\\032\\092 A 192.0.2.2\n")).toEqual(["n\\000\\032\\\\.example.test"]);
    expect(names("\\@x\\; A 192.0.2.2\n")).toEqual(["@x;.example.test"]);
  });

  it("escapes in rdata names and $ORIGIN too; absolute only with an unescaped final dot", () => {
    const zone = parse("$ORIGIN s\\.x.example.test.\nw CNAME t\\.\\.\nv CNAME u.\n");
    expect(zone.records.slice(3).map((r) => [r.name, r.data])).toEqual([
      ["w.s\\.x.example.test", "t\\.\\..s\\.x.example.test"],
      ["v.s\\.x.example.test", "u"],
    ]);
  });

  it("refuses \\256, a lone backslash, an empty label and a label over 63 bytes once decoded", () => {
    expect(failure("a\\256 A 192.0.2.2\n").message).toContain("\\256 is not an octet");
    expect(failure("x CNAME a\\\n").message).toContain("lone backslash");
    expect(failure("a..b A 192.0.2.2\n").message).toContain("empty label");
    const long = "\\097".repeat(64);
    expect(failure(`${long} A 192.0.2.2\n`).message).toContain("label of 64 bytes");
    expect(names(`${"\\097".repeat(63)} A 192.0.2.2\n`)).toEqual([
      `${"a".repeat(63)}.example.test`,
    ]);
  });
});

describe("escapes in strings", () => {
  it("TXT: \\X is X and \\DDD an octet, quoted or not", () => {
    const zone = parse('t TXT "a\\"b" \\065\\066 "caf\\195\\169" "semi\\;colon"\n');
    expect(zone.records[3]!.data).toEqual(['a"b', "AB", "café", "semi;colon"]);
  });

  it("TXT: octets that are not UTF-8, or more than 255 once decoded, are refused", () => {
    expect(failure('t TXT "\\255"\n').message).toMatch(/line 6: .*not UTF-8/);
    expect(failure(`t TXT "${"\\097".repeat(256)}"\n`).message).toContain("256 bytes long");
  });
});

describe("raw control characters and bytes that are not UTF-8", () => {
  it.each([
    ["NUL in a name", "a\x00b A 192.0.2.2\n", "U+0000"],
    ["ESC in a name", "a\x1b[31m A 192.0.2.2\n", "U+001B"],
    ["DEL in a name", "a\x7f A 192.0.2.2\n", "U+007F"],
    ["C1 in a name", "a\u009b A 192.0.2.2\n", "U+009B"],
    ["CR inside a line", "a\rb A 192.0.2.2\n", "U+000D"],
    ["ESC in a TXT string", 't TXT "a\x1bb"\n', "U+001B"],
  ])("%s: refused with the file and line", (_case, body, code) => {
    const error = failure(body);
    expect(error.line).toBe(6);
    expect(error.message).toMatch(/^z\.zone, line 6: a raw control character/);
    expect(error.message).toContain(code);
  });

  it("a tab in a string and a control in a comment are fine", () => {
    expect(parse('t TXT "a\tb" ; \x1b[31m\n').records[3]!.data).toEqual(["a\tb"]);
  });

  it("bytes that are not UTF-8: refused with the line, never turned into U+FFFD", () => {
    const body = Buffer.concat([
      Buffer.from("ok A 192.0.2.2\nbad"),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(" A 192.0.2.3\n"),
    ]);
    const error = failure(body);
    expect(error.message).toBe(
      "z.zone, line 7: the line is not UTF-8 text (write such octets as \\DDD)",
    );
    const overlong = failure(
      Buffer.concat([Buffer.from("t TXT "), Buffer.from([0xc0, 0xaf]), Buffer.from("\n")]),
    );
    expect(overlong.line).toBe(6);
    // UTF-8 as bytes, a BOM first, reads as the same text would.
    const text = `\ufeff${HEAD}café A 192.0.2.2\n`;
    expect(parseZoneFile(Buffer.from(text)).records.at(-1)!.name).toBe("café.example.test");
  });
});

describe("the emulator reads a zone file as bytes", () => {
  it("a byte that is not UTF-8: the zone file error names the file and the line", async () => {
    const folder = await mkdtemp(join(tmpdir(), "zone-bytes-"));
    const file = join(folder, "bytes.zone");
    const zoneId = "0123456789abcdef0123456789abcdef";
    const bad = Buffer.from(
      "$TTL 300\n@ SOA ns1 hostmaster 1 1 1 1 1\n@ NS ns1\nw\xff A 192.0.2.1\n",
      "latin1",
    );
    await writeFile(file, bad);
    const events: EmulatorEvent[] = [];
    const emulator = await startEmulator({
      seed: {},
      zoneFiles: { [zoneId]: file },
      onEvent: (e) => events.push(e),
    });
    try {
      const client = createSecondaryDnsClient({ baseUrl: emulator.url, apiToken: "t" });
      await client.outgoing
        .create(zoneId, { name: "bytes.test.", peers: [] })
        .catch(() => undefined);
      const errors = events.filter((event) => event.type === "zone-file-error");
      expect(errors.map((event) => (event as { reason: string }).reason)).toEqual([
        `${file}, line 4: the line is not UTF-8 text (write such octets as \\DDD)`,
      ]);
    } finally {
      await emulator.close();
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe("errors quote a word short", () => {
  it.each([
    ["a name", (w: string) => `${w}. A 192.0.2.2\n`],
    ["an address", (w: string) => `x A ${w}\n`],
    ["a type", (w: string) => `x ${w} 1\n`],
    ["a number", (w: string) => `x MX ${w} mail\n`],
    ["a TXT string", (w: string) => `x TXT "${w}"\n`],
    ["a $TTL", (w: string) => `$TTL ${w}\n`],
    ["a directive", (w: string) => `$${w}\n`],
  ])("a 1 MB word as %s: the message quotes 80 characters of it", (_case, line) => {
    const word = "Q".repeat(1_000_000);
    const { message } = failure(line(word));
    expect(message.length).toBeLessThan(300);
    expect(message).toContain("Q".repeat(79)); // 80 characters of the word, a "$" or '"' in front
    expect(message).not.toContain("Q".repeat(81));
    expect(message).toMatch(/\(100000[01] characters\)/);
  });
});

describe("names.ts: one form per label, read back to the same octets", () => {
  it("every octet value, alone and inside text", () => {
    for (let octet = 0; octet < 256; octet++) {
      for (const label of [[octet], [0x61, octet, 0x62]]) {
        const text = formatLabel(Uint8Array.from(label));
        expect(nameLabels(`${text}.test`).map((l) => [...l])).toEqual([
          label,
          [...Buffer.from("test")],
        ]);
        expect(text).not.toMatch(/[\x00-\x20\x7f-\x9f]/);
      }
    }
    expect(formatName([Buffer.from("a.b"), Buffer.from("c\\d")])).toBe("a\\.b.c\\\\d");
  });

  it("nameOctets: the uncompressed wire form, a \\. inside its label", () => {
    expect([...nameOctets("a\\.b.\\255")]).toEqual([3, 0x61, 0x2e, 0x62, 1, 0xff, 0]);
    expect([...nameOctets("")]).toEqual([0]);
    expect([...nameOctets("café.test")]).toEqual([
      5,
      ...Buffer.from("café"),
      4,
      ...Buffer.from("test"),
      0,
    ]);
    expect(() => nameOctets("a..b")).toThrow("empty label");
    expect(() => nameOctets("x".repeat(64))).toThrow("64 bytes");
  });

  it("parseName: absolute with a final dot that is not escaped", () => {
    expect(parseName("a.b.")).toMatchObject({ absolute: true });
    expect(parseName("a.b\\.")).toMatchObject({ absolute: false });
    expect(parseName(".")).toEqual({ labels: [], absolute: true });
    expect(() => parseName(`${"a.".repeat(128)}`)).toThrow("at most 255");
  });
});
