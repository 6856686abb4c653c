/**
 * TSIG (RFC 8945) on node:crypto: signing and verifying DNS messages with a
 * shared HMAC key, including the chained MACs of a multi-message zone transfer.
 *
 * Digest input (section 4.3.3):
 *   request         = message without its TSIG + all TSIG variables
 *   first response  = request MAC (2-byte length + MAC) + message + all variables
 *   later messages  = prior MAC (2-byte length + MAC) + message + timers only
 * where "message" is the exact bytes received, ARCOUNT one less and the ID set
 * back to the TSIG's original ID, and the variables are the key name and the
 * algorithm name in canonical form, class ANY, TTL 0, the 48-bit time signed,
 * fudge, error, other length and other data. The timers are time + fudge.
 *
 * A key's secret is held in a private field: it never shows in JSON, in
 * util.inspect, or in any error message this module builds.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { inspect } from "node:util";
import { TSIG_ALGORITHMS, TSIG_DIGESTS, tsigAlgorithm, type TsigAlgorithm } from "./algorithms.js";
import {
  CLASS_ANY,
  TYPE,
  WireFormatError,
  canonicalName,
  normalizeName,
  readHeader,
  readName,
  skipQuestion,
  skipRecord,
} from "./wire.js";

export { TSIG_ALGORITHMS, TSIG_DIGESTS, type TsigAlgorithm } from "./algorithms.js";

/** TSIG error codes (RFC 8945 section 3); these go with RCODE NOTAUTH. */
export const TSIG_ERROR = {
  NOERROR: 0,
  BADSIG: 16,
  BADKEY: 17,
  BADTIME: 18,
  BADTRUNC: 22,
} as const;

export type TsigErrorName = Exclude<keyof typeof TSIG_ERROR, "NOERROR">;

export function tsigErrorName(code: number): string {
  const found = Object.entries(TSIG_ERROR).find(([, value]) => value === code);
  return found ? found[0] : `TSIG error ${code}`;
}

/** The default fudge (seconds of clock difference accepted), as RFC 8945 recommends. */
export const DEFAULT_FUDGE = 300;

/** A TSIG key as configured: key name, algorithm (with or without the trailing dot), base64 secret. */
export interface TsigKeyInput {
  name: string;
  algorithm: string;
  secret: string;
  /**
   * Why this key cannot be used, when whoever holds it knows (a peer naming a
   * TSIG that no longer exists): the key is then refused with this reason, so
   * the peer's transfers stay closed instead of being served unsigned.
   */
  unusable?: string;
}

/** Thrown for an unusable key definition. The message never contains the secret. */
export class TsigKeyError extends Error {
  override name = "TsigKeyError";
}

export class TsigKey {
  /** The key name, lower case, with a trailing dot (as servers write it). */
  readonly name: string;
  /** The algorithm's DNS name with its trailing dot, e.g. `hmac-sha256.`. */
  readonly algorithm: TsigAlgorithm;
  readonly #secret: Buffer;

  constructor(input: TsigKeyInput) {
    if (input.unusable !== undefined) throw new TsigKeyError(input.unusable);
    const algorithm =
      typeof input.algorithm === "string" ? tsigAlgorithm(input.algorithm) : undefined;
    if (!algorithm) {
      throw new TsigKeyError(
        `unsupported TSIG algorithm "${String(input.algorithm)}" (supported: ${TSIG_ALGORITHMS.join(", ")})`,
      );
    }
    if (typeof input.name !== "string" || normalizeName(input.name) === "") {
      throw new TsigKeyError("a TSIG key needs a name");
    }
    try {
      wireName(input.name);
    } catch (error) {
      throw new TsigKeyError(`TSIG key name is not a valid DNS name: ${(error as Error).message}`);
    }
    const secret =
      typeof input.secret === "string" && /^[A-Za-z0-9+/]+={0,2}$/.test(input.secret.trim())
        ? Buffer.from(input.secret.trim(), "base64")
        : Buffer.alloc(0);
    if (secret.length === 0) {
      throw new TsigKeyError(
        `the secret of TSIG key "${input.name}" is not valid non-empty base64`,
      );
    }
    this.name = `${normalizeName(input.name)}.`;
    this.algorithm = algorithm;
    this.#secret = secret;
  }

  /** Whether this key is the one a TSIG record names (names compare case-insensitively). */
  matches(keyName: string, algorithm: string): boolean {
    return (
      normalizeName(keyName) === normalizeName(this.name) &&
      normalizeName(algorithm) === normalizeName(this.algorithm)
    );
  }

