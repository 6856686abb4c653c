/**
 * client.outgoing: the outgoing zone transfer configuration of a zone
 * (Cloudflare as primary, your nameservers as secondaries).
 *
 * How a resource file is written (peers, TSIGs and ACLs alike):
 * - In the spec, each operation carries `x-client-method: <resource>.<method>`
 *   (and `x-idempotent: true` for a POST that may be repeated). `npm run generate`
 *   then writes `<resource>Operations` into generated/operations.ts: method name
 *   -> method, path, idempotence, body and result schemas, all from the spec. The
 *   CLI, the recorder and the tests read that table; nothing about an operation
 *   is written here.
 * - Here, one line per method: `call(ops.<method>, { pathParams }, body, options)`
 *   with a named result type (`Promise<OutgoingZone>`). Path parameters go by
 *   their camelCase names (`{zone_id}` is `zoneId`); `{account_id}` is filled
 *   from the call's or the client's `accountId`, so account-scoped methods leave
 *   it out. The result type is checked against the spec's (path, method): no cast.
 * - src/client.ts: one line to add the resource; src/index.ts: export its types.
 *   A request body is checked against its schema from the spec (src/body.ts);
 *   a new result schema needs its check in src/results.ts (the compiler says so).
 */
import { outgoingOperations as o } from "../../../generated/operations.js";
import type { components, paths } from "../../../generated/schema.js";
import type { Call } from "../call.js";
import type { CallOptions } from "../options.js";
import type { Result } from "../types.js";

type Config = paths["/zones/{zone_id}/secondary_dns/outgoing"];
type OutgoingZoneSchema = Result<Config["get"]>;
type OutgoingZoneInputSchema = NonNullable<
  Config["post"]["requestBody"]
>["content"]["application/json"];
type OutgoingZoneDeletedSchema = Result<Config["delete"]>;
// Interfaces, not aliases: an editor's hover and the .d.ts then show these names.
export interface OutgoingZone extends OutgoingZoneSchema {}
export interface OutgoingZoneInput extends OutgoingZoneInputSchema {}
/** What `delete` resolves to: the removed configuration's id. */
export interface OutgoingZoneDeleted extends OutgoingZoneDeletedSchema {}
/** Whether outgoing transfers are on: what `status` resolves to. */
export type TransferStatus = components["schemas"]["TransferStatus"];

export function outgoingResource(call: Call) {
  return {
    /** The zone's outgoing configuration. Rejects with NotFoundError while it has none. */
    get: (zoneId: string, options?: CallOptions): Promise<OutgoingZone> =>
      call(o.get, { zoneId }, undefined, options),
    /** Creates the configuration. Not idempotent: retried only on 429 or a refused connection. */
    create: (
      zoneId: string,
      body: OutgoingZoneInput,
      options?: CallOptions,
    ): Promise<OutgoingZone> => call(o.create, { zoneId }, body, options),
    /** Replaces the name and the whole list of peers. */
    update: (
      zoneId: string,
      body: OutgoingZoneInput,
      options?: CallOptions,
    ): Promise<OutgoingZone> => call(o.update, { zoneId }, body, options),
    /** Removes the configuration; resolves to the removed configuration's `{ id }`. */
    delete: (zoneId: string, options?: CallOptions): Promise<OutgoingZoneDeleted> =>
      call(o.delete, { zoneId }, undefined, options),
    /** Turns outgoing transfers on and sends NOTIFY to the peers; resolves to e.g. "Enabled". */
    enable: (zoneId: string, options?: CallOptions): Promise<string> =>
      call(o.enable, { zoneId }, undefined, options),
    /** Turns outgoing transfers off and drops the IXFR backlog; resolves to e.g. "Disabled". */
    disable: (zoneId: string, options?: CallOptions): Promise<string> =>
      call(o.disable, { zoneId }, undefined, options),
    /** Sends NOTIFY to the peers now and drops the IXFR backlog; resolves to e.g. "OK". */
    forceNotify: (zoneId: string, options?: CallOptions): Promise<string> =>
      call(o.forceNotify, { zoneId }, undefined, options),
    /** Whether outgoing transfers are on: "Enabled" or "Disabled". */
    status: (zoneId: string, options?: CallOptions): Promise<TransferStatus> =>
      call(o.status, { zoneId }, undefined, options),
  };
}

export type OutgoingResource = ReturnType<typeof outgoingResource>;
