/**
 * `cf-secondary-dns incoming setup|doctor`, the hand-written actions of incoming
 * (its other actions are table-driven, resource.ts). Setup is the "Cloudflare as
 * secondary" guide over the library's setupIncoming, then what the primary needs:
 * transfers allowed from Cloudflare's transfer sources, NOTIFY sent to its NOTIFY
 * addresses (against the emulator: its DNS address), the key, and with
 * --write-config whole Knot, NSD and BIND 9 primary configurations.
 */
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { FoundPrimary } from "../dns/api-doctor.js";
import { CLOUDFLARE_NOTIFY_SOURCES, CLOUDFLARE_SECONDARY_NOTIFY } from "../dns/cloudflare.js";
import {
  cloudflareTargets,
  emulatorTargets,
  writePrimaryConfigs,
  type PrimaryConfigFile,
  type SecondaryTargets,
} from "../dns/primary-config.js";
import { renderKeyStanza } from "../dns/render.js";
import { createSecondaryDnsClient, ValidationError } from "../index.js";
import {
  checkIncomingInput,
  DEFAULT_AUTO_REFRESH_SECONDS,
  setupIncoming,
  type IncomingSetupInput,
  type IncomingSetupResult,
} from "../setup-incoming.js";
import { DEFAULT_TSIG_ALGO, SetupFailedError, zoneNameOf, type TsigAlgorithm } from "../setup.js";
import { escapeText } from "../text.js";
import { PROGRAM } from "./help.js";
import { EXIT, UsageError, type CliIo } from "./io.js";
import { CLIENT_FLAGS, clientOptions } from "./outgoing.js";
import { parseOrExplain, positionalArgs, wantsHelp, wholeNumber } from "./parse.js";
import { choosePrimary } from "./primary.js";
import { runResource } from "./resource.js";
import { MASKED } from "./secret.js";
import { duplicateLines, reportSetupFailure, SETUP_TAIL_HELP, stepLine, summary } from "./setup.js";

export async function runIncoming(argv: string[], io: CliIo): Promise<number> {
  const [actionName, ...rest] = argv;
  if (actionName === "setup") return runIncomingSetup(rest, io);
  if (actionName === "doctor")
    return (await import("./incoming-doctor.js")).runIncomingDoctorCommand(rest, io);
  return runResource("incoming", argv, io);
}

const HELP_COMMAND = `${PROGRAM} incoming setup --help`;

export const INCOMING_SETUP_HELP = `Usage: ${PROGRAM} incoming setup <zone_id> --name ZONE --primary-ip IP [options]

Cloudflare's "Cloudflare as secondary" steps, safe to run again: find or create
the TSIG key (by name), find or create the peer for your primary (by IP and
port) signed with it, and create the zone's incoming configuration pulling from
it (or update it to). Each step prints created, updated or unchanged. Then it
prints what your primary needs: transfers allowed from Cloudflare's transfer
sources with the key, and NOTIFY sent to Cloudflare's NOTIFY addresses (against
the emulator: its own DNS address, which it names in every answer).

Options:
  --name ZONE             The zone's name, e.g. example.com. (required)
  --primary-ip IP         Your primary's address, which Cloudflare pulls from (required)
  --primary-port N        Its DNS port (default 53)
  --tsig-name NAME        The key's name (default: the key the zone's peers share, else
                          cloudflare-transfer.ZONE)
  --tsig-algo ALGO        The key's algorithm (default ${DEFAULT_TSIG_ALGO})
  --no-tsig               Use no key (transfers unsigned; not recommended)
  --ixfr                  Ask the primary for IXFR (default: AXFR only)
  --auto-refresh S        Seconds between checks whatever NOTIFY says (default ${DEFAULT_AUTO_REFRESH_SECONDS})
  --account ID            The account of the peer and key (default CLOUDFLARE_ACCOUNT_ID)
  --cloudflare-dns ADDR   Cloudflare's DNS as your primary sees it, HOST[:PORT]: NOTIFY goes
                          there, transfers come from HOST (default: the emulator's DNS
                          address; for Cloudflare's API its documented addresses)
  --show-secret           Print the key's secret even when this run did not create it
  --write-config DIR      Also write whole primary configurations for Knot, NSD and BIND 9
                          under DIR (knot/knot.conf, nsd/nsd.conf, bind/named.conf),
                          listening at the primary's address and port
  --zone-file FILE        The zone file those configurations serve (default DIR/ZONE.zone)
${SETUP_TAIL_HELP}`;

