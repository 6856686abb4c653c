/**
 * Zone data: the records a primary serves, a parser for the RFC 1035 zone file
 * subset supported here, and the minimal zone (SOA + NS) used when no file is given.
 *
 * Supported: $ORIGIN, $TTL, `@`, relative and absolute names, an owner left
 * blank (the previous one), TTL and class in either order (class IN only),
 * parentheses across lines, `;` comments, quoted strings, TTLs with unit
 * suffixes (30m, 1h, 2d, 1w), RFC 1035 escapes (`\X` is X, `\DDD` the octet
 * DDD) in names and strings, and the types SOA NS A AAAA CNAME PTR MX TXT SRV.
 * Names come out in the form src/dns/names.ts describes (`\.` and `\DDD` kept
 * for a dot inside a label and for octets that are not UTF-8 text).
 * Refused (an error names the line): $INCLUDE, $GENERATE, other classes and
 * other types; a file that is not UTF-8; a raw control character in a name or
 * string (write it as \DDD). Errors quote at most 80 characters of a word.
 */
import { isIPv4, isIPv6 } from "node:net";
import {
  NameSyntaxError,
  checkNameLength,
  formatName,
  nameLabels,
  parseName,
  unescapeText,
} from "./names.js";
import { assertSerial } from "./serial.js";
import { canonicalName, normalizeName, packet } from "./wire.js";

export interface SoaData {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

interface Base {
  /** Absolute owner name, without the trailing dot. */
  name: string;
  ttl: number;
  class?: "IN";
}

/** One resource record, in the shape dns-packet encodes. Names are absolute, without the trailing dot. */
export type ZoneRecord =
  | (Base & { type: "SOA"; data: SoaData })
  | (Base & { type: "A" | "AAAA" | "NS" | "CNAME" | "PTR"; data: string })
  | (Base & { type: "MX"; data: { preference: number; exchange: string } })
  | (Base & { type: "TXT"; data: string[] })
  | (Base & {
      type: "SRV";
      data: { priority: number; weight: number; port: number; target: string };
    });

export type ZoneRecordType = ZoneRecord["type"];

/** A zone file that could not be read: `line` is 1-based. */
export class ZoneFileError extends Error {
  override name = "ZoneFileError";
  readonly line: number;
  readonly reason: string;

