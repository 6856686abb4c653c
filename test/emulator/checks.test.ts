/**
 * What the emulator checks before a handler runs: routes, credentials, path
 * identifiers and bodies, each judged by the spec. The body cases are also put
 * to the spec's own validator, so the emulator and the spec cannot disagree.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { exampleSeed } from "../../src/emulator/handlers/state.js";
import { MAX_BODY_BYTES } from "../../src/emulator/pipeline.js";
import { ERRORS } from "../../src/emulator/failures.js";
import { findSpecFile } from "../../src/emulator/spec.js";
import { operationById, requestValidator } from "../support/spec.js";
import { exchange, onlyError, outgoing, PEER_A, PEER_B, TOKEN, ZONE } from "./exchange.js";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.close());

const NO_CREDENTIALS = { authorization: "" };

describe("credentials", () => {
  it.each<[string, Record<string, string>]>([
    ["none at all", NO_CREDENTIALS],
    ["a Basic scheme", { authorization: "Basic dXNlcjpwYXNz" }],
    ["Bearer without a token", { authorization: "Bearer " }],
    ["a token with a space", { authorization: "Bearer two words" }],
    ["an email without a key", { ...NO_CREDENTIALS, "x-auth-email": "user@example.com" }],
    ["a key without an email", { ...NO_CREDENTIALS, "x-auth-key": "0123456789abcdef" }],
  ])("%s: 401 with code 10000", async (_case, headers) => {
    for (const [method, action] of [
      ["GET", ""],
      ["POST", "/enable"],
      ["GET", "/status"],
    ] as const) {
      const answer = await outgoing(emulator.url, method, ZONE, action, { headers });
      expect(answer.status).toBe(401);
      expect(onlyError(answer)).toEqual({ code: 10000, message: "Authentication error" });
    }
  });

  it.each<[string, Record<string, string>]>([
    ["a bearer token", { authorization: "Bearer some-token" }],
    [
      "an email with a key",
      { ...NO_CREDENTIALS, "x-auth-email": "user@example.com", "x-auth-key": "0123456789abcdef" },
    ],
  ])("%s is let through (404: no configuration yet)", async (_case, headers) => {
    expect((await outgoing(emulator.url, "GET", ZONE, "", { headers })).status).toBe(404);
  });

  it("are checked before the identifier and the body", async () => {
    const answer = await outgoing(emulator.url, "POST", "nope", "", {
      headers: NO_CREDENTIALS,
      rawBody: "{",
    });
    expect(answer.status).toBe(401);
  });
});

describe("routes", () => {
  it("an unknown path answers 404 with code 7000", async () => {
    for (const path of [
      `/zones/${ZONE}/secondary_dns`, // the legacy path of incoming configurations
      `/zones/${ZONE}/secondary_dns/outgoing/enable/x`,
    ]) {
      const answer = await exchange(emulator.url, "GET", path);
      expect(answer.status).toBe(404);
      expect(onlyError(answer).code).toBe(7000);
    }
  });

  it("a path outside /client/v4 answers 404", async () => {
    const outside = emulator.url.replace("/client/v4", "");
    const response = await fetch(`${outside}/zones/${ZONE}/secondary_dns/outgoing`);
    expect(response.status).toBe(404);
    expect(response.headers.get("cf-ray")).toBeTruthy();
  });

  it("a method the path does not have answers 405 with Allow", async () => {
    const answer = await exchange(emulator.url, "PATCH", `/zones/${ZONE}/secondary_dns/outgoing`);
    expect(answer.status).toBe(405);
    expect(answer.headers.get("allow")).toBe("GET, PUT, POST, DELETE, HEAD");
    const status = await exchange(
      emulator.url,
      "POST",
      `/zones/${ZONE}/secondary_dns/outgoing/status`,
    );
    expect(status.headers.get("allow")).toBe("GET, HEAD");
  });

  it("HEAD is answered as GET, without the body", async () => {
    for (const path of [`/zones/${ZONE}/secondary_dns/outgoing/status`, "/nowhere"]) {
      const get = await fetch(emulator.url + path, { headers: TOKEN });
      const getText = await get.text();
      const head = await fetch(emulator.url + path, { method: "HEAD", headers: TOKEN });
      expect(head.status, path).toBe(get.status);
      expect(await head.text()).toBe("");
      expect(head.headers.get("content-length")).toBe(String(Buffer.byteLength(getText)));
      expect(head.headers.get("content-type")).toBe(get.headers.get("content-type"));
    }
  });
});

describe("the zone identifier", () => {
  it.each([
    "not-a-zone",
    ZONE.toUpperCase(),
    `${ZONE}0`,
    "%zz",
    "023e105f4ecef8ad9ca31a8372d0c35g",
  ])("%s: 400 with code 7003 and source.pointer /zone_id", async (zone) => {
    for (const action of ["", "/status"] as const) {
      const answer = await outgoing(emulator.url, "GET", zone, action);
      expect(answer.status).toBe(400);
      const error = onlyError(answer);
      expect(error.code).toBe(7003);
      expect(error.message).toContain("perhaps your object identifier is invalid?");
      expect(error.source).toEqual({ pointer: "/zone_id" });
    }
  });
});

describe("create and update bodies", () => {
  const create = operationById("secondary-dns-(-primary-zone)-create-primary-zone-configuration");
  const specAccepts = requestValidator(create)!;
  const peers31 = Array.from({ length: 31 }, (_, i) => i.toString(16).padStart(32, "0"));

  it.each<[string, string, unknown]>([
    ["no name", "/name", { peers: [] }],
    ["no peers", "/peers", { name: "example.com." }],
    ["an id, which the API assigns", "/id", { id: PEER_A, name: "example.com.", peers: [] }],
    ["a misspelt field", "/peer", { name: "example.com.", peer: [PEER_A] }],
    ["a name that is not a DNS name", "/name", { name: "-bad-.example.", peers: [] }],
    ["a name that is a number", "/name", { name: 42, peers: [] }],
    ["a peer that is not 32 hex", "/peers/1", { name: "example.com.", peers: [PEER_A, "zz"] }],
    ["the same peer twice", "/peers", { name: "example.com.", peers: [PEER_A, PEER_A] }],
    ["31 peers", "/peers", { name: "example.com.", peers: peers31 }],
    ["peers that are not a list", "/peers", { name: "example.com.", peers: PEER_A }],
    ["an array", "", []],
  ])(
    "%s: 400 with source.pointer %j, as the spec's own validator says",
    async (_case, pointer, body) => {
      expect(specAccepts(body)).toBe(false);
      for (const method of ["POST", "PUT"]) {
        const answer = await outgoing(emulator.url, method, ZONE, "", { body });
        expect(answer.status).toBe(400);
        const error = onlyError(answer);
        expect(error.source).toEqual({ pointer });
        expect(error.message).toContain(pointer || "the body");
      }
      expect((await outgoing(emulator.url, "GET", ZONE)).status).toBe(404); // nothing was created
    },
  );

  it.each<[string, string]>([
    ["no body", ""],
    ["a body that is not JSON", "{name:"],
  ])('%s: 400 with source.pointer ""', async (_case, rawBody) => {
    const answer = await outgoing(emulator.url, "POST", ZONE, "", { rawBody });
    expect(answer.status).toBe(400);
    expect(onlyError(answer).source).toEqual({ pointer: "" });
  });

  it("the spec's examples and edge cases it allows are accepted", async () => {
    const zone = "11111111111111111111111111111111";
    // The example account's peers, and 31 more in another account, for the 30-peer case.
    const seed = exampleSeed();
    const others = peers31.map((id, i) => ({ id, name: `peer-${i}` }));
    seed.peers = { ...seed.peers, ["22222222222222222222222222222222"]: others };
    const seeded = await startEmulator({ seed });
    try {
      for (const body of [
        { name: "www.example.com.", peers: [PEER_A, PEER_B] },
        { name: "example", peers: [] },
        { name: "a".repeat(63), peers: peers31.slice(0, 30) },
      ]) {
        expect(specAccepts(body)).toBe(true);
        const created = await outgoing(seeded.url, "POST", zone, "", { body });
        expect(created.status).toBe(200);
        expect((await outgoing(seeded.url, "DELETE", zone)).status).toBe(200);
      }
    } finally {
      await seeded.close();
    }
  });

  it.each([
    ["one byte over the cap", " ".repeat(MAX_BODY_BYTES + 1)],
    ["1 MiB", " ".repeat(1024 * 1024)],
    [
      "28,000 distinct peers",
      JSON.stringify({ name: "a.", peers: Array.from({ length: 28_000 }, (_, i) => String(i)) }),
    ],
  ])("a body over MAX_BODY_BYTES (%s) answers 413, unparsed", async (_case, rawBody) => {
    const answer = await outgoing(emulator.url, "POST", ZONE, "", { rawBody });
    expect(answer.status).toBe(413);
    expect(onlyError(answer).code).toBe(1006);
  });

  it("the cap leaves room for the largest body the spec allows, pretty-printed", async () => {
    const body = {
      name: `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}`,
      peers: Array.from({ length: 30 }, (_, i) => i.toString(16).padStart(32, "0")),
    };
    const rawBody = JSON.stringify(body, null, "\t\t\t\t");
    expect(Buffer.byteLength(rawBody)).toBeLessThan(MAX_BODY_BYTES / 2);
    const answer = await outgoing(emulator.url, "POST", ZONE, "", { rawBody });
    // Read and judged in full: its made-up peers are refused as unknown, not as too large.
    expect(answer.status).toBe(400);
    expect(onlyError(answer).code).toBe(ERRORS.unknownPeer.code);
  });
});

describe("the spec the emulator judges by", () => {
  it("is generated/openapi.json, found by walking up from the module", () => {
    expect(findSpecFile()).toBe(
      fileURLToPath(new URL("../../generated/openapi.json", import.meta.url)),
    );
  });

  it("is reported missing, naming where the search began, when no folder above has it", () => {
    const start = join(tmpdir(), "nowhere", "spec.js");
    expect(() => findSpecFile(start)).toThrow(
      `generated/openapi.json was not found in any folder above ${start}`,
    );
  });
});
