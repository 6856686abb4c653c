/**
 * Strings the CLI did not write (a query name sent to the emulator, a peer's
 * name from the API) cannot forge a line of its text output or turn the text
 * after them around: newlines and bidi controls are shown escaped; --json
 * keeps the raw value.
 */
import { createSocket } from "node:dgram";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run.js";
import { escapeStrings } from "../../src/cli/output.js";
import { packet } from "../../src/dns/wire.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { createSecondaryDnsClient } from "../../src/index.js";
import { escapeText } from "../../src/text.js";
import { cli, collector } from "./run.js";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const ZONE_ID = "aaaabbbbccccddddeeeeffff00002222";
const FORGED = "OK: every peer is in sync (exit 0)";

describe("escapeText", () => {
  it("escapes line breaks, the backslash, C0, DEL, C1 and the bidi controls", () => {
    expect(escapeText("a\nb\r\tc\\d")).toBe("a\\nb\\r\\tc\\\\d");
    expect(escapeText("\x00\x1b\x7f\x85")).toBe("\\x00\\x1b\\x7f\\x85");
    const bidi = [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069];
    for (const code of bidi)
      expect(escapeText(String.fromCharCode(code))).toBe(`\\u${code.toString(16)}`);
    expect(escapeText("\u2028\u2029\u200e\u200f\u061c")).toBe(
      "\\u2028\\u2029\\u200e\\u200f\\u061c",
    );
    // Text in any script, emoji and the no-break space stay as they are.
    expect(escapeText("café ü ✓ 名前 \u00a0 🙂")).toBe("café ü ✓ 名前 \u00a0 🙂");
  });

  it("escapeStrings: every string of a result, keys too, at any depth, on a copy", () => {
    const result = { "k\n": ["a\nb", { name: "\u202e", n: 5, ok: true, none: null }] };
    expect(escapeStrings(result)).toEqual({
      "k\\n": ["a\\nb", { name: "\\u202e", n: 5, ok: true, none: null }],
    });
    expect(result["k\n"][0]).toBe("a\nb");
    let deep: unknown = "x\n";
    for (let i = 0; i < 20_000; i++) deep = [deep];
    expect(() => escapeStrings(deep)).not.toThrow();
  });
});

describe("the emulator's log", () => {
  it("a query name with a newline stays on its line", async () => {
    const stdout = collector();
    const stop = new AbortController();
    const running = runCli(["emulator", "--dns-port", "0"], {
      env: {},
      stdout,
      stderr: collector(),
      signal: stop.signal,
    });
    try {
      const port = Number((await waitFor(() => /on 127\.0\.0\.1:(\d+), UDP/.exec(stdout.text)))[1]);
      const name = `x\n[00:00:00] DNS SOA forged.test from 127.0.0.1 (udp): rcode 0\u202e`;
      await askUdp(port, name);
      await waitFor(() => stdout.text.includes("forged.test"));
      const lines = stdout.text.split("\n").filter((line) => line.includes("forged.test"));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^\[\d\d:\d\d:\d\d\] DNS SOA x\\n\[00:00:00\] dns soa forged\.test/i,
      );
      expect(stdout.text).not.toMatch(/^\[00:00:00\]/m);
      expect(stdout.text).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e]/);
    } finally {
      stop.abort();
      await running;
    }
  });
});

describe("the emulator's start-up error", () => {
  it("quotes a zone file's word escaped, on one line", async () => {
    const folder = await mkdtemp(join(tmpdir(), "escaped-start-"));
    try {
      const state = join(folder, "state.json");
      const file = join(folder, "bad.zone");
      const first = await startEmulator({ seed: {}, stateFile: state });
      const client = createSecondaryDnsClient({ baseUrl: first.url, apiToken: "t" });
      await client.outgoing.create(ZONE_ID, { name: "start.test.", peers: [] });
      await first.close();
      await writeFile(file, "$TTL 300\n@ SOA ns1 h 1 1 1 1 1\n@ NS ns1\nw A 192.0.2.1\u202e\n");
      const args = ["emulator", "--state", state, "--zone-file", `${ZONE_ID}=${file}`];
      const { code, stderr } = await cli(args, {});
      expect(code).toBe(1);
      expect(stderr).toContain('A needs an IPv4 address, got "192.0.2.1\\u202e"');
      expect(stderr).not.toContain("\u202e");
      expect(stderr.split("\n")).toHaveLength(2);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe("outgoing doctor's text", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ dnsPort: 0, seed: {} });
  });
  afterAll(() => emulator.close());

  it("a peer named with a newline and U+202E forges no line; --json keeps the name", async () => {
    const client = createSecondaryDnsClient({
      baseUrl: emulator.url,
      apiToken: "t",
      accountId: ACCOUNT,
    });
    const name = `p\n${FORGED}\u202e`;
    const peer = await client.peers.create({ name, ip: "127.0.0.1", port: 1 });
    await client.outgoing.create(ZONE_ID, { name: "forge.test.", peers: [peer.id] });
    await client.outgoing.enable(ZONE_ID);
    const env = {
      CLOUDFLARE_BASE_URL: emulator.url,
      CLOUDFLARE_API_TOKEN: "t",
      CLOUDFLARE_ACCOUNT_ID: ACCOUNT,
      CF_SECONDARY_DNS_PRIMARY: `127.0.0.1:${emulator.dns!.port}`,
    };
    const text = await cli(["outgoing", "doctor", ZONE_ID, "--timeout", "500"], env);
    expect(text.code).toBe(12); // the peer is unreachable: not in sync
    expect(text.stdout.split("\n").filter((line) => line.startsWith("OK:"))).toEqual([]);
    expect(text.stdout).toContain(`p\\n${FORGED}\\u202e (${peer.id})`);
    expect(text.stdout).not.toContain("\u202e");
    const json = await cli(["outgoing", "doctor", ZONE_ID, "--timeout", "500", "--json"], env);
    expect(JSON.parse(json.stdout).peers[0].name).toBe(name);
  });
});

async function waitFor<T>(probe: () => T | null | false | undefined): Promise<T> {
  for (let tries = 0; tries < 100; tries++) {
    const found = probe();
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("timed out waiting");
}

/** One SOA query over UDP to 127.0.0.1; resolves on the answer. */
async function askUdp(port: number, name: string): Promise<void> {
  const socket = createSocket("udp4");
  try {
    const message = packet.encode({
      id: 7,
      type: "query",
      questions: [{ name, type: "SOA", class: "IN" }],
    });
    await new Promise<void>((resolve, reject) => {
      socket.once("message", () => resolve());
      socket.once("error", reject);
      socket.send(message, port, "127.0.0.1");
    });
  } finally {
    socket.close();
  }
}
