// 5. Install footprint: what `npm pack` would publish for this package and for
// each of its runtime dependencies (as locked in package-lock.json), against
// `cloudflare`. `npm pack --dry-run` on an installed folder reports what that
// package's own tarball holds, without touching the registry. Our tarball is
// packed from a clean build (`npm run compile`) of a scratch copy of HEAD.
import { readFileSync } from "node:fs";
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

export async function runFootprint() {
  const ours = await withScratchCopy(async (scratch) => {
    await check("npm", ["run", "compile"], { cwd: scratch });
    return packed(".", scratch);
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
  return { ours, deps, total, cloudflare };
}

export function footprintMarkdown({ ours, deps, total, cloudflare }) {
  const row = (r, label = r.name) => [
    label,
    fmt.kb(r.packed),
    fmt.kb(r.unpacked),
    fmt.int(r.files),
  ];
  return table(
    ["package", "packed", "unpacked", "files"],
    [
      row(ours, `**${ours.name}** (this package)`),
      ...deps.map((d) => row(d, `dependency ${d.name}`)),
      row(total, "**this package + runtime dependencies**"),
      row(cloudflare, `**${cloudflare.name}** (no dependencies)`),
    ],
  );
}
