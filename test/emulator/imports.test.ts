/**
 * The emulator stands on the spec, not on the client: a bug in the client's
 * checks (its result and body checks, its options, …) must not hide on both
 * sides at once. From src/emulator/index.ts (and every other file of
 * src/emulator), following each import, the emulator reaches only its own
 * files, the DNS layer (src/dns/), generated/ (the spec's validators, types and
 * operations table), Node's builtins, dns-packet, and the shared leaves below. Anything
 * else of src/ is the client's (or the CLI's), wherever it lives.
 *
 * src/text.ts is shared on purpose: the escaping of untrusted text for people,
 * used by the emulator's DNS side (through doctor), the DNS layer and the CLI;
 * the client does not use it, and it imports nothing.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Folders the emulator may import from (relative to the package root). */
const ALLOWED = ["src/emulator/", "src/dns/", "generated/"];
/** Packages besides Node's builtins: dns-packet, the optional peer dependency the DNS side loads at first use. */
const PACKAGES = ["dns-packet"];
/** Shared leaves, not the client's, which import nothing themselves (checked below). */
const SHARED_LEAVES = ["src/text.ts"];

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Every module a file imports or re-exports (comments ignored). */
function specifiers(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
  return info.importedFiles.map((f) => f.fileName);
}

const isRelative = (specifier: string) => specifier.startsWith(".");

/**
 * Walks the imports from `entries` (paths relative to `base`), and names each
 * import that leaves what the emulator may use: "<file> imports <module>".
 */
export function foreignImports(base: string, entries: readonly string[]): string[] {
  const allowed = (path: string) =>
    ALLOWED.some((folder) => path.startsWith(folder)) || SHARED_LEAVES.includes(path);
  const seen = new Set<string>();
  const found: string[] = [];
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    const file = join(base, path);
    for (const specifier of specifiers(file)) {
      if (!isRelative(specifier)) {
        const ok = specifier.startsWith("node:") || PACKAGES.includes(specifier);
        if (!ok) found.push(`${path} imports the package ${specifier}`);
        continue;
      }
      const target = resolve(dirname(file), specifier).replace(/\.js$/, ".ts");
      if (!existsSync(target)) {
        found.push(`${path} imports ${specifier}, which is not there`);
        continue;
      }
      const to = relative(base, target);
      if (allowed(to)) visit(to);
      else found.push(`${path} imports ${to}, a client module`);
    }
  };
  for (const entry of entries) visit(entry);
  return found;
}

describe("the emulator's imports", () => {
  const entries = [
    "src/emulator/index.ts",
    ...tsFiles(join(root, "src/emulator")).map((file) => relative(root, file)),
  ];

  it("finds the emulator's files and their imports", () => {
    expect(entries.length).toBeGreaterThan(10);
    expect(specifiers(join(root, "src/emulator/spec.ts"))).toContain(
      "../../generated/validators.js",
    );
  });

  it("reach no client module, from src/emulator/index.ts through src/dns and generated/", () => {
    expect(foreignImports(root, entries)).toEqual([]);
  });

  it("the shared leaves import nothing of the package", () => {
    for (const leaf of SHARED_LEAVES) {
      expect(specifiers(join(root, leaf)).filter(isRelative), leaf).toEqual([]);
    }
  });
});

describe("the walk", () => {
  const scratch = mkdtempSync(join(tmpdir(), "emulator-imports-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(scratch, path)), { recursive: true });
    writeFileSync(join(scratch, path), text);
  };

  it("names the file and the client module it imports, however deep", () => {
    write("src/emulator/index.ts", 'import { a } from "./a.js";\nexport { a };\n');
    write("src/emulator/a.ts", 'export { b as a } from "../dns/b.js";\n');
    write("src/dns/b.ts", 'import type { X } from "../results.js";\nexport const b = 1;\n');
    write("src/results.ts", "export type X = 1;\n");
    expect(foreignImports(scratch, ["src/emulator/index.ts"])).toEqual([
      "src/dns/b.ts imports src/results.ts, a client module",
    ]);
  });

  it("names a package other than Node's builtins", () => {
    write("src/emulator/index.ts", 'import fetch from "openapi-fetch";\n');
    expect(foreignImports(scratch, ["src/emulator/index.ts"])).toEqual([
      "src/emulator/index.ts imports the package openapi-fetch",
    ]);
  });
});
