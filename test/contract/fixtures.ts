/**
 * The recorded exchanges in test/fixtures/<operationId>/<scenario>.json, and the
 * checks that hold each one to the spec. The checks return the problems they
 * find (an empty list when there are none) so that the drift tests can show
 * they fail on a fixture changed in memory.
 */
import { readdirSync, readFileSync } from "node:fs";
import { OPERATIONS } from "../../generated/operations.js";
import { parameterNames } from "./client-calls.js";
import { join } from "node:path";
import {
  declaredStatus,
  operations,
  requestValidator,
  responseValidator,
  spec,
  validatorAt,
  type OperationInfo,
} from "../support/spec.js";

export interface Fixture {
  operationId: string;
  scenario: string;
  description: string;
  /** Where the values came from: a recording, or hand-written from FACTS.md. */
  source: string;
  /**
   * Set when the API is known to send something the spec cannot describe; says
   * what. Such a fixture must fail its declared schema in exactly that way.
   */
  offSpec?: string;
  request: {
    method: string;
    /** The URL's path as sent, base path included, e.g. /client/v4/zones/... */
    path: string;
    headers: Record<string, string>;
    /** The JSON body, or null when none was sent. */
    body: unknown;
  };
  response: {
    status: number;
    headers: Record<string, string>;
    /** The parsed JSON for a JSON content type; otherwise the text ("" for none). */
    body: unknown;
  };
}

export const FIXTURES_DIR = new URL("../fixtures/", import.meta.url);

/** Every fixture, with the file it came from. */
export function loadFixtures(): { file: string; fixture: Fixture }[] {
  const root = FIXTURES_DIR.pathname;
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((dir) =>
      readdirSync(join(root, dir.name))
        .filter((name) => name.endsWith(".json"))
        .map((name) => {
          const file = `${dir.name}/${name}`;
          return { file, fixture: JSON.parse(readFileSync(join(root, file), "utf8")) as Fixture };
        }),
    );
}

/** The base path every request path starts with: the spec's server URL's path. */
export const BASE_PATH = new URL(
  (spec as unknown as { servers: { url: string }[] }).servers[0]?.url ?? "",
).pathname;

/** The path parameters of a fixture's request, by camelCase name, read against its operation's template. */
export function pathParamsOf(fixture: Fixture): Record<string, string> {
  const template = OPERATIONS[fixture.operationId]?.operation.path;
  if (!template) throw new Error(`no operation ${fixture.operationId} in the table`);
  const names = parameterNames(template);
  const pattern = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{\w+\}/g, "([^/]*)");
  const match = new RegExp(`^${BASE_PATH}${pattern}$`).exec(fixture.request.path.split("?")[0]!);
  if (!match) throw new Error(`${fixture.request.path} does not match ${template}`);
  return Object.fromEntries(names.map((name, i) => [name, match[i + 1]!]));
}

/** The media type of a response, without parameters; undefined when not sent. */
export function mediaTypeOf(headers: Record<string, string>): string | undefined {
  const value = Object.entries(headers).find(
    ([name]) => name.toLowerCase() === "content-type",
  )?.[1];
  return value?.split(";")[0]?.trim().toLowerCase();
}

export function headerOf(headers: Record<string, string>, name: string): string | undefined {
  return Object.entries(headers).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
}

const ajvProblems = (errors: unknown) => JSON.stringify(errors);

