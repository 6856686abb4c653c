/**
 * `cf-secondary-dns <command> <action> [args]`: one table-driven command for
 * every facade resource, zone- or account-scoped (outgoing, peers, tsigs, acls,
 * and any the spec adds). generated/commands.ts gives the actions (verbs from the
 * client method names), the positional arguments (path parameters; account_id
 * from --account), the field flags (the request body's fields) and the rows of a
 * result; views.ts holds the few words the spec cannot say. Each action sends its
 * operation through the client's call layer (call.ts).
 */
import { parseArgs } from "node:util";
import { COMMANDS, type Command, type CommandAction } from "../../generated/commands.js";
import { OPERATIONS } from "../../generated/operations.js";
import { createCaller } from "./call.js";
import { CLIENT_FLAGS, PROGRAM } from "./help.js";
import { EXIT, UsageError, type CliIo } from "./io.js";
import { asUsage, clientOptions } from "./outgoing.js";
import { printResult } from "./output.js";
import { parseOrExplain, wantsHelp, wholeNumber } from "./parse.js";
import { actionHelp, commandHelp, labelOf, positionals } from "./resource-help.js";
import { MASKED, readSecret } from "./secret.js";
import { SPELLING_BY_SCHEMA, viewOf, type View } from "./views.js";

type Flags = Record<string, string | boolean | string[] | undefined>;
type Fields = Record<string, unknown>;

/** Every table-driven command's name, for the dispatch in run.ts. */
export const RESOURCE_COMMANDS = Object.keys(COMMANDS);

/** The command whose name (one or more words) starts argv, and the words after it. */
export function commandIn(argv: readonly string[]): [string, string[]] | undefined {
  const names = [...RESOURCE_COMMANDS].sort((a, b) => b.length - a.length);
  const name = names.find((n) => n.split(" ").every((word, i) => argv[i] === word));
  return name === undefined ? undefined : [name, argv.slice(name.split(" ").length)];
}

interface Run {
  name: string;
  command: Command;
  view: View;
  verb: string;
  action: CommandAction;
  io: CliIo;
  help: string;
}

export async function runResource(name: string, argv: string[], io: CliIo): Promise<number> {
  const command = COMMANDS[name]!;
  const view = viewOf(name, command);
  const [verb, ...rest] = argv;
  const action = verb === undefined ? undefined : command.actions[verb];
  if (!action) {
    if (verb === undefined) {
      io.stderr.write(commandHelp(name, command, view));
      return EXIT.usage;
    }
    if (wantsHelp(argv)) {
      io.stdout.write(commandHelp(name, command, view));
      return EXIT.ok;
    }
    throw new UsageError(`unknown action "${verb}"`, `${PROGRAM} ${name} --help`);
  }
  const run: Run = { name, command, view, verb: verb!, action, io, help: "" };
  run.help = `${PROGRAM} ${name} ${run.verb} --help`;
  if (wantsHelp(rest)) {
    io.stdout.write(actionHelp(name, command, view, run.verb));
    return EXIT.ok;
  }
  return runAction(run, rest);
}

async function runAction(run: Run, rest: string[]): Promise<number> {
  const { command, action, io, help } = run;
  const { values, positionals: given } = parseOrExplain(
    () => parseArgs({ args: rest, options: optionsOf(command), allowPositionals: true }),
    help,
  );
  const flags = values as Flags;
  const usage = (message: string) => new UsageError(message, help);
  const wanted = positionals(action);
  if (given.length < wanted.length)
    throw usage(`missing <${labelOf(wanted[given.length]!, action)}>`);
  if (given.length > wanted.length) throw usage(`unexpected argument "${given[wanted.length]}"`);
  checkFieldFlags(run, flags);
  const accountId = action.params.includes("account_id") ? accountOf(flags, io, usage) : undefined;
  const body = action.fields.length > 0 ? await bodyOf(run, spelled(run, flags)) : undefined;
  const baseUrlFrom = flags["base-url"] !== undefined ? "--base-url" : "CLOUDFLARE_BASE_URL";
  const params = Object.fromEntries(wanted.map((param, i) => [camel(param), given[i]!]));
  const result = await asUsage(
    help,
    baseUrlFrom,
    () => {
      const caller = createCaller(
        clientOptions(io, help, str(flags["base-url"]), str(flags.timeout), str(flags.retries)),
      );
      for (const field of secretFields(command)) {
        const sent = body?.fields[field];
        if (typeof sent === "string") caller.remember(sent);
      }
      return caller.send(action.operationId, params, body?.fields, {
        signal: io.signal,
        accountId,
      });
    },
    (field) => argumentOf(field, run),
  );
  const showSecret = flags["show-secret"] === true || body?.generated === true;
  printResult(io, flags.json === true, result, (shown) =>
    describe(run, params, shown, { showSecret, generated: body?.generated === true }),
  );
  return EXIT.ok;
}

