/** The help texts of the top level and the hand-written commands (resource-help.ts: the others). */
import { COMMANDS } from "../../generated/commands.js";
import { DEFAULT_BASE_URL, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS } from "../client/options.js";
import { TIMEOUT_DEFAULTS } from "../emulator/defaults.js";

export const PROGRAM = "cf-secondary-dns";

export const ENVIRONMENT = `Environment:
  CLOUDFLARE_API_TOKEN                  An API token (recommended)
  CLOUDFLARE_EMAIL, CLOUDFLARE_API_KEY  A Global API Key and its account email, instead of a token
  CLOUDFLARE_BASE_URL                   The API's base URL (default ${DEFAULT_BASE_URL})`;

export const EXIT_CODES = `Exit codes:
  0  success
  1  the API answered an error (status, codes, messages and cf-ray go to stderr)
  2  bad usage, or an argument that is not valid
  3  the API could not be reached, or did not answer in time`;

/** One line per table-driven command (generated/commands.ts), with the tag's words. */
function commandLines(): string {
  return Object.entries(COMMANDS)
    .map(([name, command]) => {
      const zone = Object.values(command.actions).some((a) => a.params.includes("zone_id"));
      const usage = `${name} <action>${zone ? " <zone_id>" : ""}`;
      return `  ${usage.padEnd(29)}${command.about}`;
    })
    .join("\n");
}

export const TOP_HELP = `Usage: ${PROGRAM} <command> [options]

Manage outgoing zone transfers (Cloudflare as primary, your nameservers as
secondaries) from the command line, or run a local emulator of the API.

Commands:
${commandLines()}
  outgoing setup <zone_id>     Set up a zone's transfers to a secondary, from nothing to enabled
  outgoing doctor <zone_id>    Check that every secondary serves the primary's serial
  incoming setup <zone_id>     Set up Cloudflare as the secondary of your primary, from nothing
  incoming doctor <zone_id>    Check that Cloudflare's copy is at your primary's serial
  dns-settings get|update      A zone's DNS settings, or the account's with --account
  import <zone_id>...          Write a transfers file (YAML) for what exists: keys, peers, ACLs, zones
  plan -f FILE                 Show what apply would change (exit 0: none, 2: changes)
  apply -f FILE                Make what exists what the file says, step by step
  ips                          Print Cloudflare's published IP ranges (public: no credential sent)
  emulator                     Run a local emulator of the API in the foreground

Options:
  -h, --help     Show help; also after any command, e.g. "${PROGRAM} outgoing create --help"
  -v, --version  Print the version

${ENVIRONMENT}
  CLOUDFLARE_ACCOUNT_ID                 The account of the account-scoped commands, setup, doctor, import, plan and apply

${EXIT_CODES}
`;

/** The flags of every command that calls the API through the client (read by clientOptions). */
export const CLIENT_FLAGS = {
  json: { type: "boolean" },
  "base-url": { type: "string" },
  timeout: { type: "string" },
  retries: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** Each client flag's help line, with the client's own defaults; the compiler wants one per flag. */
const CLIENT_FLAG_HELP: Record<keyof typeof CLIENT_FLAGS, readonly [usage: string, text: string]> =
  {
    json: ["--json", "Print the API's `result` as JSON instead of text"],
    "base-url": ["--base-url URL", "The API's base URL (overrides CLOUDFLARE_BASE_URL)"],
    timeout: ["--timeout MS", `Milliseconds one attempt may take (default ${DEFAULT_TIMEOUT_MS})`],
    retries: ["--retries N", `Retries after a retryable failure (default ${DEFAULT_MAX_RETRIES})`],
    help: ["-h, --help", "Show this help"],
  };

export const COMMON_OPTIONS = Object.values(CLIENT_FLAG_HELP)
  .map(([usage, text]) => `  ${usage.padEnd(18)}${text}`)
  .join("\n");

export const EMULATOR_HELP = `Usage: ${PROGRAM} emulator [options]

Runs a local emulator of the API in the foreground until Ctrl+C. Point the CLI
or the client at it with CLOUDFLARE_BASE_URL and any CLOUDFLARE_API_TOKEN.

Options:
  --port N                 The port to listen on (default 0: a free port, printed at start)
  --host HOST              The address to listen on (default 127.0.0.1)
  --state FILE             Keep the state in FILE across restarts (default: in memory)
  --latency MS             Wait MS milliseconds before every answer (default 0)
  --rate-limit-share X     Answer this share (0 to 1) of requests 429 (default 0)
  --server-error-share X   Answer this share (0 to 1) of requests 500 or 502 (default 0)
  --request-timeout MS     Answer 408 to a request not received whole in MS ms (default ${TIMEOUT_DEFAULTS.requestTimeoutMs})
  --headers-timeout MS     Answer 408 to headers not received in MS ms (default ${TIMEOUT_DEFAULTS.headersTimeoutMs})
  --keep-alive-timeout MS  Close an idle connection after MS ms (default ${TIMEOUT_DEFAULTS.keepAliveTimeoutMs})
  --dns-port N             Serve the zones over DNS (SOA, AXFR, NOTIFY) on this port (default 0: a free port; loopback hosts only)
  --zone-file ID=FILE      The records of zone ID from an RFC 1035 zone file; repeat per zone (default: SOA + NS)
  -h, --help               Show this help

With --state, a restart listens on the ports the last run used when they are free.
SIGHUP re-reads the zone files: a changed zone gets a new serial and NOTIFY.

Exit codes:
  0    stopped by Ctrl+C (SIGINT) or SIGTERM
  1    could not start (e.g. the port is taken, the state file is unreadable, or a
       zone file cannot be read or parsed: the message names the file and line)
  2    bad usage
  130  stopped by Ctrl+C or SIGTERM while starting (a start stuck on a file is
       ended by the signal itself)
`;
