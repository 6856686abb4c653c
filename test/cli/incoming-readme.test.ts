/**
 * The README's "Cloudflare as secondary" walk-throughs, run as written against
 * the emulator with a real Knot primary on 127.0.0.1: the CLI's lines (setup
 * --write-config, knotd from the file it wrote, force-axfr, doctor until in
 * sync) and the client's two TypeScript blocks (setupIncoming and
 * writePrimaryConfigs, then forceAxfr and runIncomingDoctor). A free port
 * stands for 5300 and 8787, and a temporary folder for the working folder.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { freePort, waitFor } from "../dns/servers.js";
import { shellWords } from "../docs/shell-words.js";
import * as samples from "../docs/typescript-samples.js";
import { startPrimary, type PrimaryServer } from "./primary-server.js";
import { cli } from "./run.js";

const CI = process.env.CI === "true";
const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const SECTION = README.slice(
  README.indexOf("## Cloudflare as secondary"),
  README.indexOf("## Options"),
);
const blocks = (lang: string) =>
  [...SECTION.matchAll(new RegExp(`^\`\`\`${lang}\n([\\s\\S]*?)^\`\`\``, "gm"))].map((m) => m[1]!);
const [ZONE_TEXT = ""] = blocks("text");
const STEPS = blocks("sh").find((b) => b.includes("incoming setup")) ?? "";
const [SETUP_TS = "", DOCTOR_TS = ""] = blocks("ts");
const ZONE = "example.com.";
const ZONE_ID = "9a7806061c88ada191ed06f989cc3dac";
const present =
  spawnSync("/usr/sbin/knotd", ["-V"], { stdio: "ignore", timeout: 5000 }).status === 0;
if (!present && !CI) console.warn("[incoming readme] knotd is not installed: skipped");

let emulator: Emulator | undefined;
let knot: PrimaryServer | undefined;
let dir: string | undefined;
afterEach(async () => {
  await knot?.stop();
  await emulator?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  [knot, emulator, dir] = [undefined, undefined, undefined];
});

/** Starts knotd with `conf` (an absolute path, as setup writes it) and waits until it serves the zone. */
async function startKnot(conf: string, port: number): Promise<void> {
  expect(isAbsolute(conf)).toBe(true);
  knot = await startPrimary("/usr/sbin/knotd", ["-c", conf], { port, zone: ZONE });
}

/** A fresh emulator, folder (with the README's zone file) and primary port. */
async function begin(): Promise<{ port: number; env: Record<string, string> }> {
  emulator = await startEmulator({ dnsPort: 0 });
  dir = mkdtempSync(join(tmpdir(), "incoming-readme-"));
  writeFileSync(join(dir, "example.com.zone"), ZONE_TEXT);
  const port = await freePort();
  const env = {
    CLOUDFLARE_BASE_URL: emulator.url,
    CLOUDFLARE_API_TOKEN: "any-token",
    CLOUDFLARE_ACCOUNT_ID: "01a7362d577a6c3019a474fd6f485823",
  };
  return { port, env };
}

describe.skipIf(!present && !CI)("the README's Cloudflare as secondary", () => {
  it("has the zone file, the CLI's lines and the client's two blocks", () => {
    expect(present, "knotd must be installed when CI=true").toBe(true);
    expect(ZONE_TEXT).toContain("SOA ns1 hostmaster 2026120401");
    expect(STEPS).toContain(`incoming doctor ${ZONE_ID}`);
    expect(SETUP_TS).toContain("setupIncoming(client");
    expect(DOCTOR_TS).toContain("runIncomingDoctor(client");
  });

  it("the CLI's lines: setup, knotd from the written file, force-axfr, doctor in sync", async () => {
    const { port, env } = await begin();
    const inDir = (word: string) =>
      /^(primary|example\.com\.zone)(\/|$)/.test(word) ? join(dir!, word) : word;
    const lines = STEPS.trim().split("\n");
    expect(lines[0]).toMatch(/^export CLOUDFLARE_BASE_URL=http:\/\/127\.0\.0\.1:8787\/client\/v4 /);
    for (const line of lines.slice(1)) {
      const words = shellWords(line.replace(/ &$/, "")).map((w) =>
        w === "5300" ? String(port) : inDir(w),
      );
      if (words[0] === "knotd") {
        await startKnot(words[2]!, port);
        continue;
      }
      expect(words[0]).toBe("cf-secondary-dns");
      if (words[2] === "doctor") {
        const done = await waitFor(
          "doctor in sync",
          async () => {
            const outcome = await cli(words.slice(1), env);
            return outcome.code === 0 ? outcome : undefined;
          },
          15_000,
          () => knot?.output() ?? "",
        );
        expect(done.stdout).toContain("Cloudflare's DNS: in sync at serial 2026120401");
        continue;
      }
      const outcome = await cli(words.slice(1), env);
      expect(outcome.code, `${line}\n${outcome.stderr}`).toBe(0);
    }
  }, 60_000);

  it("the client's blocks type-check, set up, write Knot's file and find it in sync", async () => {
    expect(samples.packageBuilt(), "run `npm run build` first").toBe(true);
    const { port, env } = await begin();
    const here = (source: string) =>
      source
        .replaceAll("5300", String(port))
        .replace(
          'zoneFile: "example.com.zone"',
          `zoneFile: ${JSON.stringify(join(dir!, "example.com.zone"))}`,
        )
        .replace('dir: "primary"', `dir: ${JSON.stringify(join(dir!, "primary"))}`);
    const folder = samples.sampleFolder();
    try {
      const files = samples.writeSamples(folder, {
        setup: here(SETUP_TS),
        doctor: here(DOCTOR_TS),
      });
      expect(samples.typeErrors(Object.values(files))).toEqual([]);
      const setup = await samples.runSample(files.setup!, env);
      expect(setup.stdout).toContain("tsig created\npeer created\nincoming created\n");
      const command = setup.stdout.trim().split("\n").at(-1)!;
      expect(command).toBe(`knotd -c ${join(dir!, "primary", "knot", "knot.conf")}`);
      await startKnot(command.split(" ")[2]!, port);
      const checked = await waitFor(
        "the client's doctor in sync",
        async () => {
          const run = await samples.runSample(files.doctor!, env).catch(() => undefined);
          return run?.stdout.includes("in sync at serial 2026120401") ? run : undefined;
        },
        20_000,
        () => knot?.output() ?? "",
      );
      expect(checked.stderr).toBe("");
      const again = await samples.runSample(files.setup!, env);
      expect(again.stdout).toContain("tsig unchanged\npeer unchanged\nincoming unchanged\n");
    } finally {
      samples.removeFolder(folder);
    }
  }, 90_000);
});
