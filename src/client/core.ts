/**
 * The core: a client's settings, transport and redactor, with no methods. The
 * generated operation functions (generated/client/, `outgoing.get(core, zoneId)`)
 * take it as their first argument, so an app that imports only some of them
 * bundles only those, with their operations and body schemas. The full client
 * (src/client/client.ts) is a core with every resource's functions bound to it.
 */
import type { Method, Operation } from "../../generated/operations.js";
import type { paths } from "../../generated/schema.js";
import type { BodyCheck } from "./body.js";
import { createCall, type Call } from "./call.js";
import { ValidationError } from "./errors.js";
import {
  resolveOptions,
  type CallOptions,
  type ClientOptions,
  type ResolvedOptions,
} from "./options.js";
import { createRedactor } from "./redact.js";
import { createTransport, type Transport } from "./transport.js";
import type { PathParams, ResultAt } from "./types.js";

declare const coreBrand: unique symbol;

/**
 * What createSecondaryDnsCore returns: pass it to the operation functions
 * (`outgoing.get(core, zoneId)`). A client made by createSecondaryDnsClient is
 * one too.
 */
export interface SecondaryDnsCore {
  readonly [coreBrand]: true;
}

/** What the operation functions, `rawClient` (src/client/raw.ts) and cloudflareIps need of a core. */
export interface ClientParts {
  resolved: ResolvedOptions;
  transport: Transport;
  redact: <E extends Error>(error: E) => E;
  call: Call;
}

/** Each core's parts, out of sight: a core holds nothing a caller could change. */
export const clientParts = new WeakMap<object, ClientParts>();

/** Reads the options and makes the parts; a ValidationError when the options are wrong. */
export function createParts(options: ClientOptions, resolve = resolveOptions): ClientParts {
  const resolved = resolve(options);
  const { redactError: redact, scrub, remember } = createRedactor(resolved.secrets);
  const transport = createTransport({ ...resolved, redact, scrub });
  const call = createCall({ ...resolved, transport, redact, remember });
  return { resolved, transport, redact, call };
}

/**
 * Creates a core from the same options as createSecondaryDnsClient. Throws a
 * ValidationError at once when they are wrong.
 */
export function createSecondaryDnsCore(options: ClientOptions = {}): SecondaryDnsCore {
  const core = {} as SecondaryDnsCore;
  clientParts.set(core, createParts(options));
  return core;
}

/** The message of a ValidationError about a value that is neither a client nor a core. */
const NOT_OURS = "must be a client made by createSecondaryDnsClient or createSecondaryDnsCore";

/** A core's parts, or a ValidationError naming `client` for anything else. */
export function partsOf(core: SecondaryDnsCore): ClientParts {
  const parts = clientParts.get(core);
  if (!parts) throw new ValidationError("client", NOT_OURS);
  return parts;
}

/**
 * Sends one operation with a core's parts: what every generated operation
 * function does. The body and its walker come last, as most operations have none.
 */
export function invoke<P extends keyof paths, M extends Method>(
  core: SecondaryDnsCore,
  operation: Operation<P, M>,
  params: PathParams<P>,
  options: CallOptions | undefined,
  body?: unknown,
  check?: BodyCheck,
): Promise<ResultAt<P, M>> {
  const parts = clientParts.get(core);
  return parts
    ? parts.call(operation, params, body, options, check)
    : Promise.reject(new ValidationError("client", NOT_OURS));
}
