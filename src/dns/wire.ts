/**
 * Small helpers over raw DNS messages (RFC 1035 section 4), for what dns-packet
 * does not do: walking a message without re-encoding it (TSIG signs the exact
 * bytes a peer sent, compressed names and all), canonical names, and the header
 * fields its types leave out (opcode, rcode).
 */
import { createRequire } from "node:module";
import { isIP } from "node:net";
import { nameOctets } from "./names.js";

type DnsPacket = typeof import("dns-packet");

/**
 * dns-packet, loaded at its first use: it is an optional peer dependency, so a
 * client-only install (which never speaks DNS) does not need it, and the
 * emulator serves HTTP without it. Whoever speaks DNS without it gets an error
 * that says what to install.
 */
let loaded: DnsPacket | undefined;
/**
 * dns-packet itself; throws an error naming the package when it is not installed.
 * @internal dns-packet's types stay out of the published declarations (stripInternal),
 * so a consumer type-checks without dns-packet or @types/dns-packet.
 */
export function loadPacket(): DnsPacket {
  if (loaded) return loaded;
  try {
    loaded = measureNames(createRequire(import.meta.url)("dns-packet") as DnsPacket);
  } catch (error) {
    throw new Error(
      "DNS on the wire (the emulator's primary, outgoing doctor and setup's checks) needs the optional dependency dns-packet: npm install dns-packet@5.6.1",
      { cause: error },
    );
  }
  return loaded;
}

/**
 * dns-packet 5.6 writes a label with `buf.write` (UTF-8) and then its length as
 * one byte, without a check: a label over 63 octets (a 40-character label of
 * "é" is 80) gets a length byte that reads as a pointer or a reserved label
 * type, and over 255 it wraps, so the message cannot be parsed. An empty label
 * ("a..b") ends the name early. Its name encoder, which every record type calls
 * through the module's shared `name` object, is wrapped once so that such a name
 * throws WireFormatError instead: checkZone then refuses the record at load,
 * naming it, and nothing corrupt is ever written. Names within the limits are
 * encoded by dns-packet's own code, unchanged. A name with a backslash (this
 * package's escapes, names.ts: `\.` a dot inside a label, `\DDD` an octet) is
 * written as the octets it stands for, where dns-packet would write the
 * backslashes and split at the escaped dot.
 */
function measureNames(dnsPacket: DnsPacket): DnsPacket {
  type Encode = ((name: string, buf?: Buffer, offset?: number, ...rest: unknown[]) => Buffer) & {
    bytes: number;
    measured?: true;
  };
  const { name: names } = dnsPacket as unknown as { name: { encode: Encode } };
  if (names.encode.measured) return dnsPacket;
  const original = names.encode;
  const measured = function (
    this: unknown,
    name: string,
    buf?: Buffer,
    offset = 0,
    ...rest: unknown[]
  ) {
    if (!String(name).includes("\\")) {
      encodedNameBytes(name);
      return original.call(this, name, buf, offset, ...rest);
    }
    // Escapes: the octets they stand for (dns-packet would write the backslashes).
    const octets = escapedName(String(name));
    const out = buf ?? Buffer.alloc(octets.length);
    octets.copy(out, offset);
    names.encode.bytes = octets.length;
    return out;
  };
  // dns-packet sets `name.encode.bytes` after each call: on this wrapper, where callers read it.
  names.encode = Object.assign(measured, { bytes: 0, measured: true as const });
  return dnsPacket;
}

/**
 * The octets of `name` on the wire as dns-packet writes it (split at every dot,
 * one leading and one trailing dot dropped, each label in UTF-8); throws
 * WireFormatError past 63 octets a label or 255 a name, or for an empty label.
 */
export function encodedNameBytes(name: string): number {
  const plain = String(name).replace(/^\.|\.$/gm, "");
  if (plain === "") return 1;
  let total = 1;
  for (const label of plain.split(".")) {
    const bytes = Buffer.byteLength(label);
    if (bytes < 1 || bytes > 63) {
      throw new WireFormatError(
        bytes === 0
          ? `name ${shortQuote(name)} has an empty label`
          : `name has a label of ${bytes} bytes (1 to 63 allowed): ${shortQuote(label)}`,
      );
    }
    total += bytes + 1;
  }
  if (total > 255) throw new WireFormatError(`name longer than 255 bytes (${total})`);
  return total;
}

/** A name or label for an error message, cut at 40 characters. */
function shortQuote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

// The types of dns-packet under the same name, for `packet.Answer` and the like.
/** @internal */
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace packet {
  type Answer = import("dns-packet").Answer;
  type Packet = import("dns-packet").Packet;
}
/** Whether dns-packet can be loaded, for callers that can do without DNS. */
export function dnsPacketAvailable(): boolean {
  try {
    loadPacket();
    return true;
  } catch {
    return false;
  }
}

