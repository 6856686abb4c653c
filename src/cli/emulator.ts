/** `cf-secondary-dns emulator`: the local emulator in the foreground, until interrupted. */
import { parseArgs } from "node:util";
import { isIP } from "node:net";
import { IDENTIFIER_PATTERN } from "../../generated/constants.js";
import { escapeText } from "../text.js";
import { dnsPacketAvailable, formatAddress, isLoopbackAddress } from "../dns/wire.js";
import {
  startEmulator,
  type Emulator,
  type EmulatorEvent,
  type EmulatorOptions,
} from "../emulator/index.js";
import { secondaryEventLine } from "../emulator/secondary.js";
import { PRIMARY_ENV } from "./doctor.js";
import { EMULATOR_HELP, PROGRAM } from "./help.js";
import { EXIT, UsageError, type CliIo } from "./io.js";
import { parseOrExplain, positionalArgs, wantsHelp, wholeNumber } from "./parse.js";

const HELP_COMMAND = `${PROGRAM} emulator --help`;

const OPTIONS = {
  port: { type: "string" },
  host: { type: "string" },
  state: { type: "string" },
  latency: { type: "string" },
  "rate-limit-share": { type: "string" },
  "server-error-share": { type: "string" },
  "request-timeout": { type: "string" },
  "headers-timeout": { type: "string" },
  "keep-alive-timeout": { type: "string" },
  "dns-port": { type: "string" },
  "zone-file": { type: "string", multiple: true },
  help: { type: "boolean", short: "h" },
} as const;

type ParsedFlags = ReturnType<typeof parseFlags>["values"];

const parseFlags = (argv: string[]) =>
  parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });

/** The emulator's options from the command's flags, each checked (a UsageError names the flag). */
function emulatorOptions(values: ParsedFlags, io: CliIo): EmulatorOptions {
  const options: EmulatorOptions = {
    port: integer(values.port, "--port", 65535),
    host: values.host,
    stateFile: values.state,
    latencyMs: integer(values.latency, "--latency", 600_000),
    rateLimitShare: share(values["rate-limit-share"], "--rate-limit-share"),
    serverErrorShare: share(values["server-error-share"], "--server-error-share"),
    requestTimeoutMs: milliseconds(values["request-timeout"], "--request-timeout"),
    headersTimeoutMs: milliseconds(values["headers-timeout"], "--headers-timeout"),
    keepAliveTimeoutMs: milliseconds(values["keep-alive-timeout"], "--keep-alive-timeout"),
    // DNS on by default where it may run (a loopback host, dns-packet installed);
    // --dns-port elsewhere is refused at start.
    dnsPort:
      integer(values["dns-port"], "--dns-port", 65535) ??
      (loopback(values.host ?? "127.0.0.1") && dnsPacketAvailable() ? 0 : undefined),
    zoneFiles: zoneFiles(values["zone-file"] ?? []),
    // The same --state listens where it did last time, when those ports are free.
    reusePorts: values.state !== undefined,
    onEvent: (event) => io.stdout.write(`${describeEvent(event)}\n`),
  };
  if ((options.rateLimitShare ?? 0) + (options.serverErrorShare ?? 0) > 1) {
    throw new UsageError(
      "--rate-limit-share and --server-error-share add up to more than 1",
      HELP_COMMAND,
    );
  }
  return options;
}

export async function runEmulator(argv: string[], io: CliIo): Promise<number> {
  if (wantsHelp(argv)) {
    io.stdout.write(EMULATOR_HELP);
    return EXIT.ok;
  }
  const { values, positionals } = parseOrExplain(() => parseFlags(argv), HELP_COMMAND);
  positionalArgs(positionals, [], HELP_COMMAND);
  const options = emulatorOptions(values, io);

  io.stdout.write("Starting the emulator (Ctrl+C stops it)…\n");
  let emulator;
  try {
    emulator = await startOrStop(options, io.signal);
  } catch (error) {
    // The message may quote a zone file's words.
    const message = `${PROGRAM}: the emulator could not start: ${(error as Error).message}`;
    io.stderr.write(`${escapeText(message)}\n`);
    return EXIT.apiError;
  }
  if (!emulator) {
    io.stderr.write(`${PROGRAM}: interrupted while the emulator was starting\n`);
    return EXIT.interrupted;
  }
  io.stdout.write(banner(emulator, options));
  const stopReloading = reloadOnHangup(emulator, options, io);
  await untilAborted(io.signal);
  stopReloading();
  await emulator.close();
  io.stdout.write("Emulator stopped.\n");
  return EXIT.ok;
}

/**
 * The started emulator, or undefined when the signal came first: a start held up
 * (a state file on a stuck mount) must not swallow Ctrl+C. An emulator that starts
 * after that is closed at once; the bin exits without waiting for it.
 */
async function startOrStop(
  options: EmulatorOptions,
  signal: AbortSignal | undefined,
): Promise<Emulator | undefined> {
  const starting = startEmulator(options);
  if (!signal) return starting;
  const first = await Promise.race([starting, untilAborted(signal).then(() => undefined)]);
  if (first && !signal.aborted) return first;
  void starting.then(
    (late) => late.close(),
    () => {},
  );
  return undefined;
}

