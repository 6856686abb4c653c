// The resources' types are named where a user meets them: an editor's
// hover over a result shows `Peer`, not the schema's expanded object, and the
// published .d.ts says `Promise<Peer>`. Asked of TypeScript's language service,
// as an editor asks it.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const file = path.join(root, "test", "client", "__hover-probe.ts");
const source = `import { createSecondaryDnsClient } from "../../src/index.js";
const client = createSecondaryDnsClient({ apiToken: "t", accountId: "01a7362d577a6c3019a474fd6f485823" });
const id = "23ff594956f20c2a721606e94745a8aa";
export async function probe() {
  const peer = await client.peers.get(id);
  const peers = await client.peers.list();
  const tsig = await client.tsigs.create({ name: "k.", algo: "hmac-sha256.", secret: "s" });
  const tsigs = await client.tsigs.list();
  const acl = await client.acls.update(id, { name: "a", ip_range: "127.0.0.1/32" });
  const acls = await client.acls.list();
  const gone = await client.peers.delete(id);
  const zone = await client.outgoing.get(id);
  const made = await client.outgoing.create(id, { name: "example.com.", peers: [] });
  const updated = await client.outgoing.update(id, { name: "example.com.", peers: [] });
  const removed = await client.outgoing.delete(id);
  const status = await client.outgoing.status(id);
  return [peer, peers, tsig, tsigs, acl, acls, gone, zone, made, updated, removed, status];
}
`;

function hovers(): (name: string) => string {
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(root, "tsconfig.check.json"),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
  )!;
  const host: ts.LanguageServiceHost = {
    getScriptFileNames: () => [file],
    getScriptVersion: () => "1",
    getScriptSnapshot: (name) => {
      const text = name === file ? source : ts.sys.readFile(name);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getCurrentDirectory: () => root,
    getCompilationSettings: () => config.options,
    getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
    fileExists: (name) => name === file || ts.sys.fileExists(name),
    readFile: (name) => (name === file ? source : ts.sys.readFile(name)),
  };
  const service = ts.createLanguageService(host);
  return (name) => {
    const at = source.indexOf(`const ${name} `) + "const ".length;
    const info = service.getQuickInfoAtPosition(file, at);
    return ts.displayPartsToString(info?.displayParts);
  };
}

describe("hovers name the resources' types", () => {
  it("as an editor shows them", () => {
    const hover = hovers();
    expect(hover("peer")).toBe("const peer: Peer");
    expect(hover("peers")).toBe("const peers: Peer[]");
    expect(hover("tsig")).toBe("const tsig: Tsig");
    expect(hover("tsigs")).toBe("const tsigs: Tsig[]");
    expect(hover("acl")).toBe("const acl: Acl");
    expect(hover("acls")).toBe("const acls: Acl[]");
    expect(hover("gone")).toBe("const gone: Deleted");
    expect(hover("zone")).toBe("const zone: OutgoingZone");
    expect(hover("made")).toBe("const made: OutgoingZone");
    expect(hover("updated")).toBe("const updated: OutgoingZone");
    expect(hover("removed")).toBe("const removed: OutgoingZoneDeleted");
    expect(hover("status")).toBe('const status: "Enabled" | "Disabled"');
  }, 60_000);

  it("in the published .d.ts", () => {
    const dts = (name: string) => path.join(root, "dist", "generated", "client", `${name}.d.ts`);
    expect(existsSync(dts("peers")), "run `npm run build` first").toBe(true);
    const peers = readFileSync(dts("peers"), "utf8");
    expect(peers).toMatch(/list: \(options\?: CallOptions\) => Promise<Peer\[\]>/);
    expect(peers).toMatch(/get: \(peerId: string, options\?: CallOptions\) => Promise<Peer>/);
    expect(peers).toMatch(/create: \(body: PeerInput, options\?: CallOptions\) => Promise<Peer>/);
    expect(peers).toMatch(/export interface Peer extends PeerSchema/);
    const tsigs = readFileSync(dts("tsigs"), "utf8");
    expect(tsigs).toMatch(
      /update: \(tsigId: string, body: TsigInput, options\?: CallOptions\) => Promise<Tsig>/,
    );
    const outgoing = readFileSync(dts("outgoing"), "utf8");
    expect(outgoing).toMatch(
      /get: \(zoneId: string, options\?: CallOptions\) => Promise<OutgoingZone>/,
    );
    expect(outgoing).toMatch(/export interface OutgoingZone extends OutgoingZoneSchema/);
    expect(outgoing).toMatch(
      /status: \(zoneId: string, options\?: CallOptions\) => Promise<TransferStatus>/,
    );
    const acls = readFileSync(dts("acls"), "utf8");
    expect(acls).toMatch(/delete: \(aclId: string, options\?: CallOptions\) => Promise<Deleted>/);
  });
});
