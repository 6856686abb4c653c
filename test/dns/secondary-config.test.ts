/**
 * The whole configurations for Knot, NSD and BIND 9 with Cloudflare as the
 * primary (every NOTIFY range, the key as the gate) pass each server's own
 * checker; Cloudflare's address facts hold together; paths and ranges that
 * cannot be written are refused.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { BlockList } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  CLOUDFLARE_NOTIFY_FROM,
  CLOUDFLARE_OLD_NOTIFY_SOURCES,
  CLOUDFLARE_PRIMARY,
  CLOUDFLARE_RANGES,
} from "../../src/dns/cloudflare.js";
import {
  renderBindConfig,
  renderBindServer,
  writeSecondaryConfigs,
} from "../../src/dns/secondary-config.js";

const CI = process.env.CI === "true";
const dir = mkdtempSync(join(tmpdir(), "secondary-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SETUP = {
  zone: "example.com.",
  primary: { host: CLOUDFLARE_PRIMARY.host, port: CLOUDFLARE_PRIMARY.port },
  tsig: {
    name: "cloudflare-transfer.example.com.",
    algorithm: "hmac-sha256.",
    secret: Buffer.alloc(32, 9).toString("base64"),
  },
  notifyFrom: [...CLOUDFLARE_NOTIFY_FROM],
};

describe("Cloudflare's address facts", () => {
  it("the transfer address and the older NOTIFY sources lie inside the published ranges", () => {
    const ranges = new BlockList();
    for (const range of CLOUDFLARE_RANGES) {
      const [address, prefix] = range.split("/");
      ranges.addSubnet(address!, Number(prefix), address!.includes(":") ? "ipv6" : "ipv4");
    }
    expect(ranges.check(CLOUDFLARE_PRIMARY.host, "ipv4")).toBe(true);
    for (const old of CLOUDFLARE_OLD_NOTIFY_SOURCES) {
      const address = old.split("/")[0]!;
      expect(ranges.check(address, address.includes(":") ? "ipv6" : "ipv4"), old).toBe(true);
    }
    // The documented sources since 2026-04-15 are not inside them: they are listed on their own.
    expect(CLOUDFLARE_NOTIFY_FROM).toEqual(
      expect.arrayContaining(["104.30.167.163/32", "104.30.167.173/32", "2a09:bac0:1000:c47::/64"]),
    );
    expect(ranges.check("104.30.167.163", "ipv4")).toBe(false);
  });
});

describe("whole configurations, Cloudflare as the primary", () => {
  const written = writeSecondaryConfigs(SETUP, {
    listen: { host: "127.0.0.1", port: 5353 },
    dir,
  });
  const checkers = {
    knot: ["/usr/sbin/knotc", "-c", "%", "conf-check"],
    nsd: ["/usr/sbin/nsd-checkconf", "%"],
    bind: ["/usr/bin/named-checkconf", "%"],
  } as const;
  for (const config of written) {
    const [command, ...args] = checkers[config.kind];
    const present = spawnSync(command, ["-h"], { stdio: "ignore" }).error === undefined;
    it.skipIf(!present && !CI)(`${config.kind}: its own checker accepts ${config.file}`, () => {
      const run = spawnSync(
        command,
        args.map((a) => (a === "%" ? config.file : a)),
        { encoding: "utf8", timeout: 10_000 },
      );
      expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
    });
  }

  it("BIND: the NOTIFY ACL requires the key within the ranges; unsigned, the ranges alone", () => {
    const bind = renderBindConfig(SETUP);
    expect(bind).toContain(
      '    primaries { 172.65.64.6 port 53 key "cloudflare-transfer.example.com."; };',
    );
    expect(bind).toMatch(
      /allow-notify \{ !\{ !\{ 104\.30\.167\.163\/32; .* \}; any; \}; key "cloudflare-transfer\.example\.com\."; \};/,
    );
    expect(bind).toContain("2a09:bac0:1000:c47::/64;");
    const unsigned = renderBindConfig({ ...SETUP, tsig: null });
    expect(unsigned).not.toContain("key");
    expect(unsigned).toMatch(/allow-notify \{ 104\.30\.167\.163\/32; .*2c0f:f248::\/32; \};/);
  });

  it("an IPv6 peer: BIND listens on IPv6 only, and named-checkconf accepts it", () => {
    const v6 = renderBindServer(SETUP, { listen: { host: "::1", port: 5353 }, dir });
    expect(v6).toContain("    listen-on-v6 port 5353 { ::1; };\n    listen-on { none; };");
    const knot = writeSecondaryConfigs(SETUP, {
      listen: { host: "::1", port: 5353 },
      dir: join(dir, "v6"),
    });
    expect(readFileSync(knot[0]!.file, "utf8")).toContain("  listen: ::1@5353");
    const bind = knot.find((c) => c.kind === "bind")!;
    const present = spawnSync("/usr/bin/named-checkconf", ["-h"]).error === undefined;
    if (!present && !CI) return;
    const run = spawnSync("/usr/bin/named-checkconf", [bind.file], { encoding: "utf8" });
    expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
  });

  it("refuses a folder or range that cannot be written", () => {
    const server = { listen: { host: "127.0.0.1", port: 5353 }, dir: '/tmp/a"b' };
    expect(() => renderBindServer(SETUP, server)).toThrow(/cannot be written/);
    const bad = { ...SETUP, notifyFrom: ["104.16.0.0/33"] };
    expect(() => renderBindConfig(bad)).toThrow(/not an IP address or CIDR range/);
    const listen = { listen: { host: "example.com", port: 53 }, dir };
    expect(() => renderBindServer(SETUP, listen)).toThrow(/not an IP address to listen on/);
  });
});
