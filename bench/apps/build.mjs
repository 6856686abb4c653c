// Bundles one of the apps in this folder with esbuild. The bench and
// test/bundle-size.test.ts both call this, so they measure the same build.
import { gzipSync } from "node:zlib";
import path from "node:path";
import { build } from "esbuild";
import { benchDir, root, vendorModules } from "../lib/paths.mjs";

export const APPS = [
  "fetch",
  "fetch-timeout",
  "openapi-fetch",
  "ours",
  "ours-raw",
  "ours-modular",
  "cloudflare-shakable",
  "cloudflare",
];

// Our package by its own name (and its `raw` entry point), built from src/ so no prior
// `tsc` is needed.
const ourPackage = {
  name: "cf-secondary-dns-from-src",
  setup(b) {
    b.onResolve({ filter: /^cf-secondary-dns(\/raw)?$/ }, ({ path: name }) => ({
      path: path.join(root, "src", name.endsWith("/raw") ? "raw.ts" : "index.ts"),
    }));
  },
};

/**
 * `esbuild --bundle --minify` of apps/<name>.mjs for the browser (or for Node,
 * unminified, to run it). Resolves { code, min, gzip, inputs }: the output, its
 * size in bytes, its size gzipped (level 9), the files that went into it and
 * how many minified bytes each kept in the output.
 */
export async function bundleApp(name, { platform = "browser", minify = true, outfile } = {}) {
  const result = await build({
    entryPoints: [path.join(benchDir, "apps", `${name}.mjs`)],
    bundle: true,
    minify,
    format: "esm",
    platform,
    target: "es2022",
    write: outfile !== undefined,
    outfile,
    metafile: true,
    logLevel: "silent",
    nodePaths: [vendorModules], // where the bench installs `cloudflare`
    plugins: [ourPackage],
  });
  const code = outfile ? null : result.outputFiles[0].contents;
  const [output] = Object.values(result.metafile.outputs);
  const bytesByInput = Object.fromEntries(
    Object.entries(output.inputs).map(([file, { bytesInOutput }]) => [file, bytesInOutput]),
  );
  return {
    code: code && Buffer.from(code).toString("utf8"),
    min: code?.length,
    gzip: code && gzipSync(code, { level: 9 }).length,
    inputs: Object.keys(result.metafile.inputs),
    bytesByInput,
  };
}
