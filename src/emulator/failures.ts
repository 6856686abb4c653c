/**
 * The failures the emulator answers with, in one place. Codes the real API is
 * known to use (7003, 10000, 971, 10001, 1003) are kept; where it is not known,
 * the code is the emulator's own, in the same range.
 */

export interface Message {
  code: number;
  message: string;
  source?: { pointer: string };
}

/** Thrown by a handler (or the request pipeline) to answer with a failure envelope. */
export class Failure extends Error {
  readonly status: number;
  readonly errors: Message[];
  readonly headers: Record<string, string>;

  constructor(status: number, errors: Message[], headers: Record<string, string> = {}) {
    super(errors.map((e) => e.message).join("; "));
    this.status = status;
    this.errors = errors;
    this.headers = headers;
  }
}

const one = (status: number, code: number, message: string, pointer?: string) =>
  new Failure(status, [
    pointer === undefined ? { code, message } : { code, message, source: { pointer } },
  ]);

export const failures = {
  authentication: () => one(401, 10000, "Authentication error"),
  noRoute: () => one(404, 7000, "No route for that URI"),
  /** A path outside the API's prefix: most likely a base URL without /client/v4. */
  noRouteOutsidePrefix: (prefix: string) =>
    one(
      404,
      7000,
      `No route for that URI (every path of this API starts with ${prefix}: does the base URL end with ${prefix}?)`,
    ),
  methodNotAllowed: (allowed: string[]) =>
    new Failure(405, [{ code: 7001, message: "Method not allowed for this route" }], {
      allow: allowed.join(", "),
    }),
  invalidIdentifier: (path: string, name: string) =>
    one(
      400,
      7003,
      `Could not route to ${path}, perhaps your object identifier is invalid?`,
      `/${name}`,
    ),
  bodyNotJson: () => one(400, 1001, "Invalid request body: it is not JSON", ""),
  bodyMissing: () => one(400, 1001, "Invalid request body: a JSON body is required", ""),
  invalidField: (pointer: string, reason: string) =>
    one(400, 1004, `Invalid request body: ${pointer || "the body"} ${reason}`, pointer),
  bodyTooLarge: () => one(413, 1006, "Request body too large"),
  badRequest: () => one(400, 1000, "Malformed HTTP request"),
  requestTimeout: () => one(408, 1007, "The request was not received in time"),
  headersTooLarge: () => one(431, 1008, "Request headers too large"),
  rateLimited: (retryAfterSeconds: number) =>
    new Failure(
      429,
      [{ code: 971, message: "Please wait and consider throttling your request speed" }],
      {
        "retry-after": String(retryAfterSeconds),
      },
    ),
  internal: () => one(500, 10001, "Internal server error"),
};

export function successEnvelope(result: unknown, resultInfo?: unknown) {
  const envelope = { success: true, errors: [], messages: [], result };
  return resultInfo === undefined ? envelope : { ...envelope, result_info: resultInfo };
}

export function failureEnvelope(errors: Message[]) {
  return { success: false, errors, messages: [], result: null };
}
