// `node bench/weigh.mjs [app]`: what each source file weighs in the gzip of an
// app's bundle (bench/apps/<app>.mjs, default `ours`), for bench/NOTES.md. The
// weight of a file is the gzip of the whole bundle less the gzip of the bundle
// without that file's code: esbuild's unminified bundle is cut at its `// file`
// comments, and each variant is minified and gzipped (level 9) as the test does.
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { transform } from "esbuild";
import { bundleApp } from "./apps/build.mjs";
import { vendorDir } from "./lib/paths.mjs";

const app = process.argv[2] ?? "ours";
const outfile = path.join(vendorDir, `weigh-${app}.mjs`);
await bundleApp(app, { platform: "browser", minify: false, outfile });
const code = readFileSync(outfile, "utf8");
rmSync(outfile);

const gzipped = async (text) => {
  const { code: min } = await transform(text, { minify: true, format: "esm", target: "es2022" });
  return gzipSync(min, { level: 9 }).length;
};
const parts = code.split(/^(?=\/\/ \S+\.m?[jt]s$)/m);
const total = await gzipped(code);
const rows = [];
for (const [i, part] of parts.entries()) {
  const file = part.slice(3, part.indexOf("\n"));
  const without = await gzipped(parts.filter((_, j) => j !== i).join(""));
  rows.push([total - without, file.replace(/^.*node_modules\//, "node_modules/")]);
}
console.log(
  `${app}: ${total} B gzip (the unminified bundle minified whole: within a few bytes of the test)`,
);
for (const [bytes, file] of rows.sort((a, b) => b[0] - a[0])) {
  console.log(`${String(bytes).padStart(6)}  ${file}`);
}
