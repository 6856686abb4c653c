/**
 * The compiled files that spawn tests run. `npm test` builds before vitest, so
 * they exist in CI; run on its own, a test compiles them once if they are missing.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
let building: Promise<unknown> | undefined;

/** The absolute path of a file of the build (e.g. "dist/src/cli/main.js"), compiling first if needed. */
export async function builtFile(relative: string): Promise<string> {
  const file = `${ROOT}${relative}`;
  if (!existsSync(file)) {
    // tsc writes its output even when it reports type errors; whether the file is there is what counts.
    building ??= promisify(execFile)(process.execPath, [
      `${ROOT}node_modules/typescript/bin/tsc`,
      "-p",
      `${ROOT}tsconfig.json`,
    ]).catch(() => undefined);
    await building;
    if (!existsSync(file))
      throw new Error(`${relative} is missing and could not be built; run npm run build`);
  }
  return file;
}
