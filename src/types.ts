/** Type helpers that read results off the generated operation types. */

/** The JSON body of an operation's 200 response. */
export type SuccessBody<Op> = Op extends {
  responses: { 200: { content: { "application/json": infer Body } } };
}
  ? Body
  : never;

/** The unwrapped `result` of an operation's 200 response. */
export type Result<Op> = SuccessBody<Op> extends { result: infer R } ? R : never;
