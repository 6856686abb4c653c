// `npm run docs`: the API reference as one self-contained page, dist/docs/index.html.
// Redoc is inlined (no CDN), telemetry is off, and the template's
// Content-Security-Policy stops the page from reaching any host.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { root, runTool } from "./run-tool.mjs";
import { withCodeSamples } from "./samples.mjs";

const output = path.join(root, "dist", "docs", "index.html");
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
// Each operation's TypeScript, CLI and curl samples, made from the spec (scripts/samples.mjs).
const spec = withCodeSamples(
  JSON.parse(readFileSync(path.join(root, "generated", "openapi.json"), "utf8")),
);

// The guides are the README's own sections (one source for each), appended to the
// spec's description for the page only: Redoc lists each top-level heading of the
// description in its menu, so "## X" becomes "# X" and "### Y" becomes "## Y".
const GUIDES = [
  "Cloudflare as primary",
  "Cloudflare as secondary",
  "Doctor",
  "Emulator",
  "The emulator as a DNS primary",
];
const repository = pkg.repository.url.replace(/^git\+/, "").replace(/\.git$/, "");

/** A README section, from its "## " heading to the next one, shaped for the page. */
function guide(readme, title) {
  const start = readme.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README.md has no "## ${title}" section for the docs page`);
  const end = readme.indexOf("\n## ", start + 1);
  const text = readme.slice(start + 1, end < 0 ? undefined : end);
  let fenced = false;
  return text
    .split("\n")
    .map((line) => {
      if (line.startsWith("```")) fenced = !fenced;
      if (fenced) return line;
      return line
        .replace(/^(#{2,3}) /, (hashes) => `${"#".repeat(hashes.length - 2)} `)
        .replace(/^# /, "# Guide: ")
        .replace(/\]\((?!https?:|#)([^)]+)\)/g, `](${repository}/blob/main/$1)`);
    })
    .join("\n");
}

const readme = readFileSync(path.join(root, "README.md"), "utf8");
const pageSpec = structuredClone(spec);
pageSpec.info.description = [
  spec.info.description.trimEnd(),
  ...GUIDES.map((title) => guide(readme, title).trimEnd()),
].join("\n\n");
const scratch = mkdtempSync(path.join(tmpdir(), "cf-secondary-dns-docs-"));
const pageSpecFile = path.join(scratch, "openapi.json");
writeFileSync(pageSpecFile, JSON.stringify(pageSpec));

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
try {
  runTool("redocly", [
    "build-docs",
    pageSpecFile,
    "--inlineBundle",
    "--output",
    output,
    `--openapi=${JSON.stringify(redocOptions)}`,
    "--template",
    "scripts/docs-template.hbs",
    `--templateOptions.packageVersion=${pkg.version}`,
    `--templateOptions.specVersion=${spec.info.version}`,
  ]);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

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
