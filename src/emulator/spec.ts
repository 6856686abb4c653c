/**
 * The emulator's knowledge of the API comes from generated/openapi.json alone:
 * the routes, the security schemes, and validators for path parameters and
 * request bodies. No rule of the spec is written out a second time here. The
 * validators were compiled from that same file ahead of time (ajv's standalone
 * code, generated/validators.ts), so the emulator runs without ajv installed.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { FORMATS, SPEC_SHA256, validators } from "../../generated/validators.js";
import { formats } from "./schema-runtime.js";

/** One problem a validator found, as ajv reports it. */
export interface ErrorObject {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  params: Record<string, unknown>;
  message?: string;
}

/** A compiled schema: true when `data` is valid, else false with `errors` set. */
export interface ValidateFunction {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

const METHODS = ["get", "put", "post", "delete", "patch"] as const;

/**
 * Walks up from this module until a folder holds generated/openapi.json. That is
 * the package root whether this runs from src/ (vitest), from dist/src/ (after
 * tsc) or from node_modules/cf-secondary-dns/dist/src/ (installed).
 */
export function findSpecFile(start: string = fileURLToPath(import.meta.url)): string {
  for (let dir = dirname(start); ; dir = dirname(dir)) {
    const candidate = join(dir, "generated", "openapi.json");
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) {
      throw new Error(`generated/openapi.json was not found in any folder above ${start}`);
    }
  }
}

type Json = Record<string, any>;

export interface SecurityScheme {
  type: string;
  scheme?: string;
  in?: string;
  name?: string;
}

export interface PathParameter {
  name: string;
  validate: ValidateFunction;
}

/** One operation of the spec, ready to be matched and judged. */
export interface Route {
  operationId: string;
  method: string;
  /** The spec's path template, e.g. /zones/{zone_id}/secondary_dns/outgoing */
  template: string;
  pattern: RegExp;
  parameters: PathParameter[];
  /** Present when the operation takes a JSON body. */
  body?: { required: boolean; validate: ValidateFunction };
  /** Alternatives; each is a list of scheme names that must all be satisfied. */
  security: string[][];
}

export interface LoadedSpec {
  routes: Route[];
  securitySchemes: Record<string, SecurityScheme>;
  /** The validator of a named schema of the spec (components/schemas), compiled once. */
  schema(name: string): ValidateFunction;
  /** The bundled spec itself, read-only: for what the routes do not carry, such as examples. */
  document: Readonly<Json>;
}

const escapePointer = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const loaded = new Map<string, LoadedSpec>();

/** The routes of the spec in `file`, compiled once per process: every emulator shares them. */
export function loadSpec(file: string = findSpecFile()): LoadedSpec {
  let result = loaded.get(file);
  if (!result) loaded.set(file, (result = compileSpec(file)));
  return result;
}

function compileSpec(file: string): LoadedSpec {
  const spec = JSON.parse(readFileSync(file, "utf8")) as Json;
  checkCompiledFrom(file, spec);
  const routes: Route[] = [];
  for (const [template, item] of Object.entries<Json>(spec.paths ?? {})) {
    for (const method of METHODS) {
      if (item[method]) routes.push(routeOf(spec, template, item, method));
    }
  }
  return {
    routes,
    securitySchemes: spec.components?.securitySchemes ?? {},
    schema: schemaLookup(spec),
    document: spec,
  };
}

/** Refuses a spec other than the one generated/validators.ts was compiled from, or one naming a format the runtime lacks. */
function checkCompiledFrom(file: string, spec: Json): void {
  // Hashed as parsed, so line endings or indentation do not matter.
  if (createHash("sha256").update(JSON.stringify(spec)).digest("hex") !== SPEC_SHA256) {
    throw new Error(
      `${file} is not the spec generated/validators.ts was compiled from: run \`npm run generate\``,
    );
  }
  const missingFormat = FORMATS.find((name) => !formats[name]);
  if (missingFormat !== undefined) {
    throw new Error(`the spec names the format "${missingFormat}", which schema-runtime.ts lacks`);
  }
}

/** The compiled validator of the schema at a JSON pointer into the spec. */
function compiledAt(pointer: string): ValidateFunction {
  const validate = validators[pointer];
  if (!validate) throw new Error(`generated/validators.ts has no validator for ${pointer}`);
  return validate;
}

