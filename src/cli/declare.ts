/**
 * `cf-secondary-dns import|plan|apply`: an account's zone transfers as a file
 * (src/declare/). Loaded only when one of the three is run, so the other
 * commands never load the YAML parser.
 */
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { createSecondaryDnsClient, type SecondaryDnsClient } from "../index.js";
import {
  apply,
  formatPlan,
  formatTransfers,
  importConfig,
  plan,
  readTransfersFile,
  TransfersFileError,
  AmbiguousStateError,
  ImportError,
  SecretUnavailableError,
  type TransfersConfig,
  type ApplyResult,
  type Plan,
  type ReadFile,
} from "../declare/index.js";
import { changeLine, formatFailure, safeLine } from "../declare/render.js";
import { DECLARE_HELP, type DeclareCommand } from "./declare-help.js";
import { CLIENT_FLAGS, PROGRAM } from "./help.js";
import { EXIT, UsageError, type CliIo } from "./io.js";
import { asUsage, clientOptions } from "./outgoing.js";
import { parseOrExplain, positionalArgs, wantsHelp } from "./parse.js";
import { reportFailure } from "./report.js";

const FLAGS = {
  ...CLIENT_FLAGS,
  file: { type: "string", short: "f" },
  output: { type: "string", short: "o" },
  schema: { type: "string" },
  account: { type: "string" },
  prune: { type: "boolean" },
  yes: { type: "boolean" },
  verify: { type: "boolean" },
  primary: { type: "string" },
} as const;

/** Which flags each command takes (the others are usage errors). */
const ACCEPTS: Record<DeclareCommand, readonly (keyof typeof FLAGS)[]> = {
  import: ["output", "schema", "account"],
  plan: ["file", "account", "prune", "json"],
  apply: ["file", "account", "prune", "yes", "verify", "primary"],
};

/** What plan exits with when there are changes (the --detailed-exitcode convention). */
export const PLAN_CHANGES_EXIT = 2;

type Values = ReturnType<typeof parse>["values"];

function parse(command: DeclareCommand, argv: string[]) {
  const help = `${PROGRAM} ${command} --help`;
  const parsed = parseOrExplain(
    () => parseArgs({ args: argv, options: FLAGS, allowPositionals: true, strict: true }),
    help,
  );
  const common = ["base-url", "timeout", "retries", "help"];
  for (const flag of Object.keys(parsed.values)) {
    if (!common.includes(flag) && !ACCEPTS[command].includes(flag as keyof typeof FLAGS)) {
      throw new UsageError(`${command} takes no --${flag}`, help);
    }
  }
  return parsed;
}

export async function runDeclare(command: DeclareCommand, argv: string[], io: CliIo) {
  if (wantsHelp(argv)) {
    io.stdout.write(DECLARE_HELP[command]);
    return EXIT.ok;
  }
  const { values, positionals } = parse(command, argv);
  const help = `${PROGRAM} ${command} --help`;
  if (command === "import") return runImport(values, positionals, io, help);
  positionalArgs(positionals, [], help);
  if (values.file === undefined) throw new UsageError("missing -f FILE", help);
  let file: ReadFile;
  try {
    file = await readTransfersFile(values.file);
  } catch (error) {
    if (!(error instanceof TransfersFileError)) throw error;
    // Refused before anything is sent; every problem on a line of its own.
    for (const line of error.message.split("\n")) io.stderr.write(`${safeLine(line)}\n`);
    io.stderr.write(`${PROGRAM}: ${values.file} is not a valid transfers file: nothing was sent\n`);
    return EXIT.usage;
  }
  const { client } = makeClient(values, io, help, file);
  return explained(io, () =>
    command === "plan" ? runPlan(client, file, values, io) : runApply(client, file, values, io),
  );
}

/** Errors of the declare functions themselves (not the API's): one line, exit 1. */
async function explained(io: CliIo, work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof AmbiguousStateError || error instanceof ImportError)) throw error;
    io.stderr.write(`${safeLine(`${PROGRAM}: ${error.message}`)}\n`);
    return EXIT.apiError;
  }
}

function makeClient(values: Values, io: CliIo, help: string, file?: ReadFile) {
  const accountId = values.account ?? file?.config.account ?? env(io, "CLOUDFLARE_ACCOUNT_ID");
  if (accountId === undefined) {
    throw new UsageError(
      "keys, peers and ACLs belong to an account: give --account ID, `account:` in the file, or set CLOUDFLARE_ACCOUNT_ID",
      help,
    );
  }
  const options = clientOptions(io, help, values["base-url"], values.timeout, values.retries);
  return { client: createSecondaryDnsClient({ ...options, accountId }), accountId };
}

