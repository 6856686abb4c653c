#!/usr/bin/env node
/** The `cf-secondary-dns` bin: runs the CLI on this process's arguments and streams. */
import { runCli } from "./run.js";

const stop = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => stop.abort());

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
