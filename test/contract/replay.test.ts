/**
 * Check 3 of issue 4: every fixture replayed over real HTTP on 127.0.0.1
 * through createSecondaryDnsClient. The server asserts the client sent the
 * recorded request; the test asserts the client's answer is the recorded one.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ApiError,
  AuthenticationError,
  BadRequestError,
  createSecondaryDnsClient,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
  ValidationError,
} from "../../src/index.js";
import { operationById } from "../support/spec.js";
import { startServer, type TestServer } from "../support/server.js";
import { clientCall } from "./client-calls.js";
import { headerOf, loadFixtures, mediaTypeOf, pathParamsOf, type Fixture } from "./fixtures.js";

const TOKEN = "replay-token-0123456789abcdefghijklmnop";
const IDENTIFIER = /^[0-9a-f]{32}$/;

/** The error class the client must throw for a recorded failure. */
function expectedClass(status: number) {
  const byStatus: Record<number, typeof ApiError> = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: RateLimitError,
  };
  if (status >= 500 && status <= 599) return ServerError;
  return byStatus[status] ?? ApiError;
}

interface Envelope {
  success?: unknown;
  result?: unknown;
  errors?: { code: number }[];
}

function succeeds(fixture: Fixture): boolean {
  const { status, body } = fixture.response;
  return (
    status >= 200 &&
    status < 300 &&
    mediaTypeOf(fixture.response.headers) === "application/json" &&
    (body as Envelope).success === true
  );
}

/**
 * The response as the test server sends it: JSON bodies re-serialized, text as
 * is. (The shared server adds content-type text/html where a fixture has none,
 * as the empty 503s; the client reads an empty body the same either way.)
 */
function replyOf(fixture: Fixture) {
  const { status, headers, body } = fixture.response;
  return { status, headers, body: typeof body === "string" ? body : JSON.stringify(body) };
}

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const fixtures = loadFixtures();

describe("every fixture replayed through the client", () => {
  it.each(fixtures.map(({ file, fixture }) => [file, fixture] as const))(
    "%s",
    async (_file, fixture) => {
      const client = createSecondaryDnsClient({
        apiToken: TOKEN,
        baseUrl: server.baseUrl,
        maxRetries: 0,
        timeoutMs: 5_000,
      });
      const seenBefore = server.requests.length;
      const mismatches: string[] = [];
      server.handle((seen) => {
        // What arrived must be what was recorded; a mismatch fails the test below.
        const { method, path, headers, body } = fixture.request;
        if (seen.method !== method) mismatches.push(`method ${seen.method}, recorded ${method}`);
        if (seen.path !== path) mismatches.push(`path ${seen.path}, recorded ${path}`);
        const sentBody = seen.body === "" ? null : (JSON.parse(seen.body) as unknown);
        if (JSON.stringify(sentBody) !== JSON.stringify(body))
          mismatches.push(`body ${seen.body}, recorded ${JSON.stringify(body)}`);
        // A public operation (`security: []`) gets no credential; every other one the token.
        const isPublic = operationById(fixture.operationId).operation.security?.length === 0;
        if (isPublic) {
          if (seen.headers.authorization !== undefined || headers.authorization !== undefined)
            mismatches.push("a credential was sent to a public operation");
        } else if (
          seen.headers.authorization !== `Bearer ${TOKEN}` ||
          !headers.authorization?.startsWith("Bearer ")
        ) {
          mismatches.push("the Bearer token was not sent as recorded");
        }
        const type = headerOf(headers, "content-type");
        if (type && seen.headers["content-type"] !== type)
          mismatches.push(`content-type ${seen.headers["content-type"]}, recorded ${type}`);
        return replyOf(fixture);
      });

      const params = pathParamsOf(fixture);
      const outcome = clientCall(fixture.operationId)(client, params, fixture.request.body).then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
      const settled = await outcome;

      if (!Object.values(params).every((id) => IDENTIFIER.test(id))) {
        // The client checks identifiers itself: the API's answer to a malformed one
        // is never asked for. Nothing may be sent.
        expect("error" in settled && settled.error).toBeInstanceOf(ValidationError);
        expect(server.requests.length).toBe(seenBefore);
        return;
      }
      expect(server.requests.length).toBe(seenBefore + 1);
      expect(mismatches).toEqual([]);

      const body = fixture.response.body as Envelope;
      if (succeeds(fixture)) {
        expect(settled).toEqual({ value: body.result });
        return;
      }
      expect("error" in settled, "the call should have failed").toBe(true);
      const error = (settled as { error: unknown }).error;
      const Expected = expectedClass(fixture.response.status);
      expect(error).toBeInstanceOf(Expected);
      expect((error as object).constructor).toBe(Expected);
      const apiError = error as ApiError;
      expect(apiError.status).toBe(fixture.response.status);
      expect(apiError.rayId).toBe(headerOf(fixture.response.headers, "cf-ray"));
      const codes =
        typeof fixture.response.body === "string" ? [] : (body.errors ?? []).map((e) => e.code);
      expect(apiError.errors.map((e) => e.code)).toEqual(codes);
      const retryAfter = headerOf(fixture.response.headers, "retry-after");
      expect(apiError.retryAfterMs).toBe(
        retryAfter === undefined ? undefined : Number(retryAfter) * 1000,
      );
      expect(apiError.url).toBe(
        `${server.baseUrl}${fixture.request.path.replace(/^\/client\/v4/, "")}`,
      );
      expect(apiError.message).not.toContain(TOKEN);
    },
  );

  it("includes at least one success and one failure of each error class", () => {
    const statuses = new Set(fixtures.map(({ fixture }) => fixture.response.status));
    for (const status of [200, 400, 401, 403, 404, 429, 500, 502, 503])
      expect(statuses.has(status), String(status)).toBe(true);
  });
});
