/**
 * Reads and checks the options of createSecondaryDnsClient and of each call.
 * Everything wrong here is a ValidationError thrown before any request.
 */
import { ValidationError } from "./errors.js";
import type { ResultValidator } from "./results.js";
import { checkIdentifier } from "./validate.js";
import { silentLogger, type FetchLike, type Logger } from "./transport.js";
import { VERSION } from "./version.js";

export const DEFAULT_BASE_URL = "https://api.cloudflare.com/client/v4";
export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_RETRIES = 2;
const MAX_TIMEOUT_MS = 2_147_483_647; // the largest delay setTimeout accepts
const MAX_RETRIES_LIMIT = 10;

/** Options of {@link createSecondaryDnsClient}. */
export interface ClientOptions {
  /** An API token (recommended). Default: the CLOUDFLARE_API_TOKEN environment variable. */
  apiToken?: string | undefined;
  /** With `apiKey`, the Global API Key's account email. Default: CLOUDFLARE_EMAIL. */
  apiEmail?: string | undefined;
  /** With `apiEmail`, the Global API Key. Default: CLOUDFLARE_API_KEY. */
  apiKey?: string | undefined;
  /**
   * The API's base URL. Default: CLOUDFLARE_BASE_URL, else
   * `https://api.cloudflare.com/client/v4`. Plain `http://` is refused unless the
   * host is loopback, so credentials never cross a network in clear text.
   */
  baseUrl?: string | undefined;
  /**
   * The account of account-scoped operations (`/accounts/{account_id}/...`), 32
   * lowercase hex characters; a call's `accountId` option overrides it. Default:
   * CLOUDFLARE_ACCOUNT_ID. Zone-scoped operations do not need it.
   */
  accountId?: string | undefined;
  /** The fetch to send requests with. Default: `globalThis.fetch`, looked up at each call. */
  fetch?: FetchLike | undefined;
  /** Milliseconds one attempt may take, body included. Default: 60000. */
  timeoutMs?: number | undefined;
  /** Retries after a retryable failure (see the README). Default: 2. */
  maxRetries?: number | undefined;
  /** Appended to the User-Agent `cf-secondary-dns/<version>`. */
  userAgent?: string | undefined;
  /** Receives one debug line per request and a warning per retry. Default: silent. */
  logger?: Logger | undefined;
  /**
   * Checks each result against the spec before it is returned; pass
   * `strictResults` from "cf-secondary-dns/strict". A mismatch rejects with an
   * ApiError naming the field. Default: none (the envelope is still checked).
   */
  validateResults?: ResultValidator | undefined;
}

/** The last, optional argument of every method. */
export interface CallOptions {
  /** Aborts the call; it then rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Overrides the client's timeoutMs for this call. */
  timeoutMs?: number | undefined;
  /** Overrides the client's maxRetries for this call. */
  maxRetries?: number | undefined;
  /** The account of an account-scoped call; overrides the client's accountId. */
  accountId?: string | undefined;
}

export interface ResolvedOptions {
  baseUrl: string;
  headers: Record<string, string>;
  secrets: string[];
  /** Undefined: `globalThis.fetch`, looked up at each call. */
  fetch: FetchLike | undefined;
  timeoutMs: number;
  maxRetries: number;
  logger: Logger;
  validateResults: ResultValidator | undefined;
  /** Checked where given as an option; from the environment, checked when a call needs it. */
  accountId: string | undefined;
}

/** A variable of the environment, where the runtime has one (Node, Bun, Deno with access). */
function fromEnv(name: string): string | undefined {
  try {
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
      ?.env;
    const value = env?.[name];
    return value === undefined || value === "" ? undefined : value;
  } catch {
    return undefined; // e.g. Deno without --allow-env
  }
}

function given(value: unknown): boolean {
  return value !== undefined && value !== "";
}

function credential(value: unknown, field: string): string {
  // Visible ASCII only: anything else could split a header, and fetch would quote
  // the whole value in its own error message.
  if (typeof value !== "string" || !/^[\x21-\x7e]+$/.test(value)) {
    throw new ValidationError(field, "must be a non-empty string of visible ASCII characters");
  }
  return value;
}

function authHeaders(options: ClientOptions): Record<string, string> {
  const explicitToken = given(options.apiToken);
  const explicitKey = given(options.apiEmail) || given(options.apiKey);
  if (explicitToken && explicitKey) {
    throw new ValidationError("apiToken", "give either apiToken or apiEmail with apiKey, not both");
  }
  if (explicitToken) return { Authorization: `Bearer ${credential(options.apiToken, "apiToken")}` };
  if (explicitKey) return keyHeaders(options.apiEmail, options.apiKey, "apiEmail", "apiKey");

  const envToken = fromEnv("CLOUDFLARE_API_TOKEN");
  if (envToken !== undefined) {
    return { Authorization: `Bearer ${credential(envToken, "CLOUDFLARE_API_TOKEN")}` };
  }
  const envEmail = fromEnv("CLOUDFLARE_EMAIL");
  const envKey = fromEnv("CLOUDFLARE_API_KEY");
  if (envEmail !== undefined || envKey !== undefined) {
    return keyHeaders(envEmail, envKey, "CLOUDFLARE_EMAIL", "CLOUDFLARE_API_KEY");
  }
  throw new ValidationError(
    "apiToken",
    "no credentials: pass apiToken (or apiEmail and apiKey), or set CLOUDFLARE_API_TOKEN (or CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY)",
  );
}

