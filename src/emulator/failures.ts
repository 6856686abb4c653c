/**
 * The failures the emulator answers with, in one place: ERRORS holds every
 * code, its HTTP status and its message, and every Failure is made from it.
 * Where the real API is known to use a code (`imitates`: 10000, 7003, 971,
 * 10001, and 1003 for a zone without a configuration, as the spec's example
 * shows), the emulator uses the same; the others are its own, in the same
 * range, and the README's "Where the emulator decides for itself" table lists
 * them, each row a `when` of this table (test/emulator/error-codes.test.ts
 * holds the two to each other).
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

/** One case the emulator answers with a failure. */
export interface ErrorCode {
  status: number;
  code: number;
  /** The message; each `{name}` is filled from the values given (see `failure`). */
  message: string;
  /** The case, in the README's words (its table of the emulator's own codes). */
  when: string;
  /** True when the real API is known to answer this case with this code. */
  imitates?: true;
}

export const ERRORS = {
  authentication: {
    status: 401,
    code: 10000,
    message: "Authentication error",
    when: "no credentials, or credentials the security schemes do not accept",
    imitates: true,
  },
  noRoute: {
    status: 404,
    code: 7000,
    message: "No route for that URI",
    when: "a path no operation of the spec has",
  },
  /** A path outside the API's prefix: most likely a base URL without /client/v4. */
  noRouteOutsidePrefix: {
    status: 404,
    code: 7000,
    message:
      "No route for that URI (every path of this API starts with {prefix}: does the base URL end with {prefix}?)",
    when: "a path outside `/client/v4`",
  },
  methodNotAllowed: {
    status: 405,
    code: 7001,
    message: "Method not allowed for this route",
    when: "a method the path does not take (`Allow` lists those it does)",
  },
  invalidIdentifier: {
    status: 400,
    code: 7003,
    message: "Could not route to {path}, perhaps your object identifier is invalid?",
    when: "a path id the spec refuses",
    imitates: true,
  },
  bodyNotJson: {
    status: 400,
    code: 1001,
    message: "Invalid request body: it is not JSON",
    when: "a body that is not JSON",
  },
  bodyMissing: {
    status: 400,
    code: 1001,
    message: "Invalid request body: a JSON body is required",
    when: "no body where the operation requires one",
  },
  invalidField: {
    status: 400,
    code: 1004,
    message: "Invalid request body: {field} {reason}",
    when: "a body the spec refuses (`source.pointer` names the field)",
  },
  bodyTooLarge: {
    status: 413,
    code: 1006,
    message: "Request body too large",
    when: "a body over 4 KiB",
  },
  badRequest: {
    status: 400,
    code: 1000,
    message: "Malformed HTTP request",
    when: "a request Node cannot parse",
  },
  requestTimeout: {
    status: 408,
    code: 1013,
    message: "The request was not received in time",
    when: "a request, or its headers, not received in time (`requestTimeoutMs`, `headersTimeoutMs`)",
  },
  headersTooLarge: {
    status: 431,
    code: 1014,
    message: "Request headers too large",
    when: "headers over 16 KB",
  },
  rateLimited: {
    status: 429,
    code: 971,
    message: "Please wait and consider throttling your request speed",
    when: "a rate limit injected by `rateLimitShare`",
    imitates: true,
  },
  internal: {
    status: 500,
    code: 10001,
    message: "Internal server error",
    when: "a state file that could not be written, or a bug",
    imitates: true,
  },
  notConfigured: {
    status: 404,
    code: 1003,
    message: "Primary zone configuration not found",
    when: "a zone without an outgoing configuration",
    imitates: true,
  },
  alreadyConfigured: {
    status: 400,
    code: 1005,
    message: "Primary zone configuration already exists; update it instead",
    when: "creating an outgoing configuration while one exists",
  },
  notFound: {
    status: 404,
    code: 1003,
    message: "{what} not found",
    when: "peer, TSIG or ACL id the account does not have",
  },
  unknownTsig: {
    status: 400,
    code: 1007,
    message: "TSIG {tsig} does not exist in this account",
    when: "a peer's `tsig_id` is not a TSIG of its account (`/tsig_id`)",
  },
  unknownPeer: {
    status: 400,
    code: 1008,
    message: "Peer {peer} does not exist",
    when: "an outgoing or incoming configuration lists a peer no account has (`/peers/i`)",
  },
  peersOfManyAccounts: {
    status: 400,
    code: 1009,
    message: "The peers of a zone must belong to one account; peer {peer} is in another",
    when: "its peers belong to more than one account (`/peers/i`)",
  },
  tsigNotShared: {
    status: 400,
    code: 1010,
    message:
      "The peers of a zone must share one TSIG, or have none; peer {peer} differs from peer {first}",
    when: "its peers do not all share one TSIG, or all have none (`/peers/i`)",
  },
  tsigChangeNotShared: {
    status: 409,
    code: 1010,
    message:
      "Peer {peer} is linked to zone {zone}, whose peers must share one TSIG; change them together",
    when: "a linked peer's TSIG changes so its zone's peers no longer share one",
  },
  peerInUse: {
    status: 409,
    code: 1011,
    message:
      "Peer {peer} is linked to the {direction} configuration of zone {zone}; unlink it first",
    when: "deleting a peer an outgoing or incoming configuration lists",
  },
  tsigInUse: {
    status: 409,
    code: 1012,
    message: "TSIG {tsig} is used by peer {peer}; take it off the peer first",
    when: "deleting a TSIG a peer uses",
  },
  incomingNotConfigured: {
    status: 404,
    code: 1003,
    message: "Secondary zone configuration not found",
    when: "a zone without an incoming configuration",
  },
  incomingAlreadyConfigured: {
    status: 400,
    code: 1005,
    message: "Secondary zone configuration already exists; update it instead",
    when: "creating an incoming configuration while one exists",
  },
  zoneIsPrimary: {
    status: 400,
    code: 1015,
    message:
      "Zone {zone} is a primary zone (it has an outgoing configuration): a zone is primary or secondary, not both",
    when: "creating an incoming configuration for a zone with an outgoing one",
  },
  zoneIsSecondary: {
    status: 400,
    code: 1015,
    message:
      "Zone {zone} is a secondary zone (it has an incoming configuration): a zone is primary or secondary, not both",
    when: "creating an outgoing configuration for a zone with an incoming one",
  },
} as const satisfies Record<string, ErrorCode>;

