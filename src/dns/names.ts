/**
 * Domain names as text in this package, and their labels as octets.
 *
 * A label is up to 63 arbitrary octets (RFC 1035 2.3.4, RFC 2181 11); a name
 * here is a JS string, the labels joined by ".", absolute, without the
 * trailing dot ("" is the root). Inside a label:
 *  - a character stands for its UTF-8 octets (so "café" is 5 octets, as
 *    dns-packet writes it);
 *  - `\.` is an octet 0x2E inside the label (not a separator), `\\` is 0x5C;
 *  - `\DDD` (three decimal digits) is the octet DDD: how an octet that is not
 *    part of valid UTF-8, a control or a space is written.
 * `formatLabel` writes exactly this form (canonical: one text per label), and
 * `nameLabels` reads it back to the octets a message carries. dns-packet 5.6.1's
 * name encoder knows none of these escapes (it splits on every "." and writes
 * the rest as UTF-8; only its SOA RNAME "mail" mode reads `\.`), so a name
 * with a backslash must reach the wire through `nameOctets`. `parseName`
 * reads a name as a zone file writes it (RFC 1035 5.1), where any `\X` is X
 * and `\DDD` is octet DDD, into octets.
 */

/** A name that cannot be read; the message says why, and quotes at most a little of it. */
export class NameSyntaxError extends Error {
  override name = "NameSyntaxError";
}

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export const MAX_LABEL_OCTETS = 63;
/** The whole name on the wire, length octets and the root's zero included. */
export const MAX_NAME_OCTETS = 255;

/**
 * Reads RFC 1035 escapes in `text`: `\DDD` is octet DDD, `\X` is X; any
 * other character is its UTF-8 octets. `split` cuts at each unescaped ".".
 * Returns the pieces as octets.
 */
function unescape(text: string, split: boolean): Uint8Array[] {
  if (!text.includes("\\")) return (split ? text.split(".") : [text]).map((t) => utf8.encode(t));
  const pieces: number[][] = [[]];
  for (let i = 0; i < text.length;) {
    const char = text[i]!;
    if (char === "." && split) {
      pieces.push([]);
      i++;
    } else if (char === "\\") {
      const digits = /^\d{3}/.exec(text.slice(i + 1, i + 4))?.[0];
      if (digits !== undefined) {
        if (Number(digits) > 255)
          throw new NameSyntaxError(`\\${digits} is not an octet (\\000 to \\255)`);
        pieces.at(-1)!.push(Number(digits));
        i += 4;
      } else if (i + 1 < text.length) {
        const next = String.fromCodePoint(text.codePointAt(i + 1)!);
        pieces.at(-1)!.push(...utf8.encode(next));
        i += 1 + next.length;
      } else throw new NameSyntaxError("it ends with a lone backslash");
    } else {
      const whole = String.fromCodePoint(text.codePointAt(i)!);
      pieces.at(-1)!.push(...utf8.encode(whole));
      i += whole.length;
    }
  }
  return pieces.map((piece) => Uint8Array.from(piece));
}

/** Text with its RFC 1035 escapes decoded, as octets (a TXT string's). */
export function unescapeText(text: string): Uint8Array {
  return unescape(text, false)[0]!;
}

/** The octets of each label of a name in this package's form; [] for the root. */
export function nameLabels(name: string): Uint8Array[] {
  if (name === "" || name === ".") return [];
  const pieces = unescape(name, true);
  return pieces.length > 1 && pieces.at(-1)!.length === 0 ? pieces.slice(0, -1) : pieces;
}

/**
 * A name as a zone file writes it, read into labels of octets: absolute when
 * it ends with an unescaped ".". Throws NameSyntaxError for an empty label, a
 * label over 63 octets or a bad escape (the 255-octet limit needs the origin:
 * see `checkNameLength`).
 */
export function parseName(text: string): { labels: Uint8Array[]; absolute: boolean } {
  if (text === ".") return { labels: [], absolute: true };
  const pieces = unescape(text, true);
  const absolute = pieces.length > 1 && pieces.at(-1)!.length === 0;
  const labels = absolute ? pieces.slice(0, -1) : pieces;
  if (labels.some((label) => label.length === 0))
    throw new NameSyntaxError("it has an empty label");
  checkNameLength(labels);
  return { labels, absolute };
}

/** Throws NameSyntaxError unless every label is 1-63 octets and the name at most 255. */
export function checkNameLength(labels: readonly Uint8Array[]): void {
  let total = 1;
  for (const label of labels) {
    if (label.length > MAX_LABEL_OCTETS)
      throw new NameSyntaxError(`it has a label of ${label.length} bytes (at most 63)`);
    total += 1 + label.length;
  }
  if (total > MAX_NAME_OCTETS)
    throw new NameSyntaxError(`it is ${total} bytes long on the wire (at most 255)`);
}

/** UTF-8's length of a sequence from its first octet; 0 for an octet that cannot start one. */
function sequenceLength(first: number): number {
  return first >= 0xf0 && first <= 0xf4 ? 4 : first >= 0xe0 ? 3 : first >= 0xc2 ? 2 : 0;
}

/** A label's octets in this package's form (see the top of this file). */
export function formatLabel(octets: Uint8Array): string {
  let out = "";
  for (let i = 0; i < octets.length;) {
    const octet = octets[i]!;
    if (octet === 0x2e || octet === 0x5c) {
      out += `\\${String.fromCharCode(octet)}`;
      i++;
      continue;
    }
    if (octet > 0x20 && octet < 0x7f) {
      out += String.fromCharCode(octet);
      i++;
      continue;
    }
    const length = octet < 0x80 ? 0 : sequenceLength(octet);
    const char = length > 0 ? decodeOne(octets.subarray(i, i + length)) : undefined;
    if (char === undefined) {
      out += `\\${String(octet).padStart(3, "0")}`;
      i++;
    } else {
      out += char;
      i += length;
    }
  }
  return out;
}

/** One UTF-8 character, or undefined when the octets are not one (or are a C1 control). */
function decodeOne(octets: Uint8Array): string | undefined {
  try {
    const char = strictUtf8.decode(octets);
    const code = char.codePointAt(0)!;
    return [...char].length === 1 && !(code >= 0x80 && code <= 0x9f) ? char : undefined;
  } catch {
    return undefined;
  }
}

/** Labels of octets as a name in this package's form. */
export function formatName(labels: readonly Uint8Array[]): string {
  return labels.map(formatLabel).join(".");
}

/**
 * A name in this package's form as it goes on the wire, uncompressed: each
 * label's length octet and octets, then the root's zero. Throws
 * NameSyntaxError for an empty label or a name past the 63/255-octet limits.
 * For the wire code, where dns-packet's encoder cannot write `\.` or `\DDD`.
 */
export function nameOctets(name: string): Uint8Array {
  const labels = nameLabels(name);
  if (labels.some((label) => label.length === 0))
    throw new NameSyntaxError("it has an empty label");
  checkNameLength(labels);
  const out = new Uint8Array(labels.reduce((sum, label) => sum + 1 + label.length, 1));
  let at = 0;
  for (const label of labels) {
    out[at++] = label.length;
    out.set(label, at);
    at += label.length;
  }
  return out; // the last octet is already 0
}
