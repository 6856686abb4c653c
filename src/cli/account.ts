/**
 * `cf-secondary-dns peers|tsigs|acls <action> [id]`: the account's resources,
 * one client call per action. The actions and whether each takes an id or a
 * body come from the operations table (generated/operations.ts), the flags
 * from the fields of the request body's schema in the spec (BODY_SCHEMAS), so a field
 * added to the spec shows up here as a flag named after it.
 */
import { parseArgs } from "node:util";
import {
  aclsOperations,
  BODY_SCHEMAS,
  peersOperations,
  tsigsOperations,
  type BodyNode,
  type Operation,
} from "../../generated/operations.js";
import { createSecondaryDnsClient, ValidationError, type Tsig } from "../index.js";
import { newTsigSecret, SECRET_BYTES, type TsigAlgorithm } from "../setup.js";
import { tsigAlgoOf, tsigNameOf } from "../names.js";
import { TSIG_ALGORITHMS } from "../../generated/constants.js";
import { algoProblem } from "../fields.js";
import { COMMON_OPTIONS, PROGRAM } from "./help.js";
import { EXIT, UsageError, type CliIo } from "./io.js";
import { CLIENT_FLAGS, clientArgumentNames, clientOptions } from "./outgoing.js";
import { printResult } from "./output.js";
import { parseOrExplain, wantsHelp, wholeNumber } from "./parse.js";
import { MASKED, readSecret } from "./secret.js";

type Fields = Record<string, unknown>;

interface Resource {
  /** The client's methods, by name, from the operations table. */
  operations: Readonly<Record<string, Operation>>;
  /** The spec's schema of a create or update body. */
  input: BodyNode;
  /** "peer", "TSIG key", "ACL": what one of them is called in text. */
  one: string;
  /** One line on what the resource is, for help. */
  about: string;
  /** Which fields a row shows, in order. */
  shown: readonly string[];
  /** Fields whose text is spelled one way before it is sent (src/names.ts). */
  spelling?: Readonly<Record<string, (text: string) => string>>;
}

const RESOURCES: Record<string, Resource> = {
  peers: {
    operations: peersOperations,
    input: BODY_SCHEMAS.PeerInput,
    one: "peer",
    about: "The account's peers: your secondaries, where NOTIFY goes",
    shown: ["id", "name", "ip", "port", "ixfr_enable", "tsig_id"],
  },
  tsigs: {
    operations: tsigsOperations,
    input: BODY_SCHEMAS.TsigInput,
    one: "TSIG key",
    about: "The account's TSIG keys, which sign NOTIFY and transfers",
    shown: ["id", "name", "algo", "secret"],
    // `k.example.com` and `K.Example.COM.` are one key; `hmac-sha256` is `hmac-sha256.`.
    spelling: { name: tsigNameOf, algo: tsigAlgoOf },
  },
  acls: {
    operations: aclsOperations,
    input: BODY_SCHEMAS.AclInput,
    one: "ACL",
    about: "The account's ACLs: IP ranges that may transfer its zones besides the peers",
    shown: ["id", "name", "ip_range"],
  },
};

/** Each body field's flag and how its text becomes the field's value. */
const FIELD_FLAGS: Record<string, { flag: string; value: string; help: string }> = {
  name: {
    flag: "name",
    value: "NAME",
    help: "The name (TSIG: the key's name, sent lower case with its trailing dot)",
  },
  ip: { flag: "ip", value: "IP", help: "The peer's IPv4 or IPv6 address, where NOTIFY goes" },
  port: { flag: "port", value: "N", help: "The peer's DNS port, 1 to 65535" },
  ixfr_enable: { flag: "ixfr", value: "", help: "Ask the peer for IXFR (--no-ixfr: AXFR)" },
  tsig_id: { flag: "tsig", value: "ID", help: "The id of the TSIG key that signs with the peer" },
  algo: {
    flag: "algo",
    value: "ALGO",
    help: `The algorithm, the trailing dot optional: ${TSIG_ALGORITHMS.join(", ")}`,
  },
  secret: {
    flag: "secret-file",
    value: "FILE",
    help: 'Read the secret from FILE ("-": standard input); default a new random one',
  },
  ip_range: {
    flag: "ip-range",
    value: "CIDR",
    help: "The range, no larger than /24 (IPv4) or /64 (IPv6)",
  },
};

const COMMON = {
  account: { type: "string" },
  "show-secret": { type: "boolean" },
  ...CLIENT_FLAGS,
} as const;

const takesId = (operation: Operation) => /\{(?!account_id)\w+\}/.test(operation.path);
const fieldsOf = (resource: Resource) => Object.keys(resource.input.properties ?? {});