function keyHeaders(email: unknown, key: unknown, emailField: string, keyField: string) {
  if (!given(email)) throw new ValidationError(emailField, `is required with ${keyField}`);
  if (!given(key)) throw new ValidationError(keyField, `is required with ${emailField}`);
  return {
    "X-Auth-Email": credential(email, emailField),
    "X-Auth-Key": credential(key, keyField),
  };
}

const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

function baseUrlOf(value: unknown): string {
  const field = value === undefined ? "CLOUDFLARE_BASE_URL" : "baseUrl";
  const text = value ?? fromEnv("CLOUDFLARE_BASE_URL") ?? DEFAULT_BASE_URL;
  if (typeof text !== "string") throw new ValidationError(field, "must be a URL string");
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ValidationError(field, `is not a URL: ${JSON.stringify(text.slice(0, 80))}`);
  }
  if (url.username || url.password) {
    throw new ValidationError(field, "must not hold credentials; use apiToken or apiEmail/apiKey");
  }
  if (url.search || url.hash) throw new ValidationError(field, "must not have a query or fragment");
  if (url.protocol === "http:" && !LOOPBACK.test(url.hostname)) {
    throw new ValidationError(
      field,
      `plain http:// is only allowed to a loopback host, so credentials are not sent in clear text (got ${url.host})`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ValidationError(field, `must be an https:// URL (got ${url.protocol})`);
  }
  return url.href.replace(/\/+$/, "");
}

export function checkTimeout(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== "number" ||
    !Number.isFinite(value) ||
    value <= 0 ||
    value > MAX_TIMEOUT_MS
  ) {
    throw new ValidationError(field, `must be a number of milliseconds in 1..${MAX_TIMEOUT_MS}`);
  }
  return value;
}

export function checkRetries(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== "number" ||
    !Number.isInteger(value) ||
    value < 0 ||
    value > MAX_RETRIES_LIMIT
  ) {
    throw new ValidationError(field, `must be an integer in 0..${MAX_RETRIES_LIMIT}`);
  }
  return value;
}

function checkFunction<F>(value: F | undefined, field: string): F | undefined {
  if (value !== undefined && typeof value !== "function") {
    throw new ValidationError(field, "must be a function");
  }
  return value;
}

function checkLogger(value: unknown): Logger {
  if (value === undefined) return silentLogger;
  const logger = value as Record<string, unknown>;
  for (const level of ["debug", "info", "warn", "error"]) {
    if (typeof logger?.[level] !== "function") {
      throw new ValidationError("logger", `must have a ${level}() method`);
    }
  }
  return value as Logger;
}

export function resolveOptions(options: ClientOptions): ResolvedOptions {
  return resolveSettings(options, authHeaders);
}

/**
 * The options with the credential headers `auth` makes of them: resolveOptions'
 * authHeaders, or none for a core that only calls public operations (src/client/ips.ts).
 */
export function resolveSettings(
  options: ClientOptions,
  auth: (options: ClientOptions) => Record<string, string>,
): ResolvedOptions {
  if (typeof options !== "object" || options === null) {
    throw new ValidationError("options", "must be an object");
  }
  const headers = auth(options);
  const suffix = options.userAgent;
  if (suffix !== undefined && (typeof suffix !== "string" || !/^[\x20-\x7e]*$/.test(suffix))) {
    throw new ValidationError("userAgent", "must be a string of printable ASCII characters");
  }
  headers["User-Agent"] = `cf-secondary-dns/${VERSION}${suffix ? ` ${suffix}` : ""}`;
  const custom = checkFunction(options.fetch, "fetch");
  return {
    baseUrl: baseUrlOf(options.baseUrl),
    headers,
    secrets: [
      headers["X-Auth-Email"],
      headers["X-Auth-Key"],
      headers.Authorization?.slice(7),
    ].filter((s): s is string => s !== undefined),
    fetch: custom,
    timeoutMs: checkTimeout(options.timeoutMs, "timeoutMs") ?? DEFAULT_TIMEOUT_MS,
    maxRetries: checkRetries(options.maxRetries, "maxRetries") ?? DEFAULT_MAX_RETRIES,
    logger: checkLogger(options.logger),
    validateResults: checkFunction(options.validateResults, "validateResults"),
    accountId:
      options.accountId === undefined || options.accountId === ""
        ? fromEnv("CLOUDFLARE_ACCOUNT_ID")
        : checkIdentifier(options.accountId, "accountId"),
  };
}

export function checkCallOptions(options: unknown): CallOptions {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null) {
    throw new ValidationError("options", "must be an object");
  }
  const { signal, timeoutMs, maxRetries, accountId } = options as CallOptions;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new ValidationError("options.signal", "must be an AbortSignal");
  }
  return {
    signal,
    timeoutMs: checkTimeout(timeoutMs, "options.timeoutMs"),
    maxRetries: checkRetries(maxRetries, "options.maxRetries"),
    accountId,
  };
}
