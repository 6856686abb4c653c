/**
 * The emulator stands on the spec, not on the client: a bug in the client's
 * checks (src/results.ts, src/validate.ts, …) must not hide on both sides at
 * once. Its files import only each other, generated/ (the spec's validators,
 * types and operations table), src/dns/ (the DNS layer it serves zones with)
 * and Node's builtins; and what src/dns imports in turn reaches no client
 * module either.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const emulatorDir = join(root, "src/emulator");

/** Folders the emulator may import from (relative to the package root). */
const ALLOWED = ["src/emulator/", "src/dns/", "generated/"];
/** Shared leaves that src/dns uses, which import nothing themselves (checked below). */
const SHARED_LEAVES = ["src/text.ts"];

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Every module a file imports or re-exports, static or dynamic (comments ignored). */
function specifiers(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
  return info.importedFiles.map((f) => f.fileName);
}

/** A relative specifier as the .ts file it names, relative to the package root. */
function resolved(from: string, specifier: string): string {
  const target = resolve(dirname(from), specifier).replace(/\.js$/, ".ts");
  if (!existsSync(target))
    throw new Error(`${relative(root, from)} imports ${specifier}, not found`);
  return relative(root, target);
}

const isRelative = (specifier: string) => specifier.startsWith(".");
const allowed = (path: string) => ALLOWED.some((folder) => path.startsWith(folder));

describe("the emulator's imports", () => {
  const files = tsFiles(emulatorDir);

  it("finds the emulator's files and their imports", () => {
    expect(files.length).toBeGreaterThan(10);
    expect(specifiers(join(emulatorDir, "spec.ts"))).toContain("../../generated/validators.js");
  });

  it("each file of src/emulator imports only src/emulator, generated/, src/dns/ and node: builtins", () => {
    const outside: string[] = [];
    for (const file of files) {
      for (const specifier of specifiers(file)) {
        const ok = isRelative(specifier)
          ? allowed(resolved(file, specifier))
          : specifier.startsWith("node:");
        if (!ok) outside.push(`${relative(root, file)} imports ${specifier}`);
      }
    }
    expect(outside).toEqual([]);
  });

  it("what src/dns brings along reaches no client module", () => {
    const seen = new Set<string>();
    const reached: string[] = [];
    const visit = (path: string) => {
      if (seen.has(path)) return;
      seen.add(path);
      if (!allowed(path)) reached.push(path);
      const file = join(root, path);
      for (const specifier of specifiers(file).filter(isRelative)) {
        visit(resolved(file, specifier));
      }
    };
    for (const file of files) visit(relative(root, file));
    expect(reached.filter((path) => !SHARED_LEAVES.includes(path))).toEqual([]);
    for (const leaf of SHARED_LEAVES) {
      expect(specifiers(join(root, leaf)).filter(isRelative), leaf).toEqual([]);
    }
  });
});
