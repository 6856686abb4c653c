/**
 * client.outgoing: the outgoing zone transfer configuration of a zone
 * (Cloudflare as primary, your nameservers as secondaries). One line per
 * operation; types come from the generated `paths`, never retyped here.
 */
import type { paths } from "../../generated/schema.js";
import type { Call, Operation } from "../call.js";
import type { CallOptions } from "../options.js";
import type { Result } from "../types.js";
import { checkZoneInput } from "../validate.js";

const config = "/zones/{zone_id}/secondary_dns/outgoing";
type Config = paths[typeof config];

const op = (method: Operation["method"], path: string, result: Operation["result"]): Operation => ({
  method,
  path,
  result,
  idempotent: true,
});

const operations = {
  get: op("GET", config, "OutgoingZone"),
  create: { ...op("POST", config, "OutgoingZone"), idempotent: false, body: checkZoneInput },
  update: { ...op("PUT", config, "OutgoingZone"), body: checkZoneInput },
  delete: op("DELETE", config, "DeleteResult"),
  enable: op("POST", `${config}/enable`, "ActionResult"),
  disable: op("POST", `${config}/disable`, "ActionResult"),
  forceNotify: op("POST", `${config}/force_notify`, "ActionResult"),
  status: op("GET", `${config}/status`, "TransferStatus"),
} satisfies Record<string, Operation>;

export type OutgoingZone = Result<Config["get"]>;
export type OutgoingZoneInput = NonNullable<
  Config["post"]["requestBody"]
>["content"]["application/json"];

export function outgoingResource(call: Call) {
  return {
    /** The zone's outgoing configuration. Rejects with NotFoundError while it has none. */
    get: (zoneId: string, options?: CallOptions) =>
      call<OutgoingZone>(operations.get, zoneId, undefined, options),
    /** Creates the configuration. Not idempotent: retried only on 429 or a refused connection. */
    create: (zoneId: string, body: OutgoingZoneInput, options?: CallOptions) =>
      call<Result<Config["post"]>>(operations.create, zoneId, body, options),
    /** Replaces the name and the whole list of peers. */
    update: (zoneId: string, body: OutgoingZoneInput, options?: CallOptions) =>
      call<Result<Config["put"]>>(operations.update, zoneId, body, options),
    /** Removes the configuration; resolves to the removed configuration's `{ id }`. */
    delete: (zoneId: string, options?: CallOptions) =>
      call<Result<Config["delete"]>>(operations.delete, zoneId, undefined, options),
    /** Turns outgoing transfers on and sends NOTIFY to the peers; resolves to e.g. "Enabled". */
    enable: (zoneId: string, options?: CallOptions) =>
      call<Result<paths[`${typeof config}/enable`]["post"]>>(
        operations.enable,
        zoneId,
        undefined,
        options,
      ),
    /** Turns outgoing transfers off and drops the IXFR backlog; resolves to e.g. "Disabled". */
    disable: (zoneId: string, options?: CallOptions) =>
      call<Result<paths[`${typeof config}/disable`]["post"]>>(
        operations.disable,
        zoneId,
        undefined,
        options,
      ),
    /** Sends NOTIFY to the peers now and drops the IXFR backlog; resolves to e.g. "OK". */
    forceNotify: (zoneId: string, options?: CallOptions) =>
      call<Result<paths[`${typeof config}/force_notify`]["post"]>>(
        operations.forceNotify,
        zoneId,
        undefined,
        options,
      ),
    /** Whether outgoing transfers are on, e.g. "Enabled" or "Disabled" (an open set). */
    status: (zoneId: string, options?: CallOptions) =>
      call<Result<paths[`${typeof config}/status`]["get"]>>(
        operations.status,
        zoneId,
        undefined,
        options,
      ),
  };
}

export type OutgoingResource = ReturnType<typeof outgoingResource>;
