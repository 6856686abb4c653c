// `npm run docs`: the API reference as one self-contained page, dist/docs/index.html.
// Redoc is inlined (no CDN), telemetry is off, and the template's
// Content-Security-Policy stops the page from reaching any host.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { root, runTool } from "./run-tool.mjs";

const output = path.join(root, "dist", "docs", "index.html");
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const spec = JSON.parse(readFileSync(path.join(root, "generated", "openapi.json"), "utf8"));

// Redoc 3 shows only the x-codeSamples whose label is in codeSamples.languages, and
// its default list (curl, JavaScript, Python, ...) has no TypeScript or CLI. List
// every label the spec uses, in the order of its first appearance, then Redoc's
// request-body "Payload" view.
const sampleLanguages = new Map();
for (const item of Object.values(spec.paths)) {
  for (const operation of Object.values(item)) {
    for (const { lang, label } of operation["x-codeSamples"] ?? []) {
      if (!sampleLanguages.has(label)) sampleLanguages.set(label, { lang, label });
    }
  }
}
const redocOptions = {
  codeSamples: { languages: [...sampleLanguages.values(), { lang: "Payload", label: "Payload" }] },
};

mkdirSync(path.dirname(output), { recursive: true });
runTool("redocly", [
  "build-docs",
  "main",
  "--inlineBundle",
  "--output",
  output,
  `--openapi=${JSON.stringify(redocOptions)}`,
  "--template",
  "scripts/docs-template.hbs",
  `--templateOptions.packageVersion=${pkg.version}`,
  `--templateOptions.specVersion=${spec.info.version}`,
]);

// Redoc draws its "API docs by Redocly" logo from cdn.redoc.ly once the page is
// up. The CSP blocks it, but the browser still tries; an inline image keeps the
// attribution and leaves the page with nothing to fetch.
const logo =
  "data:image/svg+xml," +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" width="48" height="16">' +
      '<text x="0" y="12" font-family="sans-serif" font-size="12" fill="#0044D4">Redocly</text></svg>',
  );
const logos = [
  "https://cdn.redoc.ly/redoc/logo-mini-full.svg",
  "https://cdn.redoc.ly/redoc/logo-mini.svg",
];
let html = readFileSync(output, "utf8");
// (If an upgrade moves the logo, the browser test in test/docs sees the request.)
for (const url of logos) html = html.replaceAll(url, logo);
writeFileSync(output, html);

// Guard against a Redocly upgrade that starts loading code from elsewhere again.
const external = html.match(/<(?:script|link)\b[^>]*\b(?:src|href)=["']?https?:/gi);
if (external) {
  throw new Error(`dist/docs/index.html loads from another host: ${external.join(", ")}`);
}
