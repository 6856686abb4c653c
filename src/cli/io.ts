/**
 * What a command may touch, passed in so tests run the CLI in-process: the
 * environment, two output streams, and a signal that stops foreground commands.
 */
export interface CliIo {
  env: Readonly<Record<string, string | undefined>>;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Stops a command that runs until interrupted (`emulator`). main.ts ties it to SIGINT/SIGTERM. */
  signal?: AbortSignal | undefined;
  /** Read by `--secret-file -` only (a TSIG secret); main.ts gives process.stdin. */
  stdin?: AsyncIterable<string | Uint8Array> | undefined;
}

export const EXIT = {
  ok: 0,
  /** The API answered with an error (or the emulator could not start). */
  apiError: 1,
  /** Bad usage, or an argument the client refused. */
  usage: 2,
  /** No answer: the connection failed or timed out. */
  unreachable: 3,
  /** Stopped by Ctrl+C (SIGINT) or SIGTERM in the middle of a call, as shells count it. */
  interrupted: 130,
} as const;

/** Bad usage: the message says which argument and why; `help` names the help to read. */
export class UsageError extends Error {
  readonly help: string;

  constructor(message: string, help: string) {
    super(message);
    this.help = help;
  }
}
