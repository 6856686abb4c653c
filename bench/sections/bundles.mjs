// 3. Bundle: `esbuild --bundle --minify` (browser, ESM) of each app, min and gzip bytes.
import { APPS, bundleApp } from "../apps/build.mjs";
import { fmt, table } from "../lib/stats.mjs";

// Issue 18: an app calling outgoing.get, with every resource in the package (goal 4,500 B).
export const GZIP_BUDGET = 6000;

export async function runBundles() {
  const rows = [];
  for (const name of APPS) {
    const { min, gzip, inputs, bytesByInput } = await bundleApp(name);
    rows.push({ name, min, gzip, files: inputs.length, bytesByInput });
  }
  return rows;
}

/** Which files the minified bytes of one app's bundle come from, largest first. */
export function bundleByFileMarkdown(row) {
  const files = Object.entries(row.bytesByInput)
    .filter(([, bytes]) => bytes > 0)
    .sort((a, b) => b[1] - a[1]);
  return table(
    ["file", "minified bytes in the bundle"],
    files.map(([file, bytes]) => [file, fmt.int(bytes)]),
  );
}

export function bundlesMarkdown(rows) {
  return table(
    ["app (bench/apps/)", "minified bytes", "gzip bytes", "files in"],
    rows.map((r) => [`${r.name}.mjs`, fmt.int(r.min), fmt.int(r.gzip), r.files]),
  );
}
