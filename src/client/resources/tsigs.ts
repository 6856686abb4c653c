/**
 * client.tsigs: the account's TSIG keys, which sign NOTIFY and transfers with
 * a peer. Account-scoped, like client.peers. Written as resources/outgoing.ts
 * explains, with one addition: a TSIG secret is a credential, so every secret
 * this resource sends or receives is handed to the client's redactor first, and
 * from then on no error or log line of the client carries it (see redact.ts).
 */
import { tsigsOperations as o } from "../../../generated/operations.js";
import type { components } from "../../../generated/schema.js";
import type { Call } from "../call.js";
import type { CallOptions } from "../options.js";
import type { Deleted } from "./peers.js";

type TsigSchema = components["schemas"]["Tsig"];
type TsigInputSchema = components["schemas"]["TsigInput"];
/** A TSIG key, as the API returns it: secret included, on every read. */
export interface Tsig extends TsigSchema {}
/** The body of `tsigs.create` and `tsigs.update`: `name`, `algo` and `secret`, all required. */
export interface TsigInput extends TsigInputSchema {}

/** The `secret` of a body or result, whatever the caller passed. */
function secretOf(value: unknown): string | undefined {
  return typeof value === "object" &&
    value !== null &&
    "secret" in value &&
    typeof value.secret === "string"
    ? value.secret
    : undefined;
}

export function tsigsResource(call: Call, remember: (secret: string) => void) {
  const sending = (body: unknown) => {
    const secret = secretOf(body);
    if (secret !== undefined) remember(secret);
  };
  const received = <T extends Tsig | Tsig[]>(result: T): T => {
    for (const tsig of Array.isArray(result) ? result : [result]) sending(tsig);
    return result;
  };
  return {
    /** Every TSIG key of the account (one page), secrets included. */
    list: (options?: CallOptions): Promise<Tsig[]> =>
      call(o.list, {}, undefined, options).then(received),
    /** One TSIG key. Rejects with NotFoundError when the account has no such key. */
    get: (tsigId: string, options?: CallOptions): Promise<Tsig> =>
      call(o.get, { tsigId }, undefined, options).then(received),
    /** Creates a TSIG key. Not idempotent: retried only on 429 or a refused connection. */
    create: (body: TsigInput, options?: CallOptions): Promise<Tsig> => {
      sending(body);
      return call(o.create, {}, body, options).then(received);
    },
    /** Replaces the name, algorithm and secret of the key. */
    update: (tsigId: string, body: TsigInput, options?: CallOptions): Promise<Tsig> => {
      sending(body);
      return call(o.update, { tsigId }, body, options).then(received);
    },
    /** Removes the key; resolves to its `{ id }`. Unlink it from peers first. */
    delete: (tsigId: string, options?: CallOptions): Promise<Deleted> =>
      call(o.delete, { tsigId }, undefined, options),
  };
}

export type TsigsResource = ReturnType<typeof tsigsResource>;
