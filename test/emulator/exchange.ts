/**
 * Raw HTTP against the emulator. Every answer is checked on the way in: it
 * carries a cf-ray header and its body is valid against the spec's schema for
 * its operation and status (the failure envelope where no operation matches).
 */
import { expect } from "vitest";
import { operations, responseValidator, validatorAt, type OperationInfo } from "../support/spec.js";

export const ZONE = "023e105f4ecef8ad9ca31a8372d0c353";
export const OTHER_ZONE = "9a7806061c88ada191ed06f989cc3dac";
export const PEER_A = "23ff594956f20c2a721606e94745a8aa";
export const PEER_B = "00920f38ce07c2e2f4df50b1f61d4194";
export const TOKEN = { authorization: "Bearer emulator-test-token" };
const OUTGOING = "/zones/{zone_id}/secondary_dns/outgoing";

export type Action = "" | "/enable" | "/disable" | "/force_notify" | "/status";

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export interface Send {
  body?: unknown;
  /** Sent as is, not as JSON. */
  rawBody?: string;
  headers?: Record<string, string>;
}

/** The spec's operation for a method and a path below the base URL, if any. */
function operationFor(method: string, path: string): OperationInfo | undefined {
  return operations().find((op) => {
    const pattern = new RegExp(`^${op.path.replace(/\{[^}]+\}/g, "[^/]*")}$`);
    return op.method === method.toLowerCase() && pattern.test(path);
  });
}

export async function exchange(
  baseUrl: string,
  method: string,
  path: string,
  send: Send = {},
): Promise<Answer> {
  const body = send.rawBody ?? (send.body === undefined ? undefined : JSON.stringify(send.body));
  const response = await fetch(baseUrl + path, {
    method,
    headers: {
      ...TOKEN,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...send.headers,
    },
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  expect(response.headers.get("cf-ray"), `${method} ${path}: cf-ray`).toMatch(/^[0-9a-f]{16}-EMU$/);
  const isHtml = (response.headers.get("content-type") ?? "").startsWith("text/html");
  const parsed = isHtml ? text : JSON.parse(text);
  const op = operationFor(method, path);
  const validate = op
    ? responseValidator(op, response.status, isHtml ? "text/html" : "application/json")
    : validatorAt("#/components/schemas/FailureEnvelope");
  expect(
    validate(parsed),
    `${method} ${path} ${response.status}: ${JSON.stringify(validate.errors)}`,
  ).toBe(true);
  return { status: response.status, headers: response.headers, body: parsed, text };
}

/** A request to one of the outgoing operations of a zone. */
export function outgoing(
  baseUrl: string,
  method: string,
  zone: string,
  action: Action = "",
  send: Send = {},
) {
  return exchange(baseUrl, method, `${OUTGOING.replace("{zone_id}", zone)}${action}`, send);
}

/** The one error of a failure answer. */
export function onlyError(answer: Answer): {
  code: number;
  message: string;
  source?: { pointer?: string };
} {
  expect(answer.body.success).toBe(false);
  expect(answer.body.errors).toHaveLength(1);
  return answer.body.errors[0];
}
