/**
 * TSIG secrets in a transfers file: never the secret, only where to read it
 * (`{ env: NAME }` or `{ file: PATH }`) and a fingerprint, so that plan can
 * tell a secret that differs without anyone holding it.
 *
 * The fingerprint is `sha256:` and the first 32 hex digits (128 bits) of the
 * SHA-256 of the secret as the API holds it (the base64 text; the API returns
 * it on every read, so the live side is always known). A hash of a random
 * 32-byte key reveals nothing usable; of a guessable secret it would allow
 * guessing offline, which is one more reason to make keys with `newTsigSecret`.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { SecretRef } from "./format.js";

const FINGERPRINT_HEX_DIGITS = 32;

export function fingerprint(secret: string): string {
  const digest = createHash("sha256").update(secret, "utf8").digest("hex");
  return `sha256:${digest.slice(0, FINGERPRINT_HEX_DIGITS)}`;
}

/** Where secrets are looked up: the environment and the file system. */
export interface SecretSources {
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Reads a secret file (default: node:fs), given the path as the transfers file resolves it. */
  readFile?: ((path: string) => Promise<string>) | undefined;
  /** Resolves a relative `file:` (default: as given). */
  resolvePath?: ((path: string) => string) | undefined;
}

/** The secret a reference points at, or undefined when it is not available (unset, unreadable). */
export async function readSecret(
  ref: SecretRef,
  sources: SecretSources,
): Promise<string | undefined> {
  if ("env" in ref) {
    const value = (sources.env ?? process.env)[ref.env]?.trim();
    return value ? value : undefined;
  }
  const path = (sources.resolvePath ?? ((p: string) => p))(ref.file);
  try {
    const text = await (sources.readFile ?? ((p: string) => readFile(p, "utf8")))(path);
    return text.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The reference, in words, for messages: `environment variable X` or `file Y`. */
export function describeRef(ref: SecretRef): string {
  return "env" in ref ? `environment variable ${ref.env}` : `file ${ref.file}`;
}

/** The environment variable `import` names for a key: TSIG_SECRET_ and its name in capitals. */
export function secretEnvName(keyName: string): string {
  const stem = keyName
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  return `TSIG_SECRET_${stem}`;
}
