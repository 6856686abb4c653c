/**
 * EDNS(0) (RFC 6891) on the answering side: a request's OPT record is read once;
 * a response to a request that had one carries one too (section 6.1.1), saying
 * the largest UDP answer this primary sends; the requester's payload size sets
 * when a UDP answer is truncated (never below 512).
 */
import { WireFormatError, type packet } from "./wire.js";

/** The largest UDP answer sent, and the size this primary advertises. */
export const EDNS_UDP_PAYLOAD = 4096;
/** Extended RCODE for an EDNS version this primary does not speak (only 0). */
export const BADVERS = 16;
const PLAIN_UDP_PAYLOAD = 512;

export interface Edns {
  /** The requester's UDP payload size, as it sent it. */
  payload: number;
  version: number;
}

type OptRecord = { type: "OPT"; name: string; udpPayloadSize?: number; ednsVersion?: number };

/** The request's EDNS, or undefined without an OPT; more than one OPT is malformed (6.1.1). */
export function requestEdns(additionals: readonly packet.Answer[] | undefined): Edns | undefined {
  const opts = (additionals ?? []).filter((record) => record.type === "OPT") as OptRecord[];
  if (opts.length > 1) throw new WireFormatError("more than one OPT record");
  const opt = opts[0];
  if (!opt) return undefined;
  if (opt.name !== "." && opt.name !== "")
    throw new WireFormatError("an OPT record not at the root");
  return { payload: opt.udpPayloadSize ?? 0, version: opt.ednsVersion ?? 0 };
}

/** The largest UDP answer this requester takes: its payload size, 512 at least, ours at most. */
export function udpLimit(edns: Edns | undefined): number {
  const asked = edns?.payload ?? PLAIN_UDP_PAYLOAD;
  return Math.min(Math.max(asked, PLAIN_UDP_PAYLOAD), EDNS_UDP_PAYLOAD);
}

/** The OPT record of a response with `rcode` (its upper 8 bits go in the OPT, RFC 6891 6.1.3). */
export function responseOpt(rcode: number): packet.Answer {
  return {
    name: ".",
    type: "OPT",
    udpPayloadSize: EDNS_UDP_PAYLOAD,
    extendedRcode: rcode >> 4,
    ednsVersion: 0,
    flags: 0, // no DO bit: this primary does not sign with DNSSEC (RFC 3225)
    flag_do: false,
    options: [],
  } as packet.Answer;
}
