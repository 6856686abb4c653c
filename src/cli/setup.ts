/**
 * `cf-secondary-dns outgoing setup <zone_id>`: the whole "Cloudflare as primary"
 * guide in one idempotent command, over the library's setupOutgoing, then what
 * the secondary needs: the transfer address, the key and Knot/NSD configuration.
 *
 * The secret: the secondary cannot verify transfers without it, so the run that
 * creates (or replaces) the key prints it once, in the configuration. Later runs
 * mask it unless --show-secret; --json always holds it, as `tsigs --json` does.
 */
import { parseArgs } from "node:util";
import type { FoundPrimary } from "../dns/api-doctor.js";
import { CLOUDFLARE_PRIMARY } from "../dns/cloudflare.js";
import { createSecondaryDnsClient, ValidationError } from "../index.js";
import {
  DEFAULT_PEER_PORT,
  DEFAULT_TSIG_ALGO,
  checkSetupInput,
  SetupFailedError,
  setupOutgoing,
  type SetupInput,
  type SetupObject,
  zoneNameOf,
  type SetupResult,
  type SetupStep,
  type TsigAlgorithm,
} from "../setup.js";
import { COMMON_OPTIONS, PROGRAM } from "./help.js";
import { choosePrimary } from "./primary.js";
import { EXIT, UsageError, type CliIo } from "./io.js";
import { CLIENT_FLAGS, clientOptions } from "./outgoing.js";
import { escapeText } from "../text.js";
import { parseOrExplain, positionalArgs, wantsHelp, wholeNumber } from "./parse.js";
import { reportFailure } from "./report.js";
import { readSecret } from "./secret.js";
import {
  describeNeeds,
  notifyRanges,
  secondaryNeeds,
  type NotifyRanges,
} from "./setup-secondary.js";

const HELP_COMMAND = `${PROGRAM} outgoing setup --help`;

/** The end of both setups' help: the client's options and the exit codes. */
export const SETUP_TAIL_HELP = `${COMMON_OPTIONS}

Exit codes:
  0  everything is set up
  1  the API answered an error: the steps done and not done are listed
  2  bad usage, or an argument that is not valid (nothing was sent)
  3  the API could not be reached, or did not answer in time
`;

export const SETUP_HELP = `Usage: ${PROGRAM} outgoing setup <zone_id> --name ZONE --peer-ip IP [options]

Cloudflare's "Cloudflare as primary" steps, safe to run again: find or create
the TSIG key (by name), find or create the peer (by IP and port) signed with it,
create the zone's outgoing configuration listing the peer (or add the peer to
it), and enable outgoing transfers. Each step prints created, updated or
unchanged. Then it prints what the secondary needs: the address to transfer
from, the key, and Knot, NSD and BIND 9 configuration to paste, with a
NOTIFY ACL that requires the key and allows Cloudflare's ranges.

The key's secret is printed once, by the run that creates or replaces the key;
later runs mask it unless --show-secret. Keep that output private.

Options:
  --name ZONE             The zone's name, e.g. example.com. (required)
  --peer-ip IP            Your secondary's address, where NOTIFY goes (required)
  --peer-port N           Its DNS port (default ${DEFAULT_PEER_PORT})
  --peer-name NAME        The peer's name when it is created (default "secondary IP port N")
  --tsig-name NAME        The key's name, as on the secondary, the trailing dot optional
                          (default: the key the zone's peers already share, else
                          cloudflare-transfer.ZONE)
  --tsig-algo ALGO        The key's algorithm, e.g. hmac-sha512 (the trailing dot is
                          optional; default ${DEFAULT_TSIG_ALGO})
  --tsig-secret-file F    Use the secret in F ("-": standard input) when the key is
                          created or replaced (default: a new random one)
  --no-tsig               Use no key (transfers unsigned; not recommended)
  --replace-peers         The zone lists exactly this peer afterwards (others are
                          unlinked, not deleted): for replacing an example or old peer
  --account ID            The account of the peer and key (default CLOUDFLARE_ACCOUNT_ID)
  --primary HOST[:PORT]   The address the secondary transfers from, as printed
                          (default: the emulator's DNS address, which it names in
                          every answer; for Cloudflare's API ${CLOUDFLARE_PRIMARY.host}:${CLOUDFLARE_PRIMARY.port})
  --show-secret           Print the key's secret even when this run did not create it
  --write-config DIR      Also write whole configurations for Knot, NSD and BIND 9 under
                          DIR (knot/knot.conf, nsd/nsd.conf, bind/named.conf), each
                          listening at the peer's address and port, runnable as written
${SETUP_TAIL_HELP}`;