/** The node a $ref names (followed until it is no $ref), or the node itself. */
function resolveRef(spec: Json, node: Json): Json {
  if (typeof node?.$ref !== "string") return node;
  const keys = node.$ref.replace(/^#\//, "").split("/");
  return resolveRef(
    spec,
    keys.reduce((n: Json, k: string) => n[k.replace(/~1/g, "/").replace(/~0/g, "~")], spec),
  );
}

/** Where a node's validator is keyed: the pointer its $ref names, or its own place. */
const pointerOf = (node: Json, fallback: string) =>
  typeof node.$ref === "string" ? node.$ref.replace(/^#/, "") : fallback;

/** One operation of the spec as a Route: its pattern, path parameters, body and security. */
function routeOf(
  spec: Json,
  template: string,
  item: Json,
  method: (typeof METHODS)[number],
): Route {
  const operation = item[method] as Json;
  const itemPointer = `/paths/${escapePointer(template)}`;
  const opPointer = `${itemPointer}/${method}`;
  const route: Route = {
    operationId: operation.operationId,
    method: method.toUpperCase(),
    template,
    pattern: new RegExp(
      `^${template
        .split(/(\{[^}]+\})/)
        .map((part) => (part.startsWith("{") ? "([^/]*)" : escapeRegExp(part)))
        .join("")}$`,
    ),
    parameters: pathParameters(spec, item, operation, itemPointer, opPointer),
    security: (operation.security ?? spec.security ?? []).map((alt: Json) => Object.keys(alt)),
  };
  const requestBody = operation.requestBody && resolveRef(spec, operation.requestBody);
  if (requestBody?.content?.["application/json"]) {
    const bodyPointer = pointerOf(operation.requestBody, `${opPointer}/requestBody`);
    route.body = {
      required: requestBody.required === true,
      validate: compiledAt(`${bodyPointer}/content/application~1json/schema`),
    };
  }
  return route;
}

/** The path parameters of an operation, those of its path item first, each with its validator. */
function pathParameters(
  spec: Json,
  item: Json,
  operation: Json,
  itemPointer: string,
  opPointer: string,
): PathParameter[] {
  const listed = (owner: Json, at: string): [Json, string][] =>
    (owner.parameters ?? []).map((p: Json, i: number) => [p, `${at}/parameters/${i}`]);
  return [...listed(item, itemPointer), ...listed(operation, opPointer)]
    .map(([p, at]) => ({ param: resolveRef(spec, p), at: pointerOf(p, at) }))
    .filter(({ param }) => param.in === "path")
    .map(({ param, at }) => ({
      name: param.name as string,
      validate: compiledAt(`${at}/schema`),
    }));
}

/** The validator of a named schema (components/schemas), looked up once per name. */
function schemaLookup(spec: Json): (name: string) => ValidateFunction {
  const schemas = new Map<string, ValidateFunction>();
  return (name) => {
    let validate = schemas.get(name);
    if (!validate) {
      if (!spec.components?.schemas?.[name]) throw new Error(`the spec has no schema ${name}`);
      schemas.set(name, (validate = compiledAt(`/components/schemas/${escapePointer(name)}`)));
    }
    return validate;
  };
}

/**
 * The error to report of those ajv found: an unknown field first, since it is
 * most often a misspelling that also makes a required field look missing.
 */
export function mainError(errors: readonly ErrorObject[]): ErrorObject | undefined {
  return errors.find((e) => e.keyword === "additionalProperties") ?? errors[0];
}

/**
 * The JSON pointer into the request body that an ajv error is about: a missing
 * or unknown property is named by the property itself, not by its parent.
 */
export function pointerOfError(error: ErrorObject): string {
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  const child = params.missingProperty ?? params.additionalProperty;
  return child === undefined ? error.instancePath : `${error.instancePath}/${escapePointer(child)}`;
}

/**
 * What a compiled schema finds wrong with `value`, as "<root>.<field> <reason>"
 * ("zone.peers[0] must match pattern ..."), or undefined when it is valid.
 */
export function schemaProblem(
  validate: ValidateFunction,
  value: unknown,
  root: string,
): string | undefined {
  if (validate(value)) return undefined;
  const error = mainError(validate.errors ?? []);
  if (!error) return `${root} is invalid`;
  const path = pointerOfError(error)
    .split("/")
    .slice(1)
    .map((key) => key.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((key) => (/^\d+$/.test(key) ? `[${key}]` : `.${key}`))
    .join("");
  return `${root}${path} ${describeError(error)}`;
}

/** A sentence saying what an ajv error found wrong. */
export function describeError(error: ErrorObject): string {
  const params = error.params as { additionalProperty?: string; missingProperty?: string };
  if (params.additionalProperty !== undefined) return "is not a known field";
  if (params.missingProperty !== undefined) return "is required";
  return error.message ?? "is invalid";
}
