import { describe, expect, it } from "vitest";
import {
  ApiError,
  AuthenticationError,
  ConnectionError,
  BadRequestError,
  createSecondaryDnsClient,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  SecondaryDnsError,
  ServerError,
} from "../../src/index.js";
import { strictResults } from "../../src/strict.js";
import {
  envelope,
  failure,
  sampleZone,
  ZONE,
  type Reply,
  serverForTests,
} from "../support/server.js";

const server = serverForTests();

const client = (strict = false) =>
  createSecondaryDnsClient({
    apiToken: "tok-errors-0001",
    baseUrl: server.baseUrl,
    maxRetries: 0,
    ...(strict ? { validateResults: strictResults } : {}),
  });
const path = `/zones/${ZONE}/secondary_dns/outgoing`;
type C = ReturnType<typeof client>;

async function rejection(
  reply: Reply,
  call: (c: ReturnType<typeof client>) => Promise<unknown> = (c) => c.outgoing.get(ZONE),
  strict = false,
) {
  server.handle(() => reply);
  const error = await call(client(strict)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, "the call should have failed").toBeInstanceOf(SecondaryDnsError);
  return error as ApiError;
}

describe("an HTTP error status becomes the ApiError subclass for it", () => {
  const table = [
    [
      400,
      BadRequestError,
      7003,
      "Could not route to /zones/x/secondary_dns/outgoing, perhaps your object identifier is invalid?",
    ],
    [401, AuthenticationError, 10000, "Authentication error"],
    [403, PermissionDeniedError, 9109, "Unauthorized to access requested resource"],
    [404, NotFoundError, 1003, "Primary zone configuration not found"],
    [429, RateLimitError, 971, "Please wait and consider throttling your request speed"],
    [500, ServerError, 10001, "Internal server error"],
    [503, ServerError, 10001, "Service unavailable"],
    [409, ApiError, 1004, "Primary zone configuration already exists"],
  ] as const;

  it.each(table)("%i -> %o", async (status, ErrorClass, code, message) => {
    const error = await rejection(failure(status, code, message, { "retry-after": "1" }));
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.name).toBe(ErrorClass.name);
    expect(error.status).toBe(status);
    expect(error.method).toBe("GET");
    expect(error.url).toBe(`${server.baseUrl}${path}`);
    expect(error.errors).toEqual([{ code, message }]);
    expect(error.messages).toEqual([]);
    expect(error.rayId).toBe("8c1f3b2e9d4a51f2-LHR");
    expect(error.retryAfterMs).toBe(1000);
    expect(error.message).toBe(
      `GET ${path} failed with ${status}: [${code}] ${message} (cf-ray 8c1f3b2e9d4a51f2-LHR)`,
    );
  });
});