/** @internal dns-packet, loaded at first use. */
export const packet: DnsPacket = new Proxy({} as DnsPacket, {
  get: (_target, key) => loadPacket()[key as keyof DnsPacket],
});

/** A message that cannot be walked. The text names the part, never the data. */
export class WireFormatError extends Error {
  override name = "WireFormatError";
}

export const HEADER_BYTES = 12;
/** The largest DNS message (the TCP length prefix is 16 bits). */
export const MAX_MESSAGE_BYTES = 65_535;

export const OPCODE = { QUERY: 0, NOTIFY: 4 } as const;

export const RCODE = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  NOTAUTH: 9,
} as const;

export const FLAG = {
  QR: 1 << 15,
  AA: 1 << 10,
  TC: 1 << 9,
  RD: 1 << 8,
} as const;

export const TYPE = { SOA: 6, TSIG: 250, IXFR: 251, AXFR: 252 } as const;
export const CLASS_ANY = 255;

export interface Header {
  id: number;
  flags: number;
  opcode: number;
  rcode: number;
  qdcount: number;
  ancount: number;
  nscount: number;
  arcount: number;
}

export function readHeader(message: Buffer): Header {
  if (message.length < HEADER_BYTES) throw new WireFormatError("message shorter than a header");
  const flags = message.readUInt16BE(2);
  return {
    id: message.readUInt16BE(0),
    flags,
    opcode: (flags >> 11) & 0xf,
    rcode: flags & 0xf,
    qdcount: message.readUInt16BE(4),
    ancount: message.readUInt16BE(6),
    nscount: message.readUInt16BE(8),
    arcount: message.readUInt16BE(10),
  };
}

/** The offset just past the (possibly compressed) name at `offset`. */
export function skipName(message: Buffer, offset: number): number {
  let at = offset;
  for (;;) {
    if (at >= message.length) throw new WireFormatError("name runs past the end");
    const len = message[at]!;
    if (len === 0) return at + 1;
    if ((len & 0xc0) === 0xc0) {
      if (at + 2 > message.length) throw new WireFormatError("name pointer runs past the end");
      return at + 2;
    }
    if ((len & 0xc0) !== 0) throw new WireFormatError("name has a bad label type");
    at += 1 + len;
  }
}

/** The labels of the name at `offset`, as octets, following compression pointers (only backwards, so it ends). */
function nameLabels(message: Buffer, offset: number): Buffer[] {
  const labels: Buffer[] = [];
  let at = offset;
  let limit = offset; // pointers must go strictly backwards
  let total = 0;
  for (;;) {
    if (at >= message.length) throw new WireFormatError("name runs past the end");
    const len = message[at]!;
    if (len === 0) break;
    if ((len & 0xc0) === 0xc0) {
      if (at + 2 > message.length) throw new WireFormatError("name pointer runs past the end");
      const target = message.readUInt16BE(at) & 0x3fff;
      if (target >= limit) throw new WireFormatError("name pointer does not point backwards");
      at = limit = target;
      continue;
    }
    if ((len & 0xc0) !== 0) throw new WireFormatError("name has a bad label type");
    if (at + 1 + len > message.length) throw new WireFormatError("label runs past the end");
    total += len + 1;
    if (total > 255) throw new WireFormatError("name longer than 255 bytes");
    labels.push(message.subarray(at + 1, at + 1 + len));
    at += 1 + len;
  }
  return labels;
}

/** Reads a name as a Latin-1 string (one character per octet, so no octet is lost). */
export function readName(message: Buffer, offset: number): string {
  return nameLabels(message, offset)
    .map((label) => label.toString("latin1"))
    .join(".");
}

/**
 * The question section of a one-question message, uncompressed, its octets as
 * they came: what a response echoes. dns-packet decodes labels as UTF-8 and
 * would write back U+FFFD for octets that are not, so the response takes these
 * bytes instead (withQuestion).
 */
export function questionSection(message: Buffer): Buffer {
  const end = skipQuestion(message, HEADER_BYTES);
  const labels = nameLabels(message, HEADER_BYTES);
  return Buffer.concat([
    ...labels.flatMap((label) => [Buffer.from([label.length]), label]),
    Buffer.from([0]),
    message.subarray(end - 4, end),
  ]);
}

/** `message` (encoded with no question) with `question` as its one question. */
export function withQuestion(message: Buffer, question: Buffer): Buffer {
  const out = Buffer.concat([
    message.subarray(0, HEADER_BYTES),
    question,
    message.subarray(HEADER_BYTES),
  ]);
  out.writeUInt16BE(1, 4);
  return out;
}

