/**
 * `cf-secondary-dns ips`: Cloudflare's published IP ranges (the public GET /ips),
 * one per line, as `outgoing setup` puts them in the NOTIFY ACLs.
 */
import { parseArgs } from "node:util";
import { cloudflareIps, createPublicCore } from "../index.js";
import { COMMON_OPTIONS, PROGRAM } from "./help.js";
import { EXIT, type CliIo } from "./io.js";
import { asUsage, CLIENT_FLAGS, connectionOptions } from "./outgoing.js";
import { printResult } from "./output.js";
import { parseOrExplain, positionalArgs, wantsHelp } from "./parse.js";

const HELP_COMMAND = `${PROGRAM} ips --help`;

export const IPS_HELP = `Usage: ${PROGRAM} ips [options]

Prints Cloudflare's published IP ranges (GET /ips), IPv4 then IPv6, one per
line, then the etag that changes when they do. The operation is public: no
credential is needed, and none is sent. A secondary's NOTIFY ACL allows these
ranges with the TSIG key as the gate ("${PROGRAM} outgoing setup" does so).

Options:
${COMMON_OPTIONS}

Exit codes:
  0  success
  1  the API answered an error
  2  bad usage
  3  the API could not be reached, or did not answer in time
`;

export async function runIps(argv: string[], io: CliIo): Promise<number> {
  if (wantsHelp(argv)) {
    io.stdout.write(IPS_HELP);
    return EXIT.ok;
  }
  const { values, positionals } = parseOrExplain(
    () => parseArgs({ args: argv, options: CLIENT_FLAGS, allowPositionals: true, strict: true }),
    HELP_COMMAND,
  );
  positionalArgs(positionals, [], HELP_COMMAND);
  const baseUrlFrom = values["base-url"] !== undefined ? "--base-url" : "CLOUDFLARE_BASE_URL";
  // A public operation: no credential is needed, read or sent.
  const ips = await asUsage(HELP_COMMAND, baseUrlFrom, () => {
    const options = connectionOptions(
      io,
      HELP_COMMAND,
      values["base-url"],
      values.timeout,
      values.retries,
    );
    return cloudflareIps(createPublicCore(options), { signal: io.signal });
  });
  printResult(io, values.json, ips, (shown) =>
    [...shown.ipv4_cidrs, ...shown.ipv6_cidrs, `etag ${shown.etag}`].join("\n"),
  );
  return EXIT.ok;
}
