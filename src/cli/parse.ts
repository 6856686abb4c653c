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
      throw new UsageError((error as Error).message, help);
    }
    throw error;
  }
}
