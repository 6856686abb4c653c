/**
 * TSIG secrets on the command line without typing them there, where shell
 * history and `ps` would keep them: `--secret-file PATH` reads one from a file,
 * `--secret-file -` from standard input. Standard input is read only when asked
 * for with `-`, never because it is not a terminal: scripts and CI jobs often
 * run with a pipe or /dev/null there, and a command must not wait on it or eat
 * input meant for something else. Without the flag, the caller generates one.
 */
import { open } from "node:fs/promises";
import { escapeText } from "../text.js";
import { PROGRAM } from "./help.js";
import { UsageError, type CliIo } from "./io.js";

/** A secret is a line of base64; a file much larger than any HMAC key is a mistake. */
export const SECRET_FILE_MAX_BYTES = 4096;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The secret in the file (or stdin for "-"), surrounding whitespace removed,
 * checked as base64. `flag` is the option that named the file, for messages.
 */
export async function readSecret(
  path: string,
  io: CliIo,
  help: string,
  flag = "--secret-file",
): Promise<string> {
  const from = path === "-" ? "standard input" : `${flag} ${JSON.stringify(path)}`;
  const text = path === "-" ? await readStdin(io, help) : await readFile(path, io, help, flag);
  const secret = text.trim();
  // The messages never quote the content: it is, or was meant to be, a secret.
  if (secret === "") throw new UsageError(`no secret in ${from}: it is empty`, help);
  if (!BASE64.test(secret))
    throw new UsageError(
      `the secret in ${from} is not base64 (one line, as "tsig-keygen" or "openssl rand -base64 32" print)`,
      help,
    );
  return secret;
}

async function readFile(path: string, io: CliIo, help: string, flag: string): Promise<string> {
  let file;
  try {
    file = await open(path, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "an error";
    throw new UsageError(`cannot read ${flag} ${JSON.stringify(path)}: ${code}`, help);
  }
  try {
    warnIfOthersRead((await file.stat()).mode, { path, flag, io });
    const buffer = Buffer.alloc(SECRET_FILE_MAX_BYTES + 1);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
    tooLarge(bytesRead, help);
    return buffer.subarray(0, bytesRead).toString("utf8");
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? "an error";
    throw new UsageError(`cannot read ${flag} ${JSON.stringify(path)}: ${code}`, help);
  } finally {
    await file.close();
  }
}

/** Read permission for the file's group or for everyone. */
const OTHERS_READ = 0o044;

/**
 * As ssh does for a private key, but going on: a secret file that others on
 * the machine can read gets a warning naming the file, its mode and the fix.
 * Only regular files: a pipe or a device has no permissions to fix. Windows
 * reports modes that do not say who else can read.
 */
function warnIfOthersRead(mode: number, at: { path: string; flag: string; io: CliIo }) {
  const isFile = (mode & 0o170000) === 0o100000;
  if (!isFile || process.platform === "win32" || (mode & OTHERS_READ) === 0) return;
  const octal = (mode & 0o7777).toString(8).padStart(4, "0");
  // As a shell reads it, so the fix can be pasted.
  const path = /^[\w@%+=:,./-]+$/.test(at.path) ? at.path : `'${at.path.replace(/'/g, "'\\''")}'`;
  const line = `${PROGRAM}: warning: ${at.flag} ${path} has mode ${octal}: others can read the secret in it; run chmod 600 ${path}`;
  at.io.stderr.write(`${escapeText(line)}\n`);
}

async function readStdin(io: CliIo, help: string): Promise<string> {
  if (!io.stdin) throw new UsageError("--secret-file -: there is no standard input", help);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk);
    size += bytes.length;
    tooLarge(size, help);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function tooLarge(size: number, help: string) {
  if (size > SECRET_FILE_MAX_BYTES)
    throw new UsageError(
      `the secret file is larger than ${SECRET_FILE_MAX_BYTES} bytes: not a TSIG secret`,
      help,
    );
}

/** What human output shows in place of a secret. */
export const MASKED = "******** (--show-secret to see it)";