  constructor(line: number, reason: string, source?: string) {
    super(`${source ?? "zone file"}, line ${line}: ${reason}`);
    this.line = line;
    this.reason = reason;
  }
}

/** How much of a word an error quotes: a 1 MB token must not make a 1 MB message. */
const QUOTED_MAX = 80;

/** `text` cut to QUOTED_MAX characters for an error message, saying how long it was. */
function clipWord(text: string, quote = ""): string {
  if (text.length <= QUOTED_MAX) return `${quote}${text}${quote}`;
  return `${quote}${text.slice(0, QUOTED_MAX)}...${quote} (${text.length} characters)`;
}

/** `text` in quotes for an error message, cut as clipWord cuts it. */
function quoteWord(text: string): string {
  return clipWord(text, '"');
}

/** UTF-8 decoders that throw where a byte sequence is not UTF-8; the file's drops a BOM first. */
const fileUtf8 = new TextDecoder("utf-8", { fatal: true });
const exactUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * The file's text: UTF-8, strictly. A byte sequence that is not UTF-8 is
 * refused with its line (decoding it would put U+FFFD in its place, silently).
 */
function decodeFile(bytes: Uint8Array, fail: Fail): string {
  try {
    return fileUtf8.decode(bytes);
  } catch {
    let start = 0;
    for (let line = 1; ; line++) {
      const newline = bytes.indexOf(0x0a, start);
      const end = newline === -1 ? bytes.length : newline;
      try {
        exactUtf8.decode(bytes.subarray(start, end));
      } catch {
        return fail(line, "the line is not UTF-8 text (write such octets as \\DDD)");
      }
      start = end + 1;
    }
  }
}

/** A character a zone file may not hold raw in a word: C0 but tab, DEL, C1. */
const RAW_CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/;

function controlIn(text: string): string | undefined {
  const found = RAW_CONTROL.exec(text)?.[0];
  if (found === undefined) return undefined;
  const code = found.charCodeAt(0).toString(16).padStart(4, "0").toUpperCase();
  return `a raw control character (U+${code}) is not allowed in a name or string: write it as \\${String(found.charCodeAt(0)).padStart(3, "0")}`;
}

export interface ParsedZone {
  /** The zone's name: absolute, lower case, without the trailing dot. */
  origin: string;
  records: ZoneRecord[];
  soa: SoaData;
}

export interface ParseOptions {
  /** The origin before any $ORIGIN (usually the zone's name). */
  origin?: string;
  /** Shown in errors, e.g. the file's path. */
  source?: string;
}

interface Token {
  text: string;
  quoted: boolean;
}

interface Entry {
  line: number;
  /** Whether the entry began with blank space (its owner is the previous one). */
  blankOwner: boolean;
  tokens: Token[];
}

type Fail = (line: number, reason: string) => never;

/** A quoted string from the `"` at `start`: its text (escapes kept, read where the word is used) and where it ends. */
function quotedAt(raw: string, start: number, lineNo: number, fail: Fail) {
  let value = "";
  let i = start + 1;
  for (;;) {
    if (i >= raw.length) fail(lineNo, "a quoted string is not closed on its line");
    const d = raw[i]!;
    if (d === "\\" && i + 1 < raw.length) {
      value += d + raw[i + 1]!;
      i += 2;
    } else if (d === '"') {
      return { value, end: i + 1 };
    } else {
      value += d;
      i++;
    }
  }
}

/** A bare word from `start`: up to blank space, `;`, a parenthesis or a quote (escapes kept). */
function wordAt(raw: string, start: number) {
  let value = "";
  let i = start;
  while (i < raw.length && !' \t;()"'.includes(raw[i]!)) {
    if (raw[i] === "\\" && i + 1 < raw.length) {
      value += raw[i]! + raw[i + 1]!;
      i += 2;
    } else value += raw[i++];
  }
  return { value, end: i };
}

/** Splits text into entries: one per line, or several lines joined by parentheses. */
function entries(text: string, fail: Fail): Entry[] {
  const out: Entry[] = [];
  let current: Entry | undefined;
  let depth = 0;
  let openedOn = 0;
  text.split(/\r?\n/).forEach((raw, index) => {
    const lineNo = index + 1;
    if (depth === 0) current = { line: lineNo, blankOwner: /^[ \t]/.test(raw), tokens: [] };
    let i = 0;
    while (i < raw.length) {
      const c = raw[i]!;
      if (c === ";") break;
      if (c === " " || c === "\t") {
        i++;
        continue;
      }
      if (c === "(") {
        if (depth === 0) openedOn = lineNo;
        depth++;
        i++;
        continue;
      }
      if (c === ")") {
        if (depth === 0) fail(lineNo, "')' without a matching '('");
        depth--;
        i++;
        continue;
      }
      const quoted = c === '"';
      const { value, end } = quoted ? quotedAt(raw, i, lineNo, fail) : wordAt(raw, i);
      const control = controlIn(value);
      if (control) fail(lineNo, control);
      current!.tokens.push({ text: value, quoted });
      i = end;
    }
    if (depth === 0 && current && current.tokens.length > 0) out.push(current);
  });
  if (depth > 0) fail(openedOn, "'(' is never closed");
  return out;
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** A TTL or SOA timer: seconds, or units such as 1h30m. */
export function parseTtl(text: string): number | undefined {
  if (/^\d+$/.test(text)) return checkU32(Number(text));
  const parts = /^(\d+[smhdw])+$/i.test(text) ? text.toLowerCase().match(/\d+[smhdw]/g) : null;
  if (!parts) return undefined;
  return checkU32(
    parts.reduce((sum, part) => sum + Number(part.slice(0, -1)) * UNIT_SECONDS[part.slice(-1)]!, 0),
  );
}

function checkU32(n: number): number | undefined {
  return Number.isSafeInteger(n) && n <= 0xffffffff ? n : undefined;
}

const TYPES = new Set<ZoneRecordType>([
  "SOA",
  "NS",
  "A",
  "AAAA",
  "CNAME",
  "PTR",
  "MX",
  "TXT",
  "SRV",
]);

/** Parses a zone file. Throws ZoneFileError naming the line of the first problem. */
export function parseZoneFile(file: string | Uint8Array, options: ParseOptions = {}): ParsedZone {
  const fail = (line: number, reason: string): never => {
    throw new ZoneFileError(line, reason, options.source);
  };
  const text = typeof file === "string" ? file : decodeFile(file, fail);
  const origin = options.origin === undefined ? undefined : normalizeName(options.origin);
  const reader = new ZoneFileReader(origin, fail);
  for (const entry of entries(text, fail)) reader.read(entry);
  return reader.finish();
}

/** What carries over from one entry of a zone file to the next, and the records read so far. */
class ZoneFileReader {
  #origin: string | undefined;
  /** The zone's name: the first origin, else the first SOA's owner. */
  #zoneOrigin: string | undefined;
  #defaultTtl: number | undefined;
  #lastTtl: number | undefined;
  #lastOwner: string | undefined;
  readonly #records: ZoneRecord[] = [];
  /** The line each record started on. */
  readonly #lines: number[] = [];
  #lastLine = 1;
  readonly #fail: Fail;

  constructor(origin: string | undefined, fail: Fail) {
    this.#origin = origin;
    this.#zoneOrigin = origin;
    this.#fail = fail;
  }

  /** A name of the file as an absolute name, in lower case. */
  readonly absolute = (name: string, line: number): string => {
    const fail = this.#fail;
    const origin = this.#origin;
    if (name === "@") {
      if (origin === undefined) fail(line, "'@' used before any $ORIGIN");
      return origin!;
    }
    try {
      const { labels, absolute: isAbsolute } = parseName(name);
      // Lower case as normalizeName does, which cannot be used here: it would
      // take the dot of a last label's "\." for the trailing one.
      if (isAbsolute) return formatName(labels).toLowerCase();
      if (origin === undefined)
        fail(line, `relative name ${quoteWord(name)} used before any $ORIGIN`);
      const full = [...labels, ...nameLabels(origin!)];
      checkNameLength(full);
      return formatName(full).toLowerCase();
    } catch (error) {
      if (!(error instanceof NameSyntaxError)) throw error;
      return fail(line, `${quoteWord(name)} is not a valid name: ${error.message}`);
    }
  };

  read(entry: Entry): void {
    this.#lastLine = entry.line;
    const first = entry.tokens[0]!;
    if (!entry.blankOwner && !first.quoted && first.text.startsWith("$")) this.#directive(entry);
    else this.#record(entry);
  }

  #directive({ line, tokens }: Entry): void {
    const directive = tokens[0]!.text.toUpperCase();
    const arg = tokens[1]?.text;
    if (directive === "$ORIGIN") {
      if (!arg) this.#fail(line, "$ORIGIN needs a name");
      this.#origin = this.absolute(arg!, line);
      this.#zoneOrigin ??= this.#origin;
    } else if (directive === "$TTL") {
      const ttl = arg === undefined ? undefined : parseTtl(arg);
      if (ttl === undefined)
        this.#fail(line, `$TTL needs a time in seconds, got ${quoteWord(arg ?? "")}`);
      this.#defaultTtl = ttl;
    } else {
      this.#fail(line, `${clipWord(tokens[0]!.text)} is not supported (supported: $ORIGIN, $TTL)`);
    }
  }

  #record(entry: Entry): void {
    const { line } = entry;
    let rest = entry.tokens.map((w) => w.text);
    let owner: string;
    if (entry.blankOwner) {
      if (this.#lastOwner === undefined)
        this.#fail(line, "a record with no owner name comes before any owner");
      owner = this.#lastOwner!;
    } else {
      owner = this.absolute(rest[0]!, line);
      rest = rest.slice(1);
    }
    const { ttl, type, rdata } = this.#ttlAndType(rest, line);
    if (ttl !== undefined) this.#lastTtl = ttl;
    const effectiveTtl = ttl ?? this.#defaultTtl ?? this.#lastTtl;
    if (effectiveTtl === undefined)
      this.#fail(line, "no TTL: give one on the record or a $TTL before it");
    this.#lastOwner = owner;
    const rdataTokens = entry.tokens.slice(entry.tokens.length - rdata);
    const data = RDATA[type](fieldReader(type, rdataTokens, line, this.#fail, this.absolute));
    this.#records.push({ name: owner, ttl: effectiveTtl!, type, data } as ZoneRecord);
    this.#lines.push(line);
  }

  /** The TTL and class (either order, both optional) and the type; `rdata` counts the words after them. */
  #ttlAndType(words: string[], line: number) {
    let rest = words;
    let ttl: number | undefined;
    let type: string | undefined;
    while (rest.length > 0 && type === undefined) {
      const word = rest[0]!;
      const upper = word.toUpperCase();
      const asTtl = parseTtl(word);
      if (asTtl !== undefined && ttl === undefined) ttl = asTtl;
      else if (upper === "IN") {
        /* the only class */
      } else if (["CH", "HS", "CS", "ANY", "NONE"].includes(upper))
        this.#fail(line, `class ${upper} is not supported (only IN)`);
      else type = upper;
      rest = rest.slice(1);
    }
    if (type === undefined) this.#fail(line, "a record needs a type");
    if (!TYPES.has(type as ZoneRecordType)) {
      const supported = [...TYPES].join(" ");
      this.#fail(line, `record type ${clipWord(type!)} is not supported (supported: ${supported})`);
    }
    return { ttl, type: type as ZoneRecordType, rdata: rest.length };
  }

  /** The zone the records form (checkZone's rules, each broken rule named by its line). */
  finish(): ParsedZone {
    const records = this.#records;
    const zoneOrigin = this.#zoneOrigin ?? records.find((r) => r.type === "SOA")?.name;
    try {
      const soa = checkZone(zoneOrigin ?? "", records);
      return { origin: zoneOrigin!, records, soa };
    } catch (error) {
      if (!(error instanceof ZoneDataError)) throw error;
      return this.#fail(
        error.index === undefined ? this.#lastLine : this.#lines[error.index]!,
        error.reason,
      );
    }
  }
}

/**
 * Records as dns-packet encodes them. The encoder turns TXT strings into Buffers
 * in place, so each record is copied: the caller's records are never changed.
 * @internal (dns-packet's types stay out of the published declarations)
 */
export function toWire(records: readonly ZoneRecord[]): packet.Answer[] {
  return records.map(
    (record) =>
      ({
        ...record,
        data: Array.isArray(record.data) ? [...record.data] : record.data,
      }) as packet.Answer,
  );
}

/** Zone records that do not form a zone; `index` is the record at fault, when one is. */
export class ZoneDataError extends Error {
  override name = "ZoneDataError";
  readonly index: number | undefined;
  readonly reason: string;

