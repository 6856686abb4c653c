// Where things are: the package root, bench/ and its git-ignored vendor/ folder.
import { fileURLToPath } from "node:url";
import path from "node:path";

export const benchDir = fileURLToPath(new URL("..", import.meta.url));
export const root = path.dirname(benchDir.replace(/\/$/, ""));
export const vendorDir = path.join(benchDir, "vendor");
export const vendorModules = path.join(vendorDir, "node_modules");
export const builtDir = path.join(vendorDir, "built");
