/**
 * What each TSIG algorithm the API accepts is, once: node:crypto's digest, the
 * length of its MAC, and the name Knot, NSD and BIND give it in their
 * configuration. Keyed by the generated list (the spec's enum), so a new
 * algorithm in the spec does not compile until it has a row here.
 *
 * This file imports nothing from Node: the client (setup's secret lengths) reads
 * it in the browser; src/dns/tsig.ts signs with it.
 */
import { TSIG_ALGORITHMS, type TsigAlgorithm } from "../../generated/constants.js";

export { TSIG_ALGORITHMS, type TsigAlgorithm };

export interface TsigAlgorithmInfo {
  /** node:crypto's name of the hash (createHmac). */
  readonly hash: "md5" | "sha1" | "sha224" | "sha256" | "sha384" | "sha512";
  /** Bytes of the full MAC, the hash's output (RFC 8945 section 6). */
  readonly macBytes: number;
  /** As Knot, NSD, BIND and dig/kdig write it in configuration and on the command line. */
  readonly configName: string;
}

export const TSIG_DIGESTS: Readonly<Record<TsigAlgorithm, TsigAlgorithmInfo>> = {
  "hmac-md5.sig-alg.reg.int.": { hash: "md5", macBytes: 16, configName: "hmac-md5" },
  "hmac-sha1.": { hash: "sha1", macBytes: 20, configName: "hmac-sha1" },
  "hmac-sha224.": { hash: "sha224", macBytes: 28, configName: "hmac-sha224" },
  "hmac-sha256.": { hash: "sha256", macBytes: 32, configName: "hmac-sha256" },
  "hmac-sha384.": { hash: "sha384", macBytes: 48, configName: "hmac-sha384" },
  "hmac-sha512.": { hash: "sha512", macBytes: 64, configName: "hmac-sha512" },
};

/** The algorithm a name means (any case, trailing dot optional), or undefined. */
export function tsigAlgorithm(name: string): TsigAlgorithm | undefined {
  const lower = name.toLowerCase();
  const dotted = lower.endsWith(".") ? lower : `${lower}.`;
  return (TSIG_ALGORITHMS as readonly string[]).includes(dotted)
    ? (dotted as TsigAlgorithm)
    : undefined;
}
