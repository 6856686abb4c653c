/**
 * Every x-codeSamples entry of the spec, so the samples in the API reference
 * cannot go stale: TypeScript samples are type-checked against the package and
 * run, CLI samples run through the CLI, and curl samples are read as requests,
 * checked against the spec and sent; all against the emulator, each from the
 * state its operation needs, and each judged by what it left behind.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATIONS } from "../../generated/operations.js";
import { runCli } from "../../src/cli/run.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { requestValidator } from "../support/spec.js";
import { parseCurl } from "./curl-sample.js";
import {
  ACCOUNT,
  checkingClient,
  missingScenario,
  scenarioFor,
  scenarioKey,
  scenarios,
  seed,
  ZONE,
  type Scenario,
} from "./scenarios.js";
import { shellWords } from "./shell-words.js";
import { codeSamples, operations, parameters, spec } from "./spec-info.js";
import {
  packageBuilt,
  removeFolder,
  resolvedPackage,
  root,
  runSample,
  sampleFolder,
  typeErrors,
  writeSamples,
} from "./typescript-samples.js";

const TOKEN = "docs-samples-token";
const LABELS = ["TypeScript", "CLI", "curl"];
const all = operations().flatMap((op) =>
  codeSamples(op).map((sample) => ({
    op,
    sample,
    key: scenarioKey(op),
    scenario: scenarioFor(op),
  })),
);
const labelled = (label: string) => all.filter((s) => s.sample.label === label);
/** How many operations the table (generated/operations.ts) has. */
const COUNT = Object.keys(OPERATIONS).length;

/** A fresh emulator in the state a scenario starts from, closed afterwards. */
async function withEmulator(scenario: Scenario, use: (emulator: Emulator) => Promise<void>) {
  const emulator = await startEmulator();
  try {
    await seed(checkingClient(emulator.url), scenario.before, emulator.url);
    await use(emulator);
  } finally {
    await emulator.close();
  }
}

const scenarioOf = (key: string) => all.find((s) => s.key === key)?.scenario as Scenario;

describe("the spec's code samples", () => {
  it("are one TypeScript, one CLI and one curl sample per operation of the table", () => {
    const ids = operations().map((op) => op.operationId);
    expect(ids.sort()).toEqual(Object.keys(OPERATIONS).sort());
    for (const op of operations()) {
      const samples = codeSamples(op);
      expect(
        samples.map((s) => s.label),
        op.operationId,
      ).toEqual(LABELS);
      expect(
        samples.map((s) => s.lang),
        op.operationId,
      ).toEqual(["TypeScript", "Shell", "Shell"]);
    }
    expect(all).toHaveLength(LABELS.length * COUNT);
    for (const label of LABELS) expect(labelled(label)).toHaveLength(COUNT);
  });

  it("each operation has a scenario (a read may use the default), and each scenario an operation", () => {
    expect(operations().map(missingScenario).filter(Boolean)).toEqual([]);
    const keys = operations().map(scenarioKey);
    expect(Object.keys(scenarios).filter((key) => !keys.includes(key))).toEqual([]);
  });
});

describe("a missing scenario", () => {
  it("is named in words for an operation that changes state; a read has the default", () => {
    const post = operations().find((op) => op.method === "post")!;
    const made = { ...post, operationId: "made-up-operation", path: "/zones/{zone_id}/made_up" };
    expect(missingScenario(made)).toBe(
      'operation made-up-operation (POST /zones/{zone_id}/made_up) changes state and has no scenario: add "made-up-operation" to scenarios in test/docs/scenarios.ts (the state its samples start from, and what they leave)',
    );
    expect(missingScenario({ ...made, method: "get" })).toBe("");
  });
});

describe("TypeScript samples", () => {
  let folder: string;
  let files: Record<string, string>;

  beforeAll(() => {
    expect(packageBuilt(), "dist/src is missing: run `npm run build` first").toBe(true);
    folder = sampleFolder();
    files = writeSamples(
      folder,
      Object.fromEntries(labelled("TypeScript").map((s) => [s.key, s.sample.source])),
    );
  });

  afterAll(() => {
    if (folder) removeFolder(folder);
  });

  it('import "cf-secondary-dns" through the package\'s own exports', () => {
    // The exports point at dist/src/index.d.ts; within this project (rootDir ".",
    // outDir "dist") the compiler maps that back to its source, src/index.ts.
    const own = [path.join(root, "src", "index.ts"), path.join(root, "dist", "src", "index.d.ts")];
    expect(own).toContain(resolvedPackage(files["outgoing.create"] as string));
  });

  it("type-check against the package", () => {
    expect(Object.keys(files)).toHaveLength(COUNT);
    expect(typeErrors(Object.values(files))).toEqual([]);
  }, 60_000);

  it("would fail the type-check if a sample called the client wrongly", () => {
    const wrong = labelled("TypeScript")
      .find((s) => s.key === "outgoing.create")!
      .sample.source.replace(/peers: \[[^\]]*\],?/, "");
    const broken = writeSamples(folder, { "wrong-create": wrong });
    const errors = typeErrors([broken["wrong-create"] as string]);
    expect(errors.join("\n")).toContain("peers");
  }, 60_000);

  it.each(labelled("TypeScript"))("$key runs against the emulator", async ({ key }) => {
    const scenario = scenarioOf(key);
    await withEmulator(scenario, async (emulator) => {
      const env = { CLOUDFLARE_API_TOKEN: TOKEN, CLOUDFLARE_BASE_URL: emulator.url };
      const { stdout, stderr } = await runSample(files[key] as string, env);
      expect(stderr).toBe("");
      await scenario.after(checkingClient(emulator.url), stdout, emulator.url);
    });
  });
});

