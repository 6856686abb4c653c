/**
 * What a resource handler file provides: one function per operationId of the
 * spec. The server has matched the route, checked the credentials and judged
 * the path parameters and body against the spec before a handler runs.
 */
import { OPERATIONS } from "../../generated/operations.js";
import type { Store } from "./store.js";

export interface HandlerContext {
  /** The path parameters, already valid against their schemas. */
  params: Record<string, string>;
  /** The parsed JSON body, already valid against the operation's schema (undefined when none). */
  body: unknown;
  store: Store;
  /** The request's time as an API timestamp, the same for every field a request sets. */
  now: string;
  /** The request's time, for fields derived from the date (such as a SOA serial). */
  date: Date;
}

export interface Answer {
  /** The envelope's `result`. */
  result: unknown;
  /** Whether the state changed, so the answer waits until the state file has it. */
  changed?: boolean;
  /** The envelope's `result_info`, for a list. */
  resultInfo?: unknown;
}

/**
 * Runs synchronously: a handler that awaited between reading and writing the
 * store could lose another request's update.
 */
export type OperationHandler = (context: HandlerContext) => Answer;

export type ResourceHandlers = Readonly<Record<string, OperationHandler>>;

/**
 * A resource's handlers, written by client method name, keyed by operationId as
 * the operations table (generated/operations.ts) says.
 */
export function byOperationId(
  resource: string,
  handlers: Readonly<Record<string, OperationHandler>>,
): ResourceHandlers {
  const out: Record<string, OperationHandler> = {};
  for (const [operationId, info] of Object.entries(OPERATIONS)) {
    if (info.resource !== resource || info.method === undefined) continue;
    const handler = handlers[info.method];
    if (!handler) throw new Error(`no emulator handler for ${resource}.${info.method}`);
    out[operationId] = handler;
  }
  return out;
}
