/** The help of `import`, `plan` and `apply` (src/cli/declare.ts). */
import { PROGRAM } from "./help.js";

export type DeclareCommand = "import" | "plan" | "apply";

const CLIENT = `  --account ID      The account (default: \`account:\` in the file, else CLOUDFLARE_ACCOUNT_ID)
  --base-url URL    The API's base URL (overrides CLOUDFLARE_BASE_URL)
  --timeout MS      Milliseconds one attempt may take
  --retries N       Retries after a retryable failure
  -h, --help        Show this help`;

const FILE_EXIT = `  2  bad usage, or a bad file (YAML syntax, an unknown field, a name given twice,
     a reference to a name the file does not define, an address or port the API
     would refuse): each problem is printed as FILE:LINE: FIELD: what is wrong,
     and nothing is sent`;

export const DECLARE_HELP: Record<DeclareCommand, string> = {
  import: `Usage: ${PROGRAM} import <zone_id>... [options]

Writes a transfers file (YAML) for what exists now: the account's TSIG keys,
peers and ACLs, and each zone's outgoing configuration and whether transfers
are on, or its incoming configuration (Cloudflare as secondary). Objects refer to each other by name. No secret is written: each key's
secret is a reference to an environment variable (TSIG_SECRET_ and the key's
name in capitals; edit it, or use { file: PATH }) and its fingerprint
(sha256), so \`plan\` can tell when a secret changed.

Options:
  -o, --output FILE  Write the file there (default: standard output)
  --schema REF       A \`$schema\` line for editors, e.g.
                     ./node_modules/cf-secondary-dns/generated/transfers.schema.json
${CLIENT}

Exit codes: 0 written; 1 the API answered an error (or names are given twice
in the account); 2 bad usage; 3 the API could not be reached.
`,
  plan: `Usage: ${PROGRAM} plan -f FILE [options]

Compares the file with what exists and prints each change apply would make:
+ create, ~ update (with the fields that differ), - delete (with --prune
only). Secrets are compared by fingerprint and shown as "secret differs",
never printed.

Options:
  -f, --file FILE   The transfers file
  --prune           Also delete what the file does not name: keys, peers and
                    ACLs of the account, and the outgoing or incoming
                    configuration of a listed zone the file does not give
  --json            Print the plan as JSON
${CLIENT}

Exit codes (terraform's --detailed-exitcode):
  0  no changes
  1  an error (the API's answer, or the account has two objects of one name);
     3 when the API could not be reached
  2  changes to make
${FILE_EXIT}
  A bad file and a plan with changes both exit 2, as the issue that asked for
  this says; a bad file prints its problems on stderr and nothing on stdout.
`,
  apply: `Usage: ${PROGRAM} apply -f FILE [options]

Makes what exists what the file says: prints the plan, asks (unless --yes),
then makes each change in dependency order (keys, peers, ACLs, zone
configurations, enable/disable; deletions in reverse), printing each step.
A failed step stops apply and it prints what was done and what was not; run it
again to continue (it plans from what exists). A second run changes nothing.
A key's secret is read from its reference only when the key is created or its
secret differs; missing then, that step fails.

Options:
  -f, --file FILE   The transfers file
  --yes             Apply without asking
  --prune           Also delete what the file does not name (see plan --help)
  --verify          Then run \`outgoing doctor\` on each zone with transfers on,
                    until every secondary serves the primary's serial, and
                    \`incoming doctor\` on each incoming zone, until Cloudflare's
                    copy is at every primary's serial (up to 60 s in all)
  --primary ADDR    Cloudflare's DNS, which doctor asks (see outgoing doctor
                    --help); against Cloudflare's API, incoming zones are
                    verified only with it
${CLIENT}

Exit codes:
  0  applied (or nothing to change); with --verify, and every secondary in sync
  1  a step failed (what was done and not is printed), the API answered an
     error, or the answer to the question was not "yes"
${FILE_EXIT}
  3  the API could not be reached
  10 and up  with --verify: the doctor's code (see outgoing doctor --help)
`,
};
