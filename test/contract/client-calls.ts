/**
 * Each operationId as a call of the client's facade, so a test can drive any
 * operation from a fixture or a generated case.
 */
import type { SecondaryDnsClient } from "../../src/index.js";
import type { OutgoingZoneInput } from "../../src/resources/outgoing.js";
import type { CallOptions } from "../../src/options.js";

export type ClientCall = (
  client: SecondaryDnsClient,
  zoneId: string,
  body: unknown,
  options?: CallOptions,
) => Promise<unknown>;

const P = "secondary-dns-(-primary-zone)-";
const input = (body: unknown) => body as OutgoingZoneInput;

export const CLIENT_CALLS: Record<string, ClientCall> = {
  [`${P}primary-zone-configuration-details`]: (c, zone, _body, o) => c.outgoing.get(zone, o),
  [`${P}create-primary-zone-configuration`]: (c, zone, body, o) =>
    c.outgoing.create(zone, input(body), o),
  [`${P}update-primary-zone-configuration`]: (c, zone, body, o) =>
    c.outgoing.update(zone, input(body), o),
  [`${P}delete-primary-zone-configuration`]: (c, zone, _body, o) => c.outgoing.delete(zone, o),
  [`${P}enable-outgoing-zone-transfers`]: (c, zone, _body, o) => c.outgoing.enable(zone, o),
  [`${P}disable-outgoing-zone-transfers`]: (c, zone, _body, o) => c.outgoing.disable(zone, o),
  [`${P}force-dns-notify`]: (c, zone, _body, o) => c.outgoing.forceNotify(zone, o),
  [`${P}get-outgoing-zone-transfer-status`]: (c, zone, _body, o) => c.outgoing.status(zone, o),
};

export function clientCall(operationId: string): ClientCall {
  const call = CLIENT_CALLS[operationId];
  if (!call) throw new Error(`no client method for ${operationId}`);
  return call;
}
