// The client is generated from the spec's x-client-method, at any depth: a
// resource or a group the spec adds appears on the client, with its types, with
// no hand-written file. Proven on a copy of the spec whose operations are moved
// to new places (`reports.zone.status`, `transfers.forcePeer`): the generated
// files, served in place of the committed ones, compile with the client and a
// probe that calls them both ways.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { clientSources } from "../../scripts/client.mjs";
import { operationsSource } from "../../scripts/operations.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const STATUS = "/zones/{zone_id}/secondary_dns/outgoing/status";
const PEERS = "/accounts/{account_id}/secondary_dns/peers";

function movedSpec() {
  const spec = JSON.parse(readFileSync(path.join(root, "generated", "openapi.json"), "utf8"));
  spec.paths[STATUS].get["x-client-method"] = "reports.zone.status";
  spec.paths[PEERS].post["x-client-method"] = "transfers.forcePeer";
  return spec;
}

const probe = `import { createSecondaryDnsClient, createSecondaryDnsCore, reportsZoneStatus, transfersForcePeer, type TransferStatus, type Peer } from "../../src/index.js";
const client = createSecondaryDnsClient({ apiToken: "t" });
const core = createSecondaryDnsCore({ apiToken: "t" });
export const a: Promise<TransferStatus> = client.reports.zone.status("z");
export const b: Promise<TransferStatus> = reportsZoneStatus(core, "z", { timeoutMs: 5 });
export const c: Promise<Peer> = client.transfers.forcePeer({ name: "p" });
export const d: Promise<Peer> = transfersForcePeer(core, { name: "p" });
// @ts-expect-error the group has no such method
client.reports.zone.put("z");
// @ts-expect-error the operation moved off outgoing
client.outgoing.status("z");
`;

/**
 * Compiles the probe with `files` (relative to the root) served instead of the
 * disk's; the errors in the probe, generated/ and src/client/ (the rest of src/,
 * setup.ts for one, calls the methods this spec moved away).
 */
function diagnostics(files: Record<string, string>): string[] {
  const served = new Map(Object.entries(files).map(([f, text]) => [path.join(root, f), text]));
  const probeFile = path.join(root, "test", "client", "__generator-probe.ts");
  served.set(probeFile, probe);
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(root, "tsconfig.check.json"),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
  )!;
  const host = ts.createCompilerHost(config.options);
  const { fileExists, readFile } = host;
  const dir = path.join(root, "generated", "client");
  // The committed generated/client/ files are hidden: only the served ones exist there.
  const hidden = (f: string) => path.dirname(f) === dir && !served.has(f);
  host.fileExists = (f) => served.has(f) || (!hidden(f) && fileExists(f));
  host.readFile = (f) => served.get(f) ?? (hidden(f) ? undefined : readFile(f));
  const program = ts.createProgram([probeFile], config.options, host);
  const ours = (file = "") => {
    const relative = path.relative(root, file);
    return (
      relative.startsWith("generated/") || relative.startsWith("src/client/") || file === probeFile
    );
  };
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => ours(d.file?.fileName))
    .map((d) => `${d.file?.fileName}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
}

describe("the client's generator", () => {
  const spec = movedSpec();
  const files = clientSources(spec);

  it("writes a module per resource and per group, and flat names for the modular form", () => {
    const names = Object.keys(files);
    expect(names).toEqual(
      expect.arrayContaining(["reports.ts", "reports.zone.ts", "transfers.ts"]),
    );
    // The moved operations left nothing behind where they were.
    expect(files["outgoing.ts"]).not.toMatch(/status/);
    expect(files["reports.ts"]).toContain("readonly zone: ReportsZoneResource;");
    expect(files["index.ts"]).toContain(
      'export { status as reportsZoneStatus } from "./reports.zone.js";',
    );
    expect(files["resources.ts"]).toMatch(/reports: \{\s+zone: \{\s+status: reportsZone\.status,/);
  });

  it("and what it writes compiles, on the client and in the modular form", () => {
    const served: Record<string, string> = {
      "generated/operations.ts": operationsSource(spec),
      ...Object.fromEntries(
        Object.entries(files).map(([f, text]) => [`generated/client/${f}`, text]),
      ),
    };
    expect(diagnostics(served)).toEqual([]);
  }, 60_000);
});
