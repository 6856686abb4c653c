// A scratch copy of the committed tree (git archive HEAD, with a link to
// node_modules) in a temporary folder, removed afterwards. The pipeline and the
// tarball are measured there: the build empties dist/ and generate rewrites
// generated/, which other work in the shared tree may be using, and the shared
// dist/ can hold stale files that a clean build would not publish.
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { root } from "./paths.mjs";
import { check } from "./proc.mjs";

export async function withScratchCopy(work) {
  const { stdout } = await check("git", ["rev-parse", "--short", "HEAD"], { cwd: root });
  const scratch = mkdtempSync(path.join(tmpdir(), "cf-sdns-bench-"));
  try {
    await check("sh", ["-c", `git -C "${root}" archive HEAD | tar -x -C "${scratch}"`]);
    symlinkSync(path.join(root, "node_modules"), path.join(scratch, "node_modules"), "dir");
    return await work(scratch, stdout.trim());
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
