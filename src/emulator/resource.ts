/**
 * What a resource handler file provides: one function per operationId of the
 * spec. The server has matched the route, checked the credentials and judged
 * the path parameters and body against the spec before a handler runs.
 */
import { OPERATIONS } from "../../generated/operations.js";
import type { Store } from "./store.js";
import type { SecondaryHooks } from "./handlers/incoming.js";

/**
 * What the outgoing handlers tell the zone data and the DNS primary (primary.ts).
 * Each runs synchronously inside the handler, so its store changes are part of
 * the request's change (saved, or undone, with it).
 */
export interface ZoneHooks {
  /** A configuration was created or renamed: loads its zone file, if any; returns the serial to use. */
  configured(zoneId: string, name: string, serial: number): number;
  /** A configuration was deleted: its records go too. */
  removed(zoneId: string): void;
  /** Sends NOTIFY to the zone's peers (when transfers are enabled); call it once the change is saved. */
  notify(zoneId: string): void;
}

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
  /** The zone data and DNS primary; absent in tests that drive handlers alone. */
  zones?: ZoneHooks | undefined;
  /** The secondary that pulls incoming zones (handlers/incoming.ts); absent when there is none. */
  secondary?: SecondaryHooks | undefined;
}

export interface Answer {
  /** The envelope's `result`. */
  result: unknown;
  /** Whether the state changed, so the answer waits until the state file has it. */
  changed?: boolean;
  /** The envelope's `result_info`, for a list. */
  resultInfo?: unknown;
  /** Runs once the change is saved (never when the save fails): e.g. NOTIFY. */
  after?: (() => void) | undefined;
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
