#!/usr/bin/env node
/** The `cf-secondary-dns` bin: runs the CLI on this process's arguments and streams. */
import { EXIT, runCli } from "./run.js";

/** How long a stopped command may take to let go of the event loop before the signal ends it. */
const LINGER_MS = 500;

const stop = new AbortController();
let received: NodeJS.Signals | undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    received ??= signal;
    stop.abort();
  });
}

process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  // A getter: process.stdin opens a handle on first use, and only --secret-file - needs one.
  get stdin() {
    return process.stdin;
  },
  signal: stop.signal,
});
// Stopped by a signal, the command has said so and returned; whatever still holds
// the event loop (a NOTIFY's retries) must not keep the process. A command cut
// short (exit 130) may be blocked in a read of a FIFO or a stuck mount, which even
// process.exit() waits for: the signal, raised again with its default action,
// ends it. A second signal does the same at once.
if (received) {
  const signal = received;
  const interrupted = process.exitCode === EXIT.interrupted;
  setTimeout(
    () => (interrupted ? process.kill(process.pid, signal) : process.exit()),
    LINGER_MS,
  ).unref();
}
