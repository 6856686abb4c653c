/**
 * What a new user reads before running anything (issue 19): the version the
 * README installs has its CHANGELOG entry, the README's troubleshooting names what
 * operators meet first, and the samples a user copies name documentation
 * addresses (RFC 5737, RFC 3849) where the point is "your secondary's address";
 * the one walkthrough that runs on one machine says it uses loopback on purpose.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CLOUDFLARE_IPV4_RANGES, CLOUDFLARE_IPV6_RANGES } from "../../src/dns/cloudflare.js";

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), "utf8");
const README = read("README.md");
const CHANGELOG = read("CHANGELOG.md");
const VERSION = (JSON.parse(read("package.json")) as { version: string }).version;
const SPEC = read("generated/openapi.json");

/** The text of a README section, from its heading to the next heading of its level or above. */
function section(heading: string): string {
  const start = README.indexOf(`\n${heading}\n`);
  expect(start, heading).toBeGreaterThan(0);
  const level = heading.split(" ")[0]!;
  const rest = README.slice(start + heading.length + 2);
  const next = rest.search(new RegExp(`^#{1,${level.length}} `, "m"));
  return next < 0 ? rest : rest.slice(0, next);
}

const IPV4 = /\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/g;
/** RFC 5737's three documentation ranges. */
const documentation = (ip: string) => /^(192\.0\.2|198\.51\.100|203\.0\.113)\./.test(ip);
/** Cloudflare's transfer address and documented NOTIFY sources, named as facts. */
// Cloudflare's addresses, and its published ranges (the GET /ips example shows them).
const CLOUDFLARE = new Set([
  "172.65.64.6",
  "104.30.167.163",
  "104.30.167.173",
  ...CLOUDFLARE_IPV4_RANGES.map((range) => range.split("/")[0]!),
]);

describe("the README and CHANGELOG a new user reads", () => {
  it("the package's version has a dated CHANGELOG entry, and the README installs that version's tarball", () => {
    expect(CHANGELOG).toMatch(
      new RegExp(`^## ${VERSION.replace(/\./g, "\\.")} \\(\\d{4}-\\d{2}-\\d{2}\\)$`, "m"),
    );
    expect(README).toContain(`npm install ./cf-secondary-dns-${VERSION}.tgz`);
  });

  it("troubleshooting names BADKEY after enable, minimal ANY, flattened and proxied records, denied NOTIFYs", () => {
    const text = section("### Troubleshooting");
    expect(text).toMatch(/BADKEY for about 30 seconds after `enable`/);
    expect(text).toMatch(/ANY is answered minimally.*RFC 8482/s);
    expect(text).toMatch(/Flattened CNAMEs/);
    expect(text).toMatch(/proxied records/);
    expect(text).toMatch(/NOTIFYs denied by an ACL/);
  });

  it("Cloudflare-as-primary samples name a documentation address for the secondary, and say so", () => {
    const guide = section("## Cloudflare as primary");
    const copied = guide.slice(0, guide.indexOf("### On one machine"));
    const addresses = [...copied.matchAll(IPV4)].map((m) => m[0]);
    expect(addresses).toContain("192.0.2.53");
    const others = addresses.filter((ip) => !documentation(ip) && !CLOUDFLARE.has(ip));
    // Loopback appears only where the text is about the emulator's own DNS address.
    expect(
      others.every((ip) => ip.startsWith("127.0.0.1")),
      others.join(", "),
    ).toBe(true);
    expect(copied).toMatch(/`192\.0\.2\.53` stands for your secondary's public address/);
    // The blocks a user copies (ts, sh) give the secondary no loopback address.
    const code = [...copied.matchAll(/^```(?:ts|sh)\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
    expect(code.length).toBeGreaterThanOrEqual(2);
    for (const block of code) expect(block).not.toMatch(/127\.\d+\.\d+\.\d+/);
  });

  it("the one-machine walkthrough uses loopback, and says every packet stays there", () => {
    const walk = section("### On one machine, from nothing to three secondaries in sync");
    expect(walk).toMatch(/--peer-ip 127\.0\.0\.1 /);
    expect(walk).toContain("Every packet stays on loopback.");
  });

  it("the spec's examples and code samples (the docs page) name no loopback or private address", () => {
    const addresses = [...new Set([...SPEC.matchAll(IPV4)].map((m) => m[0]))];
    expect(addresses.length).toBeGreaterThan(0);
    const others = addresses.filter((ip) => !documentation(ip) && !CLOUDFLARE.has(ip));
    expect(others).toEqual([]);
    const ipv6 = [...SPEC.matchAll(/"([0-9a-f]{1,4}:[0-9a-f:]*)(\/\d+)?"/g)].map((m) => m[1]!);
    const published = CLOUDFLARE_IPV6_RANGES.map((range) => range.split("/")[0]!);
    expect(
      ipv6.every((ip) => ip.startsWith("2001:db8:") || published.includes(ip)),
      ipv6.join(", "),
    ).toBe(true);
  });
});
