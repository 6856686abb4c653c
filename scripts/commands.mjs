// Writes generated/commands.ts and generated/handlers.ts from the bundled spec.
// Called by scripts/generate.mjs; `--check` compares both with the committed files.
//
// generated/commands.ts: what the CLI's table-driven command (src/cli/resource.ts)
// needs of each resource, read from the spec so that a new operation or tag
// becomes a command with no CLI edit:
//   - one command per facade resource (the part of `x-client-method` before its
//     last dot, kebab-case: `outgoing`, `dnsSettings.zone` -> `dns-settings zone`);
//   - one action per operation: its verb (the method name in kebab-case,
//     `forceNotify` -> `force-notify`, or the operation's `x-cli-verb`), its path
//     parameters (the positional arguments; `account_id` comes from --account),
//     whether it takes a body, and its summary and description as help text;
//   - the request bodies' fields (flags, with their descriptions and defaults)
//     and the result's fields (the rows a result prints), in the spec's order.
//
// generated/handlers.ts: the emulator's handlers, one import per file of
// src/emulator/handlers/ that an operation names (its `x-emulator-handler`, else its
// facade resource, else the first word of its path), and for each operationId the
// file whose `handlers` must answer it, so a missing one is named in plain words.
import { existsSync } from "node:fs";
import path from "node:path";

const METHODS = ["get", "post", "put", "patch", "delete"];
const kebab = (name) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const refName = (schema) =>
  typeof schema?.$ref === "string" ? schema.$ref.split("/").pop() : undefined;

/** The schema, through a `$ref`, merging the parts of an `allOf`. */
function resolve(spec, schema) {
  const name = refName(schema);
  const node = name ? spec.components.schemas[name] : schema;
  if (!node?.allOf) return node ?? {};
  const merged = {
    ...node,
    properties: { ...node.properties },
    required: [...(node.required ?? [])],
  };
  for (const part of node.allOf.map((s) => resolve(spec, s))) {
    Object.assign(merged.properties, part.properties ?? {});
    merged.required.push(...(part.required ?? []));
    for (const key of ["type", "description", "format", "pattern"])
      if (merged[key] === undefined && part[key] !== undefined) merged[key] = part[key];
  }
  return merged;
}

/** The first sentence of a description, on one line. */
function sentence(text) {
  const flat = (text ?? "").replace(/\s+/g, " ").trim();
  const end = flat.search(/\.(\s|$)/);
  return end < 0 ? flat : flat.slice(0, end);
}

/** Every operation, in the spec's order, with what the CLI and the emulator read of it. */
export function readCommandOperations(spec) {
  const out = [];
  for (const [apiPath, item] of Object.entries(spec.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const clientMethod = op["x-client-method"];
      const words = clientMethod?.split(".") ?? [];
      const name = words.pop();
      const json = op.responses?.["200"]?.content?.["application/json"]?.schema;
      const result = resolve(spec, resolve(spec, json).properties?.result);
      const list = result.type === "array";
      const tag = spec.tags?.find((t) => t.name === op.tags?.[0]);
      out.push({
        operationId: op.operationId,
        method: method.toUpperCase(),
        path: apiPath,
        resource: words.length > 0 ? words.join(".") : undefined,
        clientMethod: name,
        verb: op["x-cli-verb"] ?? (name ? kebab(name) : undefined),
        handler: op["x-emulator-handler"] ?? handlerFile(words[0], apiPath),
        params: [...apiPath.matchAll(/\{(\w+)\}/g)].map((m) => m[1]),
        body: refName(op.requestBody?.content?.["application/json"]?.schema),
        result: list ? resolve(spec, result.items) : result,
        list,
        summary: op.summary ?? "",
        about: sentence(op.description ?? op.summary),
        tagAbout: sentence(tag?.description ?? ""),
      });
    }
  }
  return out;
}

