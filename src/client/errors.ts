/**
 * The error hierarchy. Every failure of the client is one of these:
 *
 *   SecondaryDnsError
 *   ├── ApiError               the API (or a proxy) answered, but not with success
 *   │   ├── BadRequestError        400
 *   │   ├── AuthenticationError    401
 *   │   ├── PermissionDeniedError  403
 *   │   ├── NotFoundError          404
 *   │   ├── RateLimitError         429
 *   │   └── ServerError            5xx
 *   ├── ConnectionError        no response arrived (refused, reset, DNS, TLS)
 *   ├── TimeoutError           no complete response within timeoutMs
 *   └── ValidationError        an argument or option was wrong; nothing was sent
 *
 * A caller's own abort is not wrapped: it rejects with the signal's reason.
 * Errors never hold request headers, so they cannot carry credentials; the
 * client also scrubs credentials from any text a server or a custom fetch echoes.
 */

/** One item of the envelope's `errors` or `messages`. */
export interface ApiMessage {
  code: number;
  message: string;
  documentation_url?: string;
  source?: { pointer?: string };
}

/** The base class of every error this package throws. */
export class SecondaryDnsError extends Error {
  override name: string = "SecondaryDnsError";

  /** A plain, credential-free view for logs and JSON.stringify. */
  toJSON(): Record<string, unknown> {
    const {
      stack: _stack,
      cause: _cause,
      ...fields
    } = Object.assign({}, this) as Record<string, unknown>;
    return { ...fields, name: this.name, message: this.message };
  }
}

/** Thrown when an argument or option is wrong. Nothing was sent. */
export class ValidationError extends SecondaryDnsError {
  override name = "ValidationError";
  /** The argument or option at fault, e.g. `zoneId` or `body.peers[2]`. */
  declare readonly field: string;
  /** Why it was refused. */
  declare readonly reason: string;

  constructor(field: string, reason: string) {
    super(`Invalid ${field}: ${reason}`);
    this.field = field;
    this.reason = reason;
  }
}

interface RequestInfo {
  method: string;
  url: string;
}

/** Thrown when the request failed before any response arrived. `cause` holds the underlying error. */
export class ConnectionError extends SecondaryDnsError {
  override name = "ConnectionError";
  declare readonly method: string;
  declare readonly url: string;

  constructor(request: RequestInfo, cause: unknown) {
    let detail: string;
    try {
      detail = cause instanceof Error ? describeCause(cause) : String(cause);
    } catch {
      // A thrown value that cannot be read (a revoked Proxy, an object without
      // toString) is not kept: whoever reads `cause` would throw in turn.
      detail = "the fetch threw a value that cannot be read";
      cause = undefined;
    }
    super(`${request.method} ${request.url} failed to connect: ${detail}`, { cause });
    this.method = request.method;
    this.url = request.url;
  }
}

/** Thrown when no complete response arrived within `timeoutMs`. */
export class TimeoutError extends SecondaryDnsError {
  override name = "TimeoutError";
  declare readonly method: string;
  declare readonly url: string;
  declare readonly timeoutMs: number;

  constructor(request: RequestInfo, timeoutMs: number) {
    super(`${request.method} ${request.url} timed out after ${timeoutMs} ms`);
    this.method = request.method;
    this.url = request.url;
    this.timeoutMs = timeoutMs;
  }
}

export interface ApiErrorDetails {
  status: number;
  method: string;
  url: string;
  /** The path below the base URL, used in the message. */
  path: string;
  errors?: ApiMessage[];
  messages?: ApiMessage[];
  rayId?: string | undefined;
  retryAfterMs?: number | undefined;
  /** Used when the body is not a failure envelope: what was wrong with it. */
  detail?: string | undefined;
}

/**
 * Thrown when the API answered with an HTTP error status, with `success: false`,
 * or with a body that is not the envelope the spec promises.
 */
