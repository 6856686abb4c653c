/**
 * SOA serial arithmetic (RFC 1982, SERIAL_BITS = 32). Serials are unsigned 32-bit
 * numbers that wrap: 1 comes after 4294967295. Two serials exactly 2^31 apart
 * are not comparable; `compareSerials` reports that as `undefined`.
 */

const MODULUS = 2 ** 32;
const HALF = 2 ** 31;

/** Whether `value` is a serial: an integer in [0, 2^32). */
export function isSerial(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) < MODULUS;
}

/** Throws a RangeError unless `value` is an integer in [0, 2^32). */
export function assertSerial(value: number, what = "serial"): void {
  if (!isSerial(value)) {
    throw new RangeError(`${what} must be an integer from 0 to 4294967295, got ${String(value)}`);
  }
}

/**
 * RFC 1982 addition: `serial + n` modulo 2^32, where n is in [0, 2^31 - 1]
 * (adding more is undefined by the RFC and refused here).
 */
export function addToSerial(serial: number, n: number): number {
  assertSerial(serial);
  if (!Number.isInteger(n) || n < 0 || n > HALF - 1) {
    throw new RangeError(`a serial increment must be an integer from 0 to 2147483647, got ${n}`);
  }
  return (serial + n) % MODULUS;
}

/**
 * -1 when a precedes b, 1 when a follows b, 0 when equal, undefined when the
 * two are exactly 2^31 apart (RFC 1982 leaves that case undefined).
 */
export function compareSerials(a: number, b: number): -1 | 0 | 1 | undefined {
  assertSerial(a, "first serial");
  assertSerial(b, "second serial");
  if (a === b) return 0;
  const forward = (b - a + MODULUS) % MODULUS; // steps from a up to b
  if (forward === HALF) return undefined;
  return forward < HALF ? -1 : 1;
}

/**
 * How many increments `behind` needs to reach `ahead`, when `behind` precedes
 * (or equals) `ahead` in RFC 1982 order; undefined otherwise. This is the
 * "behind by N" a secondary shows against its primary.
 */
export function serialDistance(behind: number, ahead: number): number | undefined {
  const order = compareSerials(behind, ahead);
  if (order === 0) return 0;
  if (order !== -1) return undefined;
  return (ahead - behind + MODULUS) % MODULUS;
}

/** The next serial after a change: +1, wrapping after 4294967295 to 0. */
export function nextSerial(serial: number): number {
  return addToSerial(serial, 1);
}
