/**
 * Pulling a zone from a primary, as a secondary does (RFC 1034 4.3.5, 1995,
 * 5936, 8945): ask its SOA (UDP, TCP when truncated); when its serial is newer
 * than ours (RFC 1982) or a full transfer is asked for, transfer over TCP:
 * IXFR when the primary allows it and a zone is held (differences applied, an
 * answer in AXFR form taken as it is), else AXFR.
 *
 * With a TSIG key every request is signed and every answer verified: the first
 * message against the request's MAC, each later one against the running MAC,
 * unsigned messages in between (at most 99 in a row, RFC 8945 5.3.1) folded in,
 * and the last must be signed.
 *
 * Bounded: each message within `messageTimeoutMs`, the transfer within
 * `totalTimeoutMs`, at most `maxBytes` and `maxRecords`. Only loopback
 * primaries are asked; any other address is skipped and never contacted.
 * Every outcome is a value, a failure typed by its reason.
 */
import { randomInt } from "node:crypto";
import { isIP } from "node:net";
import { tcpExchange, udpExchange } from "./exchange.js";
import { TransferFormError, TransferReader, applyTransfer } from "./ixfr.js";
import { streamExchange } from "./pull-stream.js";
import { compareSerials } from "./serial.js";
import {
  TsigKey,
  keyLookup,
  signMessage,
  tsigErrorName,
  verifyMessage,
  type TsigKeyInput,
} from "./tsig.js";
import { FLAG, RCODE, isLoopbackAddress, normalizeName, packet, readHeader } from "./wire.js";
import { checkZone, toWire, type SoaData, type ZoneRecord } from "./zone.js";
import { firstSoa } from "./owners.js";

export interface PullPrimary {
  ip: string;
  port: number;
  tsig?: TsigKeyInput | undefined;
  /** Ask for IXFR (when a zone is held); else AXFR only. */
  ixfr?: boolean | undefined;
}

export interface PullLimits {
  /** Each answer message (and the SOA answer) within this long. Default 5000. */
  messageTimeoutMs: number;
  /** The whole transfer within this long. Default 30000. */
  totalTimeoutMs: number;
  /** Bytes of the transfer's answer at most. Default 16 MiB. */
  maxBytes: number;
  /** Records of the transfer's answer at most. Default 100000. */
  maxRecords: number;
}

export const DEFAULT_PULL_LIMITS: Readonly<PullLimits> = {
  messageTimeoutMs: 5000,
  totalTimeoutMs: 30_000,
  maxBytes: 16 * 1024 * 1024,
  maxRecords: 100_000,
};

export interface PullRequest {
  zone: string;
  primary: PullPrimary;
  /** The serial held now, if any. */
  serial?: number | undefined;
  /** The records held now (for IXFR). */
  records?: readonly ZoneRecord[] | undefined;
  /** Transfer the whole zone (AXFR) whatever the serials say. */
  full?: boolean | undefined;
  limits?: Partial<PullLimits> | undefined;
  signal?: AbortSignal | undefined;
}

export type PullFailureReason =
  | "refused"
  | "notauth"
  | "BADSIG"
  | "BADKEY"
  | "BADTIME"
  | "timeout"
  | "malformed"
  | "oversized"
  | "not-authoritative"
  | "unreachable"
  | "bad-key"
  | "aborted";

export interface PullFailure {
  reason: PullFailureReason;
  detail: string;
}

export type PullResult =
  /** Not a loopback address: never contacted. */
  | { status: "skipped"; detail: string }
  /** The primary's serial is not newer than ours (`primarySerial`), or its IXFR said so. */
  | { status: "up-to-date"; serial: number; primarySerial: number }
  | {
      status: "pulled";
      kind: "AXFR" | "IXFR";
      /** How the answer came: the whole zone, or differences applied to ours. */
      form: "full" | "incremental";
      serial: number;
      records: ZoneRecord[];
      messages: number;
      bytes: number;
      /** Records of types not kept here (left out of `records`). */
      dropped: number;
    }
  | ({ status: "failed"; step: "soa" | "transfer" } & PullFailure);

