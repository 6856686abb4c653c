// What the bench needs before it measures: `cloudflare` installed on demand into
// bench/vendor/ (git-ignored, never a dependency of the package), a link there
// to this package so consumers import it by name, and an up-to-date dist/.
import { existsSync, mkdirSync, readdirSync, statSync, symlinkSync, readFileSync } from "node:fs";
import path from "node:path";
import { root, vendorDir, vendorModules } from "./paths.mjs";
import { check } from "./proc.mjs";

export const CLOUDFLARE = "cloudflare@7.3.0";
export const INSTALL = [
  "install",
  "--prefix",
  "bench/vendor",
  "--no-save",
  "--no-audit",
  "--no-fund",
  CLOUDFLARE,
];

function installedVersion() {
  try {
    return JSON.parse(readFileSync(path.join(vendorModules, "cloudflare", "package.json"), "utf8"))
      .version;
  } catch {
    return undefined;
  }
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile())
      newest = Math.max(
        newest,
        statSync(path.join(entry.parentPath ?? entry.path, entry.name)).mtimeMs,
      );
  }
  return newest;
}

export async function setup(log) {
  if (installedVersion() !== CLOUDFLARE.split("@")[1]) {
    log(`npm ${INSTALL.join(" ")}`);
    await check("npm", INSTALL, { cwd: root });
  }
  const link = path.join(vendorModules, "cf-secondary-dns");
  if (!existsSync(link)) {
    mkdirSync(vendorModules, { recursive: true });
    symlinkSync(path.relative(vendorModules, root), link, "dir");
  }
  await freshDist(log);
}

/** Compiles dist/ when it is missing or older than src/ (all section 7 needs). */
export async function freshDist(log) {
  const entry = path.join(root, "dist", "src", "index.js");
  const sources = Math.max(
    newestMtime(path.join(root, "src")),
    newestMtime(path.join(root, "generated")),
  );
  if (!existsSync(entry) || statSync(entry).mtimeMs < sources) {
    log("npx tsc -p tsconfig.json (dist/ is missing or older than src/)");
    await check("npx", ["tsc", "-p", "tsconfig.json"], { cwd: root });
  }
  mkdirSync(vendorDir, { recursive: true });
}
