/**
 * The primary's configuration for "Cloudflare as secondary" (primary-config.ts):
 * against Cloudflare, transfers allowed only from its transfer sources with the
 * key and NOTIFY sent to its four NOTIFY addresses; each server's own checker
 * (knotc conf-check, nsd-checkconf, named-checkconf) accepts the files; bad
 * values are refused before anything is written; the secret stays in files
 * only their owner reads. Running them as primaries: pull-primaries.test.ts.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  CLOUDFLARE_NOTIFY_SOURCES,
  CLOUDFLARE_SECONDARY_NOTIFY,
} from "../../src/dns/cloudflare.js";
import {
  cloudflareTargets,
  emulatorTargets,
  renderPrimaryConfigs,
  writePrimaryConfigs,
  type PrimarySetup,
} from "../../src/dns/primary-config.js";
import { SetupError } from "../../src/dns/render.js";

const CI = process.env.CI === "true";
const dir = mkdtempSync(join(tmpdir(), "primary-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const zoneFile = join(dir, "example.test.zone");
writeFileSync(
  zoneFile,
  "$TTL 300\n@ IN SOA ns.example.test. admin.example.test. 1 3600 600 86400 300\n@ IN NS ns.example.test.\nns IN A 192.0.2.1\n",
);
const TSIG = {
  name: "cf-key.",
  algorithm: "hmac-sha512.",
  secret: Buffer.alloc(64, 1).toString("base64"),
};
const setup = (over: Partial<PrimarySetup> = {}): PrimarySetup => ({
  zone: "example.test.",
  zoneFile,
  listen: { host: "127.0.0.1", port: 15353 },
  tsig: TSIG,
  targets: cloudflareTargets(),
  dir,
  ...over,
});

describe("primary configurations", () => {
  it("against Cloudflare: transfers from its sources with the key, NOTIFY to its addresses", () => {
    const [knot, nsd, bind] = renderPrimaryConfigs(setup()).map((f) => f.text);
    for (const source of CLOUDFLARE_NOTIFY_SOURCES) {
      expect(knot).toContain(source);
      expect(nsd).toContain(`provide-xfr: ${source} cf-key.`);
      expect(bind).toContain(`${source};`);
    }
    for (const target of CLOUDFLARE_SECONDARY_NOTIFY) {
      expect(knot).toContain(`address: ${target}@53`);
      expect(nsd).toContain(`notify: ${target}@53 cf-key.`);
      expect(bind).toContain(`${target} port 53 key "cf-key.";`);
    }
    expect(knot).toContain("action: transfer");
    expect(knot).toContain("algorithm: hmac-sha512");
    expect(bind).toContain("allow-transfer { !{ !{ ");
    expect(bind).toContain('any; }; key "cf-key."; };');
  });

  it("against the emulator: its DNS address only", () => {
    const texts = renderPrimaryConfigs(
      setup({ targets: emulatorTargets({ host: "127.0.0.1", port: 25353 }) }),
    );
    expect(texts[0]!.text).toContain("address: 127.0.0.1@25353");
    expect(texts[1]!.text).toContain("notify: 127.0.0.1@25353 cf-key.");
    expect(texts[2]!.text).toContain("127.0.0.1 port 25353 key");
    for (const file of texts) expect(file.text).not.toContain("104.30.167.163");
  });

  it("refuses values that cannot be written, before writing anything", () => {
    const bad: Partial<PrimarySetup>[] = [
      { zone: 'evil"zone' },
      { zoneFile: join(dir, 'a"b.zone') },
      { listen: { port: 70000 } },
      { targets: { transferFrom: ["not-a-range"], notify: [] } },
      { targets: { transferFrom: ["127.0.0.1"], notify: [{ host: "ns.example", port: 53 }] } },
      { tsig: { ...TSIG, secret: "not base64!" } },
    ];
    for (const over of bad) {
      const target = join(dir, "refused");
      expect(
        () => writePrimaryConfigs(setup({ ...over, dir: target })),
        JSON.stringify(over),
      ).toThrow(Error);
      expect(() => statSync(target)).toThrow();
    }
    expect(() => renderPrimaryConfigs(setup({ zone: 'evil"zone' }))).toThrow(SetupError);
  });

  const checkers = {
    knot: ["/usr/sbin/knotc", "-c", "%", "conf-check"],
    nsd: ["/usr/sbin/nsd-checkconf", "%"],
    bind: ["/usr/bin/named-checkconf", "%"],
  } as const;
  for (const [kind, [command, ...args]] of Object.entries(checkers)) {
    const present = spawnSync(command, ["-h"]).error === undefined;
    it.skipIf(!present && !CI)(
      `${kind}'s own checker accepts the file, written for its owner only`,
      () => {
        expect(present, `${command} must be installed when CI=true`).toBe(true);
        const written = writePrimaryConfigs(setup()).find((f) => f.kind === kind)!;
        const file = join(dir, written.path);
        expect(statSync(file).mode & 0o777).toBe(0o600);
        const result = spawnSync(
          command,
          args.map((a) => (a === "%" ? file : a)),
          { encoding: "utf8", timeout: 10_000 },
        );
        expect(result.status, `${result.stdout}${result.stderr}\n${written.text}`).toBe(0);
      },
    );
  }
});
