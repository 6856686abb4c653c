import { describe, expect, it } from "vitest";
import {
  ApiError,
  createSecondaryDnsClient,
  TimeoutError,
  ValidationError,
  VERSION,
} from "../../src/index.js";
import { rawClient } from "../../src/raw.js";
import { OPERATIONS } from "../../generated/operations.js";
import { clientCall, parameterNames, takesBody } from "../contract/client-calls.js";
import { bodyExample, resultExamples } from "../support/examples.js";
import { envelope, sampleZone, ZONE, serverForTests } from "../support/server.js";

const server = serverForTests();

const token = "test-token-0123456789abcdef";
const ACCOUNT = "01a7362d577a6c3019a474fd6f485823";

// Each method of the facade, from the operations table: what it must send, and
// what the server answers, both the spec's own examples of the operation (a
// delete's optional empty body the facade sends as `{}`). Every path parameter
// gets an id of its own, so a swapped parameter shows.
const cases = Object.entries(OPERATIONS)
  .filter(([, info]) => info.resource !== undefined)
  .map(([operationId, { resource, method: name, operation }]) => {
    const names = parameterNames(operation.path);
    const ids = Object.fromEntries(
      names.map((param, i) => [
        param,
        param === "accountId" ? ACCOUNT : `${ZONE.slice(0, 31)}${i}`,
      ]),
    );
    const path = `/client/v4${operation.path.replace(/\{(\w+)\}/g, (_, p: string) => ids[p.replace(/_(\w)/g, (_m, c: string) => c.toUpperCase())]!)}`;
    const body = takesBody(operation) ? bodyExample(operationId) : undefined;
    return {
      name: `${resource}.${name}`,
      call: (c: Client) => clientCall(operationId)(c, ids, body),
      method: operation.method,
      path,
      sent: operation.body === undefined ? undefined : (body ?? {}),
      result: resultExamples(operationId)[0],
    };
  });
type Client = ReturnType<typeof createSecondaryDnsClient>;

describe.each(cases)("$name", ({ call, method, path, sent, result }) => {
  it(`sends ${method} with the right path, headers and body, and returns the unwrapped result`, async () => {
    server.handle(() => ({ body: envelope(result) }));
    const client = createSecondaryDnsClient({
      apiToken: token,
      baseUrl: server.baseUrl,
      userAgent: "tests/1",
    });
    const before = server.requests.length;

    await expect(call(client)).resolves.toEqual(result);

    expect(server.requests).toHaveLength(before + 1);
    const request = server.requests.at(-1)!;
    expect(request.method).toBe(method);
    expect(request.path).toBe(path);
    expect(request.headers.authorization).toBe(`Bearer ${token}`);
    expect(request.headers["user-agent"]).toBe(`cf-secondary-dns/${VERSION} tests/1`);
    expect(request.headers["x-auth-key"]).toBeUndefined();
    if (sent === undefined) {
      expect(request.body).toBe("");
      expect(request.headers["content-type"]).toBeUndefined();
    } else {
      expect(JSON.parse(request.body)).toEqual(sent);
      expect(request.headers["content-type"]).toBe("application/json");
    }
  });
});

describe("authentication", () => {
  it("sends X-Auth-Email and X-Auth-Key for a Global API Key, and no Authorization", async () => {
    server.handle(() => ({ body: envelope("Enabled") }));
    const client = createSecondaryDnsClient({
      apiEmail: "ops@example.com",
      apiKey: "key-0123456789",
      baseUrl: server.baseUrl,
    });
    await client.outgoing.status(ZONE);
    const request = server.requests.at(-1)!;
    expect(request.headers["x-auth-email"]).toBe("ops@example.com");
    expect(request.headers["x-auth-key"]).toBe("key-0123456789");
    expect(request.headers.authorization).toBeUndefined();
  });
});

describe("rawClient (cf-secondary-dns/raw)", () => {
  it("is the typed openapi-fetch client with the same auth, returning the whole response", async () => {
    server.handle(() => ({
      status: 404,
      body: {
        success: false,
        errors: [{ code: 1003, message: "not found" }],
        messages: [],
        result: null,
      },
    }));
    const client = rawClient(
      createSecondaryDnsClient({ apiToken: token, baseUrl: server.baseUrl }),
    );
    const { data, error, response } = await client.GET("/zones/{zone_id}/secondary_dns/outgoing", {
      params: { path: { zone_id: ZONE } },
    });
    expect(data).toBeUndefined();
    expect(response.status).toBe(404);
    // The 5XX response may be HTML, so the error type is the envelope or a string.
    expect(typeof error === "object" ? error.errors[0]?.code : error).toBe(1003);
    expect(server.requests.at(-1)!.headers.authorization).toBe(`Bearer ${token}`);
  });

  it("rejects an HTML page on a 200 with an ApiError, not openapi-fetch's SyntaxError", async () => {
    server.handle(() => ({ body: "<html><body><h1>Please sign in</h1></body></html>" }));
    const client = rawClient(
      createSecondaryDnsClient({ apiToken: token, baseUrl: server.baseUrl }),
    );
    const error = await client
      .GET("/zones/{zone_id}/secondary_dns/outgoing/status", {
        params: { path: { zone_id: ZONE } },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toBe(
      `GET /zones/${ZONE}/secondary_dns/outgoing/status failed with 200: the body is not JSON: Please sign in (cf-ray 8c1f3b2e9d4a51f2-LHR)`,
    );
  });

  it("times out like the facade does", async () => {
    server.handle(() => ({ delayMs: 1000, body: envelope("OK") }));
    const client = rawClient(
      createSecondaryDnsClient({
        apiToken: token,
        baseUrl: server.baseUrl,
        timeoutMs: 100,
        maxRetries: 0,
      }),
    );
    await expect(
      client.POST("/zones/{zone_id}/secondary_dns/outgoing/force_notify", {
        params: { path: { zone_id: ZONE } },
      }),
    ).rejects.toBeInstanceOf(TimeoutError);
  });

  it("is made only from a client of createSecondaryDnsClient; the client has no raw of its own", () => {
    expect(() => rawClient({} as never)).toThrow(ValidationError);
    expect(() => rawClient({} as never)).toThrow(
      "Invalid client: must be a client made by createSecondaryDnsClient",
    );
    expect("raw" in createSecondaryDnsClient({ apiToken: token })).toBe(false);
  });

  it("retries an idempotent GET like the facade does", async () => {
    let calls = 0;
    server.handle(() =>
      ++calls === 1
        ? { status: 503, headers: { "retry-after": "0" }, body: "" }
        : { body: envelope(sampleZone) },
    );
    const client = rawClient(
      createSecondaryDnsClient({ apiToken: token, baseUrl: server.baseUrl }),
    );
    const { data } = await client.GET("/zones/{zone_id}/secondary_dns/outgoing", {
      params: { path: { zone_id: ZONE } },
    });
    expect(data?.result.id).toBe(sampleZone.id);
    expect(calls).toBe(2);
  });
});
