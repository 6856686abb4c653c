// `npm run docs`: the API reference as one self-contained page, dist/docs/index.html.
// Redoc is inlined (no CDN), telemetry is off, and the template's
// Content-Security-Policy stops the page from reaching any host.
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { root, runTool } from "./run-tool.mjs";

const output = path.join(root, "dist", "docs", "index.html");
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const spec = JSON.parse(readFileSync(path.join(root, "generated", "openapi.json"), "utf8"));

mkdirSync(path.dirname(output), { recursive: true });
runTool("redocly", [
  "build-docs",
  "main",
  "--inlineBundle",
  "--output",
  output,
  "--template",
  "scripts/docs-template.hbs",
  `--templateOptions.packageVersion=${pkg.version}`,
  `--templateOptions.specVersion=${spec.info.version}`,
]);

// Guard against a Redocly upgrade that starts loading code from elsewhere again.
const html = readFileSync(output, "utf8");
const external = html.match(/<(?:script|link)\b[^>]*\b(?:src|href)=["']?https?:/gi);
if (external) {
  throw new Error(`dist/docs/index.html loads from another host: ${external.join(", ")}`);
}
