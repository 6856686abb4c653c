/** Reads a transfers file from disk: unreadable is a TransfersFileError too (nothing sent, exit 2). */
import { readFile } from "node:fs/promises";
import { parseTransfers, TransfersFileError, type ReadFile } from "./format.js";

export async function readTransfersFile(path: string): Promise<ReadFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code ?? "unreadable";
    throw new TransfersFileError([
      { file: path, line: 0, field: "", message: `cannot read the file (${code})` },
    ]);
  }
  return parseTransfers(text, path);
}
