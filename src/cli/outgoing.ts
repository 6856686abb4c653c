/**
 * `cf-secondary-dns outgoing setup|doctor`, the hand-written actions of outgoing
 * (its other actions are table-driven, resource.ts), and what every command that
 * calls the API shares: the client's options from flags and environment, and a
 * ValidationError of the client turned into a usage error naming the argument.
 */
import { ValidationError, type ClientOptions, type PublicCoreOptions } from "../index.js";
import { strictResults } from "../client/results.js";
import { CLIENT_FLAGS } from "./help.js";
import { UsageError, type CliIo } from "./io.js";
import { wholeNumber } from "./parse.js";
import { runResource } from "./resource.js";

/** The client's flags, listed with their help in help.ts; setup and the other commands take them too. */
export { CLIENT_FLAGS };

export async function runOutgoing(argv: string[], io: CliIo): Promise<number> {
  const [actionName, ...rest] = argv;
  // Loaded only when asked for: it brings the DNS library's configuration writers.
  if (actionName === "setup") return (await import("./setup.js")).runSetup(rest, io);
  if (actionName === "doctor") return (await import("./doctor.js")).runDoctorCommand(rest, io);
  // The other actions are the spec's operations, table-driven like every resource's.
  return runResource("outgoing", argv, io);
}

/** Credentials from the given environment only, so the CLI does what its caller's env says. */
export function clientOptions(
  io: CliIo,
  help: string,
  baseUrl: string | undefined,
  timeout: string | undefined,
  retries: string | undefined,
): ClientOptions {
  const env = (name: string) => (io.env[name] === "" ? undefined : io.env[name]);
  const token = env("CLOUDFLARE_API_TOKEN");
  const email = env("CLOUDFLARE_EMAIL");
  const key = env("CLOUDFLARE_API_KEY");
  if (token === undefined && email === undefined && key === undefined) {
    throw new UsageError(
      "no credentials: set CLOUDFLARE_API_TOKEN (or CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY)",
      help,
    );
  }
  return {
    ...(token !== undefined ? { apiToken: token } : { apiEmail: email ?? "", apiKey: key ?? "" }),
    ...connectionOptions(io, help, baseUrl, timeout, retries),
  };
}

/** The client options from flags and environment that are not credentials: what a public call (`ips`) needs. */
export function connectionOptions(
  io: CliIo,
  help: string,
  baseUrl: string | undefined,
  timeout: string | undefined,
  retries: string | undefined,
): PublicCoreOptions {
  const base = io.env.CLOUDFLARE_BASE_URL === "" ? undefined : io.env.CLOUDFLARE_BASE_URL;
  return {
    baseUrl: baseUrl ?? base,
    timeoutMs: wholeNumber(timeout, "--timeout", help),
    maxRetries: wholeNumber(retries, "--retries", help),
    userAgent: "cli",
    validateResults: strictResults, // a result off the spec is an error, not a crash
  };
}

/** A client's reason in the CLI's words: "is required with apiEmail" names CLOUDFLARE_EMAIL. */
function reasonFor(reason: string, baseUrlFrom: string): string {
  const names = clientArgumentNames(baseUrlFrom);
  return reason.replace(
    /\b(apiToken|apiEmail|apiKey|baseUrl|timeoutMs|maxRetries)\b/g,
    (name) => names[name] ?? name,
  );
}

/** The flag or variable each client option comes from, for every command's usage errors. */
export function clientArgumentNames(baseUrlFrom: string): Record<string, string> {
  return {
    accountId: "--account",
    apiToken: "CLOUDFLARE_API_TOKEN",
    apiEmail: "CLOUDFLARE_EMAIL",
    apiKey: "CLOUDFLARE_API_KEY",
    baseUrl: baseUrlFrom,
    timeoutMs: "--timeout",
    maxRetries: "--retries",
  };
}

/**
 * Runs `work`, turning a ValidationError into a UsageError that names the
 * argument: `argument` names the command's own (a field's flag, a positional),
 * the client's options are named here.
 */
export async function asUsage<T>(
  help: string,
  baseUrlFrom: string,
  work: () => Promise<T>,
  argument: (field: string) => string | undefined = () => undefined,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new UsageError(
      `invalid ${argument(error.field) ?? clientArgumentNames(baseUrlFrom)[error.field] ?? error.field}: ${reasonFor(error.reason, baseUrlFrom)}`,
      help,
    );
  }
}
