/**
 * One rule for putting a string we did not write (a query name, a peer's name,
 * a server's message) into text for people: the emulator's log, doctor's
 * report, the CLI's output. Whatever a terminal acts on or a reader mistakes
 * for layout is written as a visible escape, so such a string stays on its own
 * line and reads in its own order: it cannot end a line and forge the next,
 * return the cursor, recolour the screen or reverse the text after it.
 *
 * No imports: the emulator, the DNS code and the CLI all use it, and the
 * client bundle stays free of it unless it asks.
 */

/**
 * The backslash (so an escape is never ambiguous), C0 (newline, carriage
 * return and tab included), DEL, C1, the line and paragraph separators, and the
 * bidi controls: marks (U+061C, U+200E, U+200F), embeddings and overrides
 * (U+202A-U+202E) and isolates (U+2066-U+2069).
 */
const UNSAFE = /[\\\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const SHORT: Record<string, string> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * `text` made safe to print on one line: `\` as `\\`, newline, carriage return
 * and tab as `\n`, `\r`, `\t`, other controls up to U+00FF as `\xNN`, and the
 * separators and bidi controls as `\uNNNN`. Everything else is kept as it is.
 */
export function escapeText(text: string): string {
  return text.replace(UNSAFE, (char) => {
    const code = char.charCodeAt(0);
    return (
      SHORT[char] ??
      (code <= 0xff
        ? `\\x${code.toString(16).padStart(2, "0")}`
        : `\\u${code.toString(16).padStart(4, "0")}`)
    );
  });
}