  constructor(index: number | undefined, reason: string) {
    super(index === undefined ? reason : `record ${index}: ${reason}`);
    this.index = index;
    this.reason = reason;
  }
}

/**
 * Checks that records form the zone `origin`: exactly one SOA, at the origin; an NS
 * at the origin; every name inside the zone; every record encodable on the wire.
 * Returns the SOA's data. For records given by a program (`setRecords`); the
 * zone file parser runs the same checks and names the line instead.
 */
export function checkZone(origin: string, records: readonly ZoneRecord[]): SoaData {
  const apex = normalizeName(origin);
  const soas = records.flatMap((r, i) => (r.type === "SOA" ? [{ r, i }] : []));
  if (soas.length !== 1) {
    throw new ZoneDataError(
      soas[1]?.i,
      `a zone needs exactly one SOA record, found ${soas.length}`,
    );
  }
  const soa = soas[0]!;
  if (normalizeName(soa.r.name) !== apex) {
    throw new ZoneDataError(
      soa.i,
      `the SOA record is owned by "${soa.r.name}", not by the zone's origin "${apex}"`,
    );
  }
  if (!records.some((r) => r.type === "NS" && normalizeName(r.name) === apex)) {
    throw new ZoneDataError(soa.i, "the zone has no NS record at its origin");
  }
  records.forEach((record, index) => {
    const name = normalizeName(record.name);
    if (apex !== "" && name !== apex && !name.endsWith(`.${apex}`)) {
      throw new ZoneDataError(index, `record "${record.name}" is outside the zone "${apex}"`);
    }
    if (record.type === "A" && !isIPv4(record.data)) {
      throw new ZoneDataError(index, `A record "${record.name}" needs an IPv4 address`);
    }
    if (record.type === "AAAA" && !isIPv6(record.data)) {
      throw new ZoneDataError(index, `AAAA record "${record.name}" needs an IPv6 address`);
    }
    if (!Number.isInteger(record.ttl) || record.ttl < 0 || record.ttl > 0xffffffff) {
      throw new ZoneDataError(index, `record "${record.name}" has a TTL out of range`);
    }
    try {
      canonicalName(record.name);
      packet.encode({ answers: toWire([record]) });
    } catch (error) {
      throw new ZoneDataError(
        index,
        `${record.type} record "${record.name}" cannot be encoded: ${(error as Error).message}`,
      );
    }
  });
  return (soa.r as Extract<ZoneRecord, { type: "SOA" }>).data;
}

/** Reads the data fields of one record, failing with the line and the type's name. */
function fieldReader(
  type: ZoneRecordType,
  tokens: Token[],
  line: number,
  fail: Fail,
  absolute: (name: string, line: number) => string,
) {
  const words = tokens.map((t) => t.text);
  return {
    words,
    /** The words, once there are exactly `n` of them. */
    arity(n: number): string[] {
      if (words.length !== n)
        fail(line, `${type} needs ${n} field${n === 1 ? "" : "s"}, got ${words.length}`);
      return words;
    },
    int(text: string, what: string, max: number): number {
      if (!/^\d+$/.test(text) || Number(text) > max)
        fail(line, `${type} ${what} must be a number from 0 to ${max}, got ${quoteWord(text)}`);
      return Number(text);
    },
    time(text: string, what: string): number {
      const value = parseTtl(text);
      if (value === undefined)
        fail(line, `SOA ${what} must be a time in seconds, got ${quoteWord(text)}`);
      return value!;
    },
    address(family: "IPv4" | "IPv6"): string {
      const [text] = this.arity(1) as [string];
      if (!(family === "IPv4" ? isIPv4(text) : isIPv6(text)))
        fail(line, `${type} needs an ${family} address, got ${quoteWord(text)}`);
      return text;
    },
    name: (text: string) => absolute(text, line),
    txt: (word: string) => txtString(word, line, fail),
    fail: (reason: string) => fail(line, reason),
  };
}

type FieldReader = ReturnType<typeof fieldReader>;

/** The data of each record type, from its fields. */
const RDATA: Record<ZoneRecordType, (f: FieldReader) => ZoneRecord["data"]> = {
  A: (f) => f.address("IPv4"),
  AAAA: (f) => f.address("IPv6"),
  NS: (f) => f.name(f.arity(1)[0]!),
  CNAME: (f) => f.name(f.arity(1)[0]!),
  PTR: (f) => f.name(f.arity(1)[0]!),
  MX: (f) => {
    const [preference, exchange] = f.arity(2) as [string, string];
    return { preference: f.int(preference, "preference", 65535), exchange: f.name(exchange) };
  },
  TXT: (f) => {
    if (f.words.length === 0) f.fail("TXT needs at least one string");
    return f.words.map(f.txt);
  },
  SRV: (f) => {
    const [priority, weight, port, target] = f.arity(4) as [string, string, string, string];
    return {
      priority: f.int(priority, "priority", 65535),
      weight: f.int(weight, "weight", 65535),
      port: f.int(port, "port", 65535),
      target: f.name(target),
    };
  },
  SOA: (f) => {
    const words = f.arity(7) as [string, string, string, string, string, string, string];
    const serial = f.int(words[2], "serial", 0xffffffff);
    assertSerial(serial);
    return {
      mname: f.name(words[0]),
      rname: f.name(words[1]),
      serial,
      refresh: f.time(words[3], "refresh"),
      retry: f.time(words[4], "retry"),
      expire: f.time(words[5], "expire"),
      minimum: f.time(words[6], "minimum"),
    };
  },
};

/**
 * A TXT string with its escapes decoded. Held as a JS string (what the state
 * file and dns-packet take), so its octets must be UTF-8: `\DDD` octets that
 * are not are refused rather than altered.
 */
function txtString(word: string, line: number, fail: Fail) {
  let octets: Uint8Array;
  try {
    octets = unescapeText(word);
  } catch (error) {
    if (!(error instanceof NameSyntaxError)) throw error;
    return fail(line, `the TXT string ${quoteWord(word)} cannot be read: ${error.message}`);
  }
  if (octets.length > 255)
    fail(line, `the TXT string ${quoteWord(word)} is ${octets.length} bytes long (at most 255)`);
  try {
    return exactUtf8.decode(octets);
  } catch {
    return fail(
      line,
      `the TXT string ${quoteWord(word)} is not UTF-8 once its escapes are read (not supported)`,
    );
  }
}

/** Where the minimal zone's SOA and NS point: a reserved name (RFC 2606) that nothing resolves. */
export const MINIMAL_ZONE_NAMESERVER = "ns.primary.invalid";

/**
 * The records of a zone that has no file: an SOA and one NS at the apex, enough
 * for a secondary to transfer and serve the zone.
 */
export function minimalZone(zoneName: string, serial = 1): ZoneRecord[] {
  assertSerial(serial);
  const origin = normalizeName(zoneName);
  canonicalName(origin);
  return [
    {
      name: origin,
      ttl: 3600,
      type: "SOA",
      data: {
        mname: MINIMAL_ZONE_NAMESERVER,
        rname: origin === "" ? "hostmaster" : `hostmaster.${origin}`,
        serial,
        refresh: 3600,
        retry: 600,
        expire: 604800,
        minimum: 300,
      },
    },
    { name: origin, ttl: 3600, type: "NS", data: MINIMAL_ZONE_NAMESERVER },
  ];
}
