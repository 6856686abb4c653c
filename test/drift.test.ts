/**
 * `npm run drift`, on hand-written schemas in the shapes of Cloudflare's
 * (test/fixtures/drift/upstream.yaml) and of our spec with an x-fix at each level
 * (test/fixtures/drift/ours.yaml). Each test changes one thing and reads the report.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain ES module of the pipeline, without types
import { sliceYamlPaths } from "../scripts/drift/load.mjs";

const yaml = createRequire(import.meta.url)("js-yaml") as {
  load(text: string): unknown;
  dump(value: unknown): string;
};

const root = fileURLToPath(new URL("..", import.meta.url));
const script = path.join(root, "scripts", "drift.mjs");
const fixtures = path.join(root, "test", "fixtures", "drift");
const scratch = mkdtempSync(path.join(tmpdir(), "cf-sdns-drift-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

type Doc = any;
const read = (name: string): Doc => yaml.load(readFileSync(path.join(fixtures, name), "utf8"));
const UPSTREAM = read("upstream.yaml");
const OURS = read("ours.yaml");
const PATH = "/zones/{zone_id}/secondary_dns/thing";

let files = 0;
function file(doc: Doc, ext = "json"): string {
  const name = path.join(scratch, `doc-${files++}.${ext}`);
  writeFileSync(name, ext.startsWith("yaml") ? yaml.dump(doc) : JSON.stringify(doc));
  return name;
}

function drift(...args: string[]) {
  const result = spawnSync(process.execPath, [script, ...args], {
    encoding: "utf8",
    timeout: 30_000,
  });
  return { status: result.status, out: result.stdout, err: result.stderr };
}

let baseline: string;
beforeAll(() => {
  baseline = path.join(scratch, "baseline.json");
  const args = ["--ours", file(OURS), "--baseline", baseline, "--update-baseline"];
  const { status, err } = drift(file(UPSTREAM), ...args);
  expect(err).toContain("(6 operations)");
  expect(status).toBe(0);
});

/** drift on upstream.yaml changed by `change`, against ours.yaml changed by `ourChange`. */
function run(change: (d: Doc) => void, extra: string[] = [], ourChange?: (d: Doc) => void) {
  const up = structuredClone(UPSTREAM);
  change(up);
  const ours = structuredClone(OURS);
  ourChange?.(ours);
  return drift(file(up), "--ours", file(ours), "--baseline", baseline, ...extra);
}

/** The lines of one section of the text report. */
function section(out: string, title: string): string[] {
  const block = out.split("\n\n").find((b) => b.startsWith(title)) ?? "";
  return block.split("\n").slice(1);
}
const changes = (out: string) => section(out, "Upstream changes");
const departures = (out: string) => section(out, "Our departures");
const lineOf = (lines: string[], text: string) => lines.find((l) => l.includes(text)) ?? "";

