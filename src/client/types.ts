/** Type helpers that read results off the generated operation types. */
import type { paths } from "../../generated/schema.js";
import type { Method } from "../../generated/operations.js";

/** The JSON body of an operation's 200 response. */
export type SuccessBody<Op> = Op extends {
  responses: { 200: { content: { "application/json": infer Body } } };
}
  ? Body
  : never;

/** The unwrapped `result` of an operation's 200 response. */
export type Result<Op> = SuccessBody<Op> extends { result: infer R } ? R : never;

/** The generated operation type of a path and method. */
export type OperationAt<P extends keyof paths, M extends Method> = paths[P] extends {
  [K in Lowercase<M>]: infer Op;
}
  ? Op
  : never;

/** The `result` a call of (path, method) resolves to. */
export type ResultAt<P extends keyof paths, M extends Method> = Result<OperationAt<P, M>>;

type Camel<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<Camel<Tail>>}`
  : S;
type ParamNames<P extends string> = P extends `${string}{${infer Name}}${infer Rest}`
  ? Camel<Name> | ParamNames<Rest>
  : never;

/**
 * The path parameters of a template, by their camelCase names: `{zone_id}` is
 * `zoneId`. `accountId` may be left out: it then comes from the call's options
 * or the client's.
 */
export type PathParams<P extends string> = {
  [K in Exclude<ParamNames<P>, "accountId">]: string;
} & { accountId?: string };
