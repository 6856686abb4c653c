// `npm run drift -- <Cloudflare's openapi.json or .yaml, or either gzipped>`: what
// moved upstream, and where our spec departs from Cloudflare's published schema.
//
// (a) Upstream changes: the upstream operations we follow (every operation under
//     /secondary_dns/ and /dns_settings), normalized (scripts/drift/normalize.mjs),
//     against the baseline committed in spec/ (--update-baseline rewrites it). Every
//     change is new, even where an x-fix marks a known departure.
// (b) Our departures: each of our operations against upstream's with the same
//     operationId (scripts/drift/diff.mjs). A difference is known when an x-fix sits
//     at the node where it is found or above it (README, "where a difference is
//     found"); otherwise it is new. An x-fix compared where nothing differs is stale.
// Coverage: upstream operations under the followed paths we do not have are listed
// as not followed (new under --fail-on-unfollowed); ours upstream lacks are new.
//
// Exit status: 0 nothing new, 1 something new, 2 bad usage or an unusable file.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { root } from "./run-tool.mjs";
import { compare, isFollowed } from "./drift/compare.mjs";
import { UsageError, loadDocument } from "./drift/load.mjs";
import { exitStatus, report } from "./drift/report.mjs";

const USAGE = `usage: npm run drift -- <cloudflare-openapi.{json,yaml}[.gz]> [options]
  --ours <file>          our bundled spec (default generated/openapi.json)
  --baseline <file>      the upstream baseline (default spec/upstream-baseline.json)
  --no-baseline          skip the upstream changes
  --update-baseline      write the baseline from this upstream schema, then compare
  --fail-on-unfollowed   exit 1 when upstream has operations we do not follow
  --json                 print the comparison as JSON`;

const VALUED = { "--ours": "ours", "--baseline": "baseline" };
const FLAGS = {
  "--json": "json",
  "--no-baseline": "noBaseline",
  "--update-baseline": "updateBaseline",
  "--fail-on-unfollowed": "failOnUnfollowed",
  "--help": "help",
  "-h": "help",
};

function parseArgs(argv) {
  const options = {
    ours: path.join(root, "generated", "openapi.json"),
    baseline: path.join(root, "spec", "upstream-baseline.json"),
  };
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg in VALUED) {
      options[VALUED[arg]] = argv[++i];
      if (!options[VALUED[arg]]) throw new UsageError(`${arg} needs a file`);
    } else if (arg in FLAGS) options[FLAGS[arg]] = true;
    else if (arg.startsWith("-")) throw new UsageError(`unknown option ${arg}`);
    else files.push(arg);
  }
  if (!options.help && files.length !== 1) throw new UsageError("give exactly one upstream file");
  if (options.noBaseline && options.updateBaseline) {
    throw new UsageError("--no-baseline and --update-baseline do not go together");
  }
  options.upstream = files[0];
  return options;
}

function readBaseline(options) {
  if (options.noBaseline || options.updateBaseline) return null;
  if (!existsSync(options.baseline)) {
    throw new UsageError(
      `no baseline at ${options.baseline}: write one with --update-baseline, or pass --no-baseline`,
    );
  }
  let baseline;
  try {
    baseline = JSON.parse(readFileSync(options.baseline, "utf8"));
  } catch (error) {
    throw new UsageError(`baseline ${options.baseline} is not JSON: ${error.message}`);
  }
  if (typeof baseline?.operations !== "object" || !baseline.operations) {
    throw new UsageError(`baseline ${options.baseline} has no "operations"`);
  }
  return baseline;
}

/** The baseline file: the normalized operations, formatted as Prettier would. */
async function writeBaseline(file, operations) {
  const about =
    "Cloudflare's published operations under /secondary_dns/ and /dns_settings, " +
    "normalized by scripts/drift (no descriptions or examples). " +
    "Written by `npm run drift -- <schema> --update-baseline`; never edited by hand.";
  const text = JSON.stringify({ about, operations });
  let formatted = `${JSON.stringify(JSON.parse(text), null, 2)}\n`;
  try {
    const prettier = await import("prettier");
    const config = (await prettier.resolveConfig(file)) ?? {};
    formatted = await prettier.format(text, { ...config, filepath: file });
  } catch {
    // Without Prettier the plain JSON above is still a valid baseline.
  }
  writeFileSync(file, formatted);
}

async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
    if (options.help) {
      console.log(USAGE);
      return 0;
    }
    const ours = loadDocument(options.ours, "our spec");
    const upstream = loadDocument(options.upstream, "upstream schema", isFollowed);
    let baseline = readBaseline(options);
    const outcome = compare({ ours, upstream, baseline });
    if (options.updateBaseline) {
      await writeBaseline(options.baseline, outcome.current);
      outcome.upstreamChanges = [];
      console.error(`drift: wrote ${options.baseline} (${outcome.upstreamOperations} operations)`);
    }
    const status = exitStatus(outcome, options);
    const { current, ...shown } = outcome;
    if (options.json) console.log(JSON.stringify({ ...shown, exitStatus: status }, null, 2));
    else console.log(report(outcome, options));
    return status;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`drift: ${error.message}\n${USAGE}`);
    return 2;
  }
}

process.exitCode = await main();
