/**
 * Turns whatever a command threw into lines on stderr and an exit code. Expected
 * failures get a plain message; only a bug shows a stack trace.
 */
import { ApiError, ConnectionError, TimeoutError, ValidationError } from "../index.js";
import { PROGRAM } from "./help.js";
import { EXIT, UsageError, type CliIo } from "./io.js";
import { escapeText } from "../text.js";
import { ResultError } from "./output.js";

export function reportFailure(error: unknown, io: CliIo): number {
  // Messages quote the server and the command line: neither may steer the
  // terminal or add a line, so each line is escaped whole.
  const say = (text: string) => io.stderr.write(`${escapeText(text)}\n`);
  if (io.signal?.aborted) {
    say(`${PROGRAM}: interrupted`);
    return EXIT.interrupted;
  }
  if (error instanceof UsageError) {
    say(`${PROGRAM}: ${error.message}`);
    say(`Run "${error.help}" for usage.`);
    return EXIT.usage;
  }
  if (error instanceof ValidationError) {
    say(`${PROGRAM}: invalid ${error.field}: ${error.reason}`);
    return EXIT.usage;
  }
  if (error instanceof ApiError) {
    say(
      error.status < 300
        ? `${PROGRAM}: the API's answer to ${error.method} ${error.url} is not what the spec allows`
        : `${PROGRAM}: the API answered ${error.status} to ${error.method} ${error.url}`,
    );
    for (const item of error.errors) {
      const at = item.source?.pointer ? ` (at ${item.source.pointer})` : "";
      say(`  error ${item.code}: ${item.message}${at}`);
    }
    if (error.errors.length === 0) say(`  ${error.message}`);
    if (error.retryAfterMs !== undefined)
      say(`  retry after: ${Math.ceil(error.retryAfterMs / 1000)} s`);
    say(`  cf-ray: ${error.rayId ?? "(none)"}`);
    return EXIT.apiError;
  }
  if (error instanceof ResultError) {
    say(`${PROGRAM}: ${error.message}`);
    return error.exitCode;
  }
  if (error instanceof ConnectionError || error instanceof TimeoutError) {
    say(`${PROGRAM}: no answer from the API: ${error.message}`);
    return EXIT.unreachable;
  }
  say(`${PROGRAM}: unexpected error (please report it):`);
  const trace = error instanceof Error ? (error.stack ?? error.message) : String(error);
  for (const line of trace.split("\n")) say(line);
  return EXIT.apiError;
}
