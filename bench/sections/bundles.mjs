// 3. Bundle: `esbuild --bundle --minify` (browser, ESM) of each app, min and gzip bytes.
import { APPS, bundleApp } from "../apps/build.mjs";
import { fmt, table } from "../lib/stats.mjs";

export const GZIP_BUDGET = 4500;

export async function runBundles() {
  const rows = [];
  for (const name of APPS) {
    const { min, gzip, inputs } = await bundleApp(name);
    rows.push({ name, min, gzip, files: inputs.length });
  }
  return rows;
}

export function bundlesMarkdown(rows) {
  return table(
    ["app (bench/apps/)", "minified bytes", "gzip bytes", "files in"],
    rows.map((r) => [`${r.name}.mjs`, fmt.int(r.min), fmt.int(r.gzip), r.files]),
  );
}
