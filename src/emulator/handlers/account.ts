/**
 * What peers, TSIGs and ACLs have in common: each is a list of records per
 * account, kept in the store as one record per account id (an array, in the
 * order of creation), with the same five operations. A resource file gives its
 * name in messages and its rules; this file reads the rest from the spec
 * (operationIds, id parameter, schema) and makes the handlers.
 *
 * The state shape: `collections[<name>][<account_id>]` is an array of the
 * resource's records, each valid against the spec's schema for it (Peer, Tsig,
 * Acl), ids unique across the collection. `accountCollectionProblem` says what
 * is wrong with one such entry, for the check of a state file at start.
 */
import { randomBytes } from "node:crypto";
import type { AccountCollection } from "../collections.js";
import { failure } from "../failures.js";
import {
  byOperationId,
  operationsOf,
  type HandlerContext,
  type OperationHandler,
  type ResourceHandlers,
  type ResourceOperation,
} from "../resource.js";
import { loadSpec } from "../spec.js";
import type { Store } from "../store.js";

export interface AccountRecord {
  id: string;
}

/** What is particular to one account resource: its name in messages and its rules. */
export interface AccountRules<T extends AccountRecord, I> {
  /** The record's name in messages: the 404 of an unknown id says "<what> not found". */
  what: string;
  /** A record from a (spec-valid) create or update body. */
  build(id: string, input: I): T;
  /** Refuses a record about to be saved (create: no previous), by throwing a Failure. */
  checkSave?(context: HandlerContext, account: string, record: T, previous?: T): void;
  /** Refuses to delete a record still in use, by throwing a Failure. */
  checkDelete?(context: HandlerContext, account: string, record: T): void;
  /** Runs once an update is saved: e.g. the incoming zones that use the record pull with its new fields. */
  updated?(context: HandlerContext, record: T): void;
}

/** An account resource: its rules, and what the spec says of it (read by `accountResource`). */
export interface AccountResource<T extends AccountRecord, I> extends AccountRules<T, I> {
  /** The store collection, also the state file's name for it and the client's resource name. */
  collection: AccountCollection;
  /** The spec's schema of one record, as the API returns it (the get operation's result). */
  schema: string;
  /** The path parameter naming one record, e.g. "peer_id" (the last of the get operation's path). */
  idParam: string;
  /** The operationId of the list operation, whose examples seed the state. */
  listOperation: string;
}

/** The methods every account resource has, each one operation of the spec. */
const METHODS = ["list", "create", "get", "update", "delete"] as const;

/**
 * An account resource from its collection and rules; the rest comes from the
 * spec's operations of that resource (`x-client-method: <collection>.<method>`).
 * Throws, naming what is missing, when the spec lacks one of the five methods.
 */
export function accountResource<T extends AccountRecord, I>(
  collection: AccountCollection,
  rules: AccountRules<T, I>,
): AccountResource<T, I> {
  const operations = operationsOf(collection);
  const missing = METHODS.filter((method) => !operations[method]);
  if (missing.length > 0) {
    throw new Error(`the spec has no ${missing.map((m) => `${collection}.${m}`).join(", ")}`);
  }
  const get = operations.get as ResourceOperation;
  const idParam = /\{(\w+)\}$/.exec(get.path)?.[1];
  if (idParam === undefined) throw new Error(`${get.path} does not end with a record's id`);
  const listOperation = (operations.list as ResourceOperation).operationId;
  return { ...rules, collection, schema: get.result, idParam, listOperation };
}

export function accountOf(params: Record<string, string>): string {
  return params.account_id as string; // every route of these resources has {account_id}
}

/** The records of one account (never a live array: changes go through `saveRecords`). */
export function recordsOf<T>(store: Store, collection: string, account: string): readonly T[] {
  return store.get<T[]>(collection, account) ?? [];
}

/**
 * Every entry of a collection, by key. Reads the whole state, so it is kept to
 * the rules between resources, which are rare next to reads.
 */
export function allEntries<V>(store: Store, collection: string): [key: string, value: V][] {
  return Object.entries((store.snapshot().collections[collection] ?? {}) as Record<string, V>);
}

function saveRecords<T>(store: Store, collection: string, account: string, records: T[]) {
  if (records.length === 0) store.delete(collection, account);
  else store.set(collection, account, records);
}

/** The `result_info` of a list that comes as one page. */
export function onePage(count: number) {
  return { count, page: 1, per_page: count, total_count: count, total_pages: 1 };
}

/** The record the path names, with its account and its place among the account's records; 404 when there is none. */
function findRecord<T extends AccountRecord>(
  resource: AccountResource<T, never>,
  context: HandlerContext,
) {
  const account = accountOf(context.params);
  const records = recordsOf<T>(context.store, resource.collection, account);
  const index = records.findIndex((r) => r.id === context.params[resource.idParam]);
  if (index < 0) throw failure("notFound", { what: resource.what });
  return { account, records, index, record: records[index] as T };
}

export function accountHandlers<T extends AccountRecord, I>(
  resource: AccountResource<T, I>,
): ResourceHandlers {
  const { collection } = resource;
  const find = (context: HandlerContext) => findRecord(resource, context);

  const list: OperationHandler = (context) => {
    const records = recordsOf<T>(context.store, collection, accountOf(context.params));
    return { result: records, resultInfo: onePage(records.length) };
  };

  const create: OperationHandler = (context) => {
    const account = accountOf(context.params);
    const record = resource.build(randomBytes(16).toString("hex"), context.body as I);
    resource.checkSave?.(context, account, record);
    const records = recordsOf<T>(context.store, collection, account);
    saveRecords(context.store, collection, account, [...records, record]);
    return { result: record, changed: true };
  };

  const update: OperationHandler = (context) => {
    const { account, records, index, record: previous } = find(context);
    const record = resource.build(previous.id, context.body as I);
    resource.checkSave?.(context, account, record, previous);
    const next = records.map((r, i) => (i === index ? record : r));
    saveRecords(context.store, collection, account, next);
    const after = resource.updated && (() => resource.updated?.(context, record));
    return { result: record, changed: true, after };
  };

  const remove: OperationHandler = (context) => {
    const { account, records, record } = find(context);
    resource.checkDelete?.(context, account, record);
    const rest = records.filter((r) => r.id !== record.id);
    saveRecords(context.store, collection, account, rest);
    return { result: { id: record.id }, changed: true };
  };

  const get: OperationHandler = (context) => ({ result: find(context).record });
  return byOperationId(collection, { list, create, get, update, delete: remove });
}

/**
 * What is wrong with one entry of an account collection in a state file, or
 * undefined when nothing is: the key must be an account id, the value an array
 * of records valid against the spec, each id used once.
 */
export function accountCollectionProblem(
  resource: Pick<AccountResource<AccountRecord, unknown>, "collection" | "schema">,
  key: string,
  value: unknown,
): string | undefined {
  const spec = loadSpec();
  const where = `${resource.collection}.${key}`;
  if (!spec.schema("Identifier")(key)) return `${where}: the key is not an account id`;
  if (!Array.isArray(value)) return `${where}: not a list of records`;
  const valid = spec.schema(resource.schema);
  const ids = new Set<string>();
  for (const [i, record] of value.entries()) {
    if (!valid(record)) return `${where}[${i}]: not a ${resource.schema} as the spec has it`;
    const { id } = record as AccountRecord;
    if (ids.has(id)) return `${where}[${i}]: the id ${id} is used twice`;
    ids.add(id);
  }
  return undefined;
}
