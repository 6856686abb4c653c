/**
 * The CLI against a server that breaks the spec: control characters in its
 * words are shown, not obeyed; results of the wrong shape are refused with a
 * clear message and exit 1, never a crash or "[object Object]".
 */
import { describe, expect, it } from "vitest";
import { escapeText } from "../../src/text.js";
import { envelope, failure, sampleZone, serverForTests, ZONE } from "../support/server.js";
import { cli } from "./run.js";

const server = serverForTests();
const run = (...args: string[]) =>
  cli(["outgoing", ...args], { CLOUDFLARE_BASE_URL: server.baseUrl, CLOUDFLARE_API_TOKEN: "t" });

const STACK_LINE = /^\s+at /m;
const HOSTILE = "\x1b[2J\x1b[31mFAKE: all good\x1b[0m\rOverwritten line\x07\x7f\x9b2J\u0085end";
const SHOWN = "\\x1b[2J\\x1b[31mFAKE: all good\\x1b[0m\\rOverwritten line\\x07\\x7f\\x9b2J\\x85end";
// Every control character a terminal acts on: C0 (newline and tab too), DEL and C1.
const ANY_CONTROL = /[\x00-\x1f\x7f-\x9f]/;

describe("control characters from the server", () => {
  it("escapeText() escapes C0, DEL and C1, and keeps other text", () => {
    expect(escapeText(HOSTILE)).toBe(SHOWN);
    expect(escapeText("line\n\tindented é ü ✓ \u00a0")).toBe("line\\n\\tindented é ü ✓ \u00a0");
    for (let code = 0; code < 0x100; code++) {
      const char = String.fromCharCode(code);
      expect(ANY_CONTROL.test(escapeText(char)), `U+${code.toString(16)}`).toBe(false);
    }
  });

  it("in an error message: shown escaped on stderr", async () => {
    server.handle(() => failure(400, 1004, HOSTILE));
    const outcome = await run("get", ZONE);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain(`error 1004: ${SHOWN}`);
    expect(outcome.stderr.replace(/\n/g, "")).not.toMatch(ANY_CONTROL);
  });

  it("in a result: shown escaped as text, exact in --json", async () => {
    // An action's result is any non-empty string (a status is one of the spec's enum).
    server.handle(() => ({ body: envelope(`Enabled${HOSTILE}`) }));
    const text = await run("enable", ZONE);
    expect(text.code).toBe(0);
    expect(text.stdout).toBe(`Outgoing transfers of zone ${ZONE}: Enabled${SHOWN}\n`);
    const json = await run("enable", ZONE, "--json");
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toBe(`Enabled${HOSTILE}`);
    // JSON escapes C0 itself; DEL and C1 are legal in a JSON string and kept as they came.
    expect(json.stdout.trimEnd()).not.toMatch(/[\x00-\x1f]/);
  });
});

describe("results that break the spec", () => {
  it.each<[string, string[], unknown, string]>([
    ["get answering a string", ["get", ZONE], "x", 'result must be an object, got "x"'],
    [
      "get answering a zone whose id is 5",
      ["get", ZONE],
      { ...sampleZone, id: 5 },
      "result.id must be a string",
    ],
    ["get answering {id}", ["get", ZONE], { id: sampleZone.id }, "result.name is required"],
    [
      "get answering a zone without peers",
      ["get", ZONE],
      { ...sampleZone, peers: undefined },
      "result.peers",
    ],
    [
      "status answering an object",
      ["status", ZONE],
      { status: "Enabled" },
      "result must be a non-empty string, got object",
    ],
    [
      "enable answering null",
      ["enable", ZONE],
      null,
      "result must be a non-empty string, got null",
    ],
    [
      "status answering a word the spec does not list",
      ["status", ZONE],
      "Paused",
      'result must be one of "Enabled", "Disabled", got "Paused"',
    ],
    [
      "delete answering an array",
      ["delete", ZONE],
      [],
      "result must be an object, got an array of 0",
    ],
  ])("%s: exit 1 naming what is wrong", async (_case, args, result, problem) => {
    server.handle(() => ({ body: envelope(result) }));
    for (const json of [[], ["--json"]]) {
      const outcome = await run(...args, ...json);
      expect(outcome.code).toBe(1);
      expect(outcome.stdout).toBe("");
      expect(outcome.stderr).toContain("is not what the spec allows");
      expect(outcome.stderr).toContain(problem);
      expect(outcome.stderr).not.toMatch(STACK_LINE);
      expect(outcome.stderr).not.toContain("please report it");
      expect(outcome.stderr).not.toContain("[object Object]");
    }
  });

  it("a result 20,000 levels deep: exit 1 with a message, also with --json", async () => {
    const deep = `${"[".repeat(20_000)}${"]".repeat(20_000)}`;
    const body = (result: string) =>
      `{"success":true,"errors":[],"messages":[],"result":${result}}`;
    // Where the spec's checks stop at the top, the depth is the shape's problem.
    server.handle(() => ({ body: body(deep) }));
    for (const json of [[], ["--json"]]) {
      const outcome = await run("get", ZONE, ...json);
      expect(outcome.code).toBe(1);
      expect(outcome.stderr).toContain("result must be an object, got an array of 1");
      expect(outcome.stderr).not.toMatch(STACK_LINE);
    }
    // A delete result with its id right passes the checks; printing it as JSON cannot.
    server.handle(() => ({ body: body(`{"id":"${sampleZone.id}","extra":${deep}}`) }));
    const json = await run("delete", ZONE, "--json");
    expect(json.code).toBe(1);
    expect(json.stdout).toBe("");
    expect(json.stderr).toBe(
      "cf-secondary-dns: the API's result is nested too deeply to print as JSON\n",
    );
    const text = await run("delete", ZONE);
    expect(text.code).toBe(0);
    expect(text.stdout).toBe(
      `Deleted the outgoing configuration ${sampleZone.id} of zone ${ZONE}.\n`,
    );
  });

  it("a result as the spec says is printed", async () => {
    server.handle(() => ({ body: envelope(sampleZone) }));
    const outcome = await run("get", ZONE, "--json");
    expect(outcome.code).toBe(0);
    expect(JSON.parse(outcome.stdout)).toEqual(sampleZone);
  });
});
