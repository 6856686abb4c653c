/**
 * spec/FIXES.md and the x-fix markers in spec/*.yaml agree: every item of the list
 * is marked somewhere, every marker names an item, and each marker is announced by
 * its `# FIX(n):` comment right above it (and each such comment by a marker).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const spec = fileURLToPath(new URL("../spec/", import.meta.url));
const files = readdirSync(spec).filter((name) => name.endsWith(".yaml"));

/** The item numbers of the table in FIXES.md. */
function listed(): number[] {
  const text = readFileSync(path.join(spec, "FIXES.md"), "utf8");
  return [...text.matchAll(/^\|\s*(\d+)\s*\|/gm)].map((m) => Number(m[1]));
}

interface Marker {
  where: string;
  fixes: number[];
  announced: number[];
}

/** Each `x-fix:` line, with the FIX(n) numbers of the comment block right above it. */
function markers(file: string): { found: Marker[]; orphans: string[] } {
  const lines = readFileSync(path.join(spec, file), "utf8").split("\n");
  const found: Marker[] = [];
  const used = new Set<number>();
  lines.forEach((line, i) => {
    const marker = /^\s*x-fix:\s*(.+)$/.exec(line);
    if (!marker?.[1]) return;
    const fixes = [...marker[1].matchAll(/\d+/g)].map((m) => Number(m[0]));
    const announced: number[] = [];
    for (let j = i - 1; j >= 0 && /^\s*#/.test(lines[j] ?? ""); j--) {
      used.add(j);
      const comment = /^\s*#\s*FIX\((\d+)\):/.exec(lines[j] ?? "");
      if (comment?.[1]) announced.unshift(Number(comment[1]));
    }
    found.push({ where: `${file}:${i + 1}`, fixes, announced });
  });
  const orphans = lines.flatMap((line, i) =>
    /^\s*#\s*FIX\(\d+\):/.test(line) && !used.has(i) ? [`${file}:${i + 1}`] : [],
  );
  return { found, orphans };
}

const all = files.map(markers);
const found = all.flatMap((m) => m.found);

describe("spec/FIXES.md and the x-fix markers", () => {
  it("numbers the list 1, 2, 3... with no gap", () => {
    const numbers = listed();
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
    expect(numbers.length).toBeGreaterThan(20);
  });

  it("marks every item of the list somewhere, and names only items of the list", () => {
    const marked = [...new Set(found.flatMap((m) => m.fixes))].sort((a, b) => a - b);
    expect(marked).toEqual(listed());
  });

  it("announces each marker with its # FIX(n): comment right above it", () => {
    const mismatched = found.filter(
      (m) => [...m.announced].sort().join() !== [...m.fixes].sort().join(),
    );
    expect(mismatched).toEqual([]);
  });

  it("has no # FIX(n): comment without a marker under it", () => {
    expect(all.flatMap((m) => m.orphans)).toEqual([]);
  });
});
