/**
 * Reads a transfers file from disk. A file that cannot be read, is not a regular
 * file (a FIFO would block the read) or is larger than MAX_FILE_BYTES is a
 * TransfersFileError too: nothing sent, exit 2.
 */
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { parseTransfers, TransfersFileError, type ReadFile } from "./format.js";

/** Far more than any account's transfer setup needs. */
export const MAX_FILE_BYTES = 1024 * 1024;

export async function readTransfersFile(path: string): Promise<ReadFile> {
  const refuse = (message: string) =>
    new TransfersFileError([{ file: path, line: 0, field: "", message }]);
  let text: string;
  try {
    // O_NONBLOCK: opening a FIFO with no writer must not wait for one.
    const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw refuse("is not a regular file");
      if (info.size > MAX_FILE_BYTES) throw refuse(`is larger than ${MAX_FILE_BYTES} bytes`);
      text = await handle.readFile("utf8");
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof TransfersFileError) throw error;
    throw refuse(`cannot read the file (${(error as { code?: string }).code ?? "unreadable"})`);
  }
  return parseTransfers(text, path);
}