describe("drift: the upstream baseline", () => {
  it("is written normalized: followed operations only, $refs resolved, no descriptions", () => {
    const written = JSON.parse(readFileSync(baseline, "utf8"));
    expect(Object.keys(written.operations)).toEqual(
      [
        `DELETE ${PATH}`,
        `GET ${PATH}`,
        `POST ${PATH}/enable`,
        `PUT ${PATH}`,
        "GET /zones/{zone_id}/dns_settings",
        "GET /zones/{zone_id}/secondary_dns/incoming",
      ].sort(),
    );
    const get = written.operations[`GET ${PATH}`];
    expect(get.security).toEqual(["api_email+api_key"]);
    expect(get.result.properties.port).toEqual({ type: ["number"] });
    expect(get.result.required).toEqual(["id", "name"]);
    expect(JSON.stringify(written.operations)).not.toMatch(/"(description|example|\$ref)"/);
  });

  it("reports no upstream change, and exits 0, when upstream is as it was", () => {
    const { status, out } = run(() => {});
    expect(changes(out)).toEqual([]);
    expect(out).toContain("Upstream changes since");
    expect(out).toContain("0 upstream changes, 0 new departures (24 known), 0 stale markers");
    expect(status).toBe(0);
  });

  it("reports a type change under a known FIX as new, and exits 1", () => {
    const { status, out } = run((d) => (d.components.schemas.port = { type: "string" }));
    expect(changes(out)).toContain("    NEW  result.port: type: was number, now string");
    expect(changes(out)).toContain("    NEW  body.port: type: was number, now string");
    // Still a known departure of ours: being known does not hide the upstream change.
    expect(lineOf(departures(out), "result.port: type: ours integer, upstream string")).toMatch(
      /known FIX\(6\)/,
    );
    expect(status).toBe(1);
  });

  it("reports a new operation on a new path under /secondary_dns/, and exits 1", () => {
    const { status, out } = run((d) => {
      d.paths["/zones/{zone_id}/secondary_dns/thing/sync"] = {
        post: { operationId: "thing-sync", responses: { "200": { description: "OK" } } },
      };
    });
    expect(out).toMatch(
      /POST \/zones\/\{zone_id\}\/secondary_dns\/thing\/sync \(thing-sync\)\n\s+NEW  operation added upstream/,
    );
    expect(section(out, "Not followed")).toContain(
      "  POST /zones/{zone_id}/secondary_dns/thing/sync (thing-sync)",
    );
    expect(status).toBe(1);
  });

  it("ignores operations outside the followed paths", () => {
    const { status, out } = run((d) => (d.paths["/zones/{zone_id}/firewall"].get.security = []));
    expect(out).not.toContain("firewall");
    expect(status).toBe(0);
  });

  it("reports an operation removed upstream, and ours as gone", () => {
    const { status, out } = run((d) => delete d.paths[PATH].get);
    expect(out).toMatch(
      /GET \/zones\/\{zone_id\}\/secondary_dns\/thing \(thing-get\)\n\s+NEW  operation removed upstream/,
    );
    expect(lineOf(departures(out), "upstream has no operation with this operationId")).toMatch(
      /NEW/,
    );
    expect(status).toBe(1);
  });

  it("reports an operation losing its security", () => {
    const { status, out } = run((d) => (d.paths[PATH].get.security = []));
    expect(changes(out)).toContain("    NEW  security: no longer accepts api_email+api_key");
    // Our key pair is then a departure no marker covers (api_email has none).
    expect(lineOf(departures(out), "security: only ours accepts api_email+api_key")).toMatch(/NEW/);
    expect(status).toBe(1);
  });

  it("reports security falling back to the document's, which adds a credential", () => {
    const { status, out } = run((d) => delete d.paths[PATH].get.security);
    expect(changes(out)).toContain("    NEW  security: now also accepts api_token");
    expect(status).toBe(1);
  });

  it("reports a changed pattern and new bounds", () => {
    const { status, out } = run((d) => {
      d.components.schemas.thing.properties.label = {
        type: "string",
        pattern: "^[a-z0-9]+$",
        maxLength: 64,
      };
      d.components.schemas.port.minimum = 1;
    });
    expect(changes(out)).toContain(
      "    NEW  result.label: pattern: was ^[a-z]+$, now ^[a-z0-9]+$; maxLength: was 32, now 64",
    );
    expect(changes(out)).toContain("    NEW  result.port: minimum: was none, now 1");
    expect(status).toBe(1);
  });

  it("reports a changed required set and a removed result field", () => {
    const { status, out } = run((d) => {
      const thing = d.components.schemas.thing;
      thing.required = ["id"];
      delete thing.properties.peers;
    });
    expect(changes(out)).toContain("    NEW  result: required: no longer requires name");
    expect(changes(out)).toContain("    NEW  result.peers: field removed upstream");
    expect(status).toBe(1);
  });

  it("reports a narrowed enum and a new one", () => {
    const { status, out } = run((d) => {
      d.components.schemas.thing.properties.mode.enum = ["primary"];
      d.components.schemas.thing.properties.name.enum = ["a", "b"];
    });
    expect(changes(out)).toContain(
      '    NEW  result.mode: enum: was ["primary","secondary"], now ["primary"]',
    );
    expect(changes(out)).toContain('    NEW  result.name: enum: was none, now ["a","b"]');
    expect(status).toBe(1);
  });

  it("reports nullable, additional properties and a request body dropped", () => {
    const { status, out } = run((d) => {
      d.components.schemas.port.nullable = true;
      d.components.schemas.thing.additionalProperties = false;
      delete d.paths[`${PATH}/enable`].post.requestBody;
    });
    expect(changes(out)).toContain("    NEW  result.port: type: was number, now null|number");
    expect(changes(out)).toContain("    NEW  result: additionalProperties: was any, now none");
    expect(changes(out)).toContain("    NEW  request body removed upstream");
    expect(status).toBe(1);
  });

  it("exits 2 when the baseline is missing, and skips it with --no-baseline", () => {
    const missing = drift(
      file(UPSTREAM),
      "--ours",
      file(OURS),
      "--baseline",
      path.join(scratch, "none.json"),
    );
    expect(missing.err).toContain("no baseline at");
    expect(missing.status).toBe(2);
    const skipped = drift(file(UPSTREAM), "--ours", file(OURS), "--no-baseline");
    expect(skipped.out).toContain("Upstream changes: not checked (no baseline).");
    expect(skipped.status).toBe(0);
  });
});

