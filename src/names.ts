/**
 * Names spelled one way, by every command and by setupOutgoing: a zone's name
 * and a TSIG key's name lower case with their trailing dot (`Example.COM` is
 * `example.com.`), a TSIG algorithm as the API spells it (`hmac-sha256`, the
 * nameservers' spelling, is `hmac-sha256.`). So `--name www.example.com` and
 * `--name www.example.com.` send the same name and mean the same zone.
 *
 * Only spelling changes: a value that is not a name is left as given, for the
 * checks after to name it as the user wrote it. Web-standard only, like the client.
 */
import { TSIG_ALGORITHMS, TSIG_DIGESTS, tsigAlgorithm } from "./dns/algorithms.js";
import { dnsNameProblem } from "./client/validate.js";

/** `example.com`, `Example.COM.`: `example.com.`; what is not a DNS name stays as given. */
export function dnsNameOf(name: string): string {
  const lower = name.toLowerCase();
  const spelled = lower.endsWith(".") ? lower : `${lower}.`;
  return dnsNameProblem(spelled) ? name : spelled;
}

/** A zone's name as it is sent and compared. */
export const zoneNameOf = dnsNameOf;

/** A TSIG key's name as it is sent and compared (the key name on the secondary, absolute). */
export const tsigNameOf = dnsNameOf;

/** `hmac-sha256` (nameservers' spelling), `HMAC-SHA256.`: `hmac-sha256.`; `hmac-md5`: its long name. */
export function tsigAlgoOf(algo: string): string {
  const lower = algo.toLowerCase();
  const bare = lower.endsWith(".") ? lower.slice(0, -1) : lower;
  const spelled = TSIG_ALGORITHMS.find((name) => TSIG_DIGESTS[name].configName === bare);
  return spelled ?? tsigAlgorithm(lower) ?? algo; // unknown: as given, for the check to name
}
