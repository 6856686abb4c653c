/**
 * The emulator's HTTP timeouts when not given: read by startEmulator and by the
 * `emulator` command's help, so the help never restates a number.
 */
export const TIMEOUT_DEFAULTS = {
  requestTimeoutMs: 10_000,
  headersTimeoutMs: 5_000,
  keepAliveTimeoutMs: 5_000,
} as const;