const str = (value: unknown) => (typeof value === "string" ? value : undefined);
const camel = (name: string) => name.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
const secretFields = (command: Command) =>
  Object.entries(command.fields).flatMap(([field, info]) => (info.secret ? [field] : []));

/** The parseArgs options: the client's flags, --account, --show-secret, and each field's flag. */
function optionsOf(command: Command) {
  const options: Record<
    string,
    { type: "string" | "boolean"; multiple?: boolean; short?: string }
  > = { ...CLIENT_FLAGS };
  const actions = Object.values(command.actions);
  if (actions.some((a) => a.params.includes("account_id"))) options.account = { type: "string" };
  // Taken by every command (the account commands always took it); in help only where a result has a secret.
  options["show-secret"] = { type: "boolean" };
  for (const [field, info] of Object.entries(command.fields)) {
    const flag = info.flag;
    options[flag] = { type: info.type === "boolean" ? "boolean" : "string" };
    if (info.type === "array") options[flag].multiple = true;
    if (info.type === "boolean") options[`no-${flag}`] = { type: "boolean" };
  }
  return options;
}

/** A field flag given to an action without that field: named, with the actions that take it. */
function checkFieldFlags(run: Run, flags: Flags) {
  for (const [field, info] of Object.entries(run.command.fields)) {
    const flag = info.flag;
    if (run.action.fields.includes(field)) continue;
    if (flags[flag] === undefined && flags[`no-${flag}`] === undefined) continue;
    const takers = Object.entries(run.command.actions).filter(([, a]) => a.fields.includes(field));
    const verbs = takers.map(([verb]) => verb).join(" and ");
    throw new UsageError(`--${flag} is only for ${verbs}`, run.help);
  }
}

function accountOf(flags: Flags, io: CliIo, usage: (message: string) => UsageError): string {
  const accountId = str(flags.account) ?? (io.env.CLOUDFLARE_ACCOUNT_ID || undefined);
  if (accountId === undefined) throw usage("missing --account ID (or CLOUDFLARE_ACCOUNT_ID)");
  return accountId;
}

/** The flags with each text field spelled as the API spells it (a DNS name, a TSIG algorithm). */
function spelled(run: Run, flags: Flags): Flags {
  const out = { ...flags };
  for (const [field, info] of Object.entries(run.command.fields)) {
    const spell = run.view.spelling?.[field] ?? SPELLING_BY_SCHEMA[info.ref ?? ""];
    const flag = info.flag;
    const text = out[flag];
    if (spell && typeof text === "string") out[flag] = spell(text);
  }
  return out;
}

