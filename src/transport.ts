/**
 * Every request goes through `exchange`, the facade's and `client.raw`'s alike:
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
/** The three forms of HTTP-date (RFC 9110 5.6.7): IMF-fixdate, RFC 850, asctime. */
const HTTP_DATE =
  /^(?:[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT|[A-Z][a-z]{5,8}, \d\d-[A-Z][a-z]{2}-\d\d \d\d:\d\d:\d\d GMT|[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4})$/;

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

export function createTransport(settings: TransportSettings) {
  const { logger, scrub } = settings;
  const verbose = logger.debug !== silentLogger.debug;
  // Every line a logger gets is scrubbed, its data too (a cf-ray may echo anything).
  const log = (level: keyof Logger, message: string, data?: Record<string, unknown>) => {
    const clean: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(data ?? {}))
      clean[key] = typeof value === "string" ? scrub(value) : value;
    logger[level](scrub(message), clean);
  };

  /**
   * Sends a request with retries. `start` makes one attempt's fetch with the
   * attempt's signal, which aborts on the timeout or the caller's abort.
   */
  async function exchange(
    info: { method: string; url: string },
    idempotent: boolean,
    call: CallSettings,
    start: (signal: AbortSignal) => Promise<Response>,
  ): Promise<Answer> {
    const timeoutMs = call.timeoutMs ?? settings.timeoutMs;
    const maxRetries = call.maxRetries ?? settings.maxRetries;
    const { signal } = call;
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      const started = Date.now();
      if (verbose) log("debug", `-> ${info.method} ${info.url}`, { attempt });
      let answer: Answer | undefined;
      let failure: SecondaryDnsError | undefined;
      let mayRetry: boolean;
      let waitMs: number | undefined;
      try {
        answer = await attemptOnce(info, timeoutMs, signal, start);
        const { response } = answer;
        if (verbose) {
          log(
            "debug",
            `<- ${response.status} ${info.method} ${info.url} in ${Date.now() - started} ms`,
            {
              status: response.status,
              rayId: response.headers.get("cf-ray") ?? undefined,
            },
          );
        }
        waitMs = parseRetryAfter(response.headers.get("retry-after"));
        mayRetry =
          RETRYABLE_STATUSES.has(response.status) && (idempotent || response.status === 429);
        if (mayRetry && waitMs !== undefined && waitMs > MAX_RETRY_AFTER_MS) {
          log("warn", `not retrying: the server asked to wait ${waitMs} ms`, {
            status: response.status,
          });
          mayRetry = false;
        }
      } catch (error) {
        signal?.throwIfAborted();
        failure = settings.redact(isPackageError(error) ? error : new ConnectionError(info, error));
        mayRetry =
          !(failure instanceof ApiError) &&
          (idempotent || (failure instanceof ConnectionError && neverSent(failure.cause)));
        if (verbose)
          log("debug", `<- ${failure.name} ${info.method} ${info.url}: ${failure.message}`);
      }
      if (!mayRetry || attempt >= maxRetries) {
        if (failure) throw failure;
        return answer as Answer;
      }
      const delay = waitMs ?? backoffDelayMs(attempt);
      log(
        "warn",
        `retrying ${info.method} ${info.url} in ${delay} ms after ${failure ? failure.name : answer?.response.status} (retry ${attempt + 1} of ${maxRetries})`,
      );
      await sleep(delay, signal);
    }
  }

  /**
   * One attempt, its body read in full inside the timeout, so a server that
   * stalls mid-body times out instead of hanging the caller.
   */
  async function attemptOnce(
    info: { method: string; url: string },
    timeoutMs: number,
    signal: AbortSignal | undefined,
    start: (signal: AbortSignal) => Promise<Response>,
  ): Promise<Answer> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new TimeoutError(info, timeoutMs)), timeoutMs);
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort);
    // The platform's fetch stops, request and body alike, when the signal aborts.
    // A custom fetch is raced against the abort, so one that ignores it cannot hang us.
    const aborted = settings.fetch ? abortOf(controller.signal) : undefined;
    const race = <T>(work: Promise<T>) => (aborted ? Promise.race([work, aborted]) : work);
    try {
      const response = await race(start(controller.signal));
      if ((response.status >= 300 && response.status < 400) || response.type === "opaqueredirect") {
        void response.body?.cancel().catch(() => {});
        const location = response.headers.get("location");
        throw failureOf(info, settings.baseUrl, response, {
          detail: `the API answered a redirect${location ? ` to ${excerpt(location)}` : ""}, which the client does not follow`,
        });
      }
      const text = await race(readBody(response, info));
      return { response, text };
    } catch (error) {
      if (controller.signal.aborted) throw controller.signal.reason;
      throw error;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** The body as text, counted as it streams in: over MAX_BODY_BYTES, the rest is not read. */
  async function readBody(response: Response, info: { method: string; url: string }) {
    const body = response.body;
    if (NULL_BODY_STATUSES.has(response.status) || !body) return "";
    const tooLarge = () => {
      void body.cancel().catch(() => {});
      return failureOf(info, settings.baseUrl, response, {
        detail: `the body is over ${MAX_BODY_BYTES} bytes, more than any answer of this API`,
      });
    };
    if (Number(response.headers.get("content-length")) > MAX_BODY_BYTES) throw tooLarge();
    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_BODY_BYTES) throw tooLarge();
      chunks.push(value);
    }
    const decoder = new TextDecoder();
    if (chunks.length === 1) return decoder.decode(chunks[0]);
    return (
      chunks.map((chunk) => decoder.decode(chunk, { stream: true })).join("") + decoder.decode()
    );
  }

  /** The facade's fetch: the URL and an init to the platform's fetch, a Request to a custom one. */
  function send(request: Outgoing, idempotent: boolean, call: CallSettings): Promise<Answer> {
    const { method, url, headers, body } = request;
    const custom = settings.fetch;
    return exchange(request, idempotent, call, (signal) =>
      custom
        ? custom(new Request(url, { method, headers, body, redirect: "manual" }), {
            signal,
            redirect: "manual",
          })
        : globalThis.fetch(url, { method, headers, body, signal, redirect: "manual" }),
    );
  }

  /**
   * `client.raw`'s fetch, given the Request openapi-fetch built (after any
   * middleware). Our signal goes with every attempt, so no middleware can drop
   * the timeout; the caller's signal is the Request's.
   */
  async function rawFetch(request: Request): Promise<Response> {
    const info = { method: request.method, url: request.url };
    const maxRetries = settings.maxRetries;
    const fetchImpl = settings.fetch ?? ((input, init) => globalThis.fetch(input, init));
    let attempt = 0;
    const { response, text } = await exchange(
      info,
      request.method !== "POST",
      { signal: request.signal },
      (signal) => {
        // A body can be read once: keep the original for the next attempt.
        const copy = attempt++ < maxRetries && request.body !== null ? request.clone() : request;
        return fetchImpl(copy, { signal, redirect: "manual" });
      },
    );
    if (response.ok && text.trim() !== "" && !isJson(text)) {
      // openapi-fetch would throw a bare SyntaxError at client.raw's caller.
      throw settings.redact(
        failureOf(info, settings.baseUrl, response, {
          detail: `the body is not JSON: ${excerpt(text)}`,
        }),
      );
    }
    const headers = new Headers(response.headers);
    // The body is now decoded text: the transfer headers no longer apply.
    headers.delete("content-length");
    headers.delete("content-encoding");
    return new Response(NULL_BODY_STATUSES.has(response.status) ? null : text, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  }

  return { send, rawFetch };
}

export type Transport = ReturnType<typeof createTransport>;

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
