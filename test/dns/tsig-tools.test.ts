// A signed multi-message AXFR with each TSIG algorithm the API accepts, checked
// by two independent implementations: kdig (Knot) and dig (BIND). Each prints
// one TSIG record per message; its MAC length is held to a hand-written table by
// DNS name, never to the code's own table. Under CI=true a missing tool fails.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDnsPrimary, type DnsPrimary, type ZonePeer } from "../../src/dns/primary.js";
import { renderKeyStanza, renderKnotConfig, renderNsdConfig } from "../../src/dns/render.js";
import { tsigAlgoOf } from "../../src/setup.js";
import { TSIG_ALGORITHMS } from "../../src/dns/tsig.js";
import { minimalZone, type ZoneRecord } from "../../src/dns/zone.js";

const run = promisify(execFile);
const TOOLS = { dig: "/usr/bin/dig", kdig: "/usr/bin/kdig" };
const haveTools = Object.values(TOOLS).every((tool) => existsSync(tool));
const CI = process.env.CI === "true";
if (!haveTools && !CI)
  console.warn(
    "[dns] dig or kdig is not installed: the TSIG algorithm tests with them are skipped",
  );

// By hand: how dig and kdig name each algorithm on the command line, and its MAC length in bytes.
const TOOL_NAME: Record<string, [name: string, macBytes: number]> = {
  "hmac-md5.sig-alg.reg.int.": ["hmac-md5", 16],
  "hmac-sha1.": ["hmac-sha1", 20],
  "hmac-sha224.": ["hmac-sha224", 28],
  "hmac-sha256.": ["hmac-sha256", 32],
  "hmac-sha384.": ["hmac-sha384", 48],
  "hmac-sha512.": ["hmac-sha512", 64],
};

const RECORDS: ZoneRecord[] = [
  ...minimalZone("example.test", 11),
  ...Array.from({ length: 30 }, (_, i): ZoneRecord => ({
    name: `h${i}.example.test`,
    ttl: 60,
    type: "TXT",
    data: [`record number ${i}`],
  })),
];
const keyName = (algorithm: string) => `${TOOL_NAME[algorithm]![0]}-key.`;
const secretOf = (algorithm: string) =>
  Buffer.from(`secret for ${algorithm}`.padEnd(40, "-")).toString("base64");
// One peer per algorithm, all at 127.0.0.1: a request is served with the key it names.
const PEERS: ZonePeer[] = TSIG_ALGORITHMS.map((algorithm) => ({
  id: algorithm,
  ip: "127.0.0.1",
  port: 53,
  tsig: { name: keyName(algorithm), algorithm, secret: secretOf(algorithm) },
}));

async function tool(command: string, args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(command, args, { timeout: 10_000 });
    return stdout + stderr;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    return `${e.stdout ?? ""}${e.stderr ?? ""}${e.message}`;
  }
}

describe("a signed AXFR with every algorithm, verified by dig and kdig", () => {
  let primary: DnsPrimary;
  beforeAll(async () => {
    primary = await startDnsPrimary({
      source: {
        zone: (name) =>
          name === "example.test"
            ? {
                zoneId: "z",
                name: "example.test",
                records: RECORDS,
                serial: 11,
                transfersEnabled: true,
                peers: PEERS,
              }
            : undefined,
      },
      transferMessageBytes: 300,
    });
  });
  afterAll(() => primary?.close());

  it("has a hand-written tool name for every algorithm the spec lists", () => {
    expect(TSIG_ALGORITHMS.filter((a) => TOOL_NAME[a] === undefined)).toEqual([]);
  });

  it.each(TSIG_ALGORITHMS)(
    "the configuration printed for a %s key names it as the servers do",
    (algorithm) => {
      const [name] = TOOL_NAME[algorithm]!;
      const tsig = PEERS.find((peer) => peer.id === algorithm)!.tsig!;
      const setup = { zone: "example.test", primary: { host: "127.0.0.1", port: 53 }, tsig };
      expect(renderKnotConfig(setup)).toContain(`    algorithm: ${name}\n`);
      expect(renderNsdConfig(setup)).toContain(`    algorithm: ${name}\n`);
      expect(renderKeyStanza(tsig)).toContain(`    algorithm ${name};\n`);
    },
  );

  it.each(TSIG_ALGORITHMS)("setup reads %s in the servers' spelling too", (algorithm) => {
    const [name] = TOOL_NAME[algorithm]!;
    expect([name, name.toUpperCase(), `${name}.`, algorithm].map(tsigAlgoOf)).toEqual(
      Array(4).fill(algorithm),
    );
  });

  describe.each(["kdig", "dig"] as const)("%s", (which) => {
    it.skipIf(!haveTools && !CI).each(TSIG_ALGORITHMS)("-y with %s", async (algorithm) => {
      const [name, macBytes] = TOOL_NAME[algorithm]!;
      const out = await tool(TOOLS[which], [
        "-p",
        String(primary.port),
        "@127.0.0.1",
        "-y",
        `${name}:${keyName(algorithm)}:${secretOf(algorithm)}`,
        "example.test",
        "AXFR",
      ]);
      expect(out).not.toMatch(/fail|BADSIG|BADKEY|BADTIME|WARNING|verify|validated|NOTAUTH/i);
      const size =
        which === "kdig"
          ? /Received \d+ B \((\d+) messages, (\d+) records\)/.exec(out)
          : /XFR size: (\d+) records \(messages (\d+)/.exec(out);
      expect(size, out).not.toBeNull();
      const [messages, records] = which === "kdig" ? [size![1], size![2]] : [size![2], size![1]];
      expect(Number(records)).toBe(RECORDS.length + 1);
      expect(Number(messages)).toBeGreaterThan(3);
      // One TSIG per message, each with the algorithm's full MAC.
      const tsigs = [...out.matchAll(/\sTSIG\s+(\S+) \d+ 300 (\d+) /g)];
      expect(tsigs.map((m) => [m[1], Number(m[2])])).toEqual(
        Array.from({ length: Number(messages) }, () => [algorithm, macBytes]),
      );
    });
  });
});
