// A TSIG secret is a credential, like the API token: once the client has sent
// one (a create or update body) or received one (any TSIG read), no error it
// throws and no line it logs carries it, however it is shown. The caller still
// gets the secret in the result: only errors and logs are scrubbed.
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
  ApiError,
  BadRequestError,
  ConnectionError,
  createSecondaryDnsClient,
  ServerError,
  ValidationError,
  type TsigInput,
} from "../../src/index.js";
import { strictResults } from "../../src/strict.js";
import { envelope, serverForTests, type SeenRequest } from "../support/server.js";

const server = serverForTests();
const ACCOUNT = "01a7362d577a6c3019a474fd6f485823";
const TSIG = "69cd1e104af3e6ed3cb344f263fd0d5a";
// With a `+` and a `/`, and JSON-escaped forms checked too (a `"` is not base64, but
// a server may echo anything the caller sent).
const SECRET = "l3qJr97PJWH4YV4k2uPsiVuPfmmcjV1t+8HbhItnu9U=";
const OTHER_SECRET = 'q"uoted\\secret-from-a-read';
const body: TsigInput = { name: "tsig.example.com.", algo: "hmac-sha256.", secret: SECRET };

function loggingClient(extra: Record<string, unknown> = {}) {
  const logs: string[] = [];
  const log = (level: string) => (message: string, data?: unknown) =>
    logs.push(`${level} ${message} ${JSON.stringify(data ?? {})}`);
  const client = createSecondaryDnsClient({
    apiToken: "tok-tsig-secret-01",
    baseUrl: server.baseUrl,
    accountId: ACCOUNT,
    maxRetries: 1,
    logger: { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") },
    ...extra,
  });
  return { client, logs };
}

function expectClean(error: unknown, logs: string[], secrets = [SECRET]) {
  const e = error as Error;
  const shown = [
    e.message,
    String(e.stack),
    JSON.stringify(e),
    inspect(e, { depth: 10, showHidden: true }),
    String(e),
    ...logs,
  ];
  for (const text of shown) {
    for (const secret of [...secrets, ...secrets.map((s) => JSON.stringify(s).slice(1, -1))]) {
      expect(text).not.toContain(secret);
    }
  }
}

/** A server whose error echoes the request body, in its envelope and a header. */
function echoingBody(status: number) {
  server.handle((request: SeenRequest) => ({
    status,
    headers: { "retry-after": "0", "cf-ray": `ray ${request.body}` },
    body: {
      success: false,
      errors: [{ code: 1004, message: `invalid TSIG: ${request.body}` }],
      messages: [{ code: 1001, message: `secret was ${JSON.parse(request.body || "{}").secret}` }],
      result: null,
    },
  }));
}

describe("a TSIG secret the client sends never leaks", () => {
  it.each([
    [400, BadRequestError],
    [409, ApiError],
    [500, ServerError],
  ] as const)("from a %i error that echoes the body", async (status, ErrorClass) => {
    echoingBody(status);
    const { client, logs } = loggingClient();
    const error = await client.tsigs.create(body).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ErrorClass);
    expect((error as ApiError).errors[0]?.message).toContain("[REDACTED]");
    expectClean(error, logs);
  });

  it("from an update retried after a 503 that echoes it (warn log lines too)", async () => {
    echoingBody(503);
    const { client, logs } = loggingClient();
    const error = await client.tsigs.update(TSIG, body).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(server.requests.slice(-2).map((r) => r.method)).toEqual(["PUT", "PUT"]);
    expect(logs.some((line) => line.startsWith("warn"))).toBe(true);
    expectClean(error, logs);
  });

  it("from an HTML error page that echoes it", async () => {
    server.handle((request) => ({ status: 502, body: `<html><pre>${request.body}</pre></html>` }));
    const { client, logs } = loggingClient({ maxRetries: 0 });
    const error = await client.tsigs.create(body).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expectClean(error, logs);
  });

  it("from a custom fetch whose error quotes the request body", async () => {
    const { client, logs } = loggingClient({
      fetch: async (request: Request) => {
        throw new TypeError(`cannot send ${await request.text()}`);
      },
    });
    const error = await client.tsigs.update(TSIG, body).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(String((error as Error).cause)).toContain("[REDACTED]");
    expectClean(error, logs);
  });

  it("from a ValidationError about another field of the body", async () => {
    const { client, logs } = loggingClient();
    for (const wrong of [
      { ...body, algo: SECRET },
      { ...body, name: SECRET },
      { ...body, algo: "hmac-sha256" },
    ]) {
      const error = await client.tsigs.create(wrong as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expectClean(error, logs);
    }
  });

  it("a ValidationError about the secret itself never shows it", async () => {
    const { client } = loggingClient();
    const error = await client.tsigs
      .create({ ...body, secret: ["abc-secret-in-an-array"] } as never)
      .catch((e: unknown) => e);
    expect((error as ValidationError).field).toBe("body.secret");
    expect(inspect(error)).not.toContain("abc-secret-in-an-array");
  });

  it("reaches the server, and the result keeps it", async () => {
    server.handle((request) => ({ body: envelope({ id: TSIG, ...JSON.parse(request.body) }) }));
    const { client } = loggingClient();
    const created = await client.tsigs.create(body);
    expect(created.secret).toBe(SECRET);
    expect(JSON.parse(server.requests.at(-1)!.body).secret).toBe(SECRET);
  });
});

describe("a TSIG secret the client receives never leaks afterwards", () => {
  it("read by list, then echoed by a later error of another call", async () => {
    server.handle(() => ({ body: envelope([{ id: TSIG, ...body, secret: OTHER_SECRET }]) }));
    const { client, logs } = loggingClient();
    const [tsig] = await client.tsigs.list();
    expect(tsig?.secret).toBe(OTHER_SECRET);
    server.handle(() => ({
      status: 400,
      body: {
        success: false,
        errors: [{ code: 1004, message: `peer uses a key with secret ${OTHER_SECRET}` }],
        messages: [{ code: 1, message: JSON.stringify({ secret: OTHER_SECRET }) }],
        result: null,
      },
    }));
    const error = await client.peers.delete(TSIG).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expectClean(error, logs, [OTHER_SECRET]);
  });

  it("a strict result check that fails on a TSIG names the field, not the secret", async () => {
    server.handle(() => ({ body: envelope({ id: TSIG, ...body, algo: "hmac-sha3." }) }));
    const { client, logs } = loggingClient({ validateResults: strictResults });
    const error = await client.tsigs.get(TSIG).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as Error).message).toContain("result.algo");
    expectClean(error, logs);
    server.handle(() => ({ body: envelope({ id: TSIG, ...body, secret: "" }) }));
    const empty = await client.tsigs.get(TSIG).catch((e: unknown) => e);
    expect((empty as Error).message).toContain("result.secret must be a non-empty string");
  });

  it("secrets of one client are not another's business: each client scrubs what it saw", async () => {
    server.handle(() => ({ body: envelope({ id: TSIG, ...body }) }));
    const first = loggingClient().client;
    await first.tsigs.get(TSIG);
    echoingBody(400);
    const second = loggingClient().client;
    // The second client never saw the secret; it only scrubs its own. A server echoing
    // a secret the client never held cannot be helped; this documents the boundary.
    const error = await second.peers.create({ name: `n ${SECRET}` }).catch((e: unknown) => e);
    expect((error as Error).message).toContain(SECRET);
  });
});
