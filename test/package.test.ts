/**
 * The package as users get it: publint and attw find nothing, the built dist/
 * imports and works, the client entry reaches only web-standard APIs, and the
 * facts the client repeats from elsewhere (version, spec patterns) agree.
 */
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DNS_NAME_MAX_LENGTH,
  DNS_NAME_PATTERN,
  IDENTIFIER_PATTERN,
  MAX_PEERS,
  PORT_MAX,
  PORT_MIN,
  SOA_SERIAL_MAX,
  TSIG_ALGORITHMS,
} from "../generated/constants.js";
import { VERSION } from "../src/client/version.js";
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

/**
 * As run, with stdout written to a file: attw ends with process.exit, which cuts
 * its output short on a pipe once it is longer than the pipe's buffer (its JSON
 * report is over 200 KB).
 */
function runToFile(bin: string, args: string[]) {
  const scratch = mkdtempSync(path.join(tmpdir(), "cf-sdns-attw-"));
  const file = path.join(scratch, "out.json");
  const fd = openSync(file, "w");
  try {
    const result = spawnSync(path.join(root, "node_modules", ".bin", bin), args, {
      cwd: root,
      stdio: ["ignore", fd, "pipe"],
      encoding: "utf8",
      timeout: 120_000,
    });
    return { status: result.status, output: `${readFileSync(file, "utf8")}${result.stderr}` };
  } finally {
    closeSync(fd);
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The built modules reachable from `entries` by import and export, and the packages they name. */
function reachable(entries: string[], check?: (file: string, source: string) => void) {
  const seen = new Set<string>();
  const bare = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, "utf8");
    for (const [, from, dynamic] of source.matchAll(
      /(?:import|export)[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g,
    )) {
      const specifier = from ?? dynamic;
      if (!specifier) continue;
      if (specifier.startsWith(".")) visit(path.resolve(path.dirname(file), specifier));
      else bare.add(specifier);
    }
    check?.(file, source);
  };
  entries.forEach(visit);
  return { seen, bare };
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

  // attw packs and analyses the package: slow on a busy machine.
  it(
    "attw --pack . reports only what ESM-only means (require() from CJS under node16), node10 included",
    {
      timeout: 120_000,
    },
    () => {
      const { status, output } = runToFile("attw", ["--pack", ".", "--format", "json"]);
      const report = JSON.parse(output.slice(output.indexOf("{")));
      const problems = (report.analysis?.problems ?? []).filter(
        (p: { kind?: string; resolutionKind?: string }) =>
          !(p.kind === "CJSResolvesToESM" && p.resolutionKind === "node16-cjs"),
      );
      expect(problems).toEqual([]);
      // Every entry point resolves to its types under node10 (typesVersions) too.
      for (const entry of [".", "./strict", "./raw", "./emulator", "./declare"]) {
        const resolution = report.analysis.entrypoints[entry].resolutions.node10.resolution;
        expect(resolution?.fileName, entry).toMatch(
          /^\/node_modules\/cf-secondary-dns\/dist\/src\/.*\.d\.ts$/,
        );
      }
      expect([0, 1]).toContain(status);
    },
  );

  it("packs what consumers use and nothing else", () => {
    const packed = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
      cwd: root,
      encoding: "utf8",
      timeout: 60_000,
    });
    const output = packed.stdout;
    expect(packed.status, packed.stderr).toBe(0);
    const files: string[] = JSON.parse(output.slice(output.indexOf("[")))[0].files.map(
      (f: { path: string }) => f.path,
    );
    for (const needed of [
      "package.json",
      "README.md",
      "LICENSE",
      "CHANGELOG.md",
      "dist/src/index.js",
      "dist/src/index.d.ts",
      "dist/src/strict.js",
      "dist/src/raw.js",
      "dist/src/emulator/index.js",
      "dist/src/cli/main.js",
      "dist/generated/validators.js",
      "generated/openapi.json",
      "generated/transfers.schema.json",
      "dist/src/declare/index.js",
    ]) {
      expect(files, needed).toContain(needed);
    }
    const extra = files.filter(
      (f) =>
        !/^(package\.json|README\.md|LICENSE|CHANGELOG\.md|generated\/(openapi|transfers\.schema)\.json)$/.test(
          f,
        ) && !/^dist\/(src|generated)\/.+\.(js|d\.ts)$/.test(f),
    );
    expect(extra).toEqual([]);
    expect(files.filter((f) => /demo|README\.md$/.test(f))).toEqual(["README.md"]);
  });

  it("has a LICENSE that matches its license field, and says where it lives", () => {
    expect(pkg.license).toBe("MIT");
    const license = readFileSync(path.join(root, "LICENSE"), "utf8");
    expect(license).toMatch(
      /^MIT License\n\nCopyright \(c\) \d{4} cf-secondary-dns contributors\n/,
    );
    expect(pkg.repository.url).toMatch(
      /^git\+https:\/\/github\.com\/[^/]+\/cf-secondary-dns\.git$/,
    );
    expect(pkg.homepage).toMatch(/^https:\/\/github\.com\//);
    expect(pkg.bugs.url).toMatch(/\/issues$/);
  });

  // yaml is for import/plan/apply's files (cf-secondary-dns/declare and the CLI); the
  // client entry reaches no package at all (below), so its bundle never holds it.
  it("depends on openapi-fetch and yaml alone; dns-packet is an optional peer", () => {
    expect(Object.keys(pkg.dependencies)).toEqual(["openapi-fetch", "yaml"]);
    expect(pkg.peerDependenciesMeta["dns-packet"]).toEqual({ optional: true });
    expect(pkg.peerDependencies["dns-packet"]).toBe(`^${pkg.devDependencies["dns-packet"]}`);
  });

  it("compiles dist/ on install from git (prepare)", () => {
    expect(pkg.scripts.prepare).toBe("node scripts/prepare.mjs");
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

  it("reaches only web-standard APIs: no node: module, and no package at all", () => {
    const { seen, bare } = reachable([built], (file, source) =>
      expect(source, file).not.toMatch(/\bprocess\.(?!env)|\brequire\(|\bBuffer\b/),
    );
    expect([...bare]).toEqual([]);
    expect(seen.size).toBeGreaterThan(5);
  });

  it("leaves openapi-fetch to cf-secondary-dns/raw, which reaches no other package", () => {
    const raw = path.join(root, "dist", "src", "raw.js");
    const { bare } = reachable([raw], (file, source) =>
      expect(source, file).not.toMatch(/\bprocess\.(?!env)|\brequire\(|\bBuffer\b/),
    );
    expect([...bare]).toEqual(["openapi-fetch"]);
    expect(pkg.exports["./raw"]).toEqual({
      types: "./dist/src/raw.d.ts",
      default: "./dist/src/raw.js",
    });
  });
});

describe("the built emulator and CLI", () => {
  it("reach no ajv: their validators were compiled at build time", () => {
    const { seen, bare } = reachable([
      path.join(root, "dist", "src", "emulator", "index.js"),
      path.join(root, "dist", "src", "cli", "main.js"),
    ]);
    expect(seen).toContain(path.join(root, "dist", "generated", "validators.js"));
    expect([...bare].filter((s) => /ajv/.test(s))).toEqual([]);
  });
});

describe("facts repeated in the client agree with their source", () => {
  it("VERSION is package.json's version", () => {
    expect(VERSION).toBe(pkg.version);
  });

  it("the generated patterns and limits are the spec's (scripts/constants.mjs reads the right keywords)", () => {
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
});
