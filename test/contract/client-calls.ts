/**
 * Each operationId as a call of the client's facade, read off the operations
 * table (generated/operations.ts: the spec's x-client-method), so a test can
 * drive any operation from a fixture or a generated case.
 */
import { OPERATIONS, type Operation } from "../../generated/operations.js";
import { cloudflareIps, type SecondaryDnsClient } from "../../src/index.js";
import type { CallOptions } from "../../src/client/options.js";

/**
 * `ids`: the path parameters by camelCase name (`accountId` goes into the call's
 * options), or one id that fills every parameter but the account.
 */
export type ClientCall = (
  client: SecondaryDnsClient,
  ids: string | Record<string, string>,
  body: unknown,
  options?: CallOptions,
) => Promise<unknown>;

const camel = (name: string) => name.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());

/** The path parameters of a template, by camelCase name, in order. */
export function parameterNames(path: string): string[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map((m) => camel(m[1]!));
}

/** Whether the facade method takes a body: a delete's optional empty body it sends itself. */
export const takesBody = (operation: Operation) =>
  operation.body !== undefined && operation.body !== "EmptyBody";

/** The operations the facade has no method for, each as the package's function that calls it. */
const FUNCTION_CALLS: Record<string, ClientCall> = {
  "cloudflare-i-ps-cloudflare-ip-details": (client, _ids, _body, options) =>
    cloudflareIps(client, options),
};

export function clientCall(operationId: string): ClientCall {
  const call = FUNCTION_CALLS[operationId];
  if (call) return call;
  const info = OPERATIONS[operationId];
  if (!info?.resource || !info.method) throw new Error(`no client method for ${operationId}`);
  const { resource, method, operation } = info;
  const names = parameterNames(operation.path).filter((name) => name !== "accountId");
  return (client, ids, body, options) => {
    const of = (name: string) => (typeof ids === "string" ? ids : ids[name]);
    const account = typeof ids === "string" ? undefined : ids.accountId;
    const sent = account === undefined ? options : { ...options, accountId: account };
    const args = [...names.map(of), ...(takesBody(operation) ? [body] : []), sent];
    // "zone.get" (a resource's group, then the method) is client.dnsSettings.zone.get.
    const path = method.split(".");
    let target = client[resource as keyof SecondaryDnsClient] as unknown as Record<string, any>;
    for (const key of path.slice(0, -1)) target = target[key];
    return (target[path.at(-1)!] as (...args: unknown[]) => Promise<unknown>).apply(target, args);
  };
}

export const CLIENT_CALLS: Record<string, ClientCall> = Object.fromEntries(
  Object.keys(OPERATIONS)
    .filter((operationId) => OPERATIONS[operationId]!.resource ?? FUNCTION_CALLS[operationId])
    .map((operationId) => [operationId, clientCall(operationId)]),
);
