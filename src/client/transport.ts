/**
 * Every request goes through `exchange`, the facade's and the raw client's alike
 * (src/raw.ts):
 * one timeout per attempt (covering the body too), a cap on the body's size,
 * redirects refused, retries with backoff and Retry-After, and the rule that a
 * non-idempotent request is repeated only when it cannot have reached the server
 * (or the server said 429). Everything a call needs is passed in as arguments:
 * nothing travels through shared, mutable settings.
 */
import {
  ApiError,
  apiErrorFor,
  ConnectionError,
  excerpt,
  isPackageError,
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

/** The default logger: says nothing. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export interface TransportSettings {
  /** What request URLs start with; error messages show the path below it. */
  baseUrl: string;
  /** A custom fetch; undefined: `globalThis.fetch`, looked up at each call. */
  fetch: FetchLike | undefined;
  timeoutMs: number;
  maxRetries: number;
  logger: Logger;
  /** Replaces credentials in an error, in place. */
  redact: <E extends Error>(error: E) => E;
  /** Replaces credentials in a text. */
  scrub: (text: string) => string;
}

/** A call's own settings, already checked. */
export interface CallSettings {
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  maxRetries?: number | undefined;
}

/** What an attempt sends: the URL and the init the platform's fetch takes. */
export interface Outgoing {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
}

/** A response whose body has been read, within the timeout and the size limit. */
export interface Answer {
  response: Response;
  text: string;
}

/** Statuses worth another try. */
const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
/** A Retry-After longer than this is not waited for: the call fails at once. */
export const MAX_RETRY_AFTER_MS = 60_000;
/** The largest body read. The API's answers are a few KB; this leaves room for long lists. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;
const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;
/** Error codes meaning the request never left this machine, so a repeat is safe. */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]);
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
/**
 * The shapes of HTTP-date (RFC 9110 5.6.7), loosely: IMF-fixdate and RFC 850
 * ("Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT") and asctime
 * ("Sun Nov  6 08:49:37 1994"); Date.parse then judges the values.
 */
const HTTP_DATE = /^[A-Z][a-z]{2,8},? [\w -]+ \d\d:\d\d:\d\d( GMT|\s+\d{4})$/;

/**
 * The wait before retry number `attempt` (0 for the first retry): about 0.5 s,
 * doubling, capped at 8 s, less up to a quarter at random so that many clients
 * do not retry in step.
 */
export function backoffDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
  return Math.round(ceiling * (1 - 0.25 * random()));
}

/**
 * Retry-After as milliseconds: non-negative integer seconds, or an HTTP date
 * (a past one is 0). Anything else (`-1`, `1.5`, `soon`) is undefined, and the
 * normal backoff applies.
 */
export function parseRetryAfter(
  value: string | null,
  now: number = Date.now(),
): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = HTTP_DATE.test(text) ? Date.parse(text) : NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** An ApiError about a response, with its cf-ray and Retry-After. */
export function failureOf(
  request: { method: string; url: string },
  baseUrl: string,
  response: Response,
  fields: Pick<ConstructorParameters<typeof ApiError>[0], "errors" | "messages" | "detail">,
): ApiError {
  return apiErrorFor({
    method: request.method,
    url: request.url,
    path: request.url.slice(baseUrl.length),
    status: response.status,
    rayId: response.headers.get("cf-ray") ?? undefined,
    retryAfterMs: parseRetryAfter(response.headers.get("retry-after")),
    ...fields,
  });
}

/**
 * What one attempt came to, and what the retry policy makes of it: `retry` is
 * false for no retry, else the wait the server asked for (Retry-After, in
 * milliseconds), undefined for the usual backoff.
 */
interface Outcome {
  answer?: Answer;
  failure?: SecondaryDnsError;
  retry: number | undefined | false;
}

