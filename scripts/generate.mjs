// `npm run generate`: spec/openapi.yaml -> generated/schema.ts (openapi-typescript),
// generated/openapi.json (the bundled spec, for runtime validation and tests) and,
// from that bundle, generated/operations.ts (the table of operations, see
// scripts/operations.mjs), generated/results.ts (the result schemas strictResults
// checks, from the same script), and generated/constants.ts (lists the spec states, such
// as the TSIG algorithms, see scripts/constants.mjs), and generated/client/ (the client's
// resources and methods, see scripts/client.mjs).
// `npm run check:generated` (--check): exits non-zero when the committed files differ
// from what the spec would produce now, and writes nothing.
// Also generated/validators.ts: the emulator's validators, compiled from openapi.json.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { clientSources } from "./client.mjs";
import { commandsSource, handlersSource } from "./commands.mjs";
import { constantsSource } from "./constants.mjs";
import { transfersSchemaJson, transfersSchemaSource } from "./declare-schema.mjs";
import { operationsSource, resultsSource } from "./operations.mjs";
import { root, runTool } from "./run-tool.mjs";
import { validatorsSource } from "./validators.mjs";

const check = process.argv.includes("--check");
const bundled = path.join(root, "generated", "openapi.json");
const table = path.join(root, "generated", "operations.ts");
const tableOf = (file) => operationsSource(JSON.parse(readFileSync(file, "utf8")));
const results = path.join(root, "generated", "results.ts");
const resultsOf = (file) => resultsSource(JSON.parse(readFileSync(file, "utf8")));
const constants = path.join(root, "generated", "constants.ts");
const constantsOf = (file) => constantsSource(JSON.parse(readFileSync(file, "utf8")));
const validators = path.join(root, "generated", "validators.ts");
const clientDir = path.join(root, "generated", "client");
const clientOf = (file) => clientSources(JSON.parse(readFileSync(file, "utf8")));
// The CLI's commands and the emulator's handler list (scripts/commands.mjs).
const spare = (file, make) => [
  path.join(root, "generated", file),
  (bundle) => make(JSON.parse(readFileSync(bundle, "utf8")), root),
];
const tables = [spare("commands.ts", commandsSource), spare("handlers.ts", handlersSource)];
// The transfers file's JSON Schema (import/plan/apply), for editors and for src/declare/check.ts.
const transfersOf = (file) => {
  const spec = JSON.parse(readFileSync(file, "utf8"));
  return [
    ["generated/transfers.schema.json", transfersSchemaJson(spec)],
    ["generated/transfers-schema.ts", transfersSchemaSource(spec)],
  ];
};
const typegenArgs = ["--redocly", "redocly.yaml", "--default-non-nullable=false"];

if (check) {
  const stale = [];
  try {
    runTool("openapi-typescript", [...typegenArgs, "--check"], { quiet: true });
  } catch {
    stale.push("generated/schema.ts");
  }
  const scratch = mkdtempSync(path.join(tmpdir(), "cf-sdns-check-"));
  try {
    const fresh = path.join(scratch, "openapi.json");
    runTool("redocly", ["bundle", "main", "--output", fresh], { quiet: true });
    if (!sameFile(fresh, bundled)) stale.push("generated/openapi.json");
    if (readOr(table) !== tableOf(fresh)) stale.push("generated/operations.ts");
    if (readOr(constants) !== constantsOf(fresh)) stale.push("generated/constants.ts");
    if (readOr(results) !== resultsOf(fresh)) stale.push("generated/results.ts");
    stale.push(...staleClient(clientOf(fresh)));
    for (const [file, make] of tables)
      if (readOr(file) !== make(fresh)) stale.push(path.relative(root, file));
    for (const [name, text] of transfersOf(fresh)) {
      if (readOr(path.join(root, name)) !== text) stale.push(name);
    }
    const compiled = validatorsSource(readFileSync(fresh, "utf8"));
    if (readOr(validators) !== compiled) stale.push("generated/validators.ts");
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  if (stale.length > 0) {
    console.error(`Stale: ${stale.join(", ")}. Run \`npm run generate\` and commit the result.`);
    process.exit(1);
  }
  console.log("generated/ is up to date with spec/openapi.yaml");
} else {
  runTool("openapi-typescript", typegenArgs);
  runTool("redocly", ["bundle", "main", "--output", bundled]);
  writeFileSync(validators, validatorsSource(readFileSync(bundled, "utf8")));
  writeFileSync(table, tableOf(bundled));
  writeFileSync(constants, constantsOf(bundled));
  writeFileSync(results, resultsOf(bundled));
  writeClient(clientOf(bundled));
  for (const [file, make] of tables) writeFileSync(file, make(bundled));
  for (const [name, text] of transfersOf(bundled)) writeFileSync(path.join(root, name), text);
  console.log(
    `generated/operations.ts, results.ts, constants.ts and client/ written from generated/openapi.json`,
  );
}

/** generated/client/'s files that differ from `files`, or are there and should not be. */
function staleClient(files) {
  const present = existsDir(clientDir) ? readdirSync(clientDir) : [];
  const names = [...new Set([...present, ...Object.keys(files)])];
  return names
    .filter((name) => readOr(path.join(clientDir, name)) !== files[name])
    .map((name) => `generated/client/${name}`);
}

/** Writes generated/client/ afresh: a resource gone from the spec leaves no file behind. */
function writeClient(files) {
  rmSync(clientDir, { recursive: true, force: true });
  mkdirSync(clientDir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(clientDir, name), text);
}

function existsDir(dir) {
  try {
    return readdirSync(dir) !== undefined;
  } catch {
    return false;
  }
}

function readOr(file) {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

function sameFile(a, b) {
  try {
    return readFileSync(a).equals(readFileSync(b));
  } catch {
    return false;
  }
}