export async function pullZone(request: PullRequest): Promise<PullResult> {
  const { primary } = request;
  const zone = normalizeName(request.zone);
  if (!isIP(primary.ip) || !isLoopbackAddress(primary.ip))
    return {
      status: "skipped",
      detail: `${primary.ip} is not a loopback address: the emulator pulls only from 127.0.0.0/8 and ::1`,
    };
  const limits = { ...DEFAULT_PULL_LIMITS, ...request.limits };
  let key: TsigKey | undefined;
  try {
    key = primary.tsig ? new TsigKey(primary.tsig) : undefined;
  } catch (error) {
    return { status: "failed", step: "soa", reason: "bad-key", detail: (error as Error).message };
  }
  const target = { host: primary.ip, port: primary.port };
  const soa = await askSoa(zone, target, key, limits.messageTimeoutMs, request.signal);
  if ("reason" in soa) return { status: "failed", step: "soa", ...soa };
  const held = request.serial;
  if (!request.full && held !== undefined && compareSerials(soa.serial, held) !== 1)
    return { status: "up-to-date", serial: held, primarySerial: soa.serial };
  const heldSoa = request.records ? firstSoa(request.records) : undefined;
  const incremental = !request.full && primary.ixfr && held !== undefined && heldSoa;
  const kind = incremental ? "IXFR" : "AXFR";
  const ours: ZoneRecord | undefined = incremental
    ? { ...heldSoa, type: "SOA", data: { ...(heldSoa.data as SoaData), serial: held } }
    : undefined;
  const outcome = await transfer({ zone, target, key, kind, ours, limits, signal: request.signal });
  if ("reason" in outcome) return { status: "failed", step: "transfer", ...outcome };
  const { content, messages, bytes, dropped } = outcome;
  if (content.form === "up-to-date")
    return { status: "up-to-date", serial: held ?? content.serial, primarySerial: content.serial };
  try {
    const records = applyTransfer(content, { serial: held, records: request.records });
    const serial = checkZone(zone, records).serial;
    return {
      status: "pulled",
      kind,
      form: content.form,
      serial,
      records,
      messages,
      bytes,
      dropped,
    };
  } catch (error) {
    const detail = `the transferred zone cannot be used: ${(error as Error).message}`;
    return { status: "failed", step: "transfer", reason: "malformed", detail };
  }
}

