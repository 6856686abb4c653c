import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addToSerial, compareSerials, nextSerial, serialDistance } from "../../src/dns/serial.js";

const MAX = 4294967295;

describe("RFC 1982 serial arithmetic", () => {
  it("orders serials the way RFC 1982 section 3.2 does, across the wrap", () => {
    expect(compareSerials(1, 2)).toBe(-1);
    expect(compareSerials(2, 1)).toBe(1);
    expect(compareSerials(7, 7)).toBe(0);
    expect(compareSerials(MAX, 0)).toBe(-1); // 0 comes after 4294967295
    expect(compareSerials(0, MAX)).toBe(1);
    expect(compareSerials(MAX - 5, 10)).toBe(-1);
    expect(compareSerials(0, 2 ** 31)).toBeUndefined(); // exactly half-way: undefined
    expect(compareSerials(0, 2 ** 31 - 1)).toBe(-1);
    expect(compareSerials(0, 2 ** 31 + 1)).toBe(1);
  });

  it("adds modulo 2^32 and refuses increments the RFC leaves undefined", () => {
    expect(addToSerial(MAX, 1)).toBe(0);
    expect(addToSerial(MAX - 1, 3)).toBe(1);
    expect(nextSerial(41)).toBe(42);
    expect(nextSerial(MAX)).toBe(0);
    expect(() => addToSerial(1, 2 ** 31)).toThrow(RangeError);
    expect(() => addToSerial(1, -1)).toThrow(RangeError);
    expect(() => addToSerial(2 ** 32, 1)).toThrow(/0 to 4294967295/);
    expect(() => compareSerials(1.5, 1)).toThrow(RangeError);
  });

  it("says how far behind a serial is, and nothing when it is not behind", () => {
    expect(serialDistance(10, 13)).toBe(3);
    expect(serialDistance(MAX, 2)).toBe(3);
    expect(serialDistance(5, 5)).toBe(0);
    expect(serialDistance(13, 10)).toBeUndefined();
  });

  it("a serial plus n (0 < n < 2^31) always follows it, at distance n", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        (s, n) => {
          const later = addToSerial(s, n);
          expect(compareSerials(s, later)).toBe(-1);
          expect(compareSerials(later, s)).toBe(1);
          expect(serialDistance(s, later)).toBe(n);
        },
      ),
    );
  });
});
