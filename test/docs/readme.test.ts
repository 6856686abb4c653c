/**
 * The README's TypeScript blocks are code a reader copies: each is type-checked
 * against the package, and the quick start is run against the emulator twice,
 * once where the zone has no configuration (create) and once where it has (update).
 * So is the "Cloudflare as primary" workflow, from an empty account to enabled.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { ACCOUNT, checkingClient, ZONE } from "./scenarios.js";
import { shellWords } from "./shell-words.js";
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
      primary: blocks.get("Cloudflare as primary") ?? "",
    });
    emulator = await startEmulator();
  });
  afterAll(async () => {
    removeFolder(folder);
    await emulator.close();
  });

  it("has a quick start, the Cloudflare-as-primary workflow and an emulator example", () => {
    expect(blocks.get("Quick start")).toContain("createSecondaryDnsClient");
    expect(blocks.get("Emulator")).toContain("startEmulator");
    for (const step of ["tsigs.create", "peers.create", "outgoing.create", "outgoing.enable"])
      expect(blocks.get("Cloudflare as primary")).toContain(step);
    expect(readme).toMatch(/^### With the CLI$/m);
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

  it("the Cloudflare-as-primary workflow goes from an empty account to enabled, and runs again", async () => {
    const empty = await startEmulator({ seed: {} });
    try {
      const env = {
        CLOUDFLARE_API_TOKEN: "readme-token",
        CLOUDFLARE_BASE_URL: empty.url,
        CLOUDFLARE_ACCOUNT_ID: ACCOUNT,
      };
      const client = checkingClient(empty.url);
      const at = { accountId: ACCOUNT };
      expect(await client.tsigs.list(at)).toEqual([]);
      expect(await client.peers.list(at)).toEqual([]);
      await expect(client.outgoing.get(ZONE)).rejects.toMatchObject({ status: 404 });

      for (const run of [1, 2]) {
        const { stdout, stderr } = await runSample(files.primary!, env);
        expect(stderr).toBe("");
        const tsigs = await client.tsigs.list(at);
        const peers = await client.peers.list(at);
        expect(tsigs).toHaveLength(run);
        expect(peers).toHaveLength(run);
        const [tsig, peer] = [tsigs.at(-1)!, peers.at(-1)!];
        expect(tsig).toMatchObject({
          name: "cloudflare-transfer.example.com.",
          algo: "hmac-sha256.",
        });
        expect(Buffer.from(tsig.secret, "base64")).toHaveLength(32);
        expect(peer).toMatchObject({ ip: "192.0.2.53", port: 53, tsig_id: tsig.id });
        const zone = await client.outgoing.get(ZONE);
        expect(zone.peers).toEqual([peer.id]);
        await expect(client.outgoing.status(ZONE)).resolves.toBe("Enabled");
        expect(stdout).toBe(`${tsig.name} ${peer.id} Enabled\n`);
        // The secret is the workflow's business, not its output's.
        expect(stdout).not.toContain(tsig.secret);
      }
    } finally {
      await empty.close();
    }
  });

  it("the emulator example runs and exits cleanly", async () => {
    const { stdout, stderr } = await runSample(files.emulator!, {});
    expect(stdout).toBe("");
    expect(stderr).toBe("");
  });
});

describe("the README's CLI workflow", () => {
  const section = readme.slice(readme.indexOf("### With the CLI"), readme.indexOf("\n## Options"));
  const sh = /^```sh\n([\s\S]*?)^```/m.exec(section)?.[1] ?? "";
  const shown = /^```text\n([\s\S]*?)^```/m.exec(section)?.[1] ?? "";

  it("is `outgoing setup` from an empty account to enabled, and a second run changes nothing", async () => {
    const [exported, ...command] = sh.trim().split("\n");
    expect(exported).toMatch(/^export CLOUDFLARE_API_TOKEN=\.\.\. CLOUDFLARE_ACCOUNT_ID=/);
    const env: Record<string, string> = {};
    for (const [, name, value] of (exported as string).matchAll(/(\w+)=(\S+)/g))
      env[name as string] = value as string;
    expect(env.CLOUDFLARE_ACCOUNT_ID).toBe(ACCOUNT);
    const words = shellWords(command.join("\n"));
    expect(words.slice(0, 3)).toEqual(["cf-secondary-dns", "outgoing", "setup"]);

    // With a DNS port: setup learns the emulator's DNS address (it never prints Cloudflare's for it).
    const empty = await startEmulator({ seed: {}, dnsPort: 0 });
    try {
      env.CLOUDFLARE_BASE_URL = empty.url;
      const run = async () => {
        let stdout = "";
        let stderr = "";
        const code = await runCli(words.slice(1), {
          env,
          stdout: { write: (text: string) => (stdout += text) },
          stderr: { write: (text: string) => (stderr += text) },
        });
        return { code, stdout, stderr };
      };
      const first = await run();
      expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: "" });
      // The output the README shows is the first run's, ids elided.
      const lines = first.stdout.replace(/\([0-9a-f]{32}\)/g, "(…)").split("\n");
      expect(lines.slice(0, 6).join("\n")).toBe(shown.trimEnd());

      const client = checkingClient(empty.url);
      const at = { accountId: ACCOUNT };
      const [tsig] = await client.tsigs.list(at);
      const [peer] = await client.peers.list(at);
      expect(tsig).toMatchObject({
        name: "cloudflare-transfer.example.com.",
        algo: "hmac-sha256.",
      });
      expect(peer).toMatchObject({ ip: "192.0.2.53", port: 53, tsig_id: tsig?.id });
      expect((await client.outgoing.get(ZONE)).peers).toEqual([peer?.id]);
      await expect(client.outgoing.status(ZONE)).resolves.toBe("Enabled");
      expect(first.stdout).toContain(`secret "${tsig?.secret}";`);
      expect(first.stdout).toContain(`from 127.0.0.1 port ${empty.dns!.port}`);

      const second = await run();
      expect(second.code).toBe(0);
      expect(second.stdout.match(/ unchanged /g)).toHaveLength(4);
      expect(second.stdout).toContain("Nothing to change: everything was already set up.");
      expect(second.stdout).not.toContain(tsig?.secret);
      expect(await client.tsigs.list(at)).toHaveLength(1);
      expect(await client.peers.list(at)).toHaveLength(1);
    } finally {
      await empty.close();
    }
  });
});
