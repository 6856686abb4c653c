/**
 * `npm run drift`: small specs written here stand for ours (with x-fix markers) and
 * for Cloudflare's published schema, with no drift, with only known departures, with
 * new drift, and with a departure Cloudflare has since fixed.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const script = path.join(root, "scripts", "drift.mjs");
const scratch = mkdtempSync(path.join(tmpdir(), "cf-sdns-drift-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let files = 0;
function file(doc: unknown): string {
  const name = path.join(scratch, `doc-${files++}.json`);
  writeFileSync(name, JSON.stringify(doc));
  return name;
}

function drift(...args: string[]) {
  const result = spawnSync(process.execPath, [script, ...args], {
    encoding: "utf8",
    timeout: 30_000,
  });
  return { status: result.status, out: result.stdout, err: result.stderr };
}

const clone = <T>(value: T): T => structuredClone(value);
const envelope = (result: unknown) => ({
  allOf: [{ $ref: "#/components/schemas/Envelope" }, { type: "object", properties: { result } }],
});

/** Cloudflare's style of a success response: its envelope, allOf the result. */
const cfOk = (result: unknown) => ({
  "200": {
    content: {
      "application/json": {
        schema: { allOf: [{ $ref: "#/components/schemas/resp" }, { properties: { result } }] },
      },
    },
  },
});

/** Our spec: three operations, x-fix on the nodes that depart from upstream on purpose. */
const ours = {
  openapi: "3.1.0",
  paths: {
    "/zones/{zone_id}/thing": {
      parameters: [{ $ref: "#/components/parameters/zone_id" }],
      get: {
        operationId: "thing-get",
        responses: {
          "200": {
            content: {
              "application/json": { schema: envelope({ $ref: "#/components/schemas/Thing" }) },
            },
          },
        },
      },
      post: {
        operationId: "thing-create",
        requestBody: {
          required: true,
          content: { "application/json": { schema: { $ref: "#/components/schemas/ThingInput" } } },
        },
        responses: {
          "200": {
            content: {
              "application/json": { schema: envelope({ $ref: "#/components/schemas/Thing" }) },
            },
          },
        },
      },
    },
    "/zones/{zone_id}/thing/enable": {
      parameters: [{ $ref: "#/components/parameters/zone_id" }],
      post: {
        operationId: "thing-enable",
        "x-fix": 5,
        responses: {
          "200": { content: { "application/json": { schema: envelope({ type: "string" }) } } },
        },
      },
    },
  },
  components: {
    parameters: {
      zone_id: {
        name: "zone_id",
        in: "path",
        required: true,
        schema: { $ref: "#/components/schemas/Identifier" },
      },
    },
    schemas: {
      Identifier: { type: "string", pattern: "^[0-9a-f]{32}$", "x-fix": 6 },
      Timestamp: { type: "string", format: "date-time", "x-fix": 4 },
      Envelope: {
        type: "object",
        required: ["success", "errors"],
        properties: { success: { type: "boolean" }, errors: { type: "array" } },
      },
      Thing: {
        type: "object",
        required: ["id", "name", "serial"],
        properties: {
          id: { $ref: "#/components/schemas/Identifier" },
          name: { type: "string" },
          serial: { type: "integer", "x-fix": 4 },
          created_time: { $ref: "#/components/schemas/Timestamp" },
        },
      },
      ThingInput: {
        type: "object",
        "x-fix": [1],
        required: ["name"],
        properties: { name: { type: "string" } },
      },
    },
  },
};

/** Cloudflare's side: the same API with its known flaws (FIX 1, 4, 5, 6), OpenAPI 3.0 style. */
const upstream = {
  openapi: "3.0.3",
  paths: {
    "/zones/{zone_id}/thing": {
      get: {
        operationId: "thing-get",
        parameters: [{ name: "zone_id", in: "path", required: true, schema: {} }],
        responses: cfOk({ $ref: "#/components/schemas/thing" }),
      },
      post: {
        operationId: "thing-create",
        parameters: [{ name: "zone_id", in: "path", required: true, schema: {} }],
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: {
                type: "object",
                required: ["id", "name"],
                properties: { id: { type: "string" }, name: { type: "string" } },
              },
            },
          },
        },
        responses: cfOk({ $ref: "#/components/schemas/thing" }),
      },
    },
    "/zones/{zone_id}/thing/enable": {
      post: {
        operationId: "thing-enable",
        parameters: [{ name: "zone_id", in: "path", required: true, schema: {} }],
        requestBody: { required: true, content: { "application/json": {} } },
        responses: cfOk({ type: "string" }),
      },
    },
  },
  components: {
    schemas: {
      resp: {
        type: "object",
        required: ["success", "errors"],
        properties: { success: { type: "boolean" }, errors: { type: "array" } },
      },
      thing: {
        type: "object",
        required: ["id", "name", "serial"],
        properties: {
          id: { type: "string" },
          name: { type: "string" },
          serial: { type: "number" },
          created_time: { type: "string" },
        },
      },
    },
  },
};