  /** The HMAC over `parts` with this key. */
  mac(parts: readonly Buffer[]): Buffer {
    const hmac = createHmac(TSIG_DIGESTS[this.algorithm].hash, this.#secret);
    for (const part of parts) hmac.update(part);
    return hmac.digest();
  }

  toJSON(): { name: string; algorithm: string } {
    return { name: this.name, algorithm: this.algorithm };
  }

  [inspect.custom](): string {
    return `TsigKey { name: '${this.name}', algorithm: '${this.algorithm}', secret: [hidden] }`;
  }
}

/** The fields of a TSIG record found in a message. */
export interface TsigRecord {
  keyName: string;
  algorithm: string;
  timeSigned: number;
  fudge: number;
  mac: Buffer;
  originalId: number;
  error: number;
  other: Buffer;
  /** Offset of the TSIG record in the message (everything before it is what was signed). */
  offset: number;
}

/**
 * The TSIG record of a message, or undefined when it has none. Only the last
 * additional record may be a TSIG (RFC 8945 section 5.1): one elsewhere, like a
 * message that cannot be walked, throws WireFormatError (answered FORMERR).
 */
export function findTsig(message: Buffer): TsigRecord | undefined {
  const header = readHeader(message);
  if (header.arcount === 0) return undefined;
  let at = 12;
  for (let i = 0; i < header.qdcount; i++) at = skipQuestion(message, at);
  const before = header.ancount + header.nscount + header.arcount - 1;
  for (let i = 0; i < before; i++) {
    const next = skipRecord(message, at);
    if (message.readUInt16BE(skipNameOffset(message, at)) === TYPE.TSIG) {
      throw new WireFormatError("a TSIG record that is not the last record");
    }
    at = next;
  }
  const offset = at;
  const end = skipRecord(message, offset);
  const typeAt = skipNameOffset(message, offset);
  if (message.readUInt16BE(typeAt) !== TYPE.TSIG) return undefined;
  const keyName = readName(message, offset);
  const rdStart = typeAt + 10;
  const algorithm = readName(message, rdStart);
  let q = skipNameOffset(message, rdStart);
  const need = (n: number) => {
    if (q + n > end) throw new WireFormatError("TSIG record data is too short");
  };
  need(10);
  const timeSigned = message.readUIntBE(q, 6);
  const fudge = message.readUInt16BE(q + 6);
  const macSize = message.readUInt16BE(q + 8);
  q += 10;
  need(macSize + 6);
  const mac = Buffer.from(message.subarray(q, q + macSize));
  q += macSize;
  const originalId = message.readUInt16BE(q);
  const error = message.readUInt16BE(q + 2);
  const otherLen = message.readUInt16BE(q + 4);
  q += 6;
  need(otherLen);
  const other = Buffer.from(message.subarray(q, q + otherLen));
  return { keyName, algorithm, timeSigned, fudge, mac, originalId, error, other, offset };
}

/**
 * A name of a TSIG record in canonical form. Key and algorithm names read from a
 * message are kept as Latin-1 strings (one character per octet), so writing
 * them back in Latin-1 gives the octets the peer signed, whatever they are.
 */
function wireName(name: string): Buffer {
  return canonicalName(name, "latin1");
}

function skipNameOffset(message: Buffer, offset: number): number {
  // skipRecord already validated the name; this finds where it ends.
  let at = offset;
  for (;;) {
    const len = message[at]!;
    if (len === 0) return at + 1;
    if ((len & 0xc0) === 0xc0) return at + 2;
    at += 1 + len;
  }
}

/** The bytes a TSIG signs: the message without its TSIG, ARCOUNT one less, ID set back. */
function unsignedPart(message: Buffer, record: TsigRecord): Buffer {
  const copy = Buffer.from(message.subarray(0, record.offset));
  copy.writeUInt16BE(record.originalId, 0);
  copy.writeUInt16BE(copy.readUInt16BE(10) - 1, 10);
  return copy;
}

function uint48(value: number): Buffer {
  const out = Buffer.alloc(6);
  out.writeUIntBE(value, 0, 6);
  return out;
}

function uint16(value: number): Buffer {
  const out = Buffer.alloc(2);
  out.writeUInt16BE(value, 0);
  return out;
}

function withLength(mac: Buffer): Buffer[] {
  return [uint16(mac.length), mac];
}

interface Variables {
  keyName: string;
  algorithm: string;
  timeSigned: number;
  fudge: number;
  error: number;
  other: Buffer;
}

function variables(v: Variables): Buffer[] {
  return [
    wireName(v.keyName),
    uint16(CLASS_ANY),
    Buffer.alloc(4), // TTL 0
    wireName(v.algorithm),
    uint48(v.timeSigned),
    uint16(v.fudge),
    uint16(v.error),
    uint16(v.other.length),
    v.other,
  ];
}

/** Where a message sits in an exchange, which decides what its MAC covers. */
export type TsigContext =
  /** A request (query, transfer request, NOTIFY). */
  | { kind: "request" }
  /** The first (or only) response to a request whose MAC this was. */
  | { kind: "response"; requestMac: Buffer }
  /**
   * A later message of a multi-message response, after the message whose MAC
   * this was; `between`: the unsigned messages received since (RFC 8945 5.3.1).
   */
  | { kind: "continuation"; priorMac: Buffer; between?: readonly Buffer[] };

function digestParts(context: TsigContext, body: Buffer, v: Variables): Buffer[] {
  switch (context.kind) {
    case "request":
      return [body, ...variables(v)];
    case "response":
      return [...withLength(context.requestMac), body, ...variables(v)];
    case "continuation":
      return [
        ...withLength(context.priorMac),
        ...(context.between ?? []),
        body,
        uint48(v.timeSigned),
        uint16(v.fudge),
      ];
  }
}

function tsigRecordBytes(v: Variables & { mac: Buffer; originalId: number }): Buffer {
  const rdata = Buffer.concat([
    wireName(v.algorithm),
    uint48(v.timeSigned),
    uint16(v.fudge),
    ...withLength(v.mac),
    uint16(v.originalId),
    uint16(v.error),
    uint16(v.other.length),
    v.other,
  ]);
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(TYPE.TSIG, 0);
  fixed.writeUInt16BE(CLASS_ANY, 2);
  fixed.writeUInt32BE(0, 4);
  fixed.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([wireName(v.keyName), fixed, rdata]);
}

function appendRecord(message: Buffer, record: Buffer): Buffer {
  const out = Buffer.concat([message, record]);
  out.writeUInt16BE(out.readUInt16BE(10) + 1, 10);
  return out;
}

export interface SignOptions {
  /** Seconds since the epoch; defaults to now. */
  timeSigned?: number;
  fudge?: number;
  /** A TSIG error to report in a signed response (BADTIME). */
  error?: number;
  other?: Buffer;
}

/** Appends a TSIG record to `message` and returns the signed message and its MAC. */
export function signMessage(
  message: Buffer,
  key: TsigKey,
  context: TsigContext,
  options: SignOptions = {},
): { message: Buffer; mac: Buffer } {
  const v: Variables = {
    keyName: key.name,
    algorithm: key.algorithm,
    timeSigned: options.timeSigned ?? Math.floor(Date.now() / 1000),
    fudge: options.fudge ?? DEFAULT_FUDGE,
    error: options.error ?? TSIG_ERROR.NOERROR,
    other: options.other ?? Buffer.alloc(0),
  };
  const mac = key.mac(digestParts(context, message, v));
  const originalId = message.readUInt16BE(0);
  return { message: appendRecord(message, tsigRecordBytes({ ...v, mac, originalId })), mac };
}

/**
 * Appends an unsigned TSIG record (empty MAC) carrying `error`: the answer to a
 * request whose key is unknown (BADKEY) or whose MAC is wrong (BADSIG), RFC 8945
 * section 5.3.2. The key and algorithm names are echoed from the request.
 */
export function appendTsigError(message: Buffer, request: TsigRecord, error: number): Buffer {
  return appendRecord(
    message,
    tsigRecordBytes({
      keyName: request.keyName,
      algorithm: request.algorithm,
      timeSigned: request.timeSigned,
      fudge: request.fudge,
      error,
      other: Buffer.alloc(0),
      mac: Buffer.alloc(0),
      originalId: message.readUInt16BE(0),
    }),
  );
}

export type VerifyResult =
  | { status: "unsigned" }
  | { status: "ok"; key: TsigKey; record: TsigRecord }
  /** The message is signed, but not acceptably: `error` is BADKEY, BADSIG or BADTIME. */
  | { status: "bad"; error: number; record: TsigRecord; key?: TsigKey }
  /** A response that carries a TSIG error from the other side (its MAC is empty). */
  | { status: "peer-error"; error: number; record: TsigRecord };

export interface VerifyOptions {
  /** Seconds since the epoch; defaults to now. */
  now?: number;
}

/**
 * Checks the TSIG of `message` against the keys `lookup` knows.
 * Order of checks as in RFC 8945 section 5.2: key, then MAC, then time.
 */
export function verifyMessage(
  message: Buffer,
  lookup: (keyName: string, algorithm: string) => TsigKey | undefined,
  context: TsigContext,
  options: VerifyOptions = {},
): VerifyResult {
  const record = findTsig(message);
  if (!record) return { status: "unsigned" };
  if (
    context.kind !== "request" &&
    record.error !== TSIG_ERROR.NOERROR &&
    record.mac.length === 0
  ) {
    return { status: "peer-error", error: record.error, record };
  }
  const key = lookup(record.keyName, record.algorithm);
  if (!key) return { status: "bad", error: TSIG_ERROR.BADKEY, record };
  const expected = key.mac(
    digestParts(context, unsignedPart(message, record), {
      keyName: record.keyName,
      algorithm: record.algorithm,
      timeSigned: record.timeSigned,
      fudge: record.fudge,
      error: record.error,
      other: record.other,
    }),
  );
  // Truncated MACs (RFC 8945 5.2.2.1) are not accepted: only the full length.
  if (record.mac.length !== expected.length || !timingSafeEqual(record.mac, expected)) {
    return { status: "bad", error: TSIG_ERROR.BADSIG, record, key };
  }
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - record.timeSigned) > record.fudge) {
    return { status: "bad", error: TSIG_ERROR.BADTIME, record, key };
  }
  if (context.kind !== "request" && record.error !== TSIG_ERROR.NOERROR) {
    return { status: "peer-error", error: record.error, record };
  }
  return { status: "ok", key, record };
}

/** A lookup over a list of keys, for verifyMessage. */
export function keyLookup(
  keys: readonly TsigKey[],
): (name: string, algorithm: string) => TsigKey | undefined {
  return (name, algorithm) => keys.find((key) => key.matches(name, algorithm));
}