/** The offset just past the question at `offset`. */
export function skipQuestion(message: Buffer, offset: number): number {
  const end = skipName(message, offset) + 4;
  if (end > message.length) throw new WireFormatError("question runs past the end");
  return end;
}

/** The offset just past the resource record at `offset`. */
export function skipRecord(message: Buffer, offset: number): number {
  const fixed = skipName(message, offset);
  if (fixed + 10 > message.length) throw new WireFormatError("record header runs past the end");
  const end = fixed + 10 + message.readUInt16BE(fixed + 8);
  if (end > message.length) throw new WireFormatError("record data runs past the end");
  return end;
}

/** Lower-case, absolute, without the trailing dot: how names are compared here. */
export function normalizeName(name: string): string {
  const trimmed = name.endsWith(".") ? name.slice(0, -1) : name;
  return trimmed.toLowerCase();
}

/**
 * A name in canonical wire form (RFC 4034 6.2): lower case, uncompressed. Labels
 * are octets: a name from zone data is written in UTF-8, as dns-packet writes it,
 * and measured in those octets; a name read off the wire by readName (Latin-1,
 * one character per octet) is written back with `"latin1"`.
 */
export function canonicalName(name: string, encoding: "utf8" | "latin1" = "utf8"): Buffer {
  const trimmed = name.endsWith(".") ? name.slice(0, -1) : name;
  // RFC 4034 6.2 and RFC 4343: only the ASCII letters have a case.
  const plain = trimmed.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
  if (encoding === "utf8" && plain.includes("\\")) return escapedName(plain);
  const parts: Buffer[] = [];
  if (plain !== "") {
    for (const label of plain.split(".")) {
      const bytes = Buffer.from(label, encoding);
      if (bytes.length < 1 || bytes.length > 63) {
        throw new WireFormatError(`name has a label of ${bytes.length} bytes (1 to 63 allowed)`);
      }
      parts.push(Buffer.from([bytes.length]), bytes);
    }
  }
  parts.push(Buffer.from([0]));
  const out = Buffer.concat(parts);
  if (out.length > 255)
    throw new WireFormatError(`name is ${out.length} octets long (255 allowed)`);
  return out;
}

/** A name with escapes (names.ts: `\.`, `\\`, `\DDD`) as its octets on the wire. */
function escapedName(name: string): Buffer {
  try {
    return Buffer.from(nameOctets(name));
  } catch (error) {
    throw new WireFormatError(`name ${shortQuote(name)}: ${(error as Error).message}`);
  }
}

/**
 * The octets of an IP address: 4 for IPv4 and for an IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d, as a dual-stack socket reports an IPv4 peer), 16 for other
 * IPv6; undefined for anything that is not an address. A zone index (%eth0) is
 * left out.
 */
export function addressBytes(address: string): number[] | undefined {
  const plain = address.split("%")[0]!;
  const version = isIP(plain);
  if (version === 4) return plain.split(".").map(Number);
  if (version !== 6) return undefined;
  const groups = (part: string): number[] =>
    part === ""
      ? []
      : part.split(":").flatMap((group) => {
          if (!group.includes(".")) return [parseInt(group, 16)];
          const [a, b, c, d] = group.split(".").map(Number) as [number, number, number, number];
          return [(a << 8) | b, (c << 8) | d];
        });
  const [head = "", tail] = plain.split("::");
  const front = groups(head);
  const back = tail === undefined ? [] : groups(tail);
  const words = [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
  const bytes = words.flatMap((word) => [word >> 8, word & 0xff]);
  const mapped =
    bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return mapped ? bytes.slice(12) : bytes;
}

/** Whether two strings name the same IP address (::1 and 0:0:0:0:0:0:0:1, 127.0.0.1 and ::ffff:127.0.0.1). */
export function sameAddress(a: string, b: string): boolean {
  const x = addressBytes(a);
  const y = addressBytes(b);
  return x !== undefined && y !== undefined && x.join(".") === y.join(".");
}

/** Whether `value` is a TCP or UDP port a server can be reached at: a whole number from 1 to 65535. */
export function isPort(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535;
}

/** An address and port as people and `--primary` write them: "127.0.0.1:5353", "[::1]:5353". */
export function formatAddress(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * True for 127.0.0.0/8 and ::1, also written as ::ffff:127.x.y.z. Parsed, not
 * matched as text: 2001:db8::1 and fe80::1 end in "::1" and are not loopback.
 */
export function isLoopbackAddress(address: string): boolean {
  const bytes = addressBytes(address);
  if (bytes?.length === 4) return bytes[0] === 127;
  return bytes?.length === 16 && bytes.slice(0, 15).every((b) => b === 0) && bytes[15] === 1;
}