export class ApiError extends SecondaryDnsError {
  override name = "ApiError";
  declare readonly status: number;
  declare readonly method: string;
  /** The full request URL; it never holds credentials. */
  declare readonly url: string;
  declare readonly errors: ApiMessage[];
  declare readonly messages: ApiMessage[];
  /** The `cf-ray` header: quote it to Cloudflare support. */
  declare readonly rayId: string | undefined;
  /** How long the server asked us to wait, from `Retry-After`. */
  declare readonly retryAfterMs: number | undefined;

  constructor(details: ApiErrorDetails) {
    super(apiErrorMessage(details));
    this.status = details.status;
    this.method = details.method;
    this.url = details.url;
    this.errors = details.errors ?? [];
    this.messages = details.messages ?? [];
    this.rayId = details.rayId;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** 400: the request was malformed, e.g. an identifier the API does not accept. */
export class BadRequestError extends ApiError {
  override name = "BadRequestError";
}
/** 401: missing or wrong credentials, or a zone without the Enterprise entitlement. */
export class AuthenticationError extends ApiError {
  override name = "AuthenticationError";
}
/** 403: the credentials lack the permission this call needs. */
export class PermissionDeniedError extends ApiError {
  override name = "PermissionDeniedError";
}
/** 404: no outgoing configuration, or no such zone. */
export class NotFoundError extends ApiError {
  override name = "NotFoundError";
}
/** 429: rate limited; `retryAfterMs` says how long to wait. */
export class RateLimitError extends ApiError {
  override name = "RateLimitError";
}
/** 5xx: the API or a proxy in front of it failed. */
export class ServerError extends ApiError {
  override name = "ServerError";
}

/** Whether a thrown value is one of this package's errors; false for one that cannot be inspected. */
export function isPackageError(value: unknown): value is SecondaryDnsError {
  try {
    return value instanceof SecondaryDnsError;
  } catch {
    return false; // a revoked Proxy throws on instanceof
  }
}

/** Builds the ApiError subclass that matches the status. */
export function apiErrorFor(details: ApiErrorDetails): ApiError {
  const { status } = details;
  if (status === 400) return new BadRequestError(details);
  if (status === 401) return new AuthenticationError(details);
  if (status === 403) return new PermissionDeniedError(details);
  if (status === 404) return new NotFoundError(details);
  if (status === 429) return new RateLimitError(details);
  if (status >= 500 && status <= 599) return new ServerError(details);
  return new ApiError(details);
}

/** The envelope items a message shows; the rest stay on `errors`. */
const SHOWN_ITEMS = 3;

function apiErrorMessage(d: ApiErrorDetails): string {
  const errors = d.errors ?? [];
  const more = errors.length > SHOWN_ITEMS ? ` (and ${errors.length - SHOWN_ITEMS} more)` : "";
  const items =
    errors
      .slice(0, SHOWN_ITEMS)
      .map((e) => `[${e.code}] ${clip(e.message, 200)}`)
      .join("; ") + more;
  const what = items || d.detail || "no details given";
  const ray = d.rayId ? ` (cf-ray ${d.rayId})` : "";
  return `${d.method} ${d.path} failed with ${d.status}: ${what}${ray}`;
}

/** "fetch failed" says little: add the underlying code (ECONNREFUSED) or message (bad port). */
function describeCause(cause: Error): string {
  const inner = (cause as { cause?: unknown }).cause;
  if (!(inner instanceof Error)) return cause.message;
  const code = (inner as { code?: unknown }).code;
  return `${cause.message} (${typeof code === "string" ? code : inner.message})`;
}

/** A short, plain excerpt of a body: tags dropped, whitespace folded. */
export function excerpt(text: string, max = 120): string {
  // Only the start is looked at: a body may be megabytes long.
  const plain = text
    .slice(0, 4096)
    .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return clip(plain, max);
}

/** The text, cut to at most `max` characters. */
function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
