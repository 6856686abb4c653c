/**
 * The helpers the emulator's compiled validators call instead of ajv's runtime agree
 * with ajv and ajv-formats on the values tried here, and cover every format the
 * spec names.
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { FORMATS } from "../generated/validators.js";
// @ts-expect-error: a plain ES module of the pipeline, without types
import { validatorsSource } from "../scripts/validators.mjs";
import { equal, formats, ucs2length } from "../src/emulator/schema-runtime.js";
import { findSpecFile, loadSpec } from "../src/emulator/spec.js";

const ajv = new Ajv2020({ strict: false });
(addFormats as unknown as { default: (a: Ajv2020) => void }).default(ajv);

const samples: Record<string, string[]> = {
  "date-time": [
    "2024-01-01T00:00:00Z",
    "2024-02-29T12:30:45.123456+05:30",
    "2023-02-29T00:00:00Z",
    "2024-13-01T00:00:00Z",
    "2024-01-01T24:00:00Z",
    "2024-01-01 00:00:00z",
    "2016-12-31T23:59:60Z",
    "2016-12-31T22:59:60-01:00",
    "2016-12-31T23:58:60Z",
    "2024-01-01T00:00:00",
    "2024-1-01T00:00:00Z",
    "not a date",
    "",
  ],
  date: ["2024-02-29", "2023-02-29", "2024-04-31", "2024-00-10", "24-01-01"],
  time: ["00:00:00Z", "23:59:59.5+01:00", "24:00:00Z", "12:00:00+24:00", "12:00Z"],
  uri: [
    "https://example.com/a?b=c#d",
    "urn:isbn:0451450523",
    "mailto:someone@example.com",
    "example.com",
    "/relative/path",
    "http://exa mple.com",
    "",
  ],
  hostname: [
    "example.com",
    "a-b.example.com.",
    "-a.example.com",
    "a".repeat(64) + ".com",
    "ex_ample.com",
    "",
  ],
  ipv4: ["192.0.2.1", "255.255.255.255", "256.0.0.1", "1.2.3", "01.2.3.4"],
  ipv6: ["2001:db8::1", "::", "::ffff:192.0.2.1", "2001:db8:::1", "12345::"],
  byte: ["", "aGVsbG8=", "aGVsbG8", "aGVs bG8=", "a===", "YQ=="],
  password: ["anything", ""],
  binary: ["\u0000\u00ff", ""],
  uuid: ["123e4567-e89b-12d3-a456-426614174000", "123e4567-e89b-12d3-a456-42661417400", "xyz"],
  email: [
    "user@example.com",
    "first.last+tag@sub.example.org",
    "no-at-sign",
    "a@b@c.com",
    "a@-x.com",
  ],
};

describe("schema-runtime.ts", () => {
  it("has a check for every format the compiled validators call", () => {
    for (const name of FORMATS) expect(formats[name], name).toBeTypeOf("function");
  });

  it("has a check for every string format the spec names, wherever it is", () => {
    const named = new Set<string>();
    const walk = (node: unknown): void => {
      if (node === null || typeof node !== "object") return;
      const { type, format } = node as { type?: unknown; format?: unknown };
      const types = Array.isArray(type) ? type : [type];
      if (typeof format === "string" && types.includes("string")) named.add(format);
      Object.values(node).forEach(walk);
    };
    walk(JSON.parse(readFileSync(new URL("../generated/openapi.json", import.meta.url), "utf8")));
    for (const name of named) expect(formats[name], name).toBeTypeOf("function");
  });

  it("the compiled code names the formats it calls in FORMATS, for spec.ts to check", () => {
    const body = {
      type: "object",
      properties: {
        at: { type: "string", format: "date-time" },
        ip: { type: "string", format: "ipv4" },
      },
    };
    const source: string = validatorsSource(
      JSON.stringify({
        openapi: "3.1.0",
        paths: {
          "/x": { post: { requestBody: { content: { "application/json": { schema: body } } } } },
        },
      }),
    );
    expect(source).toContain('export const FORMATS: readonly string[] = ["date-time","ipv4"];');
    expect(source).toContain('"/paths/~1x/post/requestBody/content/application~1json/schema": v0,');
    expect(source).not.toMatch(/\brequire\(/);
  });

  it.each(Object.entries(samples))("format %s agrees with ajv-formats", (name, values) => {
    const check = formats[name]!;
    const reference = ajv.compile({ type: "string", format: name });
    for (const value of values)
      expect(check(value), `${name}: ${JSON.stringify(value)}`).toBe(reference(value));
  });

  it("counts string length in code points, as JSON Schema does", () => {
    expect(ucs2length("abc")).toBe(3);
    expect(ucs2length("😀a")).toBe(2);
    expect(ucs2length("")).toBe(0);
  });

  it("compares JSON values deeply", () => {
    expect(equal({ a: [1, { b: null }] }, { a: [1, { b: null }] })).toBe(true);
    expect(equal({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
    expect(equal({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(equal([1, 2], [2, 1])).toBe(false);
    expect(equal([], {})).toBe(false);
    expect(equal("1", 1)).toBe(false);
    expect(equal(null, {})).toBe(false);
  });
});

describe("loadSpec", () => {
  it("uses the compiled validators of generated/openapi.json, whatever its whitespace", () => {
    const scratch = mkdtempSync(path.join(tmpdir(), "cf-sdns-spec-"));
    try {
      const spec = JSON.parse(readFileSync(findSpecFile(), "utf8"));
      const same = path.join(scratch, "same.json");
      writeFileSync(same, JSON.stringify(spec, null, 4).replace(/\n/g, "\r\n"));
      const route = loadSpec(same).routes.find((r) => r.body)!;
      expect(route.body!.validate({})).toBe(false);
      expect(route.body!.validate.errors?.length).toBeGreaterThan(0);

      spec.info.version = "0.0.0-changed";
      const other = path.join(scratch, "other.json");
      writeFileSync(other, JSON.stringify(spec));
      expect(() => loadSpec(other)).toThrow(
        `${other} is not the spec generated/validators.ts was compiled from: run \`npm run generate\``,
      );
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