// The CLI samples of peers, TSIGs and ACLs fail until the CLI has those commands
// (issue 11, the CLI part): they are run like the others, not skipped, so the
// commands are held to the samples the API reference shows.
describe("CLI samples", () => {
  let files: string;
  beforeAll(() => {
    files = mkdtempSync(path.join(tmpdir(), "cli-samples-"));
  });
  afterAll(() => rmSync(files, { recursive: true, force: true }));

  /** The sample's words, each file it reads (`--secret-file F`) written first and named by its full path. */
  function wordsOf(source: string): string[] {
    const words = shellWords(source);
    return words.map((word, i) => {
      if (words[i - 1] !== "--secret-file") return word;
      const file = path.join(files, path.basename(word));
      writeFileSync(file, "c2FtcGxlLXNlY3JldC1mcm9tLWEtZmlsZS0wMTIzNDU=\n", { mode: 0o600 });
      return file;
    });
  }

  it.each(labelled("CLI"))(
    "$key runs through the CLI against the emulator, exit code 0",
    async ({ op, key, sample }) => {
      const words = wordsOf(sample.source);
      // A facade resource's command is its name in kebab-case (dnsSettings.zone: "dns-settings
      // zone"); an operation outside the facade's, its path's.
      const resource = key.includes(".") ? key.split(".").slice(0, -1) : [op.path.slice(1)];
      const command = resource.map((w) => w.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));
      expect(words.slice(0, 1 + command.length)).toEqual(["cf-secondary-dns", ...command]);
      if (op.path.includes("{"))
        expect(words).toContain(op.path.includes("{account_id}") ? ACCOUNT : ZONE);
      const scenario = scenarioOf(key);
      await withEmulator(scenario, async (emulator) => {
        let stdout = "";
        let stderr = "";
        const code = await runCli(words.slice(1), {
          env: { CLOUDFLARE_API_TOKEN: TOKEN, CLOUDFLARE_BASE_URL: emulator.url },
          stdout: { write: (text: string) => (stdout += text) },
          stderr: { write: (text: string) => (stderr += text) },
        });
        expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
        await scenario.after(checkingClient(emulator.url), stdout, emulator.url);
      });
    },
  );
});

describe("curl samples", () => {
  const server = (spec as any).servers[0].url as string;

  it("use the zone and account ids the spec gives as the examples", () => {
    for (const op of operations()) {
      const example = (name: string) => parameters(op).find((p) => p.name === name)?.example;
      if (op.path.includes("{zone_id}")) expect(example("zone_id")).toBe(ZONE);
      else if (op.path.includes("{account_id}")) expect(example("account_id")).toBe(ACCOUNT);
    }
  });

  /** The operation's URL with each path parameter's example. */
  const urlOf = (op: (typeof all)[number]["op"]) =>
    server +
    op.path.replace(/\{(\w+)\}/g, (_, name: string) =>
      String(parameters(op).find((p) => p.name === name)?.example),
    );

  it.each(labelled("curl"))(
    "$key sends the operation's method, path, headers and body",
    async ({ op, key, sample }) => {
      const request = parseCurl(sample.source);
      expect(request.method).toBe(op.method.toUpperCase());
      expect(request.url).toBe(urlOf(op));
      // A public operation (`security: []`) is shown without a credential.
      const credentials = op.operation.security?.length !== 0 ? ["authorization"] : [];
      if (credentials.length > 0)
        expect(request.headers.authorization).toBe("Bearer $CLOUDFLARE_API_TOKEN");

      const validate = requestValidator(op);
      if (validate) {
        expect(Object.keys(request.headers).sort()).toEqual(["authorization", "content-type"]);
        expect(request.headers["content-type"]).toBe("application/json");
        const body = JSON.parse(request.data ?? "null");
        expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
      } else {
        expect(Object.keys(request.headers)).toEqual(credentials);
        expect(request.data).toBeUndefined();
      }

      // The same request, sent: the emulator (which checks requests against the spec) accepts it.
      const scenario = scenarioOf(key);
      await withEmulator(scenario, async (emulator) => {
        const sent = parseCurl(sample.source, { CLOUDFLARE_API_TOKEN: TOKEN });
        const response = await fetch(sent.url.replace(server, emulator.url), {
          method: sent.method,
          headers: sent.headers,
          body: sent.data ?? null,
        });
        const text = await response.text();
        expect({ status: response.status, success: JSON.parse(text).success }).toEqual({
          status: 200,
          success: true,
        });
        await scenario.after(checkingClient(emulator.url), text, emulator.url);
      });
    },
  );

  it("the reader refuses what it does not understand", () => {
    expect(() => parseCurl("curl https://example.com --insecure")).toThrow(/--insecure/);
    expect(() => parseCurl("curl https://example.com | jq .")).toThrow(
      /beyond a single plain command/,
    );
    expect(parseCurl(`curl -H "A: $X" https://h/p -d '{"a":1}'`, { X: "y" })).toEqual({
      url: "https://h/p",
      method: "POST",
      headers: { a: "y" },
      data: '{"a":1}',
    });
  });
});
