/**
 * The package as users get it: publint and attw find nothing, the built dist/
 * imports and works, the client entry reaches only web-standard APIs, and the
 * facts the client repeats from elsewhere (version, spec patterns) agree.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ACL_IPV4_MIN_PREFIX,
  ACL_IPV6_MIN_PREFIX,
  DNS_NAME_MAX_LENGTH,
  DNS_NAME_PATTERN,
  IDENTIFIER_PATTERN,
  MAX_PEERS,
  PORT_MAX,
  PORT_MIN,
  SOA_SERIAL_MAX,
  TSIG_ALGORITHMS,
} from "../src/validate.js";
import { VERSION } from "../src/version.js";
import { spec } from "./support/spec.js";
import { envelope, sampleZone, startServer, ZONE, type TestServer } from "./support/server.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const built = path.join(root, "dist", "src", "index.js");

function run(bin: string, args: string[]) {
  const result = spawnSync(path.join(root, "node_modules", ".bin", bin), args, {
    cwd: root,
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("the published package", () => {
  it("dist/ has been built (npm test builds it first)", () => {
    expect(existsSync(built), "run `npm run build` first").toBe(true);
  });

  it("publint --strict reports nothing", () => {
    const { status, output } = run("publint", ["--strict"]);
    expect(output).toContain("All good!");
    expect(status).toBe(0);
  });

  it("attw --pack . --profile esm-only reports no problem", () => {
    const { status, output } = run("attw", [
      "--pack",
      ".",
      "--profile",
      "esm-only",
      "--format",
      "json",
    ]);
    expect(status, output).toBe(0);
    const report = JSON.parse(output.slice(output.indexOf("{")));
    const problems = (report.analysis?.problems ?? []).filter(
      (p: { resolutionKind?: string }) =>
        p.resolutionKind !== "node10" && p.resolutionKind !== "node16-cjs",
    );
    expect(problems).toEqual([]);
  });

  it("declares what the brief asks of it", () => {
    expect(pkg.name).toBe("cf-secondary-dns");
    expect(pkg.type).toBe("module");
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.engines.node).toBe(">=20");
    expect(Object.keys(pkg.exports["."])[0]).toBe("types");
    expect(pkg.bin["cf-secondary-dns"]).toBeTruthy();
    for (const [name, version] of Object.entries<string>({
      ...pkg.dependencies,
      ...pkg.devDependencies,
    })) {
      expect(version, name).toMatch(/^\d+\.\d+\.\d+$/);
    }
  });
});

describe("the built client", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(() => ({ body: envelope(sampleZone) }));
  });
  afterAll(() => server.close());

  it("imports from dist/ and makes a call", async () => {
    const dist = (await import(built)) as typeof import("../src/index.js");
    const client = dist.createSecondaryDnsClient({
      apiToken: "tok-smoke-0001",
      baseUrl: server.baseUrl,
    });
    await expect(client.outgoing.get(ZONE)).resolves.toEqual(sampleZone);
    expect(
      new dist.NotFoundError({ status: 404, method: "GET", url: "u", path: "/p" }),
    ).toBeInstanceOf(dist.SecondaryDnsError);
  });

  it("reaches only web-standard APIs: no node: module, no package but openapi-fetch", () => {
    const seen = new Set<string>();
    const bare = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, "utf8");
      for (const [, specifier] of source.matchAll(
        /(?:import|export)[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g,
      )) {
        if (!specifier) continue;
        if (specifier.startsWith(".")) visit(path.resolve(path.dirname(file), specifier));
        else bare.add(specifier);
      }
      expect(source, file).not.toMatch(/\bprocess\.(?!env)|\brequire\(|\bBuffer\b/);
    };
    visit(built);
    expect([...bare]).toEqual(["openapi-fetch"]);
    expect(seen.size).toBeGreaterThan(5);
  });
});

describe("facts repeated in the client agree with their source", () => {
  it("VERSION is package.json's version", () => {
    expect(VERSION).toBe(pkg.version);
  });

  it("the client's patterns and limits are the spec's", () => {
    const schemas = spec.components.schemas!;
    expect(IDENTIFIER_PATTERN).toBe(schemas.Identifier.pattern);
    expect(DNS_NAME_PATTERN).toBe(schemas.DnsName.pattern);
    expect(DNS_NAME_MAX_LENGTH).toBe(schemas.DnsName.maxLength);
    expect(MAX_PEERS).toBe(schemas.PeerIds.maxItems);
    expect(SOA_SERIAL_MAX).toBe(schemas.OutgoingZone.properties.soa_serial.maximum);
    expect(PORT_MIN).toBe(schemas.Peer.properties.port.minimum);
    expect(PORT_MAX).toBe(schemas.Peer.properties.port.maximum);
    expect(PORT_MIN).toBe(schemas.PeerInput.properties.port.minimum);
    expect(PORT_MAX).toBe(schemas.PeerInput.properties.port.maximum);
    expect([...TSIG_ALGORITHMS]).toEqual(schemas.Tsig.properties.algo.enum);
    expect([...TSIG_ALGORITHMS]).toEqual(schemas.TsigInput.properties.algo.enum);
  });

  it("the client's largest ACL ranges are where the spec's ip_range patterns stop", () => {
    const [v4, v6] = spec.components.schemas!.Acl.properties.ip_range.anyOf.map(
      (part: { pattern: string }) => new RegExp(part.pattern),
    );
    expect(v4.test(`127.0.0.0/${ACL_IPV4_MIN_PREFIX}`)).toBe(true);
    expect(v4.test(`127.0.0.0/${ACL_IPV4_MIN_PREFIX - 1}`)).toBe(false);
    expect(v6.test(`2001:db8::/${ACL_IPV6_MIN_PREFIX}`)).toBe(true);
    expect(v6.test(`2001:db8::/${ACL_IPV6_MIN_PREFIX - 1}`)).toBe(false);
  });
});
