// Empties dist/ of compiled code before tsc runs, so a deleted source file cannot
// leave a stale module behind in the package. dist/docs is the docs step's, kept.
import { rmSync } from "node:fs";
import path from "node:path";
import { root } from "./run-tool.mjs";

for (const dir of ["src", "generated", "examples"]) {
  rmSync(path.join(root, "dist", dir), { recursive: true, force: true });
}