const OPTIONS = {
  name: { type: "string" },
  "peer-ip": { type: "string" },
  "peer-port": { type: "string" },
  "peer-name": { type: "string" },
  "tsig-name": { type: "string" },
  "tsig-algo": { type: "string" },
  "tsig-secret-file": { type: "string" },
  "no-tsig": { type: "boolean" },
  "replace-peers": { type: "boolean" },
  account: { type: "string" },
  primary: { type: "string" },
  "show-secret": { type: "boolean" },
  "write-config": { type: "string" },
  ...CLIENT_FLAGS,
} as const;

/** The flag behind each field setupOutgoing may name in a ValidationError. */
const FLAGS: Record<string, string> = {
  zoneId: "<zone_id>",
  zoneName: "--name",
  "peer.ip": "--peer-ip",
  "peer.port": "--peer-port",
  "peer.name": "--peer-name",
  "tsig.name": "--tsig-name",
  "tsig.algo": "--tsig-algo",
  "tsig.secret": "--tsig-secret-file",
  accountId: "--account",
};

export async function runSetup(argv: string[], io: CliIo): Promise<number> {
  if (wantsHelp(argv)) {
    io.stdout.write(SETUP_HELP);
    return EXIT.ok;
  }
  const { values, positionals } = parseOrExplain(
    () => parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true }),
    HELP_COMMAND,
  );
  const input = await readInput(values, positionals, io);
  const { zoneId } = input;

  let client;
  let options;
  try {
    checkSetupInput(input); // bad input: a usage error before anything is printed or sent
    options = clientOptions(io, HELP_COMMAND, values["base-url"], values.timeout, values.retries);
    client = createSecondaryDnsClient(options);
  } catch (error) {
    throw asUsage(error, values["base-url"] !== undefined ? "--base-url" : "CLOUDFLARE_BASE_URL");
  }
  // Known before anything changes: an API on loopback that names no DNS address stops here.
  const primaryOf = await choosePrimary(io, {
    flag: values.primary,
    baseUrl: options.baseUrl,
    help: HELP_COMMAND,
  });
  const json = values.json === true;
  if (!json) io.stdout.write(`${escapeText(`Setting up outgoing transfers of zone ${zoneId}:`)}\n`);
  let result: SetupResult;
  try {
    result = await setupOutgoing(client, input, (step) => {
      if (!json) io.stdout.write(`${escapeText(stepLine(step))}\n`);
    });
  } catch (error) {
    if (error instanceof ValidationError) throw asUsage(error);
    if (!(error instanceof SetupFailedError)) throw error;
    return reportSetupFailure(error, io);
  }
  // The NOTIFY ACLs' ranges, asked of the same API (a failure falls back to the package's list).
  const [found, ranges] = await Promise.all([primaryOf(), notifyRanges(client, io.signal)]);
  return printOutcome(result, found, ranges, values, io);
}

/** The outcome for people or as JSON, with what the secondary needs; written files with --write-config. */
function printOutcome(
  result: SetupResult,
  found: FoundPrimary,
  ranges: NotifyRanges,
  values: Values,
  io: CliIo,
): number {
  const json = values.json === true;
  const primary = { host: found.host, port: found.port };
  const needs = secondaryNeeds(
    result,
    zoneNameOf(result.outgoing.name),
    found,
    ranges,
    values["write-config"],
  );
  const secretIsNew = result.steps.some((s) => s.step === "tsig" && s.outcome !== "unchanged");
  if (json) {
    io.stdout.write(`${JSON.stringify({ ...result, primary, secondary: needs }, null, 2)}\n`);
  } else {
    for (const line of duplicateLines(result)) io.stdout.write(`${escapeText(line)}\n`);
    io.stdout.write(`${summary(result)}\n\n`);
    const show = values["show-secret"] === true || secretIsNew;
    if (!("error" in needs))
      io.stdout.write(describeNeeds(result, needs, found, show, secretIsNew));
  }
  if (!("error" in needs)) return EXIT.ok;
  // The API part is done; only the text for the secondary could not be written.
  io.stderr.write(
    `${escapeText(`${PROGRAM}: cannot write the secondary's configuration: ${needs.error}`)}\n`,
  );
  return EXIT.apiError;
}

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>["values"];