function resolveRef(node: any): any {
  if (!node?.$ref) return node;
  const keys = String(node.$ref).replace(/^#\//, "").split("/");
  return resolveRef(
    keys.reduce((at: any, key) => at?.[key.replace(/~1/g, "/").replace(/~0/g, "~")], spec),
  );
}

function pathMatches(op: OperationInfo, path: string): boolean {
  if (!path.startsWith(BASE_PATH)) return false;
  const template = op.path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+");
  return new RegExp(`^${template}$`).test(path.slice(BASE_PATH.length));
}

/** Problems of the request side: operation, method, path and body against the spec. */
export function requestProblems(fixture: Fixture): string[] {
  const op = operations().find((o) => o.operationId === fixture.operationId);
  if (!op) return [`no operation ${fixture.operationId} in the spec`];
  const problems: string[] = [];
  const { method, path, body } = fixture.request;
  if (method !== op.method.toUpperCase())
    problems.push(`method ${method}, the spec says ${op.method.toUpperCase()}`);
  if (!pathMatches(op, path)) problems.push(`path ${path} does not match ${BASE_PATH}${op.path}`);
  const validate = requestValidator(op);
  if (!validate && body !== null) problems.push("a body was sent, but the operation takes none");
  if (validate && !validate(body)) problems.push(`request body: ${ajvProblems(validate.errors)}`);
  return problems;
}

/** Problems of the response side: a declared status, its headers and its body's schema. */
export function responseProblems(fixture: Fixture): string[] {
  const op = operations().find((o) => o.operationId === fixture.operationId);
  if (!op) return [`no operation ${fixture.operationId} in the spec`];
  const { status, headers, body } = fixture.response;
  const key = declaredStatus(op, status);
  if (!key) return [`status ${status} is not declared for ${op.operationId}`];
  const problems: string[] = [];
  if (!headerOf(headers, "cf-ray")) problems.push("no cf-ray header (every response carries one)");

  const declared = resolveRef(op.operation.responses[key]);
  for (const [name, header] of Object.entries<any>(declared.headers ?? {})) {
    const value = headerOf(headers, name);
    const resolved = resolveRef(header);
    if (value === undefined) {
      if (resolved.required) problems.push(`missing required header ${name}`);
      continue;
    }
    const schema = resolveRef(resolved.schema);
    const typed = schema?.type === "integer" && /^-?\d+$/.test(value) ? Number(value) : value;
    if (!header.$ref) {
      problems.push(
        `header ${name} is declared inline; this check reads only #/components/headers`,
      );
      continue;
    }
    if (!validatorAt(`${header.$ref}/schema`)(typed))
      problems.push(`header ${name}: ${JSON.stringify(value)} is invalid`);
  }

  const media = mediaTypeOf(headers);
  const contents = Object.keys(declared.content ?? {});
  if (media === undefined) {
    // A body-less answer (a proxy's empty 503) carries no content type. It is
    // accepted only where the spec declares a text content whose schema an empty
    // string satisfies (the 5XX text/html).
    if (body !== "") return [...problems, "a body without a content type"];
    const textual = contents.find((type) => type !== "application/json");
    if (!textual)
      return [...problems, `an empty body, but ${key} declares only ${contents.join(", ")}`];
    const validate = responseValidator(op, status, textual);
    if (!validate(body))
      problems.push(`empty body against ${textual}: ${ajvProblems(validate.errors)}`);
    return problems;
  }
  if (!contents.includes(media)) return [...problems, `${key} declares no ${media} content`];
  if (media !== "application/json" && typeof body !== "string")
    problems.push(`a ${media} body must be text`);
  const validate = responseValidator(op, status, media);
  if (!validate(body)) problems.push(`response body: ${ajvProblems(validate.errors)}`);
  return problems;
}

/** The (operation, declared status) pairs, e.g. "…-force-dns-notify 4XX", with no fixture. */
export function coverageGaps(fixtures: Fixture[], ops: OperationInfo[] = operations()): string[] {
  const covered = new Set<string>();
  for (const fixture of fixtures) {
    if (fixture.offSpec) continue; // it shows what the spec cannot describe, not a declared status
    const op = ops.find((o) => o.operationId === fixture.operationId);
    const key = op && declaredStatus(op, fixture.response.status);
    if (key) covered.add(`${fixture.operationId} ${key}`);
  }
  return ops.flatMap((op) =>
    Object.keys(op.operation.responses)
      .map((key) => `${op.operationId} ${key}`)
      .filter((pair) => !covered.has(pair)),
  );
}
