/**
 * The emulator's error codes are one table (ERRORS in src/emulator/failures.ts).
 * The README's "Where the emulator decides for itself" table lists every code
 * of it the real API is not known to use, row for row, and nothing else; and a
 * code keeps one meaning: two cases share a code only when they are listed here
 * as the same failure.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERRORS, failure, fillMessage, type ErrorName } from "../../src/emulator/failures.js";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

interface Row {
  when: string;
  status: number;
  code: number;
}

/** The rows of the first table under `heading` (a "### " heading of the README). */
function readmeTable(heading: string): Row[] {
  const start = readme.indexOf(`\n### ${heading}\n`);
  if (start < 0) throw new Error(`the README has no "### ${heading}" section`);
  const section = readme.slice(start + 1).split(/\n#{2,3} /)[0] ?? "";
  const lines = section.split("\n").filter((line) => line.startsWith("|"));
  // The header row and the |---| row come first.
  return lines.slice(2).map((line) => {
    const cells = line
      .slice(1, -1)
      .split("|")
      .map((cell) => cell.trim());
    return { when: cells[0] ?? "", status: Number(cells[1]), code: Number(cells[2]) };
  });
}

const key = (row: Row) => `${row.when} | ${row.status} | ${row.code}`;

/** Cases that are one failure under two wordings or statuses, and so share a code. */
const SAME_FAILURE: ErrorName[][] = [
  ["noRoute", "noRouteOutsidePrefix"],
  ["bodyNotJson", "bodyMissing"],
  ["notConfigured", "notFound", "incomingNotConfigured"],
  ["alreadyConfigured", "incomingAlreadyConfigured"],
  ["zoneIsPrimary", "zoneIsSecondary"],
  ["tsigNotShared", "tsigChangeNotShared"],
];

describe("the emulator's error codes", () => {
  const own: Row[] = Object.values(ERRORS)
    .filter((e) => !("imitates" in e))
    .map(({ when, status, code }) => ({ when, status, code }));
  const documented = readmeTable("Where the emulator decides for itself");

  it("the README's table has a row for every code of the emulator's own", () => {
    const inReadme = new Set(documented.map(key));
    expect(own.map(key).filter((row) => !inReadme.has(row))).toEqual([]);
  });

  it("every row of the README's table is a case of ERRORS, with its status and code", () => {
    const inTable = new Set(own.map(key));
    expect(documented.length).toBeGreaterThan(10);
    expect(documented.map(key).filter((row) => !inTable.has(row))).toEqual([]);
  });

  it("a code has one meaning: cases share one only when they are the same failure", () => {
    const family = (name: string) =>
      SAME_FAILURE.find((group) => group.includes(name as ErrorName))?.[0] ?? name;
    const byCode = new Map<number, Set<string>>();
    for (const [name, { code }] of Object.entries(ERRORS)) {
      byCode.set(code, (byCode.get(code) ?? new Set()).add(family(name)));
    }
    const clashes = [...byCode].filter(([, names]) => names.size > 1);
    expect(clashes.map(([code, names]) => `${code}: ${[...names].join(", ")}`)).toEqual([]);
  });

  it("the 408 and 431 codes are not the link rules' 1007 and 1008", () => {
    expect(ERRORS.requestTimeout).toMatchObject({ status: 408, code: 1013 });
    expect(ERRORS.headersTooLarge).toMatchObject({ status: 431, code: 1014 });
    expect(ERRORS.unknownTsig).toMatchObject({ status: 400, code: 1007 });
    expect(ERRORS.unknownPeer).toMatchObject({ status: 400, code: 1008 });
  });

  it("keeps the codes the real API is known to use", () => {
    const imitated = Object.values(ERRORS).filter((e) => "imitates" in e);
    expect(imitated.map((e) => [e.status, e.code]).sort()).toEqual(
      [
        [401, 10000],
        [400, 7003],
        [429, 971],
        [500, 10001],
        [404, 1003],
      ].sort(),
    );
  });
});

describe("failure messages", () => {
  it("fills each {place} once, never reading a value as a place", () => {
    expect(fillMessage("Peer {peer} is in zone {zone}", { peer: "{zone}", zone: "z" })).toBe(
      "Peer {zone} is in zone z",
    );
  });

  it("refuses a message with a place left empty (a bug, answered 500)", () => {
    expect(() => fillMessage("Peer {peer} does not exist")).toThrow(/no value for \{peer\}/);
  });

  it("makes the envelope's error of a case: its code, its message, its pointer", () => {
    const made = failure("unknownPeer", { peer: "ab" }, "/peers/1");
    expect(made.status).toBe(400);
    expect(made.errors).toEqual([
      { code: 1008, message: "Peer ab does not exist", source: { pointer: "/peers/1" } },
    ]);
    expect(failure("notFound", { what: "TSIG" }).errors).toEqual([
      { code: 1003, message: "TSIG not found" },
    ]);
  });
});
