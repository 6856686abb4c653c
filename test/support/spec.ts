/**
 * ajv (2020-12 dialect, with formats) over generated/openapi.json: validators for
 * any schema of the spec, by JSON pointer, and for each operation's request and
 * response bodies.
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { readFileSync } from "node:fs";
import type { ValidateFunction } from "ajv";

export const spec = JSON.parse(
  readFileSync(new URL("../../generated/openapi.json", import.meta.url), "utf8"),
) as {
  info: { version: string };
  paths: Record<string, Record<string, any>>;
  components: Record<string, Record<string, any>>;
};

const SPEC_ID = "https://cf-secondary-dns.local/openapi.json";

export function createAjv() {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  // ajv-formats is CommonJS: under NodeNext its default import is the module object.
  (addFormats as unknown as { default: (a: Ajv2020) => void }).default(ajv);
  // OpenAPI keywords that are not JSON Schema; annotations only.
  ajv.addVocabulary(["example", "xml", "externalDocs", "discriminator"]);
  ajv.addSchema({ ...spec, $id: SPEC_ID });
  return ajv;
}

const ajv = createAjv();
const cache = new Map<string, ValidateFunction>();

/** A validator for the schema at a JSON pointer into the spec, e.g. "#/components/schemas/OutgoingZone". */
export function validatorAt(pointer: string): ValidateFunction {
  const cached = cache.get(pointer);
  if (cached) return cached;
  const validate = ajv.compile({ $ref: `${SPEC_ID}${pointer}` });
  cache.set(pointer, validate);
  return validate;
}

const escape = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");

export interface OperationInfo {
  operationId: string;
  method: string;
  path: string;
  operation: any;
}

/** Every operation of the spec. */
export function operations(): OperationInfo[] {
  const out: OperationInfo[] = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of ["get", "put", "post", "delete", "patch"]) {
      if (item[method])
        out.push({ operationId: item[method].operationId, method, path, operation: item[method] });
    }
  }
  return out;
}

export function operationById(operationId: string): OperationInfo {
  const found = operations().find((o) => o.operationId === operationId);
  if (!found) throw new Error(`no operation ${operationId} in the spec`);
  return found;
}

/** The status key the spec declares for a status: exact ("404"), then range ("4XX"). */
export function declaredStatus(op: OperationInfo, status: number): string | undefined {
  const responses = op.operation.responses as Record<string, unknown>;
  if (String(status) in responses) return String(status);
  const range = `${String(status)[0]}XX`;
  return range in responses ? range : undefined;
}

/** Follows local $refs into the spec until a node that is not a reference. */
export function resolve(node: any): any {
  if (node && typeof node.$ref === "string") {
    const parts = node.$ref
      .replace(/^#\//, "")
      .split("/")
      .map((p: string) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
    return resolve(parts.reduce((n: any, k: string) => n[k], spec));
  }
  return node;
}

/** The validator of a response body, for an operation, status and media type. */
export function responseValidator(
  op: OperationInfo,
  status: number,
  mediaType = "application/json",
): ValidateFunction {
  const key = declaredStatus(op, status);
  if (!key) throw new Error(`${op.operationId} declares no response for ${status}`);
  const response = resolve(op.operation.responses[key]);
  if (!response.content?.[mediaType])
    throw new Error(`${op.operationId} ${key} has no ${mediaType} content`);
  const base = op.operation.responses[key].$ref
    ? `${op.operation.responses[key].$ref}`
    : `#/paths/${escape(op.path)}/${op.method}/responses/${escape(key)}`;
  return validatorAt(`${base}/content/${escape(mediaType)}/schema`);
}

/** The validator of an operation's request body, or undefined when it takes none. */
export function requestValidator(op: OperationInfo): ValidateFunction | undefined {
  if (!op.operation.requestBody) return undefined;
  return validatorAt(
    `#/paths/${escape(op.path)}/${op.method}/requestBody/content/application~1json/schema`,
  );
}