function optionsFor(resource: Resource) {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = { ...COMMON };
  for (const field of fieldsOf(resource)) {
    const { flag } = FIELD_FLAGS[field]!;
    options[flag] = { type: field === "ixfr_enable" ? "boolean" : "string" };
    if (field === "ixfr_enable") options["no-ixfr"] = { type: "boolean" };
  }
  return options;
}

function usageOf(resourceName: string, method: string, resource: Resource): string {
  const operation = resource.operations[method]!;
  const id = takesId(operation) ? " <id>" : "";
  const body = operation.body && operation.body !== "EmptyBody" ? " [field flags]" : "";
  return `${PROGRAM} ${resourceName} ${method}${id}${body} [options]`;
}

function resourceHelp(name: string, resource: Resource, method?: string): string {
  const methods = method ? [method] : Object.keys(resource.operations);
  const fieldLines = fieldsOf(resource).map((field) => {
    const { flag, value, help } = FIELD_FLAGS[field]!;
    const required = resource.input.required?.includes(field) ? " (required)" : "";
    return `  ${`--${flag}${value ? ` ${value}` : ""}`.padEnd(22)}${help}${required}`;
  });
  return `${resource.about}.

Usage:
${methods.map((m) => `  ${usageOf(name, m, resource)}`).join("\n")}

Actions: list, get <id>, create, update <id> (replaces every field: give them all), delete <id>.

Field flags (create and update):
${fieldLines.join("\n")}

Options:
  --account ID          The account (default CLOUDFLARE_ACCOUNT_ID)
  --show-secret         Show TSIG secrets in text (masked by default; --json shows them)
${COMMON_OPTIONS}
${
  name === "tsigs"
    ? `
Secrets are never typed on the command line: create and update generate a random
one (base64, as long as the algorithm's output: ${Object.entries(SECRET_BYTES)
        .map(([algo, bytes]) => `${algo.split(".")[0]} ${bytes}`)
        .join(", ")} bytes)
and print it once, or read it from --secret-file (standard input only with "-").
`
    : ""
}
Exit codes: 0 success, 1 the API answered an error, 2 bad usage or an invalid
argument (nothing sent), 3 the API could not be reached or did not answer in time.
`;
}

export const ACCOUNT_COMMANDS = Object.keys(RESOURCES);

export async function runAccount(resourceName: string, argv: string[], io: CliIo): Promise<number> {
  const resource = RESOURCES[resourceName]!;
  const [method, ...rest] = argv;
  const operation = method === undefined ? undefined : resource.operations[method];
  const topHelp = `${PROGRAM} ${resourceName} --help`;
  if (!operation) {
    if (method === undefined) {
      io.stderr.write(resourceHelp(resourceName, resource));
      return EXIT.usage;
    }
    if (wantsHelp(argv)) {
      io.stdout.write(resourceHelp(resourceName, resource));
      return EXIT.ok;
    }
    throw new UsageError(`unknown action "${method}"`, topHelp);
  }
  const action = method as string; // known: it named an operation
  const help = `${PROGRAM} ${resourceName} ${action} --help`;
  if (wantsHelp(rest)) {
    io.stdout.write(resourceHelp(resourceName, resource, action));
    return EXIT.ok;
  }
  const { values, positionals } = parseOrExplain(
    () =>
      parseArgs({
        args: rest,
        options: optionsFor(resource),
        allowPositionals: true,
        strict: true,
      }),
    help,
  );
  const flags = values as Record<string, string | boolean | undefined>;
  const usage = (message: string) => new UsageError(message, help);
  const [id, ...extra] = positionals;
  if (takesId(operation) && id === undefined) throw usage("missing <id>");
  const unexpected = takesId(operation) ? extra[0] : id;
  if (unexpected !== undefined) throw usage(`unexpected argument "${unexpected}"`);
  const takesBody = operation.body !== undefined && operation.body !== "EmptyBody";
  const given = fieldsOf(resource).filter(
    (field) =>
      flags[FIELD_FLAGS[field]!.flag] !== undefined ||
      (field === "ixfr_enable" && flags["no-ixfr"]),
  );
  if (!takesBody && given.length > 0)
    throw usage(`--${FIELD_FLAGS[given[0]!]!.flag} is only for create and update`);
  const accountId =
    (flags.account as string | undefined) ?? (io.env.CLOUDFLARE_ACCOUNT_ID || undefined);
  if (accountId === undefined) throw usage("missing --account ID (or CLOUDFLARE_ACCOUNT_ID)");

  const body = takesBody ? await bodyOf(resource, spelled(resource, flags), io, help) : undefined;
  const baseUrlFrom = flags["base-url"] !== undefined ? "--base-url" : "CLOUDFLARE_BASE_URL";
  let result: unknown;
  try {
    const client = createSecondaryDnsClient(
      clientOptions(
        io,
        help,
        flags["base-url"] as string | undefined,
        flags.timeout as string | undefined,
        flags.retries as string | undefined,
      ),
    );
    const methods = client[resourceName as "peers"] as unknown as Record<
      string,
      (...args: unknown[]) => Promise<unknown>
    >;
    const options = { accountId, signal: io.signal };
    const args = [...(takesId(operation) ? [id] : []), ...(body ? [body.fields] : []), options];
    result = await methods[action]!(...args);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw usage(`invalid ${flagOf(error.field, baseUrlFrom)}: ${error.reason}`);
  }
  const showSecret = flags["show-secret"] === true || body?.generated === true;
  printResult(io, flags.json === true, result, (shown) =>
    describe(resource, action, shown, showSecret, body?.generated === true),
  );
  return EXIT.ok;
}

