// `prepare`: npm runs it after `npm ci` / `npm install` here, and when it installs this
// package from a git URL (after installing the devDependencies in its clone) or packs
// it. It compiles dist/ (generated/ is committed, so nothing else is needed).
// A local-path install (`npm install ../cf-secondary-dns`) links the folder and runs
// this without the devDependencies: with a build already there, that build is used;
// without one, the message says what to do instead of tsc's "not found".
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { root } from "./run-tool.mjs";

let typescript = true;
try {
  createRequire(import.meta.url).resolve("typescript/package.json");
} catch {
  typescript = false;
}

if (!typescript) {
  if (existsSync(path.join(root, "dist", "src", "index.js"))) {
    console.log("cf-secondary-dns: no TypeScript here; using the existing build in dist/");
    process.exit(0);
  }
  console.error(
    `cf-secondary-dns: ${root} has no build and no devDependencies to make one.\n` +
      `Run \`npm ci\` in that folder first (it builds dist/), or install from a git URL or a tarball.`,
  );
  process.exit(1);
}

const result = spawnSync("npm", ["run", "--silent", "compile"], {
  cwd: root,
  stdio: "inherit",
  shell: process.platform === "win32",
});
process.exit(result.status ?? 1);
