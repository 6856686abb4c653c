/**
 * The transfers file on its own: what is refused, with file, line and field;
 * the example in examples/ is valid; the generated schema takes its limits from
 * the spec; and the small checker agrees with ajv on every document here.
 */
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { TRANSFERS_SCHEMA } from "../../generated/transfers-schema.js";
import { TSIG_ALGORITHMS, PORT_MAX, MAX_PEERS } from "../../generated/constants.js";
import { parseTransfers, TransfersFileError, formatTransfers } from "../../src/declare/format.js";
import { readTransfersFile, MAX_FILE_BYTES } from "../../src/declare/read.js";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fingerprint, secretEnvName } from "../../src/declare/secrets.js";
import { parse as parseYaml } from "yaml";

const EXAMPLE = new URL("../../examples/transfers.yaml", import.meta.url);
const GOOD = `version: 1
tsigs:
  - name: k1.example.
    algo: hmac-sha256.
    secret: { env: K1 }
peers:
  - name: ns1
    ip: 192.0.2.1
    port: 53
    tsig: k1.example.
acls:
  - name: office
    ip_range: 192.0.2.16/28
zones:
  - id: 023e105f4ecef8ad9ca31a8372d0c353
    outgoing:
      name: example.com.
      peers: [ns1]
`;

/** GOOD's zone section, and an incoming section to put in its place. */
const OUTGOING = "    outgoing:\n      name: example.com.\n      peers: [ns1]\n";
const INCOMING = "{ name: example.com., peers: [ns1], auto_refresh_seconds: 86400 }";

