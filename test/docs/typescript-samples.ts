/**
 * TypeScript samples as a reader would use them: saved as .ts files inside this
 * package, where `import ... from "cf-secondary-dns"` resolves to the package's
 * own exports (dist/src, from `npm run build`), type-checked with the project's
 * compiler options, then compiled and run with Node.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import ts from "typescript";

export const root = fileURLToPath(new URL("../../", import.meta.url));

/** A fresh folder under test-results/ (git-ignored), inside the package. */
export function sampleFolder(): string {
  const parent = path.join(root, "test-results");
  mkdirSync(parent, { recursive: true });
  return mkdtempSync(path.join(parent, "samples-"));
}

export function removeFolder(folder: string): void {
  rmSync(folder, { recursive: true, force: true });
}

export function packageBuilt(): boolean {
  return (
    existsSync(path.join(root, "dist", "src", "index.d.ts")) &&
    existsSync(path.join(root, "dist", "src", "index.js"))
  );
}

function compilerOptions(): ts.CompilerOptions {
  const file = path.join(root, "tsconfig.json");
  const { config, error } = ts.readConfigFile(file, ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, "\n"));
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, root);
  return { ...parsed.options, noEmit: true, declaration: false };
}

/** Writes each source to `<name>.ts` in the folder; returns the paths, by name. */
export function writeSamples(
  folder: string,
  sources: Record<string, string>,
): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [name, source] of Object.entries(sources)) {
    files[name] = path.join(folder, `${name}.ts`);
    writeFileSync(files[name], source);
  }
  return files;
}

/** The compiler's complaints about these files, one formatted line each. */
export function typeErrors(files: string[]): string[] {
  const program = ts.createProgram(files, compilerOptions());
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file
      ? `${path.relative(root, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}`
      : "";
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  });
}

/** What the compiler made the program resolve "cf-secondary-dns" to. */
export function resolvedPackage(fromFile: string): string | undefined {
  const found = ts.resolveModuleName("cf-secondary-dns", fromFile, compilerOptions(), ts.sys);
  return found.resolvedModule?.resolvedFileName;
}

const run = promisify(execFile);

/** Compiles a sample to JavaScript beside it and runs it with Node and only the given environment. */
export async function runSample(
  file: string,
  env: Record<string, string>,
): Promise<{ stdout: string; stderr: string }> {
  const source = ts.sys.readFile(file) as string;
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    fileName: file,
  });
  const script = file.replace(/\.ts$/, ".mjs");
  writeFileSync(script, outputText);
  return run(process.execPath, [script], {
    env: { PATH: process.env.PATH ?? "", ...env },
    timeout: 30_000,
  });
}
