/**
 * Small helpers over raw DNS messages (RFC 1035 section 4), for what dns-packet
 * does not do: walking a message without re-encoding it (TSIG signs the exact
 * bytes a peer sent, compressed names and all), canonical names, and the header
 * fields its types leave out (opcode, rcode).
 */
import { createRequire } from "node:module";

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
    loaded = createRequire(import.meta.url)("dns-packet") as DnsPacket;
  } catch (error) {
    throw new Error(
      "DNS on the wire (the emulator's primary, outgoing doctor and setup's checks) needs the optional dependency dns-packet: npm install dns-packet@5.6.1",
      { cause: error },
    );
  }
  return loaded;
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

/** Reads a name, following compression pointers (only backwards, so it ends). */
export function readName(message: Buffer, offset: number): string {
  const labels: string[] = [];
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
    labels.push(message.toString("latin1", at + 1, at + 1 + len));
    at += 1 + len;
  }
  return labels.join(".");
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

/** A name in canonical wire form (RFC 4034 6.2): lower case, uncompressed. */
export function canonicalName(name: string): Buffer {
  const plain = normalizeName(name);
  const parts: Buffer[] = [];
  if (plain !== "") {
    for (const label of plain.split(".")) {
      const bytes = Buffer.from(label, "latin1");
      if (bytes.length < 1 || bytes.length > 63) {
        throw new WireFormatError(`name has a label of ${bytes.length} bytes (1 to 63 allowed)`);
      }
      parts.push(Buffer.from([bytes.length]), bytes);
    }
  }
  parts.push(Buffer.from([0]));
  const out = Buffer.concat(parts);
  if (out.length > 255) throw new WireFormatError("name longer than 255 bytes");
  return out;
}

/** True for 127.0.0.0/8 and ::1 (also written as ::ffff:127.x.y.z). */
export function isLoopbackAddress(address: string): boolean {
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4)) {
    return v4.split(".").every((part) => Number(part) <= 255);
  }
  return /^(0{0,4}:){2,7}0{0,3}1$/i.test(address) || address === "::1";
}