/** Our departures alone (no baseline), as "tag where: message" lines. */
function ours(change: (d: Doc) => void = () => {}, ourChange?: (d: Doc) => void) {
  const { status, out } = run(change, ["--no-baseline"], ourChange);
  const known = (text: string) =>
    lineOf(departures(out), text)
      .trim()
      .split(/\s{2,}/)[0];
  return { status, out, known };
}

// README, "where a difference is found": one test per rule, each with the marker at
// that level in ours.yaml, and one where no marker is above the difference.
describe("drift: where a difference is found decides which x-fix covers it", () => {
  it("a field's constraints: at the field's schema, through its $ref (innermost marker)", () => {
    const { known } = ours();
    expect(known("result.port: type: ours integer, upstream number")).toBe("known FIX(6)");
    expect(known("body.port: type: ours integer")).toBe("known FIX(6)");
  });

  it("a field only one side has, and the required set: at the object", () => {
    const { known } = ours(
      (d) => (d.components.schemas.thing.properties.ttl = { type: "integer" }),
    );
    expect(known("result.extra: only ours has this field")).toBe("known FIX(4)");
    expect(known("result.ttl: only upstream has this field")).toBe("known FIX(4)");
    expect(known("result: required: only ours requires port")).toBe("known FIX(4)");
  });

  it("an object's marker covers what is found below it, a field's own marker first", () => {
    const { known } = ours();
    expect(known("result.peers[]: type: ours string, upstream any")).toBe("known FIX(4)");
    expect(known("result.id: type: ours string")).toBe("known FIX(4)");
  });

  it("a parameter: at the parameter, covering its schema", () => {
    const { known } = ours();
    expect(known("parameter path zone_id: type: ours string, upstream any")).toBe("known FIX(1)");
  });

  it("a request body's fields and required: at the request body", () => {
    const { known } = ours();
    expect(known("body.id: only upstream has this field")).toBe("known FIX(2)");
    expect(known("body: required: only upstream requires id")).toBe("known FIX(2)");
  });

  it("a request body on one side only: at the operation", () => {
    const { out } = ours();
    const enable = out.split("  thing-enable\n")[1];
    expect(enable).toMatch(/known FIX\(5\)\s+only upstream has this request body/);
    const del = out.split("  thing-delete\n")[1];
    expect(del).toMatch(/known FIX\(3\)\s+only upstream has this request body/);
  });

  it("a security alternative only ours accepts: at its scheme", () => {
    const { known } = ours();
    expect(known("security: only ours accepts api_token")).toBe("known FIX(8)");
  });

  it("a parameter only upstream has: at the operation, so a marker on another parameter does not cover it", () => {
    const { status, known } = ours((d) =>
      d.paths[PATH].get.parameters.push({
        name: "verbose",
        in: "query",
        schema: { type: "boolean" },
      }),
    );
    expect(known("parameter query verbose: only upstream has this parameter")).toBe("NEW");
    expect(status).toBe(1);
  });

  it("with no marker at or above it, a difference is new", () => {
    const { status, known } = ours(undefined, (d) => delete d.components.schemas.Thing["x-fix"]);
    expect(known("result.extra: only ours has this field")).toBe("NEW");
    expect(known("result: required: only ours requires port")).toBe("NEW");
    expect(known("result.port: type: ours integer")).toBe("known FIX(6)");
    expect(status).toBe(1);
  });

  it("a method or path that differs is new, even under an operation's marker", () => {
    const { status, out } = ours((d) => {
      d.paths[`${PATH}/activate`] = d.paths[`${PATH}/enable`];
      delete d.paths[`${PATH}/enable`];
    });
    expect(out).toMatch(
      /NEW\s+method and path: ours POST \/zones\/\{zone_id\}\/secondary_dns\/thing\/enable, upstream POST \/zones\/\{zone_id\}\/secondary_dns\/thing\/activate/,
    );
    expect(status).toBe(1);
  });

  it("names a marker that covers nothing any more (Cloudflare fixed it), and still exits 0", () => {
    const { status, out } = ours((d) => {
      d.components.schemas.port = { type: "integer", minimum: 1, maximum: 65535 };
    });
    expect(section(out, "Marked x-fix but no longer different")).toEqual([
      "  FIX(6) at #/components/schemas/Port",
    ]);
    expect(out).toContain("1 stale marker");
    expect(status).toBe(0);
  });

  it("finds no departure when upstream is our own spec, so every marker reached is stale", () => {
    const spec = path.join(root, "generated", "openapi.json");
    const { status, out } = drift(spec, "--no-baseline");
    expect(out).toContain("0 upstream changes, 0 new departures (0 known)");
    expect(section(out, "Marked x-fix")).toContain(
      "  FIX(18) at #/components/securitySchemes/api_token",
    );
    expect(status).toBe(0);
  });
});

