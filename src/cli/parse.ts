/** Small helpers around node:util parseArgs. */
import { UsageError } from "./io.js";

/** Whether -h or --help comes before a `--` terminator. */
export function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).some((arg) => arg === "--help" || arg === "-h");
}

/** Runs parseArgs, turning its errors (unknown option, missing value...) into a UsageError. */
export function parseOrExplain<T>(parse: () => T, help: string): T {
  try {
    return parse();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS")) {
      throw new UsageError(inOurWords(code, (error as Error).message), help);
    }
    throw error;
  }
}

/** parseArgs' messages, reworded: its unknown-option hint ends in an unbalanced quote. */
function inOurWords(code: string, message: string): string {
  const option = /'(-[^' ]*)/.exec(message)?.[1];
  if (option === undefined) return message;
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    return `unknown option "${option}" (an argument that starts with "-" goes after "--")`;
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    return /argument missing/.test(message)
      ? `${option} needs a value`
      : `${option} takes no value`;
  }
  return message;
}

/**
 * A flag's whole number, or undefined when the flag is absent. An empty or
 * non-integer value is a usage error, never a silent 0 or NaN.
 */
export function wholeNumber(
  text: string | undefined,
  flag: string,
  help: string,
  range: { min?: number; max?: number } = {},
): number | undefined {
  if (text === undefined) return undefined;
  const { min = 0, max } = range;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || (max !== undefined && value > max)) {
    const bounds = max !== undefined ? ` from ${min} to ${max}` : min > 0 ? `, ${min} or more` : "";
    throw new UsageError(
      `invalid ${flag}: must be a whole number${bounds}, got ${JSON.stringify(text)}`,
      help,
    );
  }
  return value;
}

/**
 * The positional arguments a command takes, by name ("<zone_id>"), in order:
 * a missing one or one too many is a usage error naming it.
 */
export function positionalArgs(
  positionals: readonly string[],
  names: readonly string[],
  help: string,
): string[] {
  const missing = names[positionals.length];
  if (missing !== undefined) throw new UsageError(`missing ${missing}`, help);
  const extra = positionals[names.length];
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, help);
  return [...positionals];
}
