/**
 * `cf-secondary-dns outgoing <action> <zone_id>`: one client call per action,
 * through the package's public client, with its result printed as text or JSON.
 */
import { parseArgs } from "node:util";
import {
  createSecondaryDnsClient,
  ValidationError,
  type CallOptions,
  type ClientOptions,
  type OutgoingZone,
} from "../index.js";
import { zoneNameOf } from "../names.js";
import { strictResults } from "../client/results.js";
import { ACTION_HELP, actionHelp, CLIENT_FLAGS, OUTGOING_HELP, PROGRAM } from "./help.js";
import { EXIT, UsageError, type CliIo } from "./io.js";
import { printResult } from "./output.js";
import { parseOrExplain, wantsHelp, wholeNumber } from "./parse.js";

interface Action {
  /** The text shown without --json. */
  show: (result: never, zoneId: string) => string;
}

const ACTIONS: Record<string, Action> = {
  get: {
    show: (zone: OutgoingZone, id) =>
      `Outgoing configuration of zone ${id}:\n${describeZone(zone)}`,
  },
  create: {
    show: (zone: OutgoingZone, id) =>
      `Created the outgoing configuration of zone ${id}:\n${describeZone(zone)}`,
  },
  update: {
    show: (zone: OutgoingZone, id) =>
      `Updated the outgoing configuration of zone ${id}:\n${describeZone(zone)}`,
  },
  delete: {
    show: (result: { id: string }, id) =>
      `Deleted the outgoing configuration ${result.id} of zone ${id}.`,
  },
  enable: {
    show: (result: string, id) => `Outgoing transfers of zone ${id}: ${result}`,
  },
  disable: {
    show: (result: string, id) => `Outgoing transfers of zone ${id}: ${result}`,
  },
  "force-notify": {
    show: (result: string, id) => `NOTIFY sent to the peers of zone ${id}: ${result}`,
  },
  status: {
    show: (result: string, id) => `Outgoing transfers of zone ${id}: ${result}`,
  },
};

/** The client's flags, listed with their help in help.ts; setup and the account commands take them too. */
export { CLIENT_FLAGS };

const OPTIONS = {
  name: { type: "string" },
  peer: { type: "string", multiple: true },
  ...CLIENT_FLAGS,
} as const;

