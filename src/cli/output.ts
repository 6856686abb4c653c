/**
 * What the CLI prints of the server's words. In text for people every string
 * of the result is escaped (escapeText) before it is laid out, so a value can
 * neither clear the screen or recolour it nor end its line and forge the next;
 * --json stays exact JSON, which escapes by itself what it must.
 */
import { escapeText } from "../text.js";
import { EXIT, type CliIo } from "./io.js";

/** A result the CLI cannot print: the message says why; exit code 1, as an API failure. */
export class ResultError extends Error {
  readonly exitCode = EXIT.apiError;
}

/**
 * Prints a command's result: as JSON, or as the text `show` makes for people of
 * a copy of the result whose strings are escaped (the lines `show` adds are its own).
 */
export function printResult<T>(
  io: CliIo,
  json: boolean | undefined,
  result: T,
  show: (escaped: T) => string,
) {
  io.stdout.write(json ? `${jsonText(result)}\n` : `${show(escapeStrings(result))}\n`);
}

/**
 * A copy of `value` (JSON data) with every string escaped, keys included. A loop
 * rather than recursion: a result nested 20,000 deep must not overflow the stack.
 */
export function escapeStrings<T>(value: T): T {
  if (typeof value === "string") return escapeText(value) as T;
  if (typeof value !== "object" || value === null) return value;
  const copy = (from: object) => (Array.isArray(from) ? [] : {}) as Record<string, unknown>;
  // defineProperty: a "__proto__" key stays a key, as JSON.parse made it.
  const put = <V>(to: object, key: string, item: V): V => {
    Object.defineProperty(to, key, {
      value: item,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    return item;
  };
  const root = copy(value);
  const work: [object, Record<string, unknown>][] = [[value, root]];
  for (let next = work.pop(); next; next = work.pop()) {
    const [from, to] = next;
    for (const [key, item] of Object.entries(from)) {
      const at = Array.isArray(from) ? key : escapeText(key);
      if (typeof item === "string") put(to, at, escapeText(item));
      else if (typeof item !== "object" || item === null) put(to, at, item);
      else work.push([item, put(to, at, copy(item))]);
    }
  }
  return root as T;
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
