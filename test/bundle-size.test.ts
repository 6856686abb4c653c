// The bundle budget of issue 6: an app that creates the client and calls
// outgoing.get (bench/apps/ours.mjs, the same file the bench measures), bundled
// and minified for the browser from src/, must stay small, and opt-in parts such
// as ajv-based validation must stay out of it. Timing budgets live in bench/.
import { beforeAll, describe, expect, it } from "vitest";
import { bundleApp, type BundledApp } from "../bench/apps/build.mjs";

// Issue 10's goal is 6,500 bytes with every resource present; it is not met, and
// bench/NOTES.md says by how much and why (openapi-fetch is about 2.3 KB of it, and
// client.raw, part of the client's contract, keeps it in every bundle). The line
// may only move down; the app weighs 9,179 B at issue 10's last commit and 10,773 B
// with peers, TSIGs and ACLs merged, so this test fails until the bundle is cut (see
// bench/NOTES.md for what each file weighs and the options).
const GZIP_BUDGET = 8_000;

describe("bundle of a minimal app (bench/apps/ours.mjs)", () => {
  let bundle: BundledApp;
  beforeAll(async () => {
    // A browser build fails outright on any node: import, so getting here proves there is none.
    bundle = await bundleApp("ours", { platform: "browser", minify: true });
  });

  it("is built from src/, with no package but openapi-fetch in it", () => {
    expect(bundle.inputs).toContain("src/index.ts");
    const packages = new Set(
      bundle.inputs.flatMap((file) => file.match(/node_modules\/([^/]+)/)?.[1] ?? []),
    );
    expect([...packages].filter((name) => name !== "openapi-fetch")).toEqual([]);
  });

  it("holds no ajv and no node: import", () => {
    expect(bundle.inputs.filter((file) => /ajv|emulator/.test(file))).toEqual([]);
    expect(bundle.code).not.toMatch(/ajv/i);
    expect(bundle.code).not.toMatch(/["']node:/);
  });

  it(`is at most ${GZIP_BUDGET} bytes gzipped`, () => {
    expect(bundle.gzip, `minified ${bundle.min} B, gzip ${bundle.gzip} B`).toBeLessThanOrEqual(
      GZIP_BUDGET,
    );
  });
});
