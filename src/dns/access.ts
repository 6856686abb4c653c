/**
 * Who may have what: the TSIG check of a request and the decision to transfer.
 * Both fail closed. A signed request is checked only against the keys of the
 * peers it may be from (for a transfer, the peers at its source address), so
 * another peer's valid key is BADKEY here. A peer with a TSIG must sign with
 * that key: unsigned is NOTAUTH, and a key that cannot be used (an unknown
 * algorithm, a secret that is not base64) refuses the peer, never opens it.
 */
import { tsigAlgorithm } from "./algorithms.js";
import type { ZonePeer } from "./source.js";
import { TSIG_ERROR, TsigKey, verifyMessage, type TsigKeyInput, type TsigRecord } from "./tsig.js";
import { RCODE, normalizeName, sameAddress } from "./wire.js";

/** The outcome of checking a signed request. */
export type SignatureCheck =
  | { ok: true; key: TsigKey; peer: ZonePeer }
  /** `error` is BADKEY, BADSIG or BADTIME; `key` is set when the key was found (a BADTIME answer is signed with it). */
  | { ok: false; error: number; reason: string; key?: TsigKey };

/** The outcome of a transfer request that passed the TSIG check. */
export type TransferAccess =
  { ok: true; peer: ZonePeer } | { ok: false; rcode: number; reason: string };

/** The zone's peers whose address is `address`. */
export function peersAt(peers: readonly ZonePeer[], address: string): ZonePeer[] {
  return peers.filter((peer) => peer.ip && sameAddress(peer.ip, address));
}

function names(tsig: TsigKeyInput, record: TsigRecord): boolean {
  const theirs = tsigAlgorithm(record.algorithm) ?? normalizeName(record.algorithm);
  const ours = tsigAlgorithm(String(tsig.algorithm)) ?? normalizeName(String(tsig.algorithm));
  return normalizeName(String(tsig.name)) === normalizeName(record.keyName) && theirs === ours;
}

/** The peer's key, or why it cannot be used (the message never holds the secret). */
function keyOf(peer: ZonePeer): TsigKey | string {
  try {
    return new TsigKey(peer.tsig!);
  } catch (error) {
    return `the TSIG key of peer ${peer.id} cannot be used: ${(error as Error).message}`;
  }
}

/**
 * Checks the TSIG of a signed request against the keys of `candidates` only.
 * `who` says whose keys they are, for the reason ("at this address").
 */
export function checkSignature(
  raw: Buffer,
  record: TsigRecord,
  candidates: readonly ZonePeer[],
  who: string,
  now: number,
): SignatureCheck {
  const named = candidates.filter((peer) => peer.tsig && names(peer.tsig, record));
  if (named.length === 0) {
    return {
      ok: false,
      error: TSIG_ERROR.BADKEY,
      reason: `no peer ${who} has the key ${record.keyName}. (${record.algorithm}.)`,
    };
  }
  let failed: Extract<SignatureCheck, { ok: false }> | undefined;
  for (const peer of named) {
    const key = keyOf(peer);
    if (typeof key === "string") {
      failed ??= { ok: false, error: TSIG_ERROR.BADKEY, reason: key };
      continue;
    }
    const verdict = verifyMessage(raw, () => key, { kind: "request" }, { now });
    if (verdict.status === "ok") return { ok: true, key, peer };
    if (verdict.status === "bad" && (!failed || failed.error === TSIG_ERROR.BADKEY)) {
      failed = {
        ok: false,
        error: verdict.error,
        reason: badReason(verdict.error, key, record, now),
        key,
      };
    }
  }
  return failed!;
}

function badReason(error: number, key: TsigKey, record: TsigRecord, now: number): string {
  if (error !== TSIG_ERROR.BADTIME)
    return `the MAC of the request signed with ${key.name} is wrong`;
  const off = record.timeSigned - now;
  return `the request signed with ${key.name} is ${Math.abs(off)} s ${off > 0 ? "ahead of" : "behind"} this clock (fudge ${record.fudge} s)`;
}

/**
 * Whether a transfer may go to the peers at the request's address. `signed`:
 * the outcome of checkSignature against those peers, when the request is signed.
 */
export function transferAccess(
  atAddress: readonly ZonePeer[],
  signed: Extract<SignatureCheck, { ok: true }> | undefined,
): TransferAccess {
  if (atAddress.length === 0)
    return {
      ok: false,
      rcode: RCODE.REFUSED,
      reason: "the address is not one of the zone's peers",
    };
  if (signed) return { ok: true, peer: signed.peer };
  const withKey = atAddress.filter((peer) => peer.tsig);
  if (withKey.length === 0) return { ok: true, peer: atAddress[0]! };
  const unusable = withKey.map(keyOf).filter((key): key is string => typeof key === "string");
  const peer = withKey[0]!;
  return {
    ok: false,
    rcode: RCODE.NOTAUTH,
    reason: `peer ${peer.id} at this address has the TSIG key ${String(peer.tsig!.name)}, the request is unsigned${unusable.length > 0 ? `; ${unusable.join("; ")}` : ""}`,
  };
}