const env = (io: CliIo, name: string) => (io.env[name] === "" ? undefined : io.env[name]);

async function runImport(values: Values, zoneIds: string[], io: CliIo, help: string) {
  if (zoneIds.length === 0) throw new UsageError("missing <zone_id>", help);
  const { client, accountId } = makeClient(values, io, help);
  const baseUrlFrom = values["base-url"] !== undefined ? "--base-url" : "CLOUDFLARE_BASE_URL";
  let config: TransfersConfig | undefined;
  const code = await explained(io, async () => {
    config = await asUsage(help, baseUrlFrom, () =>
      importConfig(client, zoneIds, { accountId, schema: values.schema }),
    );
    return EXIT.ok;
  });
  if (!config) return code;
  const text = formatTransfers(config, [
    `Written by \`${PROGRAM} import\`. Secrets are not in this file: each key's secret is read`,
    "from the environment variable (or file) it names; the fingerprint is its sha256.",
  ]);
  if (values.output === undefined) io.stdout.write(text);
  else {
    await writeFile(values.output, text, { mode: 0o644 });
    io.stderr.write(
      `Wrote ${values.output}: ${config.tsigs!.length} keys, ${config.peers!.length} peers, ${config.acls!.length} ACLs, ${config.zones!.length} zones\n`,
    );
  }
  return EXIT.ok;
}

async function runPlan(client: SecondaryDnsClient, file: ReadFile, values: Values, io: CliIo) {
  const found = await plan(client, file, {
    prune: values.prune,
    accountId: values.account,
    env: io.env,
    signal: io.signal,
  });
  if (values.json) io.stdout.write(`${JSON.stringify(found, null, 2)}\n`);
  else io.stdout.write(`${formatPlan(found).join("\n")}\n`);
  return found.changes.length === 0 ? EXIT.ok : PLAN_CHANGES_EXIT;
}

async function runApply(client: SecondaryDnsClient, file: ReadFile, values: Values, io: CliIo) {
  const say = (line: string) => io.stdout.write(`${line}\n`);
  const result = await apply(client, file, {
    prune: values.prune,
    accountId: values.account,
    env: io.env,
    signal: io.signal,
    confirm: (found) => confirm(found, values.yes === true, io),
    onStep: (change, step) =>
      say(`${changeLine(change)}: done${step.id ? ` (id ${step.id})` : ""}`),
  });
  if (!result.confirmed) return EXIT.apiError;
  if (result.failed) return reportApplyFailure(result, io);
  say(
    result.done.length === 0
      ? "No changes: what exists is what the file says."
      : `Applied: ${result.done.length} changes.`,
  );
  if (!values.verify) return EXIT.ok;
  const { verify } = await import("./declare-verify.js");
  return verify(file, values, io);
}

/** Prints the plan; without --yes, asks on stdin and goes on only on "yes". */
async function confirm(found: Plan, yes: boolean, io: CliIo): Promise<boolean> {
  io.stdout.write(`${formatPlan(found).join("\n")}\n`);
  if (yes) return true;
  if (!io.stdin) {
    io.stderr.write(`${PROGRAM}: nothing applied: give --yes to apply without being asked\n`);
    return false;
  }
  io.stdout.write('Apply these changes? Only "yes" applies them: ');
  const answer = await firstLine(io.stdin);
  if (answer.trim() === "yes") return true;
  io.stderr.write(`${PROGRAM}: nothing applied\n`);
  return false;
}

async function firstLine(input: AsyncIterable<string | Uint8Array>): Promise<string> {
  let text = "";
  for await (const chunk of input) {
    text += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    if (text.includes("\n") || text.length > 100) break;
  }
  return text.split("\n")[0] ?? "";
}

function reportApplyFailure(result: ApplyResult, io: CliIo): number {
  const error = result.failed!.error;
  // The CLI's usual account of an error (status, codes, cf-ray), then what was and was not done.
  const code = error instanceof SecretUnavailableError ? EXIT.apiError : reportFailure(error, io);
  const reason = error instanceof Error ? error.message.split("\n")[0]! : String(error);
  for (const line of formatFailure(result, reason)) io.stderr.write(`${line}\n`);
  return code === EXIT.usage ? EXIT.apiError : code;
}
