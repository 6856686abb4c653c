/**
 * Asks one server for a zone's SOA serial: UDP first, TCP when the answer is
 * truncated (or when asked to). Every outcome is a value; nothing here throws
 * for what a server or the network does.
 */
import { randomInt } from "node:crypto";
import { isIP } from "node:net";
import { tcpExchange, udpExchange } from "./exchange.js";
import {
  TsigKey,
  keyLookup,
  signMessage,
  tsigErrorName,
  verifyMessage,
  type TsigKeyInput,
} from "./tsig.js";
import { FLAG, RCODE, isPort, normalizeName, packet, readHeader } from "./wire.js";
import type { SoaData } from "./zone.js";

export interface SoaQuery {
  /** An IP address (this never resolves names). */
  host: string;
  port?: number;
  zone: string;
  /** Per transport attempt; default 3000. */
  timeoutMs?: number;
  tsig?: TsigKeyInput;
  /** Skip UDP. */
  tcp?: boolean;
}

export const RCODE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(RCODE).map(([name, code]) => [code, name]),
);

export function rcodeName(rcode: number): string {
  return RCODE_NAMES[rcode] ?? `RCODE ${rcode}`;
}

export type SoaAnswer =
  /** An authoritative answer with the zone's SOA. */
  | { status: "answer"; serial: number; soa: SoaData; transport: "udp" | "tcp"; signed: boolean }
  /** REFUSED, or NOTAUTH (with the TSIG error when the server gave one). */
  | { status: "refused"; rcode: number; tsigError?: string }
  /** An answer that shows the server does not serve the zone: SERVFAIL, NXDOMAIN, no AA bit, no SOA. */
  | { status: "not-authoritative"; rcode: number; detail: string }
  | { status: "timeout"; timeoutMs: number }
  /** The connection was refused or failed (nothing listens there). */
  | { status: "unreachable"; detail: string }
  /** An answer that could not be used: malformed, FORMERR/NOTIMP, or a TSIG that does not verify. */
  | { status: "bad-response"; detail: string };

export async function querySoa(query: SoaQuery): Promise<SoaAnswer> {
  const port = query.port ?? 53;
  const timeoutMs = query.timeoutMs ?? 3000;
  if (!isIP(query.host))
    return { status: "unreachable", detail: `"${query.host}" is not an IP address` };
  if (!isPort(port)) return { status: "unreachable", detail: `port ${port} is out of range` };
  const zone = normalizeName(query.zone);
  let key: TsigKey | undefined;
  try {
    key = query.tsig ? new TsigKey(query.tsig) : undefined;
  } catch (error) {
    return { status: "bad-response", detail: (error as Error).message };
  }
  const { id, message, mac } = soaQueryMessage(zone, key);

  const request = { host: query.host, port, message, timeoutMs };
  let transport: "udp" | "tcp" = query.tcp ? "tcp" : "udp";
  let outcome = transport === "udp" ? await udpExchange(request) : await tcpExchange(request);
  if (outcome.ok && transport === "udp" && readHeader(outcome.response).flags & FLAG.TC) {
    transport = "tcp";
    outcome = await tcpExchange(request);
  }
  if (!outcome.ok) {
    return outcome.failure === "timeout"
      ? { status: "timeout", timeoutMs }
      : { status: "unreachable", detail: outcome.detail };
  }
  return interpret(outcome.response, { id, zone, transport, key, mac });
}

/** A SOA query for `zone` with a random id, signed when there is a key (then `mac` is the request's MAC). */
export function soaQueryMessage(
  zone: string,
  key: TsigKey | undefined,
): { id: number; message: Buffer; mac: Buffer | undefined } {
  const id = randomInt(0x10000);
  const question = { name: zone, type: "SOA", class: "IN" } as const;
  const message = packet.encode({ id, type: "query", flags: 0, questions: [question] });
  if (!key) return { id, message, mac: undefined };
  return { id, ...signMessage(message, key, { kind: "request" }) };
}

/**
 * Why the answer's question is not the one asked (SOA, IN, the zone), or
 * undefined when it is. A server that answers another question says nothing
 * about this zone, whatever its SOA says. Only an error may leave the question
 * out (some servers do for FORMERR and the like).
 */