function banner(emulator: Emulator, options: EmulatorOptions): string {
  const accounts = emulator.accountIds;
  return [
    `Emulator listening on ${emulator.url}`,
    options.stateFile
      ? `State file: ${options.stateFile}`
      : "State: in memory only (use --state FILE to keep it)",
    accounts.length > 0
      ? `Account${accounts.length > 1 ? "s" : ""} with peers, TSIGs or ACLs: ${accounts.join(", ")} (CLOUDFLARE_ACCOUNT_ID=${accounts[0]})`
      : "Accounts: none with peers, TSIGs or ACLs yet (any 32-hex account id works)",
    emulator.dns
      ? `DNS primary (SOA, AXFR, NOTIFY) on ${emulator.dns.host}:${emulator.dns.port}, UDP and TCP`
      : "DNS primary: off (the host is not loopback)",
    `Try: CLOUDFLARE_BASE_URL=${emulator.url} CLOUDFLARE_API_TOKEN=any-token ${PROGRAM} outgoing status <zone_id>`,
    ...(emulator.dns
      ? [
          `Doctor: ${PRIMARY_ENV}=${formatAddress(emulator.dns.host, emulator.dns.port)} ${PROGRAM} outgoing doctor <zone_id> --account <account_id>`,
        ]
      : []),
    ...(Object.keys(options.zoneFiles ?? {}).length > 0
      ? [`Zone files: edit them, then send SIGHUP (kill -HUP ${process.pid}) to reload`]
      : []),
    "Press Ctrl+C to stop.",
    "",
  ].join("\n");
}

/**
 * SIGHUP re-reads the zone files: a changed zone gets a new serial and NOTIFY; a
 * file that cannot be used is reported and every zone keeps its records.
 * Returns the function that stops listening for SIGHUP.
 */
function reloadOnHangup(emulator: Emulator, options: EmulatorOptions, io: CliIo): () => void {
  if (Object.keys(options.zoneFiles ?? {}).length === 0) return () => {};
  let reloading = Promise.resolve();
  const reload = async () => {
    try {
      const results = await emulator.reloadZoneFiles();
      if (results.length === 0)
        io.stdout.write("Reloaded: no zone with a file is configured yet\n");
      for (const { zoneId, serial, changed } of results) {
        io.stdout.write(
          `Reloaded zone ${zoneId}: ${changed ? `changed, serial ${serial}, NOTIFY requested` : `unchanged, serial ${serial}`}\n`,
        );
      }
    } catch (error) {
      // The message may quote a zone file's words.
      const message = `${PROGRAM}: zone files not reloaded (every zone keeps its records): ${(error as Error).message}`;
      io.stderr.write(`${escapeText(message)}\n`);
    }
  };
  const onHangup = () => {
    reloading = reloading.then(reload);
  };
  process.on("SIGHUP", onHangup);
  return () => process.off("SIGHUP", onHangup);
}

function loopback(host: string): boolean {
  return host === "localhost" || (isIP(host) !== 0 && isLoopbackAddress(host));
}

/** A zone id as the spec has it (components.schemas.Identifier). */
const ZONE_ID = new RegExp(IDENTIFIER_PATTERN);

function zoneFiles(entries: string[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of entries) {
    const at = entry.indexOf("=");
    const [zoneId, path] = [entry.slice(0, at), entry.slice(at + 1)];
    if (at < 0 || !ZONE_ID.test(zoneId) || !/^.+$/.test(path))
      throw new UsageError(
        `invalid --zone-file: must be <zone_id>=<path> (a 32-character hex id), got "${entry}"`,
        HELP_COMMAND,
      );
    files[zoneId] = path;
  }
  return files;
}

/**
 * One line of the event log, for the console, escaped whole: a query name or a
 * reason with a newline in it stays on this line (its layout has no backslash
 * or control character of its own to be escaped).
 */
export function describeEvent(event: EmulatorEvent): string {
  return escapeText(eventLine(event));
}

function eventLine(event: EmulatorEvent): string {
  const at = `[${event.time.slice(11, 19)}]`;
  switch (event.type) {
    case "query":
      return `${at} DNS ${event.qtype} ${event.zone} from ${event.from} (${event.transport}): rcode ${event.rcode}`;
    case "transfer":
      return `${at} DNS ${event.kind} of zone ${event.zoneId} served to ${event.from}: ${event.records} records${event.tsig ? `, TSIG ${event.tsig}` : ""}`;
    case "refused":
      return `${at} DNS ${event.qtype} ${event.zone} from ${event.from} refused: ${event.reason}${event.tsigError ? ` (TSIG ${event.tsigError})` : ""}`;
    case "malformed":
      return `${at} DNS malformed message from ${event.from}: ${event.reason}`;
    case "notify":
      return `${at} NOTIFY zone ${event.zoneId} to peer ${event.peerId}${event.target ? ` at ${event.target}` : ""}: ${event.outcome}${event.rcode !== undefined ? ` (rcode ${event.rcode})` : ""}${event.reason ? `: ${event.reason}` : ""}`;
    case "error":
      return `${at} DNS error: ${event.reason}`;
    case "zone":
      return `${at} zone ${event.zoneId} (${event.name}): serial ${event.serial}, records from ${event.source}`;
    case "zone-file-error":
      return `${at} zone ${event.zoneId}: ${event.reason}`;
    case "incoming":
    case "incoming-notify":
    case "incoming-error":
      return `${at} ${secondaryEventLine(event)}`;
  }
}

function integer(text: string | undefined, flag: string, max: number): number | undefined {
  return wholeNumber(text, flag, HELP_COMMAND, { max });
}

/** A timeout: Node takes up to 2^31 - 1 ms. */
function milliseconds(text: string | undefined, flag: string): number | undefined {
  return wholeNumber(text, flag, HELP_COMMAND, { min: 1, max: 2 ** 31 - 1 });
}

function share(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === "" || !(value >= 0 && value <= 1)) {
    throw new UsageError(
      `invalid ${flag}: must be a number from 0 to 1, got "${text}"`,
      HELP_COMMAND,
    );
  }
  return value;
}

function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return new Promise(() => {}); // no way to stop: run until the process ends
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener("abort", () => resolve(), { once: true }),
  );
}
