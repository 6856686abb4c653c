/**
 * The README's TypeScript blocks are code a reader copies: each is type-checked
 * against the package, and the quick start is run against the emulator twice,
 * once where the zone has no configuration (create) and once where it has (update).
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { checkingClient, ZONE } from "./scenarios.js";
import {
  packageBuilt,
  removeFolder,
  runSample,
  sampleFolder,
  typeErrors,
  writeSamples,
} from "./typescript-samples.js";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
/** Every ```ts block of the README, keyed by the heading it sits under. */
const blocks = new Map<string, string>();
let heading = "";
for (const part of readme.split(/^```/m).entries()) {
  const [index, text] = part;
  if (index % 2 === 0) {
    heading = [...text.matchAll(/^## (.+)$/gm)].at(-1)?.[1] ?? heading;
  } else if (text.startsWith("ts\n")) {
    blocks.set(heading, text.slice(3));
  }
}

describe("the README's TypeScript", () => {
  let folder: string;
  let files: Record<string, string>;
  let emulator: Emulator;
  beforeAll(async () => {
    folder = sampleFolder();
    files = writeSamples(folder, {
      quickStart: blocks.get("Quick start") ?? "",
      emulator: blocks.get("Emulator") ?? "",
    });
    emulator = await startEmulator();
  });
  afterAll(async () => {
    removeFolder(folder);
    await emulator.close();
  });

  it("has a quick start and an emulator example", () => {
    expect(blocks.get("Quick start")).toContain("createSecondaryDnsClient");
    expect(blocks.get("Emulator")).toContain("startEmulator");
  });

  // tsc over the whole package: past 20 s when the machine is busy.
  it("type-checks against the package", { timeout: 60_000 }, () => {
    expect(packageBuilt(), "run `npm run build` first").toBe(true);
    expect(typeErrors(Object.values(files))).toEqual([]);
  });

  it("the quick start creates the configuration, then updates it, and enables transfers", async () => {
    const env = { CLOUDFLARE_API_TOKEN: "readme-token", CLOUDFLARE_BASE_URL: emulator.url };
    const client = checkingClient(emulator.url);
    await expect(client.outgoing.get(ZONE)).rejects.toMatchObject({ status: 404 });

    const first = await runSample(files.quickStart!, env);
    const created = await client.outgoing.get(ZONE);
    expect(first.stdout).toBe(`${created.id} ${created.soa_serial}\nEnabled\n`);
    expect(first.stderr).toBe("");

    const second = await runSample(files.quickStart!, env);
    const updated = await client.outgoing.get(ZONE);
    expect(updated.id).toBe(created.id);
    expect(updated.soa_serial).toBeGreaterThan(created.soa_serial);
    expect(second.stdout).toBe(`${updated.id} ${updated.soa_serial}\nEnabled\n`);
    await expect(client.outgoing.status(ZONE)).resolves.toBe("Enabled");
  });

  it("the emulator example runs and exits cleanly", async () => {
    const { stdout, stderr } = await runSample(files.emulator!, {});
    expect(stdout).toBe("");
    expect(stderr).toBe("");
  });
});
