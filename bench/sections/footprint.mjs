// 5. Install footprint: what `npm pack` would publish for this package and for
// each of its runtime dependencies (as locked in package-lock.json), against
// `cloudflare`. `npm pack --dry-run` on an installed folder reports what that
// package's own tarball holds, without touching the registry. Our tarball is
// packed from a clean build (`npm run compile`) of a scratch copy of HEAD.
// Then what a consumer gets: that tarball installed into an empty project
// (`npm install --prefer-offline`, from the npm cache), its node_modules counted.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { root, vendorModules } from "../lib/paths.mjs";
import { check } from "../lib/proc.mjs";
import { withScratchCopy } from "../lib/scratch.mjs";
import { fmt, table } from "../lib/stats.mjs";

export const PACKED_BUDGET = 60 * 1024;

async function packed(folder, cwd = root) {
  const { stdout } = await check(
    "npm",
    ["pack", "--dry-run", "--json", "--ignore-scripts", folder],
    { cwd },
  );
  const [info] = JSON.parse(stdout);
  return {
    name: `${info.name}@${info.version}`,
    packed: info.size,
    unpacked: info.unpackedSize,
    files: info.entryCount,
  };
}

/** The package's runtime dependency tree: every non-dev package in the lockfile. */
function runtimeDependencies() {
  const lock = JSON.parse(readFileSync(path.join(root, "package-lock.json"), "utf8"));
  return Object.entries(lock.packages)
    .filter(([key, entry]) => key !== "" && !entry.dev && !entry.optional)
    .map(([key]) => key);
}

/** Every package folder under `modules` (scoped ones included) and the bytes and files in it. */
function installed(modules) {
  const packages = [];
  let bytes = 0;
  let files = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name !== ".package-lock.json") {
        bytes += statSync(full).size;
        files += 1;
        if (
          entry.name === "package.json" &&
          path.dirname(path.dirname(full)).endsWith("node_modules")
        ) {
          const { name, version } = JSON.parse(readFileSync(full, "utf8"));
          packages.push(`${name}@${version}`);
        }
      }
    }
  };
  walk(modules);
  return { packages: packages.sort(), bytes, files };
}

/** Our tarball, installed into an empty consumer project: what lands in its node_modules. */
async function consumerInstall(scratch) {
  const { stdout } = await check("npm", ["pack", "--json", "--ignore-scripts"], { cwd: scratch });
  const tarball = path.join(scratch, JSON.parse(stdout)[0].filename);
  const consumer = path.join(scratch, "consumer");
  mkdirSync(consumer);
  writeFileSync(path.join(consumer, "package.json"), '{"name":"consumer","private":true}');
  await check(
    "npm",
    ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", tarball],
    { cwd: consumer },
  );
  return installed(path.join(consumer, "node_modules"));
}

export async function runFootprint() {
  let consumer;
  const ours = await withScratchCopy(async (scratch) => {
    await check("npm", ["run", "compile"], { cwd: scratch });
    const result = await packed(".", scratch);
    consumer = await consumerInstall(scratch);
    return result;
  });
  const deps = [];
  for (const folder of runtimeDependencies()) deps.push(await packed(`./${folder}`));
  const cloudflare = await packed(path.join(vendorModules, "cloudflare"));
  const sum = (rows, field) => rows.reduce((total, row) => total + row[field], 0);
  const all = [ours, ...deps];
  const total = {
    name: "total installed",
    packed: sum(all, "packed"),
    unpacked: sum(all, "unpacked"),
    files: sum(all, "files"),
  };
  return { ours, deps, total, cloudflare, consumer };
}

export function footprintMarkdown({ ours, deps, total, cloudflare, consumer }) {
  const installedText = consumer
    ? `\n\nA consumer's \`npm install\` of the tarball: node_modules holds ${consumer.packages.length} packages (${consumer.packages.join(", ")}), ${fmt.kb(consumer.bytes)} in ${fmt.int(consumer.files)} files.`
    : "";
  const row = (r, label = r.name) => [
    label,
    fmt.kb(r.packed),
    fmt.kb(r.unpacked),
    fmt.int(r.files),
  ];
  return `${table(
    ["package", "packed", "unpacked", "files"],
    [
      row(ours, `**${ours.name}** (this package)`),
      ...deps.map((d) => row(d, `dependency ${d.name}`)),
      row(total, "**this package + runtime dependencies**"),
      row(cloudflare, `**${cloudflare.name}** (no dependencies)`),
    ],
  )}${installedText}`;
}