export async function runOutgoing(argv: string[], io: CliIo): Promise<number> {
  const [actionName, ...rest] = argv;
  // Loaded only when asked for: it brings the DNS library's configuration writers.
  if (actionName === "setup") return (await import("./setup.js")).runSetup(rest, io);
  if (actionName === "doctor") return (await import("./doctor.js")).runDoctorCommand(rest, io);
  const action = actionName === undefined ? undefined : ACTIONS[actionName];
  const actionUsage = actionName === undefined ? undefined : ACTION_HELP[actionName];
  if (!action || !actionUsage) {
    if (actionName === undefined) {
      io.stderr.write(OUTGOING_HELP);
      return EXIT.usage;
    }
    if (wantsHelp(argv)) {
      io.stdout.write(OUTGOING_HELP);
      return EXIT.ok;
    }
    throw new UsageError(`unknown action "${actionName}"`, `${PROGRAM} outgoing --help`);
  }
  const helpCommand = `${PROGRAM} outgoing ${actionName} --help`;
  if (wantsHelp(rest)) {
    io.stdout.write(actionHelp(actionName as string, actionUsage));
    return EXIT.ok;
  }
  const { values, positionals } = parseOrExplain(
    () => parseArgs({ args: rest, options: OPTIONS, allowPositionals: true, strict: true }),
    helpCommand,
  );
  const [zoneId, ...extra] = positionals;
  if (zoneId === undefined) throw new UsageError("missing <zone_id>", helpCommand);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`, helpCommand);
  const { takesBody, method } = actionUsage;
  if (takesBody && values.name === undefined)
    throw new UsageError("missing --name NAME", helpCommand);
  if (!takesBody && (values.name !== undefined || values.peer !== undefined)) {
    throw new UsageError("--name and --peer are only for create and update", helpCommand);
  }

  const baseUrlFrom = values["base-url"] !== undefined ? "--base-url" : "CLOUDFLARE_BASE_URL";
  const result = await asUsage(helpCommand, baseUrlFrom, () => {
    const client = createSecondaryDnsClient(
      clientOptions(io, helpCommand, values["base-url"], values.timeout, values.retries),
    );
    // `www.example.com` and `WWW.example.com.` name one zone: sent as `www.example.com.`, so
    // an update does not rename the zone by its spelling.
    const body = { name: zoneNameOf(values.name ?? ""), peers: values.peer ?? [] };
    const options: CallOptions = { signal: io.signal };
    // Each method takes (zoneId, [body,] options), as the operations table says.
    const send = client.outgoing[method] as (...args: unknown[]) => Promise<unknown>;
    return takesBody ? send(zoneId, body, options) : send(zoneId, options);
  });
  printResult(io, values.json, result, (shown) => action.show(shown as never, zoneId));
  return EXIT.ok;
}

/** Credentials from the given environment only, so the CLI does what its caller's env says. */
export function clientOptions(
  io: CliIo,
  help: string,
  baseUrl: string | undefined,
  timeout: string | undefined,
  retries: string | undefined,
): ClientOptions {
  const env = (name: string) => (io.env[name] === "" ? undefined : io.env[name]);
  const token = env("CLOUDFLARE_API_TOKEN");
  const email = env("CLOUDFLARE_EMAIL");
  const key = env("CLOUDFLARE_API_KEY");
  if (token === undefined && email === undefined && key === undefined) {
    throw new UsageError(
      "no credentials: set CLOUDFLARE_API_TOKEN (or CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY)",
      help,
    );
  }
  return {
    ...(token !== undefined ? { apiToken: token } : { apiEmail: email ?? "", apiKey: key ?? "" }),
    baseUrl: baseUrl ?? env("CLOUDFLARE_BASE_URL"),
    timeoutMs: wholeNumber(timeout, "--timeout", help),
    maxRetries: wholeNumber(retries, "--retries", help),
    userAgent: "cli",
    validateResults: strictResults, // a result off the spec is an error, not a crash
  };
}

/** The command-line argument that a ValidationError's field stands for. */
function argumentFor(field: string, baseUrlFrom: string): string {
  const peer = /^body\.peers\[(\d+)\]$/.exec(field);
  if (peer) return `--peer number ${Number(peer[1]) + 1}`;
  return argumentNames(baseUrlFrom)[field] ?? field;
}

/** A client's reason in the CLI's words: "is required with apiEmail" names CLOUDFLARE_EMAIL. */
function reasonFor(reason: string, baseUrlFrom: string): string {
  const names = argumentNames(baseUrlFrom);
  return reason.replace(
    /\b(apiToken|apiEmail|apiKey|baseUrl|timeoutMs|maxRetries)\b/g,
    (name) => names[name] ?? name,
  );
}

/** The flag or variable each client option comes from, for every command's usage errors. */
export function clientArgumentNames(baseUrlFrom: string): Record<string, string> {
  return {
    accountId: "--account",
    apiToken: "CLOUDFLARE_API_TOKEN",
    apiEmail: "CLOUDFLARE_EMAIL",
    apiKey: "CLOUDFLARE_API_KEY",
    baseUrl: baseUrlFrom,
    timeoutMs: "--timeout",
    maxRetries: "--retries",
  };
}

function argumentNames(baseUrlFrom: string): Record<string, string> {
  return {
    zoneId: "<zone_id>",
    "body.name": "--name",
    "body.peers": "--peer",
    ...clientArgumentNames(baseUrlFrom),
  };
}

/** Runs `work`, turning a ValidationError into a UsageError that names the argument. */
export async function asUsage<T>(
  help: string,
  baseUrlFrom: string,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new UsageError(
      `invalid ${argumentFor(error.field, baseUrlFrom)}: ${reasonFor(error.reason, baseUrlFrom)}`,
      help,
    );
  }
}

function describeZone(zone: OutgoingZone): string {
  const [firstPeer, ...otherPeers] = zone.peers;
  const rows: [string, string][] = [
    ["id", zone.id],
    ["name", zone.name],
    ["peers", firstPeer ?? "(none)"],
    ...otherPeers.map((peer): [string, string] => ["", peer]),
    ["soa_serial", String(zone.soa_serial)],
    ["created_time", zone.created_time],
    ["checked_time", zone.checked_time],
    ["last_transferred_time", zone.last_transferred_time],
  ];
  return rows.map(([label, value]) => `  ${label.padEnd(23)}${value}`).join("\n");
}