/** The flags with the fields the resource spells one way so spelled (a TSIG's name and algo). */
function spelled(
  resource: Resource,
  flags: Record<string, string | boolean | undefined>,
): Record<string, string | boolean | undefined> {
  const out = { ...flags };
  for (const [field, spell] of Object.entries(resource.spelling ?? {})) {
    const flag = FIELD_FLAGS[field]!.flag;
    const text = out[flag];
    if (typeof text === "string") out[flag] = spell(text);
  }
  return out;
}

/** The body from the field flags; a TSIG's secret from --secret-file, else a new one. */
async function bodyOf(
  resource: Resource,
  flags: Record<string, string | boolean | undefined>,
  io: CliIo,
  help: string,
): Promise<{ fields: Fields; generated: boolean }> {
  const fields: Fields = {};
  let generated = false;
  for (const field of fieldsOf(resource)) {
    const flag = FIELD_FLAGS[field]!.flag;
    const text = flags[flag];
    if (field === "ixfr_enable") {
      if (text === true && flags["no-ixfr"])
        throw new UsageError("--ixfr and --no-ixfr exclude each other", help);
      if (text === true || flags["no-ixfr"]) fields[field] = text === true;
    } else if (field === "port") {
      fields[field] = wholeNumber(text as string | undefined, "--port", help, {
        min: 1,
        max: 65535,
      });
    } else if (field === "secret") {
      if (typeof text === "string") fields[field] = await readSecret(text, io, help);
      else if (typeof flags.algo === "string") {
        // A secret is generated for the algorithm, so a wrong --algo is named now,
        // not as a missing secret.
        const wrong = algoProblem(flags.algo);
        if (wrong) throw new UsageError(`invalid --algo: ${wrong}`, help);
        fields[field] = newTsigSecret(flags.algo as TsigAlgorithm);
        generated = true;
      } // else: the client names the missing --algo
    } else if (text !== undefined) {
      fields[field] = text;
    }
  }
  return { fields, generated };
}

/** The flag (or variable) a ValidationError's field stands for: body.ip_range is --ip-range. */
function flagOf(field: string, baseUrlFrom: string): string {
  const body = /^body\.(\w+)$/.exec(field)?.[1];
  if (body !== undefined && FIELD_FLAGS[body]) return `--${FIELD_FLAGS[body].flag}`;
  const names: Record<string, string> = {
    peerId: "<id>",
    tsigId: "<id>",
    aclId: "<id>",
    ...clientArgumentNames(baseUrlFrom),
  };
  return names[field] ?? field;
}

function describe(
  resource: Resource,
  method: string,
  result: unknown,
  showSecret: boolean,
  generated: boolean,
): string {
  const rows = (item: Fields) =>
    resource.shown
      .filter((field) => item[field] !== undefined && item[field] !== null)
      .map((field) => {
        const value = field === "secret" && !showSecret ? MASKED : String(item[field]);
        return `  ${field.padEnd(13)}${value}`;
      })
      .join("\n");
  if (method === "list") {
    const items = result as Fields[];
    const count = `${items.length} ${resource.one}${items.length === 1 ? "" : "s"}`;
    return items.length === 0
      ? `No ${resource.one}s.`
      : `${count}:\n${items.map(rows).join("\n\n")}`;
  }
  if (method === "delete") return `Deleted ${resource.one} ${(result as { id: string }).id}.`;
  const done = { create: "Created", update: "Updated", get: "" }[method] ?? "";
  const head = done
    ? `${done} ${resource.one}:`
    : `${resource.one[0]!.toUpperCase()}${resource.one.slice(1)}:`;
  const note =
    generated && (result as Tsig).secret !== undefined
      ? "\nThe secret above was generated for this key: configure it on your secondary (other commands mask it; --show-secret)."
      : "";
  return `${head}\n${rows(result as Fields)}${note}`;
}
