/**
 * What the CLI prints of the server's words. Text for people has its control
 * characters made visible, so a message cannot clear the screen, recolour it or
 * rewrite a line; --json stays exact JSON, which escapes by itself what it must.
 */
import { EXIT, type CliIo } from "./io.js";

// C0 but newline and tab, DEL, and C1.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/** `text` with every control character but newline and tab written as a visible \xNN. */
export function visible(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** A result the CLI cannot print: the message says why; exit code 1, as an API failure. */
export class ResultError extends Error {
  readonly exitCode = EXIT.apiError;
}

/** Prints a command's result: as JSON, or as the text `show` makes of it for people. */
export function printResult(
  io: CliIo,
  json: boolean | undefined,
  result: unknown,
  show: () => string,
) {
  io.stdout.write(json ? `${jsonText(result)}\n` : `${visible(show())}\n`);
}

function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2);
  } catch (error) {
    if (error instanceof RangeError) {
      throw new ResultError("the API's result is nested too deeply to print as JSON");
    }
    throw error;
  }
}