/** The handler file's name: the facade resource, else the path's first word after `secondary_dns`. */
function handlerFile(resource, apiPath) {
  if (resource) return kebab(resource);
  const words = apiPath.split("/").filter((w) => w && !w.startsWith("{"));
  const after = words.indexOf("secondary_dns");
  return (words[after + 1] ?? words[0]).replace(/_/g, "-");
}

/**
 * A field's flag: the spec's `x-cli-flag`, else its name in kebab-case; a secret's
 * (format: password) is read from a file, `--<name>-file`; a list's is singular.
 */
export function flagOf(field, schema, node) {
  const name = schema["x-cli-flag"] ?? field.replace(/_/g, "-");
  if (node.format === "password") return `${name}-file`;
  return node.type === "array" ? name.replace(/s$/, "") : name;
}

/** The value a flag takes, in help: `--peer ID`, `--port N`; none for a switch. */
function placeholderOf(flag, node, ref, kind) {
  if (node.type === "boolean") return "";
  if (node.format === "password") return "FILE";
  if (node.type === "integer" || node.type === "number") return "N";
  if (kind === "object") return "JSON";
  if (ref === "Identifier" || refName(node.items) === "Identifier") return "ID";
  return flag.replace(/-/g, "_").toUpperCase();
}

/** A field's JSON type; one of alternatives (oneOf, anyOf) that are objects is an object. */
function kindOf(spec, node) {
  if (node.type) return node.type;
  const alternatives = [...(node.oneOf ?? []), ...(node.anyOf ?? [])].map((s) => resolve(spec, s));
  return alternatives.some((s) => s.type === "object") ? "object" : "string";
}

/** A body field as the CLI reads it: its flag, its kind, whether required, and its help. */
function fieldInfo(spec, field, schema, required) {
  const node = resolve(spec, schema);
  const ref = refName(schema) ?? refName(schema.allOf?.[0]);
  const flag = flagOf(field, schema, node);
  const info = {
    flag,
    value: placeholderOf(flag, node, ref, kindOf(spec, node)),
    type: kindOf(spec, node),
    required,
    about: sentence(schema.description ?? node.description ?? ""),
  };
  if (ref) info.ref = ref;
  if (node.format === "password") info.secret = true;
  for (const key of ["minimum", "maximum", "default"])
    if (node[key] !== undefined) info[key] = node[key];
  if (node.enum) info.enum = node.enum;
  return info;
}

/** The CLI's table: one command per facade resource. */
export function commandsTable(spec) {
  const commands = {};
  for (const op of readCommandOperations(spec)) {
    if (!op.resource) continue;
    const name = op.resource.split(".").map(kebab).join(" ");
    const command = (commands[name] ??= {
      resource: op.resource,
      about: op.tagAbout,
      fields: {},
      shown: [],
      secrets: [],
      actions: {},
    });
    const body = op.body ? resolve(spec, spec.components.schemas[op.body]) : {};
    for (const [field, schema] of Object.entries(body.properties ?? {}))
      command.fields[field] ??= fieldInfo(
        spec,
        field,
        schema,
        (body.required ?? []).includes(field),
      );
    for (const [field, schema] of Object.entries(op.result.properties ?? {})) {
      if (!command.shown.includes(field)) command.shown.push(field);
      const secret = resolve(spec, schema).format === "password";
      if (secret && !command.secrets.includes(field)) command.secrets.push(field);
    }
    command.actions[op.verb] = {
      operationId: op.operationId,
      method: op.clientMethod,
      params: op.params,
      fields: Object.keys(body.properties ?? {}),
      list: op.list,
      result: op.result.type === "object" ? "object" : (op.result.type ?? "object"),
      summary: op.summary,
      about: op.about,
    };
  }
  return commands;
}

const HEADER = (what) =>
  [
    `// Generated by scripts/commands.mjs from generated/openapi.json: do not edit.`,
    `// ${what} Run \`npm run generate\` after changing the spec.`,
  ].join("\n");

