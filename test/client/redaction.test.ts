import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
  ApiError,
  AuthenticationError,
  BadRequestError,
  ConnectionError,
  createSecondaryDnsClient,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  SecondaryDnsError,
  ServerError,
  TimeoutError,
  ValidationError,
} from "../../src/index.js";
import { ZONE, serverForTests } from "../support/server.js";

const TOKEN = "sEcReT-ToKeN-5f2b9c1e7a";
const EMAIL = "secret.person@example.org";
const KEY = "gLoBaL-KeY-d41d8cd98f00b204";
const SECRETS = [TOKEN, EMAIL, KEY];

const server = serverForTests();

/** Every way an error can be shown or shipped. */
function renderings(error: unknown, logs: string[]): string[] {
  const e = error as Error;
  return [
    e.message,
    String(e.stack),
    JSON.stringify(e),
    inspect(e, { depth: 10, showHidden: true }),
    String(e),
    ...logs,
  ];
}

function expectClean(error: unknown, logs: string[]) {
  for (const text of renderings(error, logs)) {
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  }
}

function loggingClient(auth: "token" | "key", extra: Record<string, unknown> = {}) {
  const logs: string[] = [];
  const log = (level: string) => (message: string, data?: unknown) =>
    logs.push(`${level} ${message} ${JSON.stringify(data ?? {})}`);
  const credentials = auth === "token" ? { apiToken: TOKEN } : { apiEmail: EMAIL, apiKey: KEY };
  const client = createSecondaryDnsClient({
    ...credentials,
    baseUrl: server.baseUrl,
    maxRetries: 1,
    logger: { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") },
    ...extra,
  });
  return { client, logs };
}

/** A server that echoes the credentials it was sent into its error body. */
function echoing(status: number, headers: Record<string, string> = {}) {
  server.handle((request) => ({
    status,
    headers: { "retry-after": "0", ...headers },
    body: {
      success: false,
      errors: [
        {
          code: 1000,
          message: `bad auth ${request.headers.authorization} ${request.headers["x-auth-email"]} ${request.headers["x-auth-key"]}`,
        },
      ],
      messages: [{ code: 1001, message: `you sent ${JSON.stringify(request.headers)}` }],
      result: null,
    },
  }));
}

const statusCases = [
  [400, BadRequestError],
  [401, AuthenticationError],
  [403, PermissionDeniedError],
  [404, NotFoundError],
  [429, RateLimitError],
  [500, ServerError],
  [409, ApiError],
] as const;

describe.each(["token", "key"] as const)("credentials (%s) never leak", (auth) => {
  it.each(statusCases)("from a %i error that echoes them", async (status, ErrorClass) => {
    echoing(status);
    const { client, logs } = loggingClient(auth);
    const error = await client.outgoing.get(ZONE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ErrorClass);
    expect((error as ApiError).errors[0]?.message).toContain("[REDACTED]");
    expectClean(error, logs);
  });

  it("from an HTML error page that echoes them", async () => {
    server.handle((request) => ({
      status: 502,
      body: `<html><body>${request.headers.authorization} ${request.headers["x-auth-key"]} ${request.headers["x-auth-email"]}</body></html>`,
    }));
    const { client, logs } = loggingClient(auth, { maxRetries: 0 });
    const error = await client.outgoing.get(ZONE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expectClean(error, logs);
  });

  it("from a ConnectionError whose cause (a custom fetch's error) quotes the request headers", async () => {
    const { client, logs } = loggingClient(auth, {
      fetch: (request: Request) =>
        Promise.reject(
          new TypeError(`cannot send ${JSON.stringify(Object.fromEntries(request.headers))}`),
        ),
    });
    const error = await client.outgoing.status(ZONE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(String((error as Error).cause)).toContain("[REDACTED]");
    expectClean(error, logs);
  });

  it("from a TimeoutError", async () => {
    server.handle(() => ({ delayMs: 500, body: "" }));
    const { client, logs } = loggingClient(auth, { timeoutMs: 50, maxRetries: 0 });
    const error = await client.outgoing.status(ZONE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expectClean(error, logs);
  });

  it("from a ValidationError, even when a credential is passed by mistake as an argument", async () => {
    const { client, logs } = loggingClient(auth);
    const wrong = auth === "token" ? TOKEN : KEY;
    const error = await client.outgoing.get(wrong).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain("[REDACTED]");
    expectClean(error, logs);
  });
});

it("every error class the package exports is covered above", async () => {
  const exported = Object.values(await import("../../src/index.js")).filter(
    (value) => typeof value === "function" && value.prototype instanceof SecondaryDnsError,
  );
  const covered = new Set<unknown>([
    ...statusCases.map(([, c]) => c),
    ConnectionError,
    TimeoutError,
    ValidationError,
  ]);
  expect(exported.length).toBe(10);
  for (const c of exported) expect(covered.has(c), (c as { name: string }).name).toBe(true);
});

it("the logger sees requests and retries, never headers", async () => {
  echoing(503);
  const { client, logs } = loggingClient("token");
  await client.outgoing.get(ZONE).catch(() => {});
  expect(logs.some((l) => l.startsWith("debug -> GET"))).toBe(true);
  expect(logs.some((l) => l.startsWith("warn retrying GET"))).toBe(true);
  expect(logs.join("\n")).not.toMatch(/authorization|bearer/i);
});

it("a wrong option does not echo a credential either", () => {
  let error: unknown;
  try {
    createSecondaryDnsClient({ apiToken: `${TOKEN}\r\nX-Evil: 1` });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ValidationError);
  expectClean(error, []);
});