/** The body from the field flags: each by its kind; a secret from its file, else generated. */
async function bodyOf(run: Run, flags: Flags): Promise<{ fields: Fields; generated: boolean }> {
  const { command, action, io, help, view } = run;
  const fields: Fields = {};
  let generated = false;
  for (const field of action.fields) {
    const info = command.fields[field]!;
    const flag = info.flag;
    const text = flags[flag];
    if (info.type === "boolean") {
      const no = flags[`no-${flag}`] === true;
      if (text === true && no)
        throw new UsageError(`--${flag} and --no-${flag} exclude each other`, help);
      if (text === true || no) fields[field] = text === true;
    } else if (info.type === "integer") {
      const range = {
        min: info.minimum ?? 0,
        ...(info.maximum !== undefined && { max: info.maximum }),
      };
      const value = wholeNumber(str(text), `--${flag}`, help, range);
      if (value !== undefined) fields[field] = value;
    } else if (info.type === "array") {
      if (text !== undefined || info.required) fields[field] = text ?? [];
    } else if (info.type === "object") {
      if (typeof text === "string") fields[field] = jsonOf(text, flag, help);
    } else if (info.secret) {
      const made = typeof text === "string" ? undefined : view.generate?.(field, flags, help);
      if (typeof text === "string") fields[field] = await readSecret(text, io, help, `--${flag}`);
      else if (made !== undefined) [fields[field], generated] = [made, true];
    } else if (text !== undefined) {
      fields[field] = text;
    }
  }
  return { fields, generated };
}

/** An object field's flag: its value as JSON, for the client to check against the schema. */
function jsonOf(text: string, flag: string, help: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`invalid --${flag}: must be JSON, got ${JSON.stringify(text)}`, help);
  }
}

/** The argument a ValidationError's field stands for: body.peers[1] is "--peer number 2". */
function argumentOf(field: string, { command, action }: Run): string | undefined {
  const body = /^body\.(\w+)(?:\[(\d+)\])?$/.exec(field);
  const info = body && command.fields[body[1]!];
  if (body && info)
    return body[2] === undefined
      ? `--${info.flag}`
      : `--${info.flag} number ${Number(body[2]) + 1}`;
  const param = positionals(action).find((p) => camel(p) === field);
  return param === undefined ? undefined : `<${labelOf(param, action)}>`;
}

interface Shown {
  showSecret: boolean;
  generated: boolean;
}

/** The result in words: a heading and one row per field, or the view's line for a plain value. */
function describe(run: Run, params: Record<string, string>, result: unknown, shown: Shown): string {
  const { view, verb, action } = run;
  const scope = params.zoneId === undefined ? "" : ` of zone ${params.zoneId}`;
  if (typeof result !== "object" || result === null) {
    const said = view.said?.[verb];
    return said ? said(String(result), scope) : `${action.summary}${scope}: ${String(result)}`;
  }
  if (Array.isArray(result)) {
    const count = `${result.length} ${view.one}${result.length === 1 ? "" : "s"}`;
    const items = result.map((item) => rows(run, item as Fields, shown));
    return result.length === 0 ? `No ${view.one}s.` : `${count}:\n${items.join("\n\n")}`;
  }
  const method = OPERATIONS[action.operationId]!.operation.method;
  const the = Object.values(run.command.actions).some((a) => a.list) ? "" : "the ";
  if (method === "DELETE") {
    return `Deleted ${the}${view.one} ${String((result as Fields).id)}${scope}.`;
  }
  const done = { POST: "Created", PUT: "Updated", PATCH: "Updated" }[method as string];
  const head = done
    ? `${done} ${the}${view.one}${scope}:`
    : `${view.one[0]!.toUpperCase()}${view.one.slice(1)}${scope}:`;
  const note = shown.generated && view.generatedNote ? `\n${view.generatedNote}` : "";
  return `${head}\n${rows(run, result as Fields, shown)}${note}`;
}

/** One row per field that has a value; a list's items on lines of their own; secrets masked. */
function rows(run: Run, item: Fields, shown: Shown): string {
  const fields = (run.view.shown ?? run.command.shown).filter(
    (field) => item[field] !== undefined && item[field] !== null,
  );
  const width = Math.max(13, ...fields.map((field) => field.length + 2));
  const line = (label: string, value: string) => `  ${label.padEnd(width)}${value}`;
  return fields
    .flatMap((field) => {
      const value = item[field];
      if (run.command.secrets.includes(field) && !shown.showSecret) return [line(field, MASKED)];
      const text = (item: unknown) =>
        typeof item === "object" && item !== null ? JSON.stringify(item) : String(item);
      if (!Array.isArray(value)) return [line(field, text(value))];
      const [first, ...others] = value.map(text);
      return [line(field, first ?? "(none)"), ...others.map((other) => line("", other))];
    })
    .join("\n");
}