/** The primary's serial for the zone, asked over UDP (TCP when truncated). */
async function askSoa(
  zone: string,
  target: { host: string; port: number },
  key: TsigKey | undefined,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<{ serial: number } | PullFailure> {
  const id = randomInt(0x10000);
  let message = packet.encode({
    id,
    type: "query",
    flags: 0,
    questions: [{ name: zone, type: "SOA", class: "IN" }],
  });
  let mac: Buffer | undefined;
  if (key) ({ message, mac } = signMessage(message, key, { kind: "request" }));
  const exchange = { ...target, message, timeoutMs, signal };
  let outcome = await udpExchange(exchange);
  if (outcome.ok && readHeader(outcome.response).flags & FLAG.TC)
    outcome = await tcpExchange(exchange);
  if (signal?.aborted) return { reason: "aborted", detail: "the pull was stopped" };
  if (!outcome.ok)
    return outcome.failure === "timeout"
      ? { reason: "timeout", detail: `no answer to the SOA query within ${timeoutMs} ms` }
      : { reason: "unreachable", detail: outcome.detail };
  const response = outcome.response;
  const chain = key && mac ? new TsigChain(key, mac) : undefined;
  const screened = screen(response, id, chain);
  if (screened) return screened;
  if (chain) {
    const last = chain.finish();
    if (last) return last;
  }
  let answers: packet.Answer[];
  try {
    answers = packet.decode(response).answers ?? [];
  } catch (error) {
    return { reason: "malformed", detail: `the SOA answer: ${(error as Error).message}` };
  }
  const soa = answers.find((a) => a.type === "SOA" && normalizeName(a.name) === zone);
  if (!(readHeader(response).flags & FLAG.AA) || !soa)
    return {
      reason: "not-authoritative",
      detail: soa
        ? "the SOA answer is not authoritative (no AA bit)"
        : "the answer has no SOA for the zone",
    };
  return { serial: (soa as { data: SoaData }).data.serial };
}

/**
 * A message's header, TSIG and RCODE checked: undefined when it may be read,
 * else the failure. A TSIG error the primary reports (BADSIG: it does not
 * know our key's secret) is named before the RCODE that carries it.
 */
function screen(
  message: Buffer,
  id: number,
  chain: TsigChain | undefined,
): PullFailure | undefined {
  let header: ReturnType<typeof readHeader>;
  try {
    header = readHeader(message);
  } catch (error) {
    return { reason: "malformed", detail: (error as Error).message };
  }
  if (header.id !== id)
    return { reason: "malformed", detail: "an answer whose ID is not the request's" };
  if (!(header.flags & FLAG.QR))
    return { reason: "malformed", detail: "a message that is not a response" };
  const signature = chain?.check(message);
  if (signature && ["BADSIG", "BADKEY", "BADTIME"].includes(signature.reason) && !signature.ours)
    return { reason: signature.reason, detail: signature.detail };
  if (header.rcode !== RCODE.NOERROR) return rcodeFailure(header.rcode);
  return signature && { reason: signature.reason, detail: signature.detail };
}

function rcodeFailure(rcode: number): PullFailure {
  switch (rcode) {
    case RCODE.REFUSED:
      return { reason: "refused", detail: "the primary answered REFUSED" };
    case RCODE.NOTAUTH:
      return {
        reason: "notauth",
        detail: "the primary answered NOTAUTH (not authorized, or not authoritative)",
      };
    case RCODE.SERVFAIL:
    case RCODE.NXDOMAIN:
      return {
        reason: "not-authoritative",
        detail: `the primary answered ${rcode === RCODE.SERVFAIL ? "SERVFAIL" : "NXDOMAIN"}: it does not serve the zone`,
      };
    default:
      return { reason: "refused", detail: `the primary answered RCODE ${rcode}` };
  }
}

/** Unsigned messages in a row that a signed answer may hold (RFC 8945 5.3.1). */
const MAX_UNSIGNED_RUN = 99;

/**
 * The TSIG state of one signed answer: the MAC the next signed message is
 * chained to, and the unsigned messages since it.
 */
class TsigChain {
  #prior: Buffer | undefined;
  #between: Buffer[] = [];

  constructor(
    private readonly key: TsigKey,
    private readonly requestMac: Buffer,
  ) {}

  /**
   * Checks one message; undefined when it passes (signed and right, or an
   * allowed unsigned one). `ours`: the failure is what this side found (a MAC
   * that does not verify), not an error the primary reported.
   */
  check(message: Buffer): (PullFailure & { ours: boolean }) | undefined {
    const context = this.#prior
      ? { kind: "continuation" as const, priorMac: this.#prior, between: this.#between }
      : { kind: "response" as const, requestMac: this.requestMac };
    let verdict: ReturnType<typeof verifyMessage>;
    try {
      verdict = verifyMessage(message, keyLookup([this.key]), context);
    } catch (error) {
      return {
        reason: "malformed",
        detail: `a TSIG record: ${(error as Error).message}`,
        ours: true,
      };
    }
    if (verdict.status === "ok") {
      this.#prior = verdict.record.mac;
      this.#between = [];
      return undefined;
    }
    if (verdict.status === "peer-error") {
      const name = tsigErrorName(verdict.error) as PullFailureReason;
      return {
        reason: name,
        detail: `the primary answered TSIG error ${name}: it does not accept our key ${this.key.name}`,
        ours: false,
      };
    }
    if (verdict.status === "bad") {
      const name = tsigErrorName(verdict.error) as PullFailureReason;
      return {
        reason: name,
        detail: `an answer's TSIG does not verify with ${this.key.name} (${name})`,
        ours: true,
      };
    }
    if (!this.#prior)
      return { reason: "BADSIG", detail: "the first answer message is not signed", ours: true };
    if (this.#between.length >= MAX_UNSIGNED_RUN)
      return {
        reason: "BADSIG",
        detail: `more than ${MAX_UNSIGNED_RUN} unsigned messages in a row`,
        ours: true,
      };
    this.#between.push(message);
    return undefined;
  }

  /** The answer's last message must be signed. */
  finish(): PullFailure | undefined {
    return this.#between.length > 0 || !this.#prior
      ? { reason: "BADSIG", detail: "the answer's last message is not signed" }
      : undefined;
  }
}

interface TransferAsk {
  zone: string;
  target: { host: string; port: number };
  key: TsigKey | undefined;
  kind: "AXFR" | "IXFR";
  /** For IXFR: our SOA, with the serial held. */
  ours: ZoneRecord | undefined;
  limits: PullLimits;
  signal: AbortSignal | undefined;
}

/** One transfer over TCP, read to its closing SOA. */
async function transfer(ask: TransferAsk) {
  const id = randomInt(0x10000);
  let message = packet.encode({
    id,
    type: "query",
    flags: 0,
    questions: [{ name: ask.zone, type: ask.kind, class: "IN" }],
    authorities: ask.ours ? toWire([ask.ours]) : [],
  });
  let mac: Buffer | undefined;
  if (ask.key) ({ message, mac } = signMessage(message, ask.key, { kind: "request" }));
  const chain = ask.key && mac ? new TsigChain(ask.key, mac) : undefined;
  const reader = new TransferReader(ask.zone, ask.kind);
  const seen = { messages: 0, bytes: 0, records: 0 };
  const { limits } = ask;
  const outcome = await streamExchange(
    ask.target,
    message,
    { ...limits, signal: ask.signal },
    (answer) => {
      seen.messages++;
      seen.bytes += answer.length + 2;
      const failure = screen(answer, id, chain);
      if (failure) return failure;
      const decoded = packet.decode(answer);
      if (seen.messages === 1) {
        const question = decoded.questions?.[0];
        if (question && (normalizeName(question.name) !== ask.zone || question.type !== ask.kind))
          return {
            reason: "malformed",
            detail: "the answer is for another question than the one asked",
          };
      }
      for (const record of decoded.answers ?? []) {
        if (++seen.records > limits.maxRecords)
          return { reason: "oversized", detail: `the answer passed ${limits.maxRecords} records` };
        try {
          reader.add(record);
        } catch (error) {
          if (error instanceof TransferFormError)
            return { reason: "malformed", detail: error.message };
          throw error;
        }
      }
      if (!reader.done && seen.messages === 1) reader.endOfMessages();
      if (!reader.done) return "more";
      return chain?.finish() ?? "done";
    },
  );
  if (outcome !== "done") return outcome;
  return { content: reader.content(), ...seen, dropped: reader.dropped };
}
