/**
 * The help of the table-driven commands (resource.ts), made from the spec's
 * words in generated/commands.ts: each action's description, each field's, and
 * the tag's; the client's flags and their defaults from help.ts.
 */
import type { Command, CommandAction, CommandField } from "../../generated/commands.js";
import { COMMON_OPTIONS, ENVIRONMENT, EXIT_CODES, PROGRAM } from "./help.js";
import type { View } from "./views.js";

/** The positional arguments: the path parameters but account_id (--account). */
export const positionals = (action: CommandAction) =>
  action.params.filter((param) => param !== "account_id");

/** A positional argument's name in usage and messages: `zone_id`, else `id` when it is the only other one. */
export function labelOf(param: string, action: CommandAction): string {
  const others = positionals(action).filter((p) => p !== "zone_id");
  return param === "zone_id" || others.length > 1 ? param : "id";
}

/** `  label   text`, the text wrapped at 80 columns under its first line. */
function wrapped(label: string, width: number, text: string): string {
  const lines = [`  ${label.padEnd(width - 1)} `];
  for (const word of text.split(" ")) {
    const last = lines.length - 1;
    const bare = lines[last]!.trim() === label || lines[last]!.trim() === "";
    if (!bare && lines[last]!.length + word.length + 1 > 80)
      lines.push(" ".repeat(width + 2) + word);
    else lines[last] += `${lines[last]!.endsWith(" ") ? "" : " "}${word}`;
  }
  return lines.join("\n");
}

function usageOf(name: string, verb: string, action: CommandAction): string {
  const args = positionals(action).map((param) => ` <${labelOf(param, action)}>`);
  const body = action.fields.length > 0 ? " [field flags]" : "";
  return `${PROGRAM} ${name} ${verb}${args.join("")}${body} [options]`;
}

function fieldLines(command: Command, fields: readonly string[], view: View): string[] {
  return fields.map((field) => {
    const info = command.fields[field]!;
    const flag = info.flag;
    const value = info.value;
    const about = info.secret
      ? `Read the ${field} from FILE ("-": standard input)${view.generate ? "; default a new random one" : ""}`
      : info.about;
    const notes = [
      info.required && !info.secret ? "required" : "",
      info.default !== undefined ? `default ${JSON.stringify(info.default)}` : "",
      info.type === "array" ? "repeat for each" : "",
      info.type === "boolean" ? `--no-${flag}: false` : "",
    ].filter(Boolean);
    const text = `${about}${notes.length > 0 ? ` (${notes.join("; ")})` : ""}`;
    return wrapped(`--${flag}${value ? ` ${value}` : ""}`, 22, text);
  });
}

/** The options a command takes besides its field flags. */
function optionLines(command: Command): string {
  const account = Object.values(command.actions).some((a) => a.params.includes("account_id"));
  return [
    account ? "  --account ID      The account (default CLOUDFLARE_ACCOUNT_ID)" : "",
    command.secrets.length > 0
      ? `  --show-secret     Show ${command.secrets.join(", ")} in text (masked by default; --json shows them)`
      : "",
    COMMON_OPTIONS,
  ]
    .filter(Boolean)
    .join("\n");
}

/** Every field any action of the command takes, in the spec's order. */
const bodyFields = (command: Command) =>
  Object.keys(command.fields).filter((field) =>
    Object.values(command.actions).some((a) => a.fields.includes(field)),
  );

export function commandHelp(name: string, command: Command, view: View): string {
  const actions = Object.entries(command.actions);
  const fields = bodyFields(command);
  const takers = actions.filter(([, a]) => a.fields.length > 0).map(([verb]) => verb);
  return `Usage: ${PROGRAM} ${name} <action> [args] [options]

${command.about}.

${actions.map(([verb, action]) => `  ${usageOf(name, verb, action)}`).join("\n")}

Actions:
${actions.map(([verb, action]) => wrapped(verb, 14, action.about)).join("\n")}
${view.more ? `${view.more}\n` : ""}${
    fields.length > 0
      ? `\nField flags (${takers.join(" and ")}):\n${fieldLines(command, fields, view).join("\n")}\n`
      : ""
  }
Options:
${optionLines(command)}
${view.notes ? `\n${view.notes}` : ""}
${ENVIRONMENT}

${EXIT_CODES}
`;
}

export function actionHelp(name: string, command: Command, view: View, verb: string): string {
  const action = command.actions[verb]!;
  const fields = action.fields;
  return `Usage: ${usageOf(name, verb, action)}

${action.about}.
${fields.length > 0 ? `\nField flags:\n${fieldLines(command, fields, view).join("\n")}\n` : ""}
Options:
${optionLines(command)}
${view.notes && fields.length > 0 ? `\n${view.notes}` : ""}
${ENVIRONMENT}

${EXIT_CODES}
`;
}