describe("drift: coverage", () => {
  it("lists upstream operations under followed paths we do not have, without failing", () => {
    const { status, out } = run(() => {});
    expect(section(out, "Not followed")).toEqual([
      "  GET /zones/{zone_id}/dns_settings (settings-get)",
      "  GET /zones/{zone_id}/secondary_dns/incoming (incoming-get)",
    ]);
    expect(status).toBe(0);
  });

  it("fails on them with --fail-on-unfollowed", () => {
    const { status, out } = run(() => {}, ["--fail-on-unfollowed"]);
    expect(section(out, "Not followed")).toContain(
      "  NEW  GET /zones/{zone_id}/secondary_dns/incoming (incoming-get)",
    );
    expect(status).toBe(1);
  });
});

describe("drift: input formats and output", () => {
  /** The --json verdict. */
  function verdict(upstreamFile: string, oursFile: string) {
    const { status, out } = drift(
      upstreamFile,
      "--ours",
      oursFile,
      "--baseline",
      baseline,
      "--json",
    );
    return { status, rest: JSON.parse(out) };
  }

  it("gives the same verdict on YAML, JSON and gzip of either, for either side", () => {
    const changed = structuredClone(UPSTREAM);
    changed.components.schemas.port = { type: "string" };
    const json = verdict(file(changed), file(OURS));
    expect(json.status).toBe(1);
    expect(json.rest.upstreamChanges.length).toBeGreaterThan(0);
    for (const ext of ["yaml", "json.gz", "yaml.gz"]) {
      const name = path.join(scratch, `doc-${files++}.${ext}`);
      const text = ext.startsWith("yaml") ? yaml.dump(changed) : JSON.stringify(changed);
      writeFileSync(name, ext.endsWith(".gz") ? gzipSync(text) : text);
      expect(verdict(name, path.join(fixtures, "ours.yaml"))).toEqual(json);
    }
  });

  it("reads a YAML schema whose unfollowed paths come first, last, or quoted", () => {
    const text = [
      "openapi: 3.0.3",
      "paths:",
      "  '/zones/{zone_id}/firewall':",
      "    get: { operationId: firewall-get, responses: {} }",
      yaml.dump({ paths: UPSTREAM.paths }).split("\n").slice(1).join("\n").trimEnd(),
      '  "/zones/{zone_id}/waf": # the last entry, double-quoted',
      "    get: { operationId: waf-get, responses: {} }",
      yaml.dump({ security: UPSTREAM.security }).trimEnd(),
      "components:",
      yaml.dump(UPSTREAM.components).replace(/^/gm, "  "),
    ].join("\n");
    const name = path.join(scratch, `doc-${files++}.yaml`);
    writeFileSync(name, text);
    const { status, out } = drift(name, "--ours", file(OURS), "--baseline", baseline);
    expect(out).toContain("0 upstream changes, 0 new departures (24 known)");
    expect(status).toBe(0);
  });

  it("cuts a YAML schema down to the followed paths before parsing it", () => {
    const keep = (p: string) => p.includes("/secondary_dns/");
    const text = [
      "openapi: 3.0.3",
      "paths:",
      "  '/zones/{zone_id}/firewall':",
      "    get: {}",
      "  /zones/{zone_id}/secondary_dns/thing:",
      "    get: {}",
      '  "/zones/{zone_id}/waf":',
      "    get: {}",
      "components: {}",
      "",
    ].join("\n");
    expect(sliceYamlPaths(text, keep)).toBe(
      "openapi: 3.0.3\npaths:\n  /zones/{zone_id}/secondary_dns/thing:\n    get: {}\ncomponents: {}\n",
    );
    expect(sliceYamlPaths(text, () => false)).toBe("openapi: 3.0.3\npaths: {}\ncomponents: {}\n");
    // Flow style, or a complex key: left whole for js-yaml to read.
    expect(sliceYamlPaths("paths: { /a: {} }\n", keep)).toBe("paths: { /a: {} }\n");
    const complex = "paths:\n  ? /a\n  : {}\n";
    expect(sliceYamlPaths(complex, keep)).toBe(complex);
  });

  it("prints the documented JSON with --json", () => {
    const { status, out } = run(
      (d) => (d.components.schemas.port = { type: "string" }),
      ["--json"],
    );
    const parsed = JSON.parse(out);
    expect(Object.keys(parsed).sort()).toEqual(
      [
        "departures",
        "exitStatus",
        "notFollowed",
        "operations",
        "stale",
        "upstreamChanges",
        "upstreamOperations",
      ].sort(),
    );
    expect(parsed.upstreamChanges).toContainEqual({
      operation: `GET ${PATH}`,
      operationId: "thing-get",
      where: "result.port",
      message: "type: was number, now string",
    });
    expect(parsed.departures).toContainEqual(
      expect.objectContaining({
        operation: `GET ${PATH}`,
        operationId: "thing-get",
        where: "result.port",
        known: ["FIX(6)"],
        pointer: "/components/schemas/Port",
      }),
    );
    expect(parsed.notFollowed).toContainEqual({
      operation: "GET /zones/{zone_id}/dns_settings",
      operationId: "settings-get",
    });
    expect(parsed.exitStatus).toBe(1);
    expect(status).toBe(1);
  });

  it.each([
    [[], "give exactly one upstream file"],
    [[path.join(scratch, "missing.json")], "cannot read upstream schema"],
    [["--bogus", "x"], "unknown option --bogus"],
    [["x", "--ours"], "--ours needs a file"],
    [["x", "--no-baseline", "--update-baseline"], "do not go together"],
  ])("exits 2 with the usage on bad arguments %j", (args, message) => {
    const { status, err } = drift(...args);
    expect(err).toContain(message);
    expect(err).toContain("usage: npm run drift");
    expect(status).toBe(2);
  });

  it.each([
    ["{ not json", "is not JSON"],
    ["key: [unclosed", "is neither JSON nor YAML"],
    ['{"hello": "world"}', 'is not an OpenAPI document (no "paths")'],
  ])("exits 2 on an unusable file: %s", (text, message) => {
    const name = path.join(scratch, `bad-${files++}.txt`);
    writeFileSync(name, text);
    const { status, err } = drift(name, "--no-baseline");
    expect(err).toContain(message);
    expect(status).toBe(2);
  });

  it("ends on recursive schemas and $ref loops", () => {
    const { status, out } = run((d) => {
      const thing = d.components.schemas.thing;
      thing.properties.parent = { $ref: "#/components/schemas/thing" };
      d.components.schemas.loop_a = { $ref: "#/components/schemas/loop_b" };
      d.components.schemas.loop_b = { $ref: "#/components/schemas/loop_a" };
      thing.properties.looping = { $ref: "#/components/schemas/loop_a" };
    });
    expect(changes(out)).toContain("    NEW  result.parent: field added upstream");
    expect(changes(out)).toContain("    NEW  result.looping: field added upstream");
    expect(status).toBe(1);
  });

  it("exits 2 on a broken gzip file and on a baseline that is not one", () => {
    const gz = path.join(scratch, `bad-${files++}.json.gz`);
    writeFileSync(gz, Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    expect(drift(gz, "--no-baseline").err).toContain("is not valid gzip");
    const bad = path.join(scratch, `bad-${files++}.json`);
    writeFileSync(bad, "{}");
    const { status, err } = drift(file(UPSTREAM), "--ours", file(OURS), "--baseline", bad);
    expect(err).toContain('has no "operations"');
    expect(status).toBe(2);
  });
});
