/**
 * The fetch that every request goes through, the facade's and `client.raw`'s
 * alike: one timeout per attempt (covering the body too), retries with backoff,
 * Retry-After, and the rule that a non-idempotent request is repeated only when
 * it cannot have reached the server (or the server said 429).
 */
import {
  ApiError,
  apiErrorFor,
  ConnectionError,
  excerpt,
  SecondaryDnsError,
  TimeoutError,
} from "./errors.js";

export type FetchLike = (input: Request, init?: RequestInit) => Promise<Response>;

export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

/** The fetch this module was loaded with: the platform's own, unless a polyfill came first. */
const nativeFetch = globalThis.fetch;

/** The default fetch: the global one, looked up at each call so a later stub or polyfill is used. */
export const platformFetch: FetchLike = (input, init) => globalThis.fetch(input, init);

/** The default logger: says nothing. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export interface TransportSettings {
  /** What request URLs start with; error messages show the path below it. */
  baseUrl: string;
  fetch: FetchLike;
  timeoutMs: number;
  maxRetries: number;
  logger: Logger;
  /** Replaces credentials in any text that ends up in an error. */
  redact: <E extends Error>(error: E) => E;
}

export interface CallSettings {
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  maxRetries?: number | undefined;
  /** Whether repeating the request is harmless. Default: every method but POST. */
  idempotent?: boolean | undefined;
  /**
   * The controller whose signal the request was built with (the facade does so),
   * used for the first attempt: then the request goes to fetch as it is, instead
   * of being copied into a new Request just to carry a signal.
   */
  controller?: AbortController | undefined;
  /**
   * Read the body into `bodyText` and return the response without it: a caller
   * that knows (the facade) spares rebuilding a Response around the body, which
   * costs more than the rest of the client's work on a call.
   */
  detachBody?: boolean | undefined;
  /** With detachBody: the body of the last response, written by the transport. */
  bodyText?: string | undefined;
}

/** Statuses worth another try. */
const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
/** A Retry-After longer than this is not waited for: the call fails at once. */
export const MAX_RETRY_AFTER_MS = 60_000;
const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;
/** Error codes meaning the request never left this machine, so a repeat is safe. */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]);
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * The wait before retry number `attempt` (0 for the first retry): about 0.5 s,
 * doubling, capped at 8 s, less up to a quarter at random so that many clients
 * do not retry in step.
 */
export function backoffDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
  return Math.round(ceiling * (1 - 0.25 * random()));
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date. Undefined when absent or unreadable. */
export function parseRetryAfter(
  value: string | null,
  now: number = Date.now(),
): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Makes the fetch for one call; `call` carries that call's own settings. */
export function createTransport(settings: TransportSettings) {
  return (call: CallSettings = {}): FetchLike =>
    (request) =>
      send(settings, call, request);
}

async function send(
  settings: TransportSettings,
  call: CallSettings,
  request: Request,
): Promise<Response> {
  const timeoutMs = call.timeoutMs ?? settings.timeoutMs;
  const maxRetries = call.maxRetries ?? settings.maxRetries;
  const idempotent = call.idempotent ?? request.method !== "POST";
  // The caller's signals. A request built with our own controller carries that
  // one, whose abort (a timeout) is not the caller's.
  const signals = [call.signal, call.controller ? undefined : request.signal].filter(
    (s): s is AbortSignal => s !== undefined,
  );
  const info = { method: request.method, url: request.url };
  const { logger } = settings;
  const verbose = logger.debug !== silentLogger.debug;

  for (let attempt = 0; ; attempt++) {
    throwIfAborted(signals);
    // The body of a Request can be read once: keep the original for the next attempt.
    const outgoing = attempt < maxRetries && request.body !== null ? request.clone() : request;
    const started = Date.now();
    if (verbose) logger.debug(`-> ${info.method} ${info.url}`, { attempt });
    let response: Response | undefined;
    let failure: SecondaryDnsError | undefined;
    let mayRetry: boolean;
    let waitMs: number | undefined;
    try {
      response = await attemptOnce(settings.fetch, outgoing, signals, timeoutMs, info, {
        controller: attempt === 0 ? call.controller : undefined,
        detachInto: call.detachBody ? call : undefined,
        baseUrl: settings.baseUrl,
      });
      if (verbose) {
        logger.debug(
          `<- ${response.status} ${info.method} ${info.url} in ${Date.now() - started} ms`,
          {
            status: response.status,
            rayId: response.headers.get("cf-ray") ?? undefined,
          },
        );
      }
      waitMs = parseRetryAfter(response.headers.get("retry-after"));
      mayRetry = RETRYABLE_STATUSES.has(response.status) && (idempotent || response.status === 429);
      if (mayRetry && waitMs !== undefined && waitMs > MAX_RETRY_AFTER_MS) {
        logger.warn(`not retrying: the server asked to wait ${waitMs} ms`, {
          status: response.status,
        });
        mayRetry = false;
      }
    } catch (error) {
      throwIfAborted(signals);
      failure =
        error instanceof SecondaryDnsError
          ? settings.redact(error)
          : settings.redact(new ConnectionError(info, error));
      mayRetry =
        !(failure instanceof ApiError) &&
        (idempotent || (failure instanceof ConnectionError && neverSent(failure.cause)));
      if (verbose)
        logger.debug(`<- ${failure.name} ${info.method} ${info.url}: ${failure.message}`);
    }

    if (!mayRetry || attempt >= maxRetries) {
      if (failure) throw failure;
      return response as Response;
    }
    const delay = waitMs ?? backoffDelayMs(attempt);
    logger.warn(
      `retrying ${info.method} ${info.url} in ${delay} ms after ${failure ? failure.name : response?.status} (retry ${attempt + 1} of ${maxRetries})`,
    );
    await sleep(delay, signals);
  }
}