export function commandsSource(spec) {
  return `${HEADER("The CLI's commands, one per facade resource.")}
import type { OperationId } from "./operations.js";

/** A request body's field, as a flag: its kind, whether required, its help from the spec. */
export interface CommandField {
  /** Its flag: the spec's x-cli-flag, else the field in kebab-case (a secret's --<name>-file, a list's singular). */
  readonly flag: string;
  /** The flag's value in help ("ID", "N", "FILE"...); "" for a switch. */
  readonly value: string;
  readonly type: "string" | "integer" | "number" | "boolean" | "array" | "object";
  readonly required: boolean;
  /** The first sentence of the spec's description. */
  readonly about: string;
  /** The named schema the field is (DnsName, Identifier...), when it is one. */
  readonly ref?: string;
  /** \`format: password\`: read from a file, never from the command line. */
  readonly secret?: true;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly default?: unknown;
  readonly enum?: readonly unknown[];
}

/** One operation, as an action of its command. */
export interface CommandAction {
  readonly operationId: OperationId;
  /** The facade's method name (x-client-method after the last dot). */
  readonly method: string;
  /** The path parameters, in order: each a positional argument, but account_id (--account). */
  readonly params: readonly string[];
  /** The request body's fields (each a flag); none when it takes no body. */
  readonly fields: readonly string[];
  /** Whether the result is a list of items. */
  readonly list: boolean;
  /** The result's (or an item's) JSON type: "object" prints rows, others print as they are. */
  readonly result: string;
  readonly summary: string;
  /** The first sentence of the spec's description. */
  readonly about: string;
}

export interface Command {
  /** The facade resource (x-client-method before its last dot). */
  readonly resource: string;
  /** The first sentence of the tag's description. */
  readonly about: string;
  /** Every body field of its actions, by name, in the spec's order. */
  readonly fields: Readonly<Record<string, CommandField>>;
  /** The result's fields, in the spec's order: the rows a result prints. */
  readonly shown: readonly string[];
  /** Result fields that are secrets (format: password), masked in text. */
  readonly secrets: readonly string[];
  /** Its actions, by verb. */
  readonly actions: Readonly<Record<string, CommandAction>>;
}

/** Every command, by its name on the command line. */
export const COMMANDS: Readonly<Record<string, Command>> = ${JSON.stringify(commandsTable(spec), null, 2)};
`;
}

/** generated/handlers.ts; `root` is where src/emulator/handlers/ is looked for. */
export function handlersSource(spec, root) {
  const ops = readCommandOperations(spec);
  const files = [...new Set(ops.map((op) => op.handler))];
  const present = files.filter((file) =>
    existsSync(path.join(root, "src", "emulator", "handlers", `${file}.ts`)),
  );
  const local = (file) => `${file.replace(/-(\w)/g, (_, c) => c.toUpperCase())}Handlers`;
  const where = Object.fromEntries(
    ops.map((op) => [op.operationId, `src/emulator/handlers/${op.handler}.ts`]),
  );
  return `${HEADER("The emulator's handlers, one file per resource.")}
// A file that does not exist yet is left out here: the emulator and the tests
// then name each operation it should answer (see HANDLER_FILES).
import type { ResourceHandlers } from "../src/emulator/resource.js";
${present.map((file) => `import { handlers as ${local(file)} } from "../src/emulator/handlers/${file}.js";`).join("\n")}

/** Every handler, by operationId. */
export const HANDLERS: ResourceHandlers = {
${present.map((file) => `  ...${local(file)},`).join("\n")}
};

/** For each operationId, the file whose \`handlers\` answers it. */
export const HANDLER_FILES: Readonly<Record<string, string>> = ${JSON.stringify(where, null, 2)};

/** What an operation without a handler lacks, in words: "" when it has one. */
export function missingHandler(operationId: string, method: string, path: string): string {
  if (HANDLERS[operationId]) return "";
  const file = HANDLER_FILES[operationId] ?? "src/emulator/handlers/<resource>.ts";
  return \`operation \${operationId} (\${method} \${path}) has no handler: add it to the handlers that \${file} exports\`;
}
`;
}
