/**
 * The CLI as a function: runCli(argv, io) resolves to the exit code. main.ts
 * is the thin bin around it; tests call it in-process.
 */
import { VERSION } from "../index.js";
import { PROGRAM, TOP_HELP } from "./help.js";
import { EXIT, UsageError, type CliIo } from "./io.js";
import { runOutgoing } from "./outgoing.js";
import { commandIn, runResource } from "./resource.js";
import { reportFailure } from "./report.js";

export { EXIT, type CliIo } from "./io.js";

/**
 * `dns-settings get|update` as issue 22 spells it: the zone's settings, or with
 * --account the account's (the generated commands are `dns-settings zone|account ...`).
 */
export function dnsSettingsAlias(argv: readonly string[]): readonly string[] {
  const [command, verb, ...rest] = argv;
  if (command !== "dns-settings" || (verb !== "get" && verb !== "update")) return argv;
  const account = rest.some((a) => a === "--account" || a.startsWith("--account="));
  return [command, account ? "account" : "zone", verb, ...rest];
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
        io.stderr.write(TOP_HELP);
        return EXIT.usage;
      case "help":
      case "--help":
      case "-h":
        io.stdout.write(TOP_HELP);
        return EXIT.ok;
      case "--version":
      case "-v":
        io.stdout.write(`${VERSION}\n`);
        return EXIT.ok;
      case "outgoing":
        return await runOutgoing(rest, io);
      case "incoming":
        return await (await import("./incoming.js")).runIncoming(rest, io);
      case "ips":
        return await (await import("./ips.js")).runIps(rest, io);
      case "import":
      case "plan":
      case "apply":
        // Loaded only when asked for: the YAML parser is of no use to the other commands.
        return await (await import("./declare.js")).runDeclare(command, rest, io);
      case "emulator": {
        // Loaded only when asked for: ajv and the spec would slow down every other command.
        const { runEmulator } = await import("./emulator.js");
        return await runEmulator(rest, io);
      }
      default: {
        // Every other resource of the spec: a table-driven command (generated/commands.ts).
        const found = commandIn(dnsSettingsAlias(argv));
        if (found) return await runResource(found[0], found[1], io);
        throw new UsageError(`unknown command "${command}"`, `${PROGRAM} --help`);
      }
    }
  } catch (error) {
    return reportFailure(error, io);
  }
}