/** The problems of a text, as "line field: message". */
function problems(text: string): string[] {
  try {
    parseTransfers(text, "t.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(TransfersFileError);
    return (error as TransfersFileError).problems.map((p) => {
      expect(p.file).toBe("t.yaml");
      return `${p.line} ${p.field}: ${p.message}`;
    });
  }
  return [];
}

/** GOOD with one line replaced. */
const edit = (from: string, to: string) => {
  expect(GOOD).toContain(from);
  return GOOD.replace(from, to);
};

describe("a transfers file", () => {
  it("the README's example is valid", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const section = readme.slice(readme.indexOf("## Transfers as code"));
    const yaml = /^```yaml\n([\s\S]*?)^```/m.exec(section)?.[1];
    expect(yaml).toContain("tsigs:");
    expect(problems(yaml!)).toEqual([]);
  });

  it("the example and a minimal file are valid", () => {
    expect(problems(readFileSync(EXAMPLE, "utf8"))).toEqual([]);
    expect(problems(GOOD)).toEqual([]);
    expect(problems(GOOD.replace(OUTGOING, `    incoming: ${INCOMING}\n`))).toEqual([]);
    expect(problems("version: 1\n")).toEqual([]);
  });

  it.each([
    ["YAML syntax", "    port: 53\n", "    port: [53\n", /^\d+ : YAML: /],
    [
      "an unknown field",
      "    port: 53\n",
      "    prot: 53\n",
      /^9 peers\[0\]\.prot: is not a known field/,
    ],
    [
      "a port out of range",
      "    port: 53\n",
      "    port: 65536\n",
      /^9 peers\[0\]\.port: must be from 1 to 65535$/,
    ],
    [
      "a bad address",
      "ip: 192.0.2.1",
      "ip: 192.0.2.300",
      /^8 peers\[0\]\.ip: must be an IPv4 address or an IPv6 address$/,
    ],
    [
      "an ACL range too wide",
      "192.0.2.16/28",
      "192.0.2.0/16",
      /^13 acls\[0\]\.ip_range: must be IPv4, \/24 to \/32 or IPv6/,
    ],
    [
      "an unknown algorithm",
      "hmac-sha256.",
      "hmac-sha3.",
      /^4 tsigs\[0\]\.algo: must be one of "hmac-md5/,
    ],
    [
      "a key name without its dot",
      "- name: k1.example.",
      "- name: k1.example",
      /^3 tsigs\[0\]\.name: must end with a dot/,
    ],
    [
      "a secret written in the file",
      "secret: { env: K1 }",
      "secret: c2VjcmV0",
      /^5 tsigs\[0\]\.secret: must be a mapping with env or a mapping with file, not a string \(Where the secret is read from, never the secret itself/,
    ],
    [
      "a secret with env and file",
      "secret: { env: K1 }",
      "secret: { env: K1, file: k }",
      /^5 tsigs\[0\]\.secret\.file: is not a known field/,
    ],
    [
      "a peer naming an unknown key",
      "    tsig: k1.example.\n",
      "    tsig: k2.example.\n",
      /^10 peers\[0\]\.tsig: names the key "k2\.example\." which tsigs does not define$|^10 peers\[0\]\.tsig: names the key "k2\.example\.", which tsigs does not define$/,
    ],
    [
      "a zone naming an unknown peer",
      "peers: [ns1]",
      "peers: [ns1, ns9]",
      /^18 zones\[0\]\.outgoing\.peers\[1\]: names the peer "ns9", which peers does not define$/,
    ],
    [
      "a zone id that is not an id",
      "id: 023e105f4ecef8ad9ca31a8372d0c353",
      "id: example.com",
      /^15 zones\[0\]\.id: must be at least 32 characters long$/,
    ],
    [
      "a zone with both outgoing and incoming",
      "    outgoing:\n",
      `    incoming: ${INCOMING}\n    outgoing:\n`,
      /^16 zones\[0\]\.incoming: is not allowed beside outgoing: a zone is primary \(outgoing\) or secondary \(incoming\), never both$/,
    ],
    [
      "an unknown field of an incoming zone",
      OUTGOING,
      `    incoming: ${INCOMING.replace("}", ", enabled: true }")}\n`,
      /^16 zones\[0\]\.incoming\.enabled: is not a known field \(known: name, peers, auto_refresh_seconds\)$/,
    ],
    [
      "an incoming zone naming an unknown peer",
      OUTGOING,
      `    incoming: ${INCOMING.replace("[ns1]", "[ns1, ns9]")}\n`,
      /^16 zones\[0\]\.incoming\.peers\[1\]: names the peer "ns9", which peers does not define$/,
    ],
    [
      "an incoming zone refreshing every 0 s",
      OUTGOING,
      `    incoming: ${INCOMING.replace("86400", "0")}\n`,
      /^16 zones\[0\]\.incoming\.auto_refresh_seconds: must be from 1 to 4294967295$/,
    ],
    [
      "an incoming zone without auto_refresh_seconds",
      OUTGOING,
      `    incoming: ${INCOMING.replace(", auto_refresh_seconds: 86400", "")}\n`,
      /^16 zones\[0\]\.incoming: is missing the field "auto_refresh_seconds"$/,
    ],
    ["another version", "version: 1", "version: 2", /^1 version: must be 1$/],
  ])("refuses %s, naming line and field", (_what, from, to, expected) => {
    const found = problems(edit(from, to));
    expect(found.length, found.join("\n")).toBeGreaterThan(0);
    expect(found[0]).toMatch(expected);
  });

  it("refuses names given twice, and a zone whose peers use different keys", () => {
    const twice = edit("acls:\n", "  - name: ns1\n    ip: 192.0.2.9\nacls:\n");
    expect(problems(twice)).toEqual(['11 peers[1].name: "ns1" is given twice (first at peers[0])']);
    const keys = GOOD.replace("acls:\n", "  - name: ns2\n    ip: 192.0.2.9\nacls:\n").replace(
      "peers: [ns1]",
      "peers: [ns1, ns2]",
    );
    expect(problems(keys)[0]).toMatch(
      /^\d+ zones\[0\]\.outgoing\.peers: the peers of one zone must all use the same TSIG key/,
    );
  });

  it("refuses a YAML mapping with a key given twice", () => {
    expect(problems(edit("    port: 53\n", "    port: 53\n    port: 54\n"))[0]).toMatch(
      /^10 : YAML: Map keys must be unique/,
    );
  });
});

describe("the generated schema", () => {
  it("takes its limits and algorithms from the spec", () => {
    const props = TRANSFERS_SCHEMA.properties;
    expect(props.tsigs.items.properties.algo.enum).toEqual(TSIG_ALGORITHMS);
    expect(props.peers.items.properties.port.maximum).toBe(PORT_MAX);
    expect(props.zones.items.properties.outgoing.properties.peers.maxItems).toBe(MAX_PEERS);
    const published = JSON.parse(
      readFileSync(new URL("../../generated/transfers.schema.json", import.meta.url), "utf8"),
    );
    expect(published).toEqual(JSON.parse(JSON.stringify(TRANSFERS_SCHEMA)));
  });

  it("the small checker and ajv agree on every file of this test", () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(TRANSFERS_SCHEMA as object);
    const texts = [
      GOOD,
      readFileSync(EXAMPLE, "utf8"),
      GOOD.replace("port: 53", "port: 0"),
      GOOD.replace("ip: 192.0.2.1", "ip: 2001:db8::1"),
      GOOD.replace("ip: 192.0.2.1", "ip: 2001:db8::g"),
      GOOD.replace("192.0.2.16/28", "2001:db8::/48"),
      GOOD.replace("192.0.2.16/28", "2001:db8::/64"),
      GOOD.replace("secret: { env: K1 }", "secret: { file: k1.key, fingerprint: sha256:abc }"),
      GOOD.replace(
        "secret: { env: K1 }",
        `secret: { file: k1.key, fingerprint: "${fingerprint("x")}" }`,
      ),
      GOOD.replace("algo: hmac-sha256.", "algo: hmac-sha512."),
      GOOD.replace("version: 1", "version: 1\naccount: 01A7362D577A6C3019A474FD6F485823"),
      GOOD.replace("peers: [ns1]", "peers: [ns1, ns1]"),
      GOOD.replace(OUTGOING, `    incoming: ${INCOMING}\n`),
      GOOD.replace("    outgoing:\n", `    incoming: ${INCOMING}\n    outgoing:\n`),
      GOOD.replace(OUTGOING, `    incoming: ${INCOMING.replace("86400", "4294967296")}\n`),
      GOOD.replace(OUTGOING, `    incoming: ${INCOMING.replace("}", ", x: 1 }")}\n`),
    ];
    for (const text of texts) {
      const ours = problems(text).length === 0;
      // Cross-references are beyond a schema: compare the schema part only.
      const schemaOnly = problems(text).every((p) =>
        /twice \(first|does not define|same TSIG/.test(p),
      );
      expect(validate(parseYaml(text)), text).toBe(ours || schemaOnly);
    }
  });
});

describe("import's output", () => {
  it("reads back as the same config, and names a key's variable after it", () => {
    const config = parseTransfers(GOOD, "t.yaml").config;
    const text = formatTransfers(config, ["a header"]);
    expect(text.startsWith("# a header\n")).toBe(true);
    expect(parseTransfers(text, "u.yaml").config).toEqual(config);
    expect(secretEnvName("cloudflare-transfer.example.com.")).toBe(
      "TSIG_SECRET_CLOUDFLARE_TRANSFER_EXAMPLE_COM",
    );
    expect(fingerprint("secret")).toMatch(/^sha256:[0-9a-f]{32}$/);
  });
});

describe("hostile files", () => {
  const bomb = [
    'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]',
    ...["b", "c", "d", "e", "f"].map(
      (name, i) => `${name}: &${name} [${Array(9).fill(`*${"abcde"[i]}`).join(", ")}]`,
    ),
  ].join("\n");

  it.each([
    ["an alias bomb", bomb, /^1 : YAML: Excessive alias count/],
    ["deep nesting", "[".repeat(5000) + "]".repeat(5000), /^1 : YAML: /],
    [
      "a __proto__ key",
      "version: 1\n__proto__: { polluted: 1 }\n",
      /^2 __proto__: is not a known field/,
    ],
    ["a constructor key", "version: 1\nconstructor: 1\n", /^2 constructor: is not a known field/],
    ["two documents", "version: 1\n---\nversion: 1\n", /^2 : YAML: /],
    ["an empty file", "", /^1 : must be a mapping, not empty$/],
  ])("refuses %s with a TransfersFileError", (_what, text, expected) => {
    expect(problems(text)[0]).toMatch(expected);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses a FIFO, a folder and an oversized file without reading them, and never hangs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "declare-read-"));
    try {
      const fifo = join(dir, "fifo.yaml");
      expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
      const big = join(dir, "big.yaml");
      writeFileSync(big, `version: 1\n#${"x".repeat(MAX_FILE_BYTES)}\n`);
      for (const [path, message] of [
        [fifo, "is not a regular file"],
        [dir, "is not a regular file"],
        [big, `is larger than ${MAX_FILE_BYTES} bytes`],
        [join(dir, "missing.yaml"), "cannot read the file (ENOENT)"],
      ]) {
        const error = await readTransfersFile(path!).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(TransfersFileError);
        expect((error as TransfersFileError).problems[0]).toMatchObject({ file: path, message });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