export type ErrorName = keyof typeof ERRORS;

/** A message with its `{name}` places filled in one pass (a value is never read as a place). */
export function fillMessage(template: string, values: Readonly<Record<string, string>> = {}) {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for {${name}} in "${template}"`);
    return value;
  });
}

/** The Failure of one case of ERRORS; `pointer` goes in `source.pointer`. */
export function failure(
  name: ErrorName,
  values?: Readonly<Record<string, string>>,
  pointer?: string,
  headers?: Record<string, string>,
): Failure {
  const { status, code } = ERRORS[name];
  const message = fillMessage(ERRORS[name].message, values);
  const error: Message =
    pointer === undefined ? { code, message } : { code, message, source: { pointer } };
  return new Failure(status, [error], headers);
}

/** The failures the request pipeline answers with, by case. */
export const failures = {
  authentication: () => failure("authentication"),
  noRoute: () => failure("noRoute"),
  noRouteOutsidePrefix: (prefix: string) => failure("noRouteOutsidePrefix", { prefix }),
  methodNotAllowed: (allowed: string[]) =>
    failure("methodNotAllowed", {}, undefined, { allow: allowed.join(", ") }),
  invalidIdentifier: (path: string, name: string) =>
    failure("invalidIdentifier", { path }, `/${name}`),
  bodyNotJson: () => failure("bodyNotJson", {}, ""),
  bodyMissing: () => failure("bodyMissing", {}, ""),
  invalidField: (pointer: string, reason: string) =>
    failure("invalidField", { field: pointer || "the body", reason }, pointer),
  bodyTooLarge: () => failure("bodyTooLarge"),
  badRequest: () => failure("badRequest"),
  requestTimeout: () => failure("requestTimeout"),
  headersTooLarge: () => failure("headersTooLarge"),
  rateLimited: (retryAfterSeconds: number) =>
    failure("rateLimited", {}, undefined, { "retry-after": String(retryAfterSeconds) }),
  internal: () => failure("internal"),
};

export function successEnvelope(result: unknown, resultInfo?: unknown) {
  const envelope = { success: true, errors: [], messages: [], result };
  return resultInfo === undefined ? envelope : { ...envelope, result_info: resultInfo };
}

export function failureEnvelope(errors: Message[]) {
  return { success: false, errors, messages: [], result: null };
}