const OPTIONS = {
  name: { type: "string" },
  "primary-ip": { type: "string" },
  "primary-port": { type: "string" },
  "tsig-name": { type: "string" },
  "tsig-algo": { type: "string" },
  "no-tsig": { type: "boolean" },
  ixfr: { type: "boolean" },
  "auto-refresh": { type: "string" },
  account: { type: "string" },
  "cloudflare-dns": { type: "string" },
  "show-secret": { type: "boolean" },
  "write-config": { type: "string" },
  "zone-file": { type: "string" },
  ...CLIENT_FLAGS,
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>["values"];

/** The flag behind each field setupIncoming may name in a ValidationError. */
const FLAGS: Record<string, string> = {
  zoneId: "<zone_id>",
  zoneName: "--name",
  "peer.ip": "--primary-ip",
  "peer.port": "--primary-port",
  "tsig.name": "--tsig-name",
  "tsig.algo": "--tsig-algo",
  autoRefreshSeconds: "--auto-refresh",
  accountId: "--account",
};

function asUsage(error: unknown, baseUrlFrom = "CLOUDFLARE_BASE_URL"): unknown {
  if (!(error instanceof ValidationError)) return error;
  const names: Record<string, string> = { ...FLAGS, baseUrl: baseUrlFrom };
  const flag = names[error.field] ?? error.field;
  return new UsageError(`invalid ${flag}: ${error.reason}`, HELP_COMMAND);
}

async function runIncomingSetup(argv: string[], io: CliIo): Promise<number> {
  if (wantsHelp(argv)) {
    io.stdout.write(INCOMING_SETUP_HELP);
    return EXIT.ok;
  }
  const { values, positionals } = parseOrExplain(
    () => parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true }),
    HELP_COMMAND,
  );
  const input = readInput(values, positionals, io);
  let client;
  let options;
  try {
    checkIncomingInput(input); // bad input: a usage error before anything is sent
    options = clientOptions(io, HELP_COMMAND, values["base-url"], values.timeout, values.retries);
    client = createSecondaryDnsClient(options);
  } catch (error) {
    throw asUsage(error, values["base-url"] !== undefined ? "--base-url" : "CLOUDFLARE_BASE_URL");
  }
  const secondaryOf = await choosePrimary(io, {
    flag: values["cloudflare-dns"],
    baseUrl: options.baseUrl,
    help: HELP_COMMAND,
  });
  const json = values.json === true;
  const say = (line: string) => json || io.stdout.write(`${escapeText(line)}\n`);
  say(`Setting up incoming transfers of zone ${input.zoneId}:`);
  let result: IncomingSetupResult;
  try {
    result = await setupIncoming(client, input, (step) => say(stepLine(step)));
  } catch (error) {
    if (error instanceof ValidationError) throw asUsage(error);
    if (!(error instanceof SetupFailedError)) throw error;
    return reportSetupFailure(error, io, "incoming");
  }
  return printOutcome(result, await secondaryOf(), values, io);
}

/** The setup's input from the command line and the environment. */
function readInput(values: Values, positionals: string[], io: CliIo): IncomingSetupInput {
  const [zoneId] = positionalArgs(positionals, ["<zone_id>"], HELP_COMMAND) as [string];
  const usage = (message: string) => new UsageError(message, HELP_COMMAND);
  if (values.name === undefined) throw usage("missing --name ZONE");
  if (values["primary-ip"] === undefined) throw usage("missing --primary-ip IP");
  const noTsig = values["no-tsig"] === true;
  if (noTsig && (values["tsig-name"] ?? values["tsig-algo"]))
    throw usage("--no-tsig and --tsig-name or --tsig-algo exclude each other");
  const accountId = values.account ?? (io.env.CLOUDFLARE_ACCOUNT_ID || undefined);
  if (accountId === undefined) throw usage("missing --account ID (or CLOUDFLARE_ACCOUNT_ID)");
  const range = { min: 1, max: 65535 };
  return {
    zoneId,
    zoneName: values.name,
    peer: {
      ip: values["primary-ip"],
      port: wholeNumber(values["primary-port"], "--primary-port", HELP_COMMAND, range),
      ixfr: values.ixfr === true,
    },
    tsig: noTsig
      ? null
      : {
          name: values["tsig-name"],
          algo: (values["tsig-algo"] ?? DEFAULT_TSIG_ALGO) as TsigAlgorithm,
        },
    autoRefreshSeconds: wholeNumber(values["auto-refresh"], "--auto-refresh", HELP_COMMAND, {
      min: 1,
      max: 2 ** 32 - 1,
    }),
    accountId,
    signal: io.signal,
  };
}

/** Who the secondary is, as the primary must know it: Cloudflare's addresses, or the emulator's. */
export function targetsFor(found: FoundPrimary): SecondaryTargets {
  return found.from === "cloudflare" ? cloudflareTargets() : emulatorTargets(found);
}