function questionMismatch(
  questions: NonNullable<ReturnType<typeof packet.decode>["questions"]>,
  zone: string,
  rcode: number,
): string | undefined {
  if (questions.length === 0)
    return rcode === RCODE.NOERROR ? "the answer does not repeat the question" : undefined;
  if (questions.length > 1) return `the answer has ${questions.length} questions, 1 was asked`;
  const [question] = questions;
  const asked = `the answer is for another question than the one asked (SOA IN ${zone}.)`;
  if (normalizeName(question!.name) !== zone) return `${asked}: name ${question!.name}`;
  if (question!.type !== "SOA") return `${asked}: type ${question!.type}`;
  if ((question!.class ?? "IN") !== "IN") return `${asked}: class ${question!.class}`;
  return undefined;
}

interface Sent {
  id: number;
  zone: string;
  transport: "udp" | "tcp";
  key: TsigKey | undefined;
  mac: Buffer | undefined;
}

function interpret(response: Buffer, sent: Sent): SoaAnswer {
  let decoded: ReturnType<typeof packet.decode>;
  try {
    decoded = packet.decode(response);
  } catch (error) {
    return { status: "bad-response", detail: `malformed answer: ${(error as Error).message}` };
  }
  const header = readHeader(response);
  if (header.id !== sent.id)
    return { status: "bad-response", detail: "the answer's ID does not match the query" };
  const otherQuestion = questionMismatch(decoded.questions ?? [], sent.zone, header.rcode);
  if (otherQuestion) return { status: "bad-response", detail: otherQuestion };
  const tsig = responseTsig(response, sent, header.rcode);
  if ("failed" in tsig) return tsig.failed;
  const rcode = header.rcode;
  if (rcode === RCODE.REFUSED || rcode === RCODE.NOTAUTH)
    return { status: "refused", rcode, ...(tsig.tsigError ? { tsigError: tsig.tsigError } : {}) };
  if (rcode === RCODE.SERVFAIL || rcode === RCODE.NXDOMAIN) {
    return {
      status: "not-authoritative",
      rcode,
      detail: `${rcodeName(rcode)}: the server does not serve the zone`,
    };
  }
  if (rcode !== RCODE.NOERROR)
    return { status: "bad-response", detail: `the server answered ${rcodeName(rcode)}` };
  const soa = decoded.answers?.find((a) => a.type === "SOA" && normalizeName(a.name) === sent.zone);
  if (!(header.flags & FLAG.AA) || !soa || soa.type !== "SOA") {
    return {
      status: "not-authoritative",
      rcode,
      detail: soa
        ? "the answer is not authoritative (no AA bit)"
        : "the answer has no SOA for the zone",
    };
  }
  const data = soa.data as SoaData;
  const { signed } = tsig;
  return { status: "answer", serial: data.serial, soa: data, transport: sent.transport, signed };
}

/**
 * What the answer's TSIG says, when the query was signed: an answer that cannot
 * be used (`failed`), or the peer's TSIG error and whether the answer is signed.
 */
function responseTsig(
  response: Buffer,
  sent: Sent,
  rcode: number,
): { failed: SoaAnswer } | { tsigError?: string; signed: boolean } {
  if (!sent.key || !sent.mac) return { signed: false };
  let verdict: ReturnType<typeof verifyMessage>;
  try {
    verdict = verifyMessage(response, keyLookup([sent.key]), {
      kind: "response",
      requestMac: sent.mac,
    });
  } catch (error) {
    const detail = `malformed TSIG: ${(error as Error).message}`;
    return { failed: { status: "bad-response", detail } };
  }
  if (verdict.status === "peer-error")
    return { tsigError: tsigErrorName(verdict.error), signed: false };
  if (verdict.status === "bad") {
    const detail = `the answer's TSIG fails: ${tsigErrorName(verdict.error)}`;
    return { failed: { status: "bad-response", detail } };
  }
  if (verdict.status === "unsigned" && rcode === RCODE.NOERROR) {
    const detail = "the query was signed but the answer is not";
    return { failed: { status: "bad-response", detail } };
  }
  return { signed: verdict.status === "ok" };
}