describe("bodies that are not a failure envelope", () => {
  it("a 502 HTML page from a proxy: ServerError with a short plain excerpt, not a SyntaxError", async () => {
    const html = `<!DOCTYPE html><html><head><title>502 Bad Gateway</title><style>body{color:red}</style></head><body><h1>502 Bad Gateway</h1><p>${"x".repeat(500)}</p></body></html>`;
    const error = await rejection({ status: 502, body: html });
    expect(error).toBeInstanceOf(ServerError);
    expect(error.status).toBe(502);
    expect(error.errors).toEqual([]);
    expect(error.message).toMatch(
      /failed with 502: the body is not JSON: 502 Bad Gateway 502 Bad Gateway x+…/,
    );
    expect(error.message).not.toMatch(/[<>{]/);
    expect(error.message.length).toBeLessThan(260);
  });

  it("an empty 503: ServerError saying the body is empty", async () => {
    const error = await rejection({ status: 503, body: "" });
    expect(error).toBeInstanceOf(ServerError);
    expect(error.message).toContain("failed with 503: the body is empty");
  });

  it("truncated JSON on a 404: NotFoundError, not a SyntaxError", async () => {
    const error = await rejection({ status: 404, body: '{"success":false,"errors":[{"code":10' });
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toContain("the body is not JSON");
  });

  it("an HTML page on a 200: ApiError with status 200", async () => {
    const error = await rejection({
      status: 200,
      body: "<html><body>Captive portal</body></html>",
    });
    expect(error.constructor).toBe(ApiError);
    expect(error.status).toBe(200);
    expect(error.message).toContain("Captive portal");
  });

  it("an empty 200: ApiError", async () => {
    const error = await rejection({ status: 200, body: "" });
    expect(error.constructor).toBe(ApiError);
    expect(error.message).toContain("the body is empty");
  });

  it("JSON that is not an envelope on a 200: ApiError", async () => {
    const error = await rejection({ status: 200, body: { id: "x" } });
    expect(error.message).toContain("not a Cloudflare envelope");
  });

  it("a 200 whose envelope says success: false: ApiError with the envelope's errors and messages", async () => {
    const error = await rejection({
      status: 200,
      body: {
        success: false,
        errors: [{ code: 1001, message: "Zone is being deleted" }],
        messages: [{ code: 1002, message: "Try later" }],
        result: null,
      },
    });
    expect(error.constructor).toBe(ApiError);
    expect(error.status).toBe(200);
    expect(error.errors).toEqual([{ code: 1001, message: "Zone is being deleted" }]);
    expect(error.messages).toEqual([{ code: 1002, message: "Try later" }]);
    expect(error.message).toContain("failed with 200: [1001] Zone is being deleted");
  });

  it("a 200 envelope without a result: ApiError", async () => {
    const error = await rejection({ body: { success: true, errors: [], messages: [] } });
    expect(error.constructor).toBe(ApiError);
    expect(error.message).toContain("the envelope has no result");
  });

  it("with strict results, a 200 whose result has the wrong shape: ApiError naming the field", async () => {
    const wrong = { body: envelope({ ...sampleZone, soa_serial: "2019102400" }) };
    const error = await rejection(wrong, (c) => c.outgoing.get(ZONE), true);
    expect(error.constructor).toBe(ApiError);
    expect(error.message).toContain("result.soa_serial must be an integer");
    // Without them (the default), the client trusts the API's result as it is.
    server.handle(() => wrong);
    await expect(client().outgoing.get(ZONE)).resolves.toMatchObject({ soa_serial: "2019102400" });
  });

  it.each([
    ["status", { status: "Enabled" }],
    ["enable", ""],
    ["disable", 1],
    ["forceNotify", null],
  ] as const)("with strict results, %s answering %j: ApiError", async (method, result) => {
    const error = await rejection(
      { body: envelope(result) },
      (c) => c.outgoing[method](ZONE),
      true,
    );
    expect(error.message).toContain("result must be a non-empty string");
  });

  // The checks are the spec's result schemas (generated/results.ts), walked like request bodies.
  it.each([
    [
      "status answering a word the spec does not list",
      (c: C) => c.outgoing.status(ZONE),
      "Paused",
      'result must be one of "Enabled", "Disabled", got "Paused"',
    ],
    [
      "get answering no real day",
      (c: C) => c.outgoing.get(ZONE),
      { ...sampleZone, created_time: "2019-02-30T10:00:00Z" },
      'result.created_time must be an RFC 3339 date-time, got "2019-02-30T10:00:00Z"',
    ],
    [
      "get answering 31 peers",
      (c: C) => c.outgoing.get(ZONE),
      {
        ...sampleZone,
        peers: Array.from({ length: 31 }, (_, i) => i.toString(16).padStart(32, "0")),
      },
      "result.peers must hold at most 30 items, got 31",
    ],
    [
      "peers.list answering a port out of range",
      (c: C) => c.peers.list({ accountId: ZONE }),
      [
        { id: ZONE, name: "a" },
        { id: ZONE, name: "b", port: 0 },
      ],
      "result[1].port must be from 1 to 65535, got 0",
    ],
    [
      "tsigs.get answering no secret",
      (c: C) => c.tsigs.get(ZONE, { accountId: ZONE }),
      { id: ZONE, name: "k.", algo: "hmac-sha256." },
      "result.secret is required",
    ],
    [
      "acls.get answering a /16",
      (c: C) => c.acls.get(ZONE, { accountId: ZONE }),
      { id: ZONE, name: "a", ip_range: "10.0.0.0/16" },
      "result.ip_range must be an IP range in CIDR notation, no larger than /24 for IPv4",
    ],
  ] as const)(
    "with strict results, %s: ApiError naming the field",
    async (_case, call, result, problem) => {
      const error = await rejection({ body: envelope(result) }, call, true);
      expect(error.constructor).toBe(ApiError);
      expect(error.message).toContain(problem);
    },
  );

  it("with strict results, delete answering an id that is not one: ApiError", async () => {
    const error = await rejection(
      { body: envelope({ id: "nope" }) },
      (c) => c.outgoing.delete(ZONE),
      true,
    );
    expect(error.message).toContain("result.id must be 32 lowercase hex");
  });

  it("malformed envelope items are kept only as far as they are well-formed", async () => {
    const error = await rejection({
      status: 400,
      body: {
        success: false,
        errors: [
          {
            code: 7003,
            message: "bad",
            source: { pointer: "/peers/0" },
            documentation_url: "https://x.example/",
          },
          "junk",
          null,
        ],
        messages: "nope",
        result: null,
      },
    });
    expect(error.errors).toEqual([
      {
        code: 7003,
        message: "bad",
        source: { pointer: "/peers/0" },
        documentation_url: "https://x.example/",
      },
    ]);
    expect(error.messages).toEqual([]);
  });
});

describe("Retry-After on an error", () => {
  it("reads an HTTP date into retryAfterMs", async () => {
    const when = new Date(Date.now() + 120_000).toUTCString();
    const error = await rejection(failure(429, 971, "Please wait", { "retry-after": when }));
    expect(error.retryAfterMs).toBeGreaterThan(100_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(120_000);
  });

  it("leaves retryAfterMs undefined when absent", async () => {
    const error = await rejection(failure(404, 1003, "Primary zone configuration not found"));
    expect(error.retryAfterMs).toBeUndefined();
  });
});

describe("ConnectionError", () => {
  it("says what underlies fetch's bare 'fetch failed', and keeps it as the cause", async () => {
    // Port 1 is on fetch's list of bad ports: the request is refused before it leaves.
    const unreachable = createSecondaryDnsClient({
      apiToken: "tok-errors-0001",
      baseUrl: "http://127.0.0.1:1/client/v4",
      maxRetries: 0,
    });
    const error = await unreachable.outgoing.status(ZONE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).message).toBe(
      `GET http://127.0.0.1:1/client/v4/zones/${ZONE}/secondary_dns/outgoing/status failed to connect: fetch failed (bad port)`,
    );
    expect((error as ConnectionError).cause).toBeInstanceOf(TypeError);
  });
});
