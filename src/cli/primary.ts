/**
 * The primary that `outgoing doctor` asks and `outgoing setup` prints: the
 * address given (--primary, then the environment), else findPrimary's answer
 * for the API's base URL (the emulator names its DNS address; Cloudflare's API
 * means Cloudflare's transfer address). An API on loopback that names none is a
 * usage error naming --primary: nothing is ever sent to Cloudflare's address
 * because of a local API.
 */
import { findPrimary, parseAddress, PrimaryUnknownError, type FoundPrimary } from "../dns/index.js";
import { DEFAULT_BASE_URL } from "../client/options.js";
import { UsageError, type CliIo } from "./io.js";

export interface PrimaryChoice {
  /** --primary's text, if given. */
  flag: string | undefined;
  /** An environment variable read when --primary is not given (doctor's). */
  envName?: string | undefined;
  /** The API's base URL as the client uses it; undefined: Cloudflare's. */
  baseUrl: string | undefined;
  help: string;
}

/**
 * Resolves to a function that says the primary: the address itself when it is
 * known now, or, when the API did not answer the question, a second try made
 * after the command's own requests (which fail first when the API is down).
 */
export async function choosePrimary(
  io: CliIo,
  choice: PrimaryChoice,
): Promise<() => Promise<FoundPrimary>> {
  const fromEnv = choice.envName ? io.env[choice.envName] || undefined : undefined;
  const text = choice.flag ?? fromEnv;
  if (text !== undefined) {
    try {
      const given: FoundPrimary = { ...parseAddress(text), from: "given" };
      return () => Promise.resolve(given);
    } catch (error) {
      const from = choice.flag !== undefined ? "--primary" : choice.envName;
      throw new UsageError(`invalid ${from}: ${(error as Error).message}`, choice.help);
    }
  }
  const ask = async () => {
    try {
      return await findPrimary({ baseUrl: choice.baseUrl ?? DEFAULT_BASE_URL, signal: io.signal });
    } catch (error) {
      if (error instanceof PrimaryUnknownError) throw new UsageError(error.message, choice.help);
      throw error;
    }
  };
  const first = await ask();
  if (first) return () => Promise.resolve(first);
  return async () => {
    const later = await ask();
    if (later) return later;
    throw new UsageError(
      "the API did not say where its DNS primary is: give --primary HOST:PORT",
      choice.help,
    );
  };
}