/** The setup's input from the command line, the environment and the secret file. */
async function readInput(values: Values, positionals: string[], io: CliIo): Promise<SetupInput> {
  const [zoneId] = positionalArgs(positionals, ["<zone_id>"], HELP_COMMAND) as [string];
  const usage = (message: string) => new UsageError(message, HELP_COMMAND);
  if (values.name === undefined) throw usage("missing --name ZONE");
  if (values["peer-ip"] === undefined) throw usage("missing --peer-ip IP");
  const noTsig = values["no-tsig"] === true;
  if (noTsig && (values["tsig-name"] ?? values["tsig-algo"] ?? values["tsig-secret-file"]))
    throw usage("--no-tsig and --tsig-name, --tsig-algo or --tsig-secret-file exclude each other");
  const accountId = values.account ?? (io.env.CLOUDFLARE_ACCOUNT_ID || undefined);
  if (accountId === undefined) throw usage("missing --account ID (or CLOUDFLARE_ACCOUNT_ID)");
  const zoneName = values.name;
  const secret =
    values["tsig-secret-file"] === undefined
      ? undefined
      : await readSecret(values["tsig-secret-file"], io, HELP_COMMAND, "--tsig-secret-file");
  const input: SetupInput = {
    zoneId,
    zoneName,
    peer: {
      ip: values["peer-ip"],
      port: wholeNumber(values["peer-port"], "--peer-port", HELP_COMMAND, { min: 1, max: 65535 }),
      name: values["peer-name"],
    },
    tsig: noTsig
      ? null
      : {
          name: values["tsig-name"],
          algo: (values["tsig-algo"] ?? DEFAULT_TSIG_ALGO) as TsigAlgorithm,
          secret,
        },
    replacePeers: values["replace-peers"] === true,
    accountId,
    signal: io.signal,
  };
  return input;
}

function asUsage(error: unknown, baseUrlFrom = "CLOUDFLARE_BASE_URL"): unknown {
  if (!(error instanceof ValidationError)) return error;
  const names: Record<string, string> = { ...FLAGS, baseUrl: baseUrlFrom };
  return new UsageError(
    `invalid ${names[error.field] ?? error.field}: ${error.reason}`,
    HELP_COMMAND,
  );
}

export function stepLine(step: SetupStep): string {
  return `  ${step.step.padEnd(10)} ${step.outcome.padEnd(10)} ${step.detail} (${step.id})`;
}

export function summary({ steps, removed }: Pick<SetupResult, "steps" | "removed">): string {
  if (steps.every((s) => s.outcome === "unchanged") && removed.length === 0)
    return "Nothing to change: everything was already set up.";
  const counts = (["created", "updated", "unchanged"] as const)
    .map((outcome) => [outcome, steps.filter((s) => s.outcome === outcome).length] as const)
    .filter(([, n]) => n > 0)
    .map(([outcome, n]) => `${n} ${outcome}`);
  return `Done: ${counts.join(", ")}.`;
}

/** The steps done, the one that failed and why, and the ones not done; exit code as the cause's. */
function describeObject(object: SetupObject): string {
  const what = object.kind === "tsig" ? "TSIG key" : "peer";
  return `${what} ${JSON.stringify(object.name)} (${object.id})`;
}

/** Duplicates removed or kept: by this run (a concurrent run's copy) or left from earlier runs. */
export function duplicateLines(result: Pick<SetupResult, "removed" | "kept">): string[] {
  return [
    ...result.removed.map((o) => `  removed duplicate ${describeObject(o)}: ${o.why ?? ""}`),
    ...result.kept.map((o) => `  duplicate ${describeObject(o)} ${o.why ?? "kept"}`),
  ];
}

export function reportSetupFailure(error: SetupFailedError, io: CliIo, what = "outgoing"): number {
  const say = (text: string) => io.stderr.write(`${escapeText(text)}\n`);
  say(`${PROGRAM}: ${what} setup stopped at step "${error.step}".`);
  say(
    error.done.length > 0
      ? `  done: ${error.done.map((s) => `${s.step} ${s.outcome}`).join(", ")}`
      : "  done: nothing",
  );
  say(`  not done: ${error.notDone.join(", ")}`);
  say(
    error.created.length > 0
      ? `  this run created, and left in place: ${error.created.map(describeObject).join(", ")}`
      : "  this run created nothing",
  );
  say("  Running the same command again reuses what exists and continues. The cause:");
  return reportFailure(error.cause, io);
}
