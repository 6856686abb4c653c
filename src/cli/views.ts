/**
 * How the table-driven commands (resource.ts) read and print, where the spec
 * cannot say it: words for a result,
 * TSIG secrets generated when none is given. Everything here is optional: a
 * command the spec adds prints with the defaults (viewOf) and needs no line here.
 */
import type { Command } from "../../generated/commands.js";
import { OPERATIONS } from "../../generated/operations.js";
import { algoProblem } from "../fields.js";
import { dnsNameOf, tsigAlgoOf } from "../names.js";
import { newTsigSecret, SECRET_BYTES, type TsigAlgorithm } from "../setup.js";
import { PROGRAM } from "./help.js";
import { UsageError } from "./io.js";

type Flags = Record<string, string | boolean | string[] | undefined>;

export interface View {
  /** What one result is called in text: "peer", "TSIG key"; default from the command's name. */
  one: string;
  /** The result's rows, in order; default the result schema's fields. */
  shown?: readonly string[];
  /** Text for a result that is not an object, by verb: (result, " of zone <id>") => line. */
  said?: Readonly<Record<string, (result: string, scope: string) => string>>;
  /** Text for the resource's help, after the options. */
  notes?: string;
  /** Help lines of the command's hand-written actions (outgoing setup, doctor). */
  more?: string;
  /** Field spellings, by field, applied before the body is checked. */
  spelling?: Readonly<Record<string, (text: string) => string>>;
  /** A secret field's value when no file gives one: generated, and printed once. */
  generate?: (field: string, flags: Flags, help: string) => string | undefined;
  /** The line after a result whose secret was generated. */
  generatedNote?: string;
}

/** Spellings by the schema a field is: a DNS name is sent lower case with its trailing dot. */
export const SPELLING_BY_SCHEMA: Readonly<Record<string, (text: string) => string>> = {
  DnsName: dnsNameOf,
};

const VIEWS: Readonly<Record<string, Partial<View>>> = {
  outgoing: {
    one: "outgoing configuration",
    // The rows as the CLI has always printed them (the spec lists checked_time first).
    shown: [
      "id",
      "name",
      "peers",
      "soa_serial",
      "created_time",
      "checked_time",
      "last_transferred_time",
    ],
    said: {
      enable: (result, scope) => `Outgoing transfers${scope}: ${result}`,
      disable: (result, scope) => `Outgoing transfers${scope}: ${result}`,
      status: (result, scope) => `Outgoing transfers${scope}: ${result}`,
      "force-notify": (result, scope) => `NOTIFY sent to the peers${scope}: ${result}`,
    },
    more: `  setup         Find or create the TSIG key, the peer and the configuration; enable
                (see "${PROGRAM} outgoing setup --help")
  doctor        Check that the peers serve the primary's serial; --watch for Prometheus,
                --format nagios for a monitoring plugin (see "doctor --help")`,
  },
  incoming: {
    more: `  setup         Find or create the TSIG key, the peer for your primary and the incoming
                configuration; print or write the primary's configuration
                (see "${PROGRAM} incoming setup --help")
  doctor        Check that Cloudflare's copy is at each primary's serial
                (see "${PROGRAM} incoming doctor --help")`,
  },
  peers: { one: "peer" },
  tsigs: {
    one: "TSIG key",
    // `hmac-sha256` is `hmac-sha256.`; the key's name is a DNS name (SPELLING_BY_SCHEMA).
    spelling: { algo: tsigAlgoOf },
    generate: tsigSecret,
    generatedNote:
      "The secret above was generated for this key: configure it on your secondary (other commands mask it; --show-secret).",
    notes: `Secrets are never typed on the command line: create and update generate a random
one (base64, as long as the algorithm's output: ${Object.entries(SECRET_BYTES)
      .map(([algo, bytes]) => `${algo.split(".")[0]} ${bytes}`)
      .join(", ")} bytes)
and print it once, or read it from --secret-file (standard input only with "-").
`,
  },
  acls: { one: "ACL" },
};

/** A TSIG secret generated for --algo, named as a wrong --algo when it is one. */
function tsigSecret(field: string, flags: Flags, help: string): string | undefined {
  if (field !== "secret" || typeof flags.algo !== "string") return undefined; // the client names it
  const wrong = algoProblem(flags.algo);
  if (wrong) throw new UsageError(`invalid --algo: ${wrong}`, help);
  return newTsigSecret(flags.algo as TsigAlgorithm);
}

/** The command's view: its entry above over the defaults. */
export function viewOf(name: string, command: Command): View {
  // What one result is called: the name of the schema a read answers with, in words
  // ("IncomingZone": "incoming zone"), else the command's ("dns-settings zone").
  const read = Object.values(command.actions).find(
    (action) =>
      action.result === "object" && OPERATIONS[action.operationId]!.operation.method === "GET",
  );
  const schema = read && OPERATIONS[read.operationId]!.operation.result.replace("[]", "");
  const words = schema?.replace(/\B([A-Z])/g, " $1").toLowerCase();
  const one = words ?? name.replace(/[- ]+/g, " ").replace(/s$/, "");
  return { one, ...VIEWS[command.resource] };
}
