/**
 * What every facade method does: check the arguments, send the request through
 * the openapi-fetch client, and unwrap the envelope into its `result` or an error.
 * A resource file only lists its operations (see resources/outgoing.ts).
 */
import type { Client } from "openapi-fetch";
import {
  apiErrorFor,
  ConnectionError,
  excerpt,
  SecondaryDnsError,
  type ApiMessage,
} from "./errors.js";
import { checkCallOptions, type CallOptions } from "./options.js";
import { parseRetryAfter, type CallSettings, type FetchLike } from "./transport.js";
import type { ResultSchema, ResultValidator } from "./results.js";
import { checkIdentifier } from "./validate.js";

export interface Operation {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** The spec's path template; `{zone_id}` is filled from the first argument. */
  path: string;
  /** Whether a repeat is harmless, so timeouts and 5xx may be retried. */
  idempotent: boolean;
  /** Checks and copies the request body, throwing a ValidationError. */
  body?: (value: unknown) => unknown;
  /** The spec's schema of a 200's `result`, for the opt-in result validator. */
  result: ResultSchema;
}

export type Call = <T>(
  operation: Operation,
  zoneId: unknown,
  body: unknown,
  options: CallOptions | undefined,
) => Promise<T>;

interface Loose {
  request(
    method: string,
    path: string,
    init: Record<string, unknown>,
  ): Promise<{ response: Response }>;
}

export function createCall(
  raw: Client<object>,
  fetchFor: (call: CallSettings) => FetchLike,
  redactError: <E extends Error>(error: E) => E,
  baseUrl: string,
  validateResults: ResultValidator | undefined,
): Call {
  const loose = raw as unknown as Loose;
  return async function call<T>(
    operation: Operation,
    zoneId: unknown,
    body: unknown,
    options: CallOptions | undefined,
  ): Promise<T> {
    let request = { method: operation.method, path: operation.path, url: baseUrl + operation.path };
    try {
      const zone_id = checkIdentifier(zoneId, "zoneId");
      const settings = checkCallOptions(options);
      const payload = operation.body ? operation.body(body) : undefined;
      const path = operation.path.replace("{zone_id}", zone_id);
      request = { method: operation.method, path, url: baseUrl + path };
      // The first attempt's signal goes into the Request openapi-fetch builds, and
      // the body comes back beside the response: both spare a copy per call.
      const controller = new AbortController();
      const sent: CallSettings = {
        ...settings,
        idempotent: operation.idempotent,
        controller,
        detachBody: true,
      };
      const { response } = await loose.request(operation.method, operation.path, {
        params: { path: { zone_id } },
        body: payload,
        signal: controller.signal,
        parseAs: "stream",
        fetch: fetchFor(sent),
      });
      const result = unwrap(request, response, sent.bodyText ?? "");
      const problem = validateResults?.(operation.result, result);
      if (problem)
        throw failureOf(request, response, { detail: `unexpected response: ${problem}` });
      return result as T;
    } catch (error) {
      if (error === options?.signal?.reason && options?.signal?.aborted) throw error;
      if (error instanceof SecondaryDnsError) throw redactError(error);
      throw redactError(new ConnectionError(request, error));
    }
  };
}

interface Sent {
  method: string;
  path: string;
  url: string;
}

function failureOf(
  request: Sent,
  response: Response,
  fields: { errors?: ApiMessage[]; messages?: ApiMessage[]; detail?: string },
) {
  return apiErrorFor({
    ...request,
    ...fields,
    status: response.status,
    rayId: response.headers.get("cf-ray") ?? undefined,
    retryAfterMs: parseRetryAfter(response.headers.get("retry-after")),
  });
}

/** The envelope's `result`, or the error the response amounts to. */
function unwrap(request: Sent, response: Response, text: string): unknown {
  const failure = (fields: Parameters<typeof failureOf>[2]) => failureOf(request, response, fields);

  let envelope: unknown;
  try {
    envelope = JSON.parse(text);
  } catch {
    throw failure({
      detail: text.trim() === "" ? "the body is empty" : `the body is not JSON: ${excerpt(text)}`,
    });
  }
  if (typeof envelope !== "object" || envelope === null || !("success" in envelope)) {
    throw failure({ detail: `the body is not a Cloudflare envelope: ${excerpt(text)}` });
  }
  const { success, result } = envelope as { success: unknown; result?: unknown };
  if (!response.ok || success !== true) {
    throw failure({
      errors: items((envelope as { errors?: unknown }).errors),
      messages: items((envelope as { messages?: unknown }).messages),
      detail: success === true ? "the envelope says success" : "the envelope says success: false",
    });
  }
  if (!("result" in envelope)) throw failure({ detail: "the envelope has no result" });
  return result;
}

/** The envelope's errors or messages, keeping only well-formed items. */
function items(value: unknown): ApiMessage[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((item): item is Record<string, unknown> => typeof item === "object" && item !== null)
    .map((item) => {
      const out: ApiMessage = {
        code: typeof item.code === "number" ? item.code : 0,
        message: typeof item.message === "string" ? item.message : "",
      };
      if (typeof item.documentation_url === "string")
        out.documentation_url = item.documentation_url;
      const source = item.source as { pointer?: unknown } | undefined;
      if (typeof source?.pointer === "string") out.source = { pointer: source.pointer };
      return out;
    });
}
