/**
 * The package installed as the README's Install section says, offline: from git at a
 * commit hash (a clone of the committed HEAD, `npm install git+file://…#<commit>`),
 * and from the tarball `npm pack` writes, each into a scratch consumer. npm
 * installs the clone's devDependencies there, runs `prepare` (which compiles dist/),
 * packs it and installs the result. The consumer then has the client, its types under
 * each TypeScript module resolution, the CLI and a working emulator, with
 * openapi-fetch as the only other package in node_modules. Everything comes from the
 * npm cache when it is warm (`--prefer-offline`); all traffic of the emulator stays on
 * 127.0.0.1.
 */
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const INSTALL_TIMEOUT_MS = 240_000;

/** The environment without what `npm test` passes down to its children (npm_config_*, …). */
const env = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^npm_|^INIT_CWD$/i.test(key)),
);

/** Runs at low priority (nice), so that the install and tsc slow down the other tests less. */
function run(command: string, args: string[], options: SpawnSyncOptions = {}) {
  const niced =
    process.platform === "win32" ? [command, ...args] : ["nice", "-n", "10", command, ...args];
  const result = spawnSync(niced[0]!, niced.slice(1), {
    encoding: "utf8",
    timeout: 60_000,
    env,
    ...options,
  });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}${result.error ? String(result.error) : ""}`;
  return { status: result.status, stdout: String(result.stdout ?? ""), output };
}

let scratch: string;
let consumer: string;
let install: { status: number | null; output: string };

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), "cf-sdns-install-"));
  const clone = path.join(scratch, "clone");
  const cloned = run("git", ["clone", "--quiet", "--no-hardlinks", root, clone]);
  expect(cloned.status, cloned.output).toBe(0);
  expect(existsSync(path.join(clone, "dist")), "a clone has no build of its own").toBe(false);

  const commit = run("git", ["rev-parse", "HEAD"], { cwd: clone }).stdout.trim();
  consumer = path.join(scratch, "consumer");
  mkdirSync(consumer);
  writeFileSync(
    path.join(consumer, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module" }),
  );
  install = run(
    "npm",
    [
      "install",
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      `git+${pathToFileURL(clone).href}#${commit}`,
    ],
    { cwd: consumer, timeout: INSTALL_TIMEOUT_MS },
  );
}, INSTALL_TIMEOUT_MS + 30_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("the README's install commands", () => {
  const block = /^## Install\n[\s\S]*?```sh\n([\s\S]*?)```/m.exec(
    readFileSync(path.join(root, "README.md"), "utf8"),
  )?.[1];

  it("name the tarball npm pack writes for this version, a branch, and no tag that is not there", () => {
    expect(block).toContain(`npm install ./cf-secondary-dns-${pkg.version}.tgz`);
    expect(block).toMatch(/^npm install git\+https:\/\/\S+\.git#main /m);
    expect(block).toMatch(/^npm install git\+https:\/\/\S+\.git#<commit> /m);
    // The repository has no release tags yet: no command may install one.
    expect(block).not.toMatch(/#v\d/);
  });

  it("the tarball: npm pack writes cf-secondary-dns-<version>.tgz, and it installs and runs", () => {
    const packed = run("npm", ["pack", "--ignore-scripts", "--pack-destination", scratch], {
      cwd: root,
    });
    expect(packed.status, packed.output).toBe(0);
    const tarball = `cf-secondary-dns-${pkg.version}.tgz`;
    expect(existsSync(path.join(scratch, tarball))).toBe(true);
    const other = path.join(scratch, "from-tarball");
    mkdirSync(other);
    writeFileSync(path.join(other, "package.json"), JSON.stringify({ name: "t", private: true }));
    const installed = run(
      "npm",
      [
        "install",
        "--prefer-offline",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        `../${tarball}`,
      ],
      { cwd: other, timeout: 120_000 },
    );
    expect(installed.status, installed.output).toBe(0);
    const version = run("npx", ["--no-install", "cf-secondary-dns", "--version"], { cwd: other });
    expect(version.stdout.trim()).toBe(pkg.version);
  }, 150_000);
});

describe("npm install git+file://<clone>#<commit>", { timeout: 60_000 }, () => {
  it("succeeds and installs the built package", () => {
    expect(install.status, install.output).toBe(0);
    const installed = path.join(consumer, "node_modules", "cf-secondary-dns");
    expect(existsSync(path.join(installed, "dist", "src", "index.js"))).toBe(true);
    expect(existsSync(path.join(installed, "dist", "generated", "validators.js"))).toBe(true);
    expect(existsSync(path.join(installed, "dist", "src", "demo.js"))).toBe(false);
  });

  it("brings openapi-fetch (and its types helper), yaml (for import, plan and apply), and nothing else", () => {
    const names = readdirSync(path.join(consumer, "node_modules"))
      .filter((name) => !name.startsWith("."))
      .sort();
    expect(names).toEqual([
      "cf-secondary-dns",
      "openapi-fetch",
      "openapi-typescript-helpers",
      "yaml",
    ]);
  });

  it("imports, and its emulator answers a call without ajv installed", () => {
    const script = `
      import { createSecondaryDnsClient, NotFoundError } from "cf-secondary-dns";
      import { strictResults } from "cf-secondary-dns/strict";
      import { rawClient } from "cf-secondary-dns/raw";
      import { startEmulator } from "cf-secondary-dns/emulator";
      const emulator = await startEmulator({ host: "127.0.0.1", port: 0 });
      try {
        const client = createSecondaryDnsClient({ apiToken: "tok-install-0001", baseUrl: emulator.url, validateResults: strictResults });
        const zone = "023e105f4ecef8ad9ca31a8372d0c353";
        const missing = await client.outgoing.get(zone).catch((e) => e);
        const bad = await client.outgoing.create(zone, { name: "www.example.com.", peers: ["nope"] }).catch((e) => e.name);
        const made = await client.outgoing.create(zone, { name: "www.example.com.", peers: [] });
        const { data } = await rawClient(client).GET("/zones/{zone_id}/secondary_dns/outgoing", { params: { path: { zone_id: zone } } });
        console.log(JSON.stringify({ missing: missing instanceof NotFoundError, bad, name: made.name, raw: data.result.name }));
      } finally {
        await emulator.close();
      }
    `;
    const result = run("node", ["--input-type=module", "-e", script], { cwd: consumer });
    expect(result.status, result.output).toBe(0);
    expect(JSON.parse(result.stdout.trim())).toEqual({
      missing: true,
      bad: "ValidationError",
      name: "www.example.com.",
      raw: "www.example.com.",
    });
  });

  // skipLibCheck false, and no dns-packet or @types/dns-packet in reach (the only
  // type root holds @types/node): the published declarations must check on their own,
  // dns-packet's types kept out of them, under every module resolution.
  it.each([
    ["nodenext", { module: "nodenext", moduleResolution: "nodenext" }],
    ["bundler", { module: "esnext", moduleResolution: "bundler" }],
    ["node10", { module: "commonjs", moduleResolution: "node10" }],
  ])(
    "type-checks under moduleResolution %s with skipLibCheck false, every entry point",
    { timeout: 90_000 },
    (name, options) => {
      const dir = path.join(consumer, `ts-${name}`);
      const typeRoot = path.join(dir, "types");
      mkdirSync(typeRoot, { recursive: true });
      symlinkSync(path.join(root, "node_modules", "@types", "node"), path.join(typeRoot, "node"));
      writeFileSync(
        path.join(dir, "index.ts"),
        [
          `import { createSecondaryDnsClient, type OutgoingZone } from "cf-secondary-dns";`,
          `import { strictResults } from "cf-secondary-dns/strict";`,
          `import { rawClient, type RawClient } from "cf-secondary-dns/raw";`,
          `import { startEmulator, type Emulator } from "cf-secondary-dns/emulator";`,
          `import { runDoctor, parseZoneFile, type ZoneRecord } from "cf-secondary-dns/dns";`,
          `import { plan, type Plan, parseTransfers } from "cf-secondary-dns/declare";`,
          `const client = createSecondaryDnsClient({ apiToken: "t", validateResults: strictResults });`,
          `export const raw: RawClient = rawClient(client);`,
          `export const zone: Promise<OutgoingZone> = client.outgoing.get("023e105f4ecef8ad9ca31a8372d0c353");`,
          `export const status: Promise<"Enabled" | "Disabled"> = client.outgoing.status("023e105f4ecef8ad9ca31a8372d0c353");`,
          `export const started: Promise<Emulator> = startEmulator();`,
          `export const records: ZoneRecord[] = parseZoneFile("", { origin: "example.com." }).records;`,
          `export const doctor = runDoctor;`,
          `export const planned: Promise<Plan> = plan(client, parseTransfers("version: 1\\n", "t.yaml"));`,
          `// @ts-expect-error: a zone id is a string`,
          `client.outgoing.get(42);`,
          "",
        ].join("\n"),
      );
      writeFileSync(
        path.join(dir, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: {
            ...options,
            skipLibCheck: false,
            target: "es2022",
            lib: ["es2022", "dom"],
            strict: true,
            noEmit: true,
            typeRoots: [typeRoot],
            types: ["node"],
          },
          files: ["index.ts"],
        }),
      );
      expect(existsSync(path.join(consumer, "node_modules", "dns-packet"))).toBe(false);
      expect(existsSync(path.join(consumer, "node_modules", "@types"))).toBe(false);
      const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
      const result = run("node", [tsc, "-p", dir], { cwd: dir, timeout: 80_000 });
      expect(result.output).toBe("");
      expect(result.status).toBe(0);
    },
  );

  it("gives a working `npx cf-secondary-dns --version`", () => {
    const result = run("npx", ["--no-install", "cf-secondary-dns", "--version"], { cwd: consumer });
    expect(result.status, result.output).toBe(0);
    expect(result.stdout.trim()).toContain(pkg.version);
  });
});

describe("npm install <path of an unbuilt clone>", { timeout: 60_000 }, () => {
  it("fails, saying to run npm ci there first (it cannot build without devDependencies)", () => {
    const clone = path.join(scratch, "unbuilt");
    expect(run("git", ["clone", "--quiet", "--no-hardlinks", root, clone]).status).toBe(0);
    const other = path.join(scratch, "other");
    mkdirSync(other);
    writeFileSync(
      path.join(other, "package.json"),
      JSON.stringify({ name: "other", private: true }),
    );
    const result = run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", clone], {
      cwd: other,
    });
    expect(result.status).not.toBe(0);
    expect(result.output).toContain("has no build and no devDependencies to make one");
    expect(result.output).toContain("npm ci");
  });
});
