/**
 * The recorder, offline: its requests go to a server on 127.0.0.1 standing in
 * for the API, which echoes credentials back to tempt it. What it returns must
 * be scrubbed, and a fixture the contract checks accept.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATIONS } from "../../generated/operations.js";
import { envelope, failure, startServer, type TestServer } from "../support/server.js";
import { requestProblems, responseProblems } from "./fixtures.js";
import { loadRecord, loadScrub } from "./scripts.js";

const { record, parseArgs, findOperation, fixturePath, SHORT_NAMES } = await loadRecord();
const { PLACEHOLDERS, REDACTED } = await loadScrub();

const TOKEN = "Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lz9Xc8Vb7Nm6M";
const ZONE = "d56084adb405e0b7e32c52321bf07be6";
const PEER = "aa11bb22cc33dd44ee55ff6600112233";
const CONFIG = "5d0e0b41f0c6e4d5a7b1c2e3f4a5b6c7";
const NAME = "acme-corp.net.";
const NOW = new Date("2026-01-02T03:04:05Z");

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());
const env = () => ({ CLOUDFLARE_API_TOKEN: TOKEN, CLOUDFLARE_BASE_URL: server.baseUrl });

describe("npm run record", () => {
  it("reads its arguments, and refuses what it does not know", () => {
    expect(
      parseArgs([
        "create",
        ZONE,
        "--name",
        NAME,
        "--peer",
        PEER,
        "--peer",
        CONFIG,
        "--scenario",
        "two",
      ]),
    ).toMatchObject({
      operation: "create",
      zoneId: ZONE,
      name: NAME,
      peers: [PEER, CONFIG],
      scenario: "two",
      dryRun: false,
    });
    expect(() => parseArgs(["get"])).toThrow(/usage/);
    expect(() => parseArgs(["get", ZONE, "--bogus"])).toThrow(/unknown option --bogus/);
    expect(() => parseArgs(["get", ZONE, "--name"])).toThrow(/--name needs a value/);
  });

  it("knows every operation of the table by short name, from the spec", () => {
    const withMethods = Object.entries(OPERATIONS).filter(([, info]) => info.resource);
    expect(withMethods.length).toBeGreaterThan(0);
    expect(Object.values(SHORT_NAMES).sort()).toEqual(withMethods.map(([id]) => id).sort());
    expect(SHORT_NAMES["tsigs.create"]).toBe("secondary-dns-(-tsig)-create-tsig");
    expect(findOperation("force-notify")).toMatchObject({
      method: "POST",
      path: "/zones/{zone_id}/secondary_dns/outgoing/force_notify",
      takesBody: false,
    });
    expect(findOperation("update").takesBody).toBe(true);
    expect(() => findOperation("frobnicate")).toThrow(/no operation/);
  });

  it("records zone operations only, and says where the account ones come from", async () => {
    await expect(record(parseArgs(["peers.get", ZONE]), { env: env() })).rejects.toThrow(
      /record-accounts\.mjs/,
    );
  });

  it("needs credentials", async () => {
    await expect(record(parseArgs(["get", ZONE]), { env: {} })).rejects.toThrow(
      /CLOUDFLARE_API_TOKEN/,
    );
  });

  it("records a success, scrubbed, as a fixture the contract checks accept", async () => {
    server.handle(() => ({
      headers: { "set-cookie": `__cf_bm=${TOKEN}`, "x-internal": "dropped" },
      body: envelope({
        id: CONFIG,
        name: NAME,
        peers: [PEER],
        soa_serial: 2026010201,
        checked_time: "2026-01-02T03:04:05.123456Z",
        created_time: "2026-01-02T03:04:05.123456Z",
        last_transferred_time: "2026-01-02T03:04:05.123456Z",
      }),
    }));
    const fixture = await record(parseArgs(["create", ZONE, "--name", NAME, "--peer", PEER]), {
      env: env(),
      now: NOW,
    });

    const sent = server.requests.at(-1);
    expect(sent?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(JSON.parse(sent?.body ?? "")).toEqual({ name: NAME, peers: [PEER] });

    const json = JSON.stringify(fixture);
    for (const secret of [TOKEN, ZONE, PEER, CONFIG, "acme-corp"])
      expect(json).not.toContain(secret);
    expect(fixture.request).toEqual({
      method: "POST",
      path: `/client/v4/zones/${PLACEHOLDERS.zoneId}/secondary_dns/outgoing`,
      headers: { authorization: `Bearer ${REDACTED}`, "content-type": "application/json" },
      body: { name: PLACEHOLDERS.zoneName, peers: [PLACEHOLDERS.peerIds[0]] },
    });
    expect(Object.keys(fixture.response.headers).sort()).toEqual(["cf-ray", "content-type"]);
    expect(fixture.scenario).toBe("recorded");
    expect(fixture.source).toContain("2026-01-02");
    expect(requestProblems(fixture)).toEqual([]);
    expect(responseProblems(fixture)).toEqual([]);
    expect(fixturePath(fixture, "/out")).toBe(`/out/${fixture.operationId}/recorded.json`);
  });

  it("records a failure with Retry-After, the email of a Global API Key scrubbed", async () => {
    const email = "ops@acme-corp.net";
    const key = "c2547eb745079dac9320b638f5e225cf483cc";
    server.handle(() =>
      failure(429, 971, `Please wait, ${email} (key ${key})`, { "retry-after": "300" }),
    );
    const fixture = await record(parseArgs(["status", ZONE, "--scenario", "limited"]), {
      env: {
        CLOUDFLARE_EMAIL: email,
        CLOUDFLARE_API_KEY: key,
        CLOUDFLARE_BASE_URL: server.baseUrl,
      },
    });
    expect(server.requests.at(-1)?.headers["x-auth-key"]).toBe(key);
    expect(fixture.request.headers).toEqual({
      "x-auth-email": PLACEHOLDERS.email,
      "x-auth-key": REDACTED,
    });
    expect(fixture.request.body).toBeNull();
    expect(fixture.response.headers["retry-after"]).toBe("300");
    expect(JSON.stringify(fixture.response.body)).toContain(
      `Please wait, ${PLACEHOLDERS.email} (key ${REDACTED})`,
    );
    expect(fixture.scenario).toBe("limited");
    expect(responseProblems(fixture)).toEqual([]);
  });

  it("keeps a proxy's HTML page as text", async () => {
    server.handle(() => ({ status: 502, body: "<html><body>502 Bad Gateway</body></html>" }));
    const fixture = await record(parseArgs(["enable", ZONE]), { env: env() });
    expect(fixture.response.body).toBe("<html><body>502 Bad Gateway</body></html>");
    expect(fixture.scenario).toBe("recorded-502");
    expect(responseProblems(fixture)).toEqual([]);
  });

  it("refuses to record create without --name", async () => {
    await expect(record(parseArgs(["create", ZONE]), { env: env() })).rejects.toThrow(/--name/);
  });
});