function printOutcome(
  result: IncomingSetupResult,
  found: FoundPrimary,
  values: Values,
  io: CliIo,
): number {
  const targets = targetsFor(found);
  let written: PrimaryConfigFile[] | undefined;
  try {
    written = writeConfigs(result, targets, values);
  } catch (error) {
    // SetupError, TsigKeyError and file errors never hold the secret.
    io.stderr.write(
      `${escapeText(`${PROGRAM}: cannot write the primary's configuration: ${(error as Error).message}`)}\n`,
    );
    return EXIT.apiError;
  }
  if (values.json === true) {
    const files = written?.map(({ kind, path, command, reload }) => ({
      kind,
      path,
      command,
      reload,
    }));
    io.stdout.write(`${JSON.stringify({ ...result, targets, written: files }, null, 2)}\n`);
    return EXIT.ok;
  }
  for (const line of duplicateLines(result)) io.stdout.write(`${escapeText(line)}\n`);
  io.stdout.write(`${summary(result)}\n\n`);
  const secretIsNew = result.steps.some((s) => s.step === "tsig" && s.outcome !== "unchanged");
  io.stdout.write(
    describePrimaryNeeds(result, targets, values["show-secret"] === true || secretIsNew),
  );
  if (written) {
    const zoneFile = zoneFileOf(values, zoneNameOf(result.incoming.name));
    io.stdout.write(describeWritten(values["write-config"]!, zoneFile, written));
  }
  return EXIT.ok;
}

function writeConfigs(
  result: IncomingSetupResult,
  targets: SecondaryTargets,
  values: Values,
): PrimaryConfigFile[] | undefined {
  const dir = values["write-config"];
  if (dir === undefined) return undefined;
  const zone = zoneNameOf(result.incoming.name);
  const tsig = result.tsig && {
    name: result.tsig.name,
    algorithm: result.tsig.algo,
    secret: result.tsig.secret,
  };
  return writePrimaryConfigs({
    zone,
    zoneFile: zoneFileOf(values, zone),
    listen: { host: result.peer.ip ?? "127.0.0.1", port: result.peer.port ?? 53 },
    tsig,
    targets,
    dir,
  });
}

/** The zone file the written configurations serve: --zone-file, else DIR/ZONE.zone. */
const zoneFileOf = (values: Values, zone: string) =>
  resolve(values["zone-file"] ?? join(values["write-config"]!, `${zone.replace(/\.$/, "")}.zone`));

/** What the primary needs, for people: where transfers come from, where NOTIFY goes, the key. */
function describePrimaryNeeds(
  result: IncomingSetupResult,
  targets: SecondaryTargets,
  showSecret: boolean,
): string {
  const { incoming, peer, tsig } = result;
  const at = `${peer.ip} port ${peer.port ?? 53}`;
  const signed = tsig ? `, signed with the key ${tsig.name}` : ", unsigned";
  const lines = [
    `Configure your primary at ${at} for ${incoming.name}:`,
    `  allow transfers (AXFR${peer.ixfr_enable ? ", IXFR" : ""}) from ${targets.transferFrom.join(", ")}${signed}`,
    `  send NOTIFY to ${targets.notify.map((t) => `${t.host} port ${t.port}`).join(", ")}${signed}`,
    `Cloudflare checks the primary every ${incoming.auto_refresh_seconds} s whatever NOTIFY says.`,
  ].map(escapeText);
  if (sameAsCloudflare(targets))
    lines.push("These are Cloudflare's documented transfer sources and NOTIFY addresses.");
  if (tsig) {
    const stanza = renderKeyStanza({ name: tsig.name, algorithm: tsig.algo, secret: tsig.secret });
    lines.push(
      showSecret
        ? "The key (its secret printed by the run that creates it, or with --show-secret; keep it private):"
        : "The key (secret masked: --show-secret prints it):",
      (showSecret ? stanza : stanza.split(tsig.secret).join(MASKED)).trimEnd(),
    );
  }
  return `${lines.join("\n")}\n`;
}

const sameAsCloudflare = (targets: SecondaryTargets) =>
  targets.transferFrom.every((a) => CLOUDFLARE_NOTIFY_SOURCES.includes(a)) &&
  targets.notify.every((t) => CLOUDFLARE_SECONDARY_NOTIFY.includes(t.host));

function describeWritten(dir: string, zoneFile: string, written: PrimaryConfigFile[]): string {
  return [
    "",
    escapeText(
      `Whole primary configurations written under ${dir} (owner-only: they hold the key),`,
    ),
    escapeText(`serving the zone file ${zoneFile} (put your zone there).`),
    "Run one of them in the foreground, then reload it after each change of the zone file:",
    ...written.flatMap((w) => [
      `  ${escapeText(w.command)}`,
      `    reload: ${escapeText(w.reload)}`,
    ]),
    "",
  ].join("\n");
}