// The factory holds three functions (exchange, attemptOnce, send) that share its settings.
export function createTransport(settings: TransportSettings) {
  const { logger, scrub, redact, baseUrl } = settings;
  const custom = settings.fetch;
  const verbose = logger.debug !== silentLogger.debug;

  /**
   * Sends a request with retries. `start` makes one attempt's fetch with the
   * attempt's signal, which aborts on the timeout or the caller's abort. The
   * body is read in full within the timeout, so a server that stalls mid-body
   * times out instead of hanging the caller.
   */
  async function exchange(
    info: { method: string; url: string },
    idempotent: boolean,
    call: CallSettings,
    start: (signal: AbortSignal) => Promise<Response>,
  ): Promise<Answer> {
    const maxRetries = call.maxRetries ?? settings.maxRetries;
    const what = () => `${info.method} ${scrub(info.url)}`;
    for (let attempt = 0; ; attempt++) {
      const { answer, failure, retry } = await attemptOnce(
        info,
        idempotent,
        call,
        attempt,
        what,
        start,
      );
      if (retry === false || attempt >= maxRetries) {
        if (failure) throw failure;
        return answer!;
      }
      const delay = retry ?? backoffDelayMs(attempt);
      logger.warn(
        `retrying ${what()} in ${delay} ms after ${failure?.name ?? answer?.response.status} (retry ${attempt + 1} of ${maxRetries})`,
      );
      await sleep(delay, call.signal);
    }
  }

  /**
   * One attempt: its own timeout (covering the body) and abort, the response read
   * within the limits, and what the retry policy makes of the answer or failure.
   * Throws only the caller's abort reason.
   */
  async function attemptOnce(
    info: { method: string; url: string },
    idempotent: boolean,
    call: CallSettings,
    attempt: number,
    what: () => string,
    start: (signal: AbortSignal) => Promise<Response>,
  ): Promise<Outcome> {
    const timeoutMs = call.timeoutMs ?? settings.timeoutMs;
    const { signal } = call;
    signal?.throwIfAborted();
    const started = Date.now();
    if (verbose) logger.debug(`-> ${what()}`, { attempt });
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new TimeoutError(info, timeoutMs)), timeoutMs);
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort);
    // The platform's fetch stops, request and body alike, when the signal
    // aborts; a custom fetch is raced against the abort, so one that ignores
    // it cannot hang us.
    const aborted = custom && abortOf(controller.signal);
    const race = <T>(work: Promise<T>) => (aborted ? Promise.race([work, aborted]) : work);
    try {
      const response = await race(start(controller.signal));
      const answer = await readAnswer(info, baseUrl, response, race);
      if (verbose) {
        logger.debug(`<- ${response.status} ${what()} in ${Date.now() - started} ms`, {
          status: response.status,
          rayId: scrub(response.headers.get("cf-ray") ?? "") || undefined,
        });
      }
      return { answer, retry: answerPolicy(response, idempotent, logger) };
    } catch (error) {
      signal?.throwIfAborted();
      const thrown = controller.signal.aborted ? controller.signal.reason : error;
      const failure = redact(isPackageError(thrown) ? thrown : new ConnectionError(info, thrown));
      if (verbose) logger.debug(`<- ${failure.name} ${what()}: ${failure.message}`);
      return { failure, retry: failurePolicy(failure, idempotent) && undefined };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** The facade's fetch: the URL and an init to the platform's fetch, a Request to a custom one. */
  function send(request: Outgoing, idempotent: boolean, call: CallSettings): Promise<Answer> {
    const init = { ...request, redirect: "manual" } as const;
    return exchange(request, idempotent, call, (signal) =>
      custom
        ? custom(new Request(request.url, init), { signal, redirect: "manual" })
        : globalThis.fetch(request.url, { ...init, signal }),
    );
  }

  return { send, exchange };
}

/**
 * The response with its body read: a redirect is refused, and a body over
 * MAX_BODY_BYTES is refused before or while it streams in (the rest is not read).
 */
async function readAnswer(
  info: { method: string; url: string },
  baseUrl: string,
  response: Response,
  race: <T>(work: Promise<T>) => Promise<T>,
): Promise<Answer> {
  const { status, headers } = response;
  const fail = (detail: string) => {
    void response.body?.cancel().catch(() => {});
    return failureOf(info, baseUrl, response, { detail });
  };
  if ((status > 299 && status < 400) || response.type === "opaqueredirect") {
    const location = headers.get("location");
    throw fail(
      `the API answered a redirect${location ? ` to ${excerpt(location)}` : ""}, which the client does not follow`,
    );
  }
  const tooLarge = `the body is over ${MAX_BODY_BYTES} bytes, more than any answer of this API`;
  if (Number(headers.get("content-length")) > MAX_BODY_BYTES) throw fail(tooLarge);
  const reader = NULL_BODY_STATUSES.has(status) ? undefined : response.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const chunk = reader && (await race(reader.read()));
    if (!chunk || chunk.done) break;
    if ((size += chunk.value.byteLength) > MAX_BODY_BYTES) throw fail(tooLarge);
    chunks.push(chunk.value);
  }
  const text = utf8.decode(chunks.length < 2 ? chunks[0] : concat(chunks, size));
  return { response, text };
}

/**
 * The retry policy for an answer: a retryable status, for an idempotent request
 * or after a 429, after the server's Retry-After unless that is over
 * MAX_RETRY_AFTER_MS (then not at all).
 */
function answerPolicy(response: Response, idempotent: boolean, logger: Logger): Outcome["retry"] {
  const { status } = response;
  const waitMs = parseRetryAfter(response.headers.get("retry-after"));
  if (!RETRYABLE_STATUSES.has(status) || !(idempotent || status === 429)) return false;
  if (waitMs! > MAX_RETRY_AFTER_MS) {
    logger.warn(`not retrying: the server asked to wait ${waitMs} ms`, { status });
    return false;
  }
  return waitMs;
}

/**
 * The retry policy for a failure with no answer: never an ApiError; otherwise
 * an idempotent request, or one that cannot have reached the server.
 */
function failurePolicy(failure: SecondaryDnsError, idempotent: boolean): boolean {
  return (
    !(failure instanceof ApiError) &&
    (idempotent || (failure instanceof ConnectionError && neverSent(failure.cause)))
  );
}

export type Transport = ReturnType<typeof createTransport>;

/** Decodes whole bodies only, so one decoder serves every call. */
const utf8 = new TextDecoder();

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/** A promise that rejects with the signal's reason when it aborts. */
function abortOf(signal: AbortSignal): Promise<never> {
  const aborted = new Promise<never>((_, reject) => {
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
  aborted.catch(() => {}); // settled by a race; never unhandled
  return aborted;
}

function neverSent(cause: unknown): boolean {
  try {
    for (let error = cause, depth = 0; error && depth < 4; depth++) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === "string" && NOT_SENT_CODES.has(code)) return true;
      error = (error as { cause?: unknown }).cause;
    }
  } catch {
    // A cause that cannot be read (a revoked Proxy) says nothing.
  }
  return false;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