/**
 * One request, with its body read in full inside the timeout, so a server that
 * stalls mid-body times out instead of hanging the caller.
 */
async function attemptOnce(
  fetchImpl: FetchLike,
  request: Request,
  signals: AbortSignal[],
  timeoutMs: number,
  info: { method: string; url: string },
  how: {
    controller: AbortController | undefined;
    detachInto: CallSettings | undefined;
    baseUrl: string;
  },
): Promise<Response> {
  const controller = how.controller ?? new AbortController();
  const timer = setTimeout(() => controller.abort(new TimeoutError(info, timeoutMs)), timeoutMs);
  const onCallerAbort = (event: Event) => controller.abort((event.target as AbortSignal).reason);
  for (const signal of signals) signal.addEventListener("abort", onCallerAbort, { once: true });
  // The platform's fetch stops, request and body alike, when the signal aborts.
  // Any other fetch is raced against the abort, so one that ignores it cannot hang us.
  const aborted =
    fetchImpl === platformFetch && globalThis.fetch === nativeFetch
      ? undefined
      : abortOf(controller.signal);
  try {
    const sent = how.controller
      ? fetchImpl(request)
      : fetchImpl(request, { signal: controller.signal });
    const response = await (aborted ? Promise.race([sent, aborted]) : sent);
    const text = NULL_BODY_STATUSES.has(response.status)
      ? ""
      : await (aborted ? Promise.race([response.text(), aborted]) : response.text());
    if (how.detachInto) {
      how.detachInto.bodyText = text;
      // openapi-fetch, asked for a stream, does not read a successful response, so
      // the spent one will do; an error's body it reads, so that gets an empty one.
      if (response.ok) return response;
      return new Response(null, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    }
    if (response.ok && text.trim() !== "" && !isJson(text)) {
      // openapi-fetch would throw a bare SyntaxError at client.raw's caller.
      throw apiErrorFor({
        ...info,
        path: info.url.slice(how.baseUrl.length),
        status: response.status,
        rayId: response.headers.get("cf-ray") ?? undefined,
        detail: `the body is not JSON: ${excerpt(text)}`,
      });
    }
    const headers = new Headers(response.headers);
    // The body is now decoded text: the transfer headers no longer apply.
    headers.delete("content-length");
    headers.delete("content-encoding");
    const complete = new Response(NULL_BODY_STATUSES.has(response.status) ? null : text, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
    return complete;
  } catch (error) {
    if (controller.signal.aborted) throw controller.signal.reason;
    throw error;
  } finally {
    clearTimeout(timer);
    for (const signal of signals) signal.removeEventListener("abort", onCallerAbort);
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A promise that rejects with the signal's reason when it aborts. */
function abortOf(signal: AbortSignal): Promise<never> {
  const aborted = new Promise<never>((_, reject) => {
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
  aborted.catch(() => {}); // settled by a race; never unhandled
  return aborted;
}

function throwIfAborted(signals: AbortSignal[]): void {
  for (const signal of signals) if (signal.aborted) throw signal.reason;
}

function neverSent(cause: unknown): boolean {
  for (let error = cause, depth = 0; error && depth < 4; depth++) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && NOT_SENT_CODES.has(code)) return true;
    error = (error as { cause?: unknown }).cause;
  }
  return false;
}

function sleep(ms: number, signals: AbortSignal[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (event: Event) => {
      clearTimeout(timer);
      reject((event.target as AbortSignal).reason);
    };
    const timer = setTimeout(() => {
      for (const signal of signals) signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    for (const signal of signals) signal.addEventListener("abort", onAbort, { once: true });
  });
}