describe("npm run drift", () => {
  it("finds nothing when upstream is our own spec, and exits 0", () => {
    const spec = path.join(root, "generated", "openapi.json");
    const { status, out } = drift(spec);
    const count = Object.values<Record<string, unknown>>(
      JSON.parse(readFileSync(spec, "utf8")).paths,
    ).flatMap((item) =>
      ["get", "put", "post", "delete", "patch"].filter((m) => item[m] !== undefined),
    ).length;
    expect(out).toContain(`(${count} operations)`);
    expect(out).toContain("No new drift (0 known departures).");
    expect(status).toBe(0);
  });

  it("tells every known departure by its FIX item, and exits 0 when there is nothing else", () => {
    const { status, out } = drift(file(upstream), "--ours", file(ours));
    const lines = out.split("\n");
    const line = (text: string) => lines.find((l) => l.includes(text));
    expect(line("parameter path zone_id: type: ours string, upstream any")).toMatch(
      /known FIX\(6\)/,
    );
    expect(line("body.id: only upstream has this field")).toMatch(/known FIX\(1\)/);
    expect(line("body: required: upstream also requires id")).toMatch(/known FIX\(1\)/);
    expect(line("result.serial: type: ours integer, upstream number")).toMatch(/known FIX\(4\)/);
    expect(line("result.created_time: format: ours date-time, upstream none")).toMatch(
      /known FIX\(4\)/,
    );
    expect(line("request body: only upstream has a request body")).toMatch(/known FIX\(5\)/);
    expect(out).not.toContain("NEW");
    expect(out).toMatch(/No new drift \(\d+ known departures\)\./);
    expect(status).toBe(0);
  });

  it("reports new drift in results, bodies, parameters and operations, and exits 1", () => {
    const changed = clone(upstream) as any;
    const thing = changed.components.schemas.thing;
    thing.properties.mode = { type: "string", enum: ["a", "b"] }; // a new result field
    thing.properties.name = { type: "array", items: { type: "string" } }; // a changed type
    changed.paths["/zones/{zone_id}/thing"].post.requestBody.content[
      "application/json"
    ].schema.properties.ttl = { type: "integer" }; // a new body field... at a fixed node
    changed.paths["/zones/{zone_id}/thing"].get.parameters.push({
      name: "verbose",
      in: "query",
      required: false,
      schema: { type: "boolean" },
    });
    const enable = changed.paths["/zones/{zone_id}/thing/enable"].post;
    changed.paths["/zones/{zone_id}/thing/enable"] = {};
    changed.paths["/zones/{zone_id}/thing/activate"] = { post: enable }; // moved
    changed.paths["/zones/{zone_id}/thing"].delete = { operationId: "thing-delete", responses: {} };

    const { status, out } = drift(file(changed), "--ours", file(ours));
    const fresh = out.split("\n").filter((l) => l.trimStart().startsWith("NEW"));
    expect(fresh).toEqual(
      expect.arrayContaining([
        expect.stringContaining("result.mode: only upstream has this field"),
        expect.stringContaining("result.name: type: ours string, upstream array"),
        expect.stringContaining("parameter query verbose: only upstream has this parameter"),
        expect.stringContaining(
          "method and path: ours POST /zones/{zone_id}/thing/enable, upstream POST /zones/{zone_id}/thing/activate",
        ),
        expect.stringContaining("only upstream has this operation: DELETE /zones/{zone_id}/thing"),
      ]),
    );
    // x-fix covers the differences at its node: a field upstream added to the body
    // marked FIX(1) is shown, but as that known departure.
    expect(out).toMatch(/known FIX\(1\)\s+body\.ttl: only upstream has this field/);
    expect(out).toMatch(/\d+ new differences, \d+ known departures\./);
    expect(status).toBe(1);
  });

  it("reports an operation upstream no longer has", () => {
    const changed = clone(upstream) as any;
    changed.paths["/zones/{zone_id}/thing"].get.operationId = "thing-details";
    const { status, out } = drift(file(changed), "--ours", file(ours));
    expect(out).toMatch(/thing-get\n\s+NEW\s+no upstream operation has this operationId/);
    expect(out).toMatch(/NEW\s+only upstream has this operation: GET \/zones\/\{zone_id\}\/thing/);
    expect(status).toBe(1);
  });

  it("names an x-fix whose departure Cloudflare has fixed", () => {
    const fixed = clone(upstream) as any;
    fixed.components.schemas.thing.properties.serial = { type: "integer" };
    const { status, out } = drift(file(fixed), "--ours", file(ours));
    expect(out).toContain("Marked x-fix but no longer different");
    expect(out).toContain("FIX(4) at #/components/schemas/Thing/properties/serial");
    expect(out).not.toContain("FIX(6) at");
    expect(status).toBe(0);
  });

  it("prints the comparison as JSON with --json", () => {
    const { status, out } = drift(file(upstream), "--ours", file(ours), "--json");
    const parsed = JSON.parse(out);
    expect(parsed.operations).toBe(3);
    expect(parsed.differences.length).toBeGreaterThan(0);
    expect(parsed.differences.every((d: { known: string[] }) => d.known.length > 0)).toBe(true);
    expect(status).toBe(0);
  });

  it.each([
    [[], "give exactly one upstream file"],
    [[path.join(scratch, "missing.json")], "cannot read upstream schema"],
    [["--bogus", "x"], "unknown option --bogus"],
  ])("exits 2 with the usage on bad arguments %j", (args, message) => {
    const { status, err } = drift(...args);
    expect(err).toContain(message);
    expect(err).toContain("usage: npm run drift");
    expect(status).toBe(2);
  });

  it("exits 2 on a file that is not JSON or not OpenAPI", () => {
    const text = path.join(scratch, "text.json");
    writeFileSync(text, "openapi: 3.0.0\n");
    expect(drift(text).err).toContain("is not JSON");
    expect(drift(file({ hello: "world" })).err).toContain(
      'is not an OpenAPI document (no "paths")',
    );
  });
});
