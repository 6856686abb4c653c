/**
 * What every facade method does: fill the path from its parameters, check the
 * arguments, send the request, and unwrap the envelope into its `result` or an
 * error. The methods themselves are generated from the spec (generated/client/,
 * see scripts/client.mjs), and so is what each operation is
 * (generated/operations.ts).
 */
import { idempotentOf, type Method, type Operation } from "../../generated/operations.js";
import type { paths } from "../../generated/schema.js";
import {
  ConnectionError,
  excerpt,
  isPackageError,
  ValidationError,
  type ApiMessage,
} from "./errors.js";
import { checkCallOptions, type CallOptions } from "./options.js";
import type { BodyCheck } from "./body.js";
import { failureOf, type Transport } from "./transport.js";
import type { ResultValidator } from "./results.js";
import type { PathParams, ResultAt } from "./types.js";
import { checkIdentifier } from "./validate.js";

export type { Operation };

/** Sends one operation; resolves to its result, typed from the spec's (path, method). */
export type Call = <P extends keyof paths, M extends Method>(
  operation: Operation<P, M>,
  params: PathParams<P>,
  body: unknown,
  options: CallOptions | undefined,
  /** The body walker (src/client/body.ts), passed by the operations that take a body. */
  check?: BodyCheck,
) => Promise<ResultAt<P, M>>;

const PARAMETER = /\{(\w+)\}/g;
const camelNames: Record<string, string> = {};
const camel = (name: string) =>
  (camelNames[name] ??= name.replace(/_(\w)/g, (_, c: string) => c.toUpperCase()));

/**
 * The path with every `{param}` filled from `params` (by its camelCase name),
 * each checked as an identifier; `{account_id}` falls back to `accountId`.
 */
export function fillPath(
  template: string,
  params: Record<string, unknown>,
  accountId: string | undefined,
): string {
  return template.replace(PARAMETER, (_, name: string) => {
    const key = camel(name);
    const value = params[key] ?? (key === "accountId" ? accountId : undefined);
    if (key === "accountId" && value === undefined) {
      throw new ValidationError(
        key,
        "is required (a client or call option, or CLOUDFLARE_ACCOUNT_ID)",
      );
    }
    return checkIdentifier(value, key);
  });
}

export interface CallContext {
  transport: Transport;
  baseUrl: string;
  /** The credentials and User-Agent, sent with every request. */
  headers: Record<string, string>;
  redact: <E extends Error>(error: E) => E;
  validateResults: ResultValidator | undefined;
  accountId: string | undefined;
  /** Learns a secret, so that no later error or log line carries it (src/client/redact.ts). */
  remember?: (secret: string) => void;
}

/** Hands each secret field (an operation's `secrets`) of a body or result, or of its items, to `remember`. */
function learnSecrets(
  fields: readonly string[],
  value: unknown,
  remember: ((secret: string) => void) | undefined,
): void {
  for (const item of [value].flat() as (Record<string, unknown> | null | undefined)[])
    for (const field of fields) {
      const secret = item?.[field];
      if (typeof secret === "string") remember?.(secret);
    }
}

/**
 * The facade's call. It sends with fetch itself, not through the raw client
 * (src/client/raw.ts), so middleware registered on a raw client does not apply to it.
 */
export function createCall(context: CallContext): Call {
  const { transport, baseUrl, headers, redact, validateResults, accountId, remember } = context;
  const jsonHeaders = { ...headers, "Content-Type": "application/json" };
  return async function call<P extends keyof paths, M extends Method>(
    operation: Operation<P, M>,
    params: PathParams<P>,
    body: unknown,
    options: CallOptions | undefined,
    check?: BodyCheck,
  ): Promise<ResultAt<P, M>> {
    const { method, secrets } = operation;
    let request = { method, url: baseUrl + operation.path };
    try {
      // A secret sent is a secret from now on, even when this call fails.
      if (secrets) learnSecrets(secrets, body, remember);
      const settings = checkCallOptions(options);
      const url = baseUrl + fillPath(operation.path, params, settings.accountId ?? accountId);
      // An optional body left out goes as `{}`, as Cloudflare's schema for it asks.
      const given = body === undefined && operation.optional ? {} : body;
      // Operations whose body is an argument pass the walker; the others send `{}`.
      const schema = operation.bodyCheck;
      const payload = schema ? JSON.stringify(check ? check(schema, given) : given) : null;
      request = { method, url };
      const { response, text } = await transport.send(
        { method, url, headers: payload === null ? headers : jsonHeaders, body: payload },
        idempotentOf(operation),
        settings,
      );
      const result = unwrap(request, baseUrl, response, text);
      const problem = validateResults?.(operation.result, result);
      if (problem)
        throw failureOf(request, baseUrl, response, { detail: `unexpected response: ${problem}` });
      if (secrets) learnSecrets(secrets, result, remember);
      return result as ResultAt<P, M>;
    } catch (error) {
      if (error === options?.signal?.reason && options?.signal?.aborted) throw error;
      throw redact(isPackageError(error) ? error : new ConnectionError(request, error));
    }
  };
}

/** The envelope's `result`, or the error the response amounts to. */
function unwrap(
  request: { method: string; url: string },
  baseUrl: string,
  response: Response,
  text: string,
): unknown {
  const failure = (fields: Parameters<typeof failureOf>[3]) =>
    failureOf(request, baseUrl, response, fields);

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
