/**
 * Timestamps as the real API writes them: RFC 3339 with microseconds and an
 * explicit offset, e.g. 2019-10-24T17:09:42.883908+00:00.
 */
export function timestamp(epochMicros: number = nowMicros()): string {
  const millis = Math.floor(epochMicros / 1000);
  const micros = String(Math.floor(epochMicros) % 1_000_000).padStart(6, "0");
  return `${new Date(millis).toISOString().slice(0, 19)}.${micros}+00:00`;
}

/** Microseconds since the epoch; performance.now() supplies the digits below a millisecond. */
export function nowMicros(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}
