/**
 * The lock file of a state file: `<state file>.lock` holds the pid of the
 * emulator that uses the state file and a token of its own. Another emulator
 * refuses the state file while that process lives; a lock whose process is dead
 * (killed, crashed) is taken over.
 */
import { randomBytes } from "node:crypto";
import { link, readFile, rename, rm, writeFile } from "node:fs/promises";

export interface Lock {
  readonly path: string;
  /** Removes the lock file if it is still this lock's. */
  release(): Promise<void>;
}

export async function acquireLock(stateFile: string): Promise<Lock> {
  const path = `${stateFile}.lock`;
  const token = `${process.pid} ${randomBytes(8).toString("hex")}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(path, token, { flag: "wx", mode: 0o600 });
      return { path, release: () => releaseLock(path, token) };
    } catch (error) {
      if ((error as { code?: unknown }).code !== "EEXIST") {
        throw new Error(
          `the state file ${stateFile} could not be locked: ${(error as Error).message}`,
        );
      }
    }
    const held = await readFile(path, "utf8").catch(() => undefined);
    if (held === undefined) continue; // released meanwhile: try again
    const pid = Number(/^(\d+) /.exec(held)?.[1]);
    if (Number.isSafeInteger(pid) && pid > 0 && isAlive(pid)) {
      const who = pid === process.pid ? "another emulator in this process" : `process ${pid}`;
      throw new Error(
        `the state file ${stateFile} is in use by ${who}; stop that emulator first (if none runs, delete ${path})`,
      );
    }
    await takeOver(path, held);
  }
  throw new Error(`the state file ${stateFile} could not be locked: ${path} keeps changing`);
}

/**
 * Moves a dead holder's lock out of the way. Two emulators may try at once: the
 * rename lets one of them move it; if what was moved is already a live lock
 * (the other one was quicker), it is put back.
 */
async function takeOver(path: string, stale: string): Promise<void> {
  const aside = `${path}.${randomBytes(6).toString("hex")}.stale`;
  try {
    await rename(path, aside);
  } catch {
    return; // someone else moved it: look again
  }
  const moved = await readFile(aside, "utf8").catch(() => stale);
  if (moved !== stale) await link(aside, path).catch(() => {});
  await rm(aside, { force: true });
}

async function releaseLock(path: string, token: string): Promise<void> {
  const held = await readFile(path, "utf8").catch(() => undefined);
  if (held === token) await rm(path, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === "EPERM"; // alive, but someone else's
  }
}
