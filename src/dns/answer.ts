/**
 * How the primary answers one request (RFC 1035, 1995, 5936, 6891, 8945):
 *   - undecodable request with a header        FORMERR (no header: dropped; two OPTs too)
 *   - opcode other than QUERY                  NOTIMP
 *   - EDNS version other than 0                BADVERS; any OPT is answered with one
 *   - bad TSIG                                 NOTAUTH + TSIG error BADKEY/BADSIG/BADTIME
 *     (a transfer's key is looked for among the peers at its address only: access.ts)
 *   - zone unknown: query REFUSED; transfer NOTAUTH (RFC 5936 2.2.1, not authoritative)
 *   - transfers disabled                       REFUSED
 *   - transfer from an address that is no peer REFUSED
 *   - transfer from a peer address that has a TSIG, unsigned: NOTAUTH (even when the
 *     key cannot be used: fails closed)
 *   - AXFR over UDP                            REFUSED (transfers are TCP only)
 *   - IXFR from an up-to-date secondary        the SOA alone; otherwise AXFR form (RFC 1995 4)
 *   - a UDP answer larger than the client takes: TC set, so it asks again over TCP
 * SOA queries need no TSIG (the serial is public); a signed one is verified and answered signed.
 * Responses echo the question's octets as they came.
 */
import { BADVERS, requestEdns, responseOpt, udpLimit, type Edns } from "./edns.js";
import { compareSerials } from "./serial.js";
import { checkSignature, peersAt, transferAccess, type SignatureCheck } from "./access.js";
import {
  plainAddress,
  soaOf,
  type DnsEvent,
  type ZonePeer,
  type Remote,
  type ZoneSource,
  type ZoneView,
} from "./source.js";
import {
  DEFAULT_FUDGE,
  TSIG_ERROR,
  TsigKey,
  appendTsigError,
  findTsig,
  signMessage,
  tsigErrorName,
  type TsigContext,
  type TsigRecord,
} from "./tsig.js";
import {
  FLAG,
  HEADER_BYTES,
  MAX_MESSAGE_BYTES,
  OPCODE,
  RCODE,
  normalizeName,
  packet,
  questionSection,
  readHeader,
  withQuestion,
} from "./wire.js";
import { toWire, type ZoneRecord } from "./zone.js";
import { recordsAt } from "./owners.js";

const TRANSFER_TYPES = new Set(["AXFR", "IXFR"]);

export interface Handled {
  /**
   * The answer's messages: none or one; for a transfer, its messages, each made
   * only when it is taken (so one transfer never holds the event loop for long:
   * the TCP side takes a few per turn, and none while the socket's output is full).
   */
  messages: Iterable<Buffer>;
  /**
   * Run once the messages are written, with the error when they could not all be
   * (the peer reset the connection): then the transfer does not count.
   */
  after?: (error?: Error | null) => void;
}

interface Request {
  header: ReturnType<typeof readHeader>;
  decoded: ReturnType<typeof packet.decode>;
  tsig: TsigRecord | undefined;
  raw: Buffer;
  /** The question section as it came, octet for octet: what responses echo. */
  question: Buffer;
  /** The request's EDNS(0), when it had an OPT record: the response then has one too. */
  edns: Edns | undefined;
  remote: Remote;
}

/** A request whose question was read and whose zone was looked for. */
interface Asked {
  request: Request;
  zoneName: string;
  qtype: string;
  qclass: string | undefined;
  transfer: boolean;
  /** address#port, for events. */
  from: string;
  /** The source address without a v4-mapped prefix. */
  address: string;
  view: ZoneView | undefined;
  /** The zone's peers at the request's address (whose keys a transfer may be signed with). */
  atAddress: ZonePeer[];
}

/** One message in, nothing or one message out. */
const single = (message: Buffer): Handled => ({ messages: [message] });

export class RequestHandler {
  constructor(
    private readonly source: ZoneSource,
    private readonly log: (event: DnsEvent) => void,
    private readonly now: () => number,
    private readonly chunkBytes: number,
  ) {}

  /** Answers one message (of either transport). */
  handle(raw: Buffer, remote: Remote): Handled {
    const request = this.parse(raw, remote);
    if (!("remote" in request)) return request;
    try {
      const asked = this.ask(request);
      if (request.edns && request.edns.version > 0) return this.badVersion(asked);
      return this.answer(asked);
    } catch (error) {
      // A source that throws or holds a bad zone: SERVFAIL for this request, the server lives on.
      this.log({
        type: "error",
        reason: `answering ${fromOf(remote)}: ${(error as Error).message}`,
      });
      return single(bareResponse(request.header, RCODE.SERVFAIL));
    }
  }

  /** The request read from its octets, or the answer to one that cannot be read (or must not be answered). */
  private parse(raw: Buffer, remote: Remote): Request | Handled {
    if (raw.length < HEADER_BYTES || raw.length > MAX_MESSAGE_BYTES) {
      this.malformed(remote, `a ${raw.length}-byte message`);
      return { messages: [] };
    }
    const header = readHeader(raw);
    if (header.flags & FLAG.QR) return { messages: [] }; // a response: never answer one
    let request: Request;
    try {
      request = {
        header,
        decoded: packet.decode(raw),
        tsig: findTsig(raw),
        raw,
        question: header.qdcount === 1 ? questionSection(raw) : Buffer.alloc(0),
        edns: undefined,
        remote,
      };
      request.edns = requestEdns(request.decoded.additionals);
    } catch (error) {
      this.malformed(remote, (error as Error).message);
      return single(bareResponse(header, RCODE.FORMERR));
    }
    const notify = header.opcode === OPCODE.NOTIFY && this.source.onNotify !== undefined;
    if (header.opcode !== OPCODE.QUERY && !notify)
      return single(bareResponse(header, RCODE.NOTIMP));
    if (header.qdcount !== 1 || !request.decoded.questions?.[0])
      return single(bareResponse(header, RCODE.FORMERR));
    return request;
  }

  private malformed(remote: Remote, reason: string): void {
    this.log({ type: "malformed", from: fromOf(remote), transport: remote.transport, reason });
  }

  /** What the request asks and of which zone. */
  private ask(request: Request): Asked {
    const question = request.decoded.questions![0]!;
    const zoneName = normalizeName(question.name);
    const qtype = question.type;
    const view = this.findZone(zoneName, qtype);
    const address = plainAddress(request.remote.address);
    return {
      request,
      zoneName,
      qtype,
      qclass: question.class,
      transfer: TRANSFER_TYPES.has(qtype),
      from: fromOf(request.remote),
      address,
      view,
      atAddress: peersAt(view?.peers ?? [], address),
    };
  }

  private answer(asked: Asked): Handled {
    if (asked.request.header.opcode === OPCODE.NOTIFY) return this.answerNotify(asked);
    // TSIG first (RFC 8945 5.2): a bad signature is answered NOTAUTH whatever was asked.
    const signed = this.checkTsig(asked);
    if (signed && !signed.ok) return this.refuseTsig(asked, signed);
    const key = signed?.key;
    const refusal = this.zoneRefusal(asked);
    if (refusal) return this.refuse(asked, refusal.rcode, refusal.reason, key);
    const view = asked.view!;
    if (!asked.transfer) return this.answerQuery(asked, view, key);
    const access = transferAccess(asked.atAddress, signed);
    if (!access.ok) return this.refuse(asked, access.rcode, access.reason, key);
    return this.transfer(asked, view, access.peer, key);
  }

  /** A NOTIFY for a zone the source is a secondary of: the source judges it (address, TSIG). */
  private answerNotify(asked: Asked): Handled {
    const { request } = asked;
    const verdict = this.source.onNotify!({
      zone: asked.zoneName,
      address: asked.address,
      port: request.remote.port,
      raw: request.raw,
      tsig: request.tsig,
      now: this.now(),
    });
    const reason = verdict.reason ?? "NOTIFY refused";
    if (verdict.tsigError !== undefined) {
      const key = verdict.key ? { key: verdict.key } : {};
      return this.refuseTsig(asked, { ok: false, error: verdict.tsigError, reason, ...key });
    }
    if (verdict.rcode !== RCODE.NOERROR)
      return this.refuse(asked, verdict.rcode, reason, verdict.key);
    return single(this.respond(request, { rcode: RCODE.NOERROR, aa: true }, verdict.key));
  }

  /** The check of a signed request; undefined when it is unsigned. */
  private checkTsig(asked: Asked): SignatureCheck | undefined {
    const { request } = asked;
    if (!request.tsig) return undefined;
    // A transfer may be signed only with the key of a peer at its address; a query with any peer's.
    return asked.transfer
      ? checkSignature(request.raw, request.tsig, asked.atAddress, "at this address", this.now())
      : checkSignature(
          request.raw,
          request.tsig,
          asked.view?.peers ?? [],
          "of the zone",
          this.now(),
        );
  }

  /** Why no zone answers this request (whoever signed it), if so. */
  private zoneRefusal({ qtype, request, view, transfer, qclass }: Asked) {
    const refusal = (rcode: number, reason: string) => ({ rcode, reason });
    if (qtype === "AXFR" && request.remote.transport === "udp")
      return refusal(RCODE.REFUSED, "AXFR over UDP");
    if (!view)
      return refusal(transfer ? RCODE.NOTAUTH : RCODE.REFUSED, "not a zone of this primary");
    if (!view.transfersEnabled) return refusal(RCODE.REFUSED, "outgoing transfers are disabled");
    if (qclass !== undefined && qclass !== "IN") return refusal(RCODE.REFUSED, `class ${qclass}`);
    return undefined;
  }

  private refuse(asked: Asked, rcode: number, reason: string, key?: TsigKey): Handled {
    const { zoneName: zone, qtype, from } = asked;
    this.log({ type: "refused", zone, qtype, from, rcode, reason });
    return single(this.respond(asked.request, { rcode }, key));
  }

  /** A query (not a transfer): the records at the name, or NXDOMAIN / NODATA with the SOA. */
  private answerQuery(asked: Asked, view: ZoneView, key: TsigKey | undefined): Handled {
    const { request, zoneName, qtype } = asked;
    const soa = soaOf(view);
    const apex = normalizeName(view.name);
    const atName = recordsAt(view.records, apex, soa, zoneName, qtype);
    const answers = atName.filter((r) => r.type === qtype || qtype === "ANY");
    const rcode = atName.length === 0 && zoneName !== apex ? RCODE.NXDOMAIN : RCODE.NOERROR;
    const authorities = answers.length === 0 ? [soa] : [];
    const message = this.respond(request, { rcode, answers, authorities, aa: true }, key);
    const { transport, port } = request.remote;
    this.log({
      type: "query",
      zone: zoneName,
      qtype,
      from: asked.from,
      transport,
      rcode,
      ...(key ? { tsig: key.name } : {}),
    });
    if (qtype === "SOA" && rcode === RCODE.NOERROR) {
      const info = { zoneId: view.zoneId, address: asked.address, port, transport };
      this.notice(() => this.source.onSoaQuery?.({ ...info, serial: view.serial }));
    }
    return single(message);
  }

  /** An AXFR, or an IXFR: the SOA alone when the secondary is up to date, else in AXFR form. */
  private transfer(asked: Asked, view: ZoneView, peer: ZonePeer, key: TsigKey | undefined) {
    const { request, qtype } = asked;
    const soa = soaOf(view);
    if (qtype === "IXFR" && (request.remote.transport === "udp" || this.upToDate(request, view)))
      return single(this.respond(request, { rcode: RCODE.NOERROR, answers: [soa], aa: true }, key));
    const kind = qtype as "AXFR" | "IXFR";
    const made = { messages: 0, records: 0 };
    const messages = this.transferMessages(request, view.records, soa, key, made);
    const handled: Handled = {
      messages,
      // A transfer counts (event, onTransfer) only once every message was written.
      after: (error) => {
        if (error || made.messages === 0) {
          const why = error?.message ?? "no message was made";
          const reason = `${kind} of zone ${view.zoneId} to ${asked.from} not completed: ${why}`;
          return this.log({ type: "error", reason });
        }
        this.transferred(asked, view, peer, key, { kind, ...made });
      },
    };
    return handled;
  }

  /** Whether an IXFR's SOA (its authority) is as recent as ours (RFC 1995 section 2). */
  private upToDate(request: Request, view: ZoneView): boolean {
    const theirs = request.decoded.authorities?.find((r) => r.type === "SOA") as
      { data?: { serial?: number } } | undefined;
    const serial = theirs?.data?.serial;
    if (typeof serial !== "number" || serial < 0 || serial > 0xffffffff) return false;
    const order = compareSerials(serial, view.serial);
    return order === 0 || order === 1;
  }

  /** The event and the source's notice of a transfer written in full. */
  private transferred(
    asked: Asked,
    view: ZoneView,
    peer: ZonePeer,
    key: TsigKey | undefined,
    made: { kind: "AXFR" | "IXFR"; messages: number; records: number },
  ): void {
    const { kind } = made;
    this.log({
      type: "transfer",
      zoneId: view.zoneId,
      from: asked.from,
      ...made,
      ...(key ? { tsig: key.name } : {}),
    });
    const { zoneId, serial } = view;
    const { address } = asked;
    const { port } = asked.request.remote;
    this.notice(() =>
      this.source.onTransfer?.({ zoneId, kind, address, port, peerId: peer.id, serial }),
    );
  }

  /** BADVERS for an EDNS version other than 0 (RFC 6891 6.1.3), with an OPT of version 0. */
  private badVersion(asked: Asked): Handled {
    const { zoneName: zone, qtype, from, request } = asked;
    const reason = `EDNS version ${request.edns!.version} (only 0 is spoken)`;
    this.log({ type: "refused", zone, qtype, from, rcode: BADVERS, reason });
    return single(this.respond(request, { rcode: BADVERS }, undefined));
  }

  /** NOTAUTH with the TSIG error of a signed request that failed its check, and the event that says why. */
  private refuseTsig(asked: Asked, check: Extract<SignatureCheck, { ok: false }>): Handled {
    this.log({
      type: "refused",
      zone: asked.zoneName,
      qtype: asked.qtype,
      from: asked.from,
      rcode: RCODE.NOTAUTH,
      reason: check.reason,
      tsigError: tsigErrorName(check.error),
    });
    return single(this.tsigErrorResponse(asked.request, check.error, check.key));
  }

  /** Runs a source callback; one that throws is logged and does not disturb the answer. */
  private notice(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      this.log({ type: "error", reason: `source callback failed: ${(error as Error).message}` });
    }
  }

  private findZone(name: string, qtype: string): ZoneView | undefined {
    // A query for a name inside a zone is answered from that zone; transfers name the apex.
    const labels = name === "" ? [] : name.split(".");
    const candidates = TRANSFER_TYPES.has(qtype)
      ? [name]
      : labels.map((_, i) => labels.slice(i).join("."));
    for (const candidate of candidates) {
      const view = this.source.zone(candidate);
      if (view && normalizeName(view.name) === candidate) return view;
    }
    return undefined;
  }

  private respond(
    request: Request,
    content: { rcode: number; answers?: ZoneRecord[]; authorities?: ZoneRecord[]; aa?: boolean },
    key: TsigKey | undefined,
  ): Buffer {
    const full = this.encode(request, content, key, false);
    if (request.remote.transport === "tcp" || full.length <= udpLimit(request.edns)) return full;
    // Too big for this UDP answer: the header and question with TC set, so the client asks over TCP.
    return this.encode(
      request,
      { rcode: content.rcode, ...(content.aa ? { aa: true } : {}) },
      key,
      true,
    );
  }

  private encode(
    request: Request,
    content: { rcode: number; answers?: ZoneRecord[]; authorities?: ZoneRecord[]; aa?: boolean },
    key: TsigKey | undefined,
    truncated: boolean,
  ): Buffer {
    const { header } = request;
    const flags =
      (header.opcode << 11) |
      (content.aa ? FLAG.AA : 0) |
      (truncated ? FLAG.TC : 0) |
      (header.flags & FLAG.RD) |
      (content.rcode & 0xf);
    const message = withQuestion(
      packet.encode({
        id: header.id,
        type: "response",
        flags,
        answers: toWire(content.answers ?? []),
        authorities: toWire(content.authorities ?? []),
        additionals: request.edns ? [responseOpt(content.rcode)] : [],
      }),
      request.question,
    );
    if (!key || !request.tsig) return message;
    const context: TsigContext = { kind: "response", requestMac: request.tsig.mac };
    return signMessage(message, key, context, { timeSigned: this.now() }).message;
  }

  private tsigErrorResponse(request: Request, error: number, key: TsigKey | undefined): Buffer {
    const tsig = request.tsig!;
    const unsigned = this.respond(
      { ...request, tsig: undefined },
      { rcode: RCODE.NOTAUTH },
      undefined,
    );
    if (error !== TSIG_ERROR.BADTIME || !key) return appendTsigError(unsigned, tsig, error);
    // Signed, with the server's time as other data (RFC 8945 5.2.3).
    const time = Buffer.alloc(6);
    time.writeUIntBE(this.now(), 0, 6);
    return signMessage(
      unsigned,
      key,
      { kind: "response", requestMac: tsig.mac },
      { timeSigned: tsig.timeSigned, fudge: DEFAULT_FUDGE, error, other: time },
    ).message;
  }

  /**
   * The transfer (SOA, every other record, SOA), cut into messages of about
   * chunkBytes, each made when it is taken and signed when the request was, each
   * MAC chained to the one before (RFC 8945 5.3.1). `made` counts what was made.
   */
  private *transferMessages(
    request: Request,
    records: readonly ZoneRecord[],
    soa: ZoneRecord,
    key: TsigKey | undefined,
    made: { messages: number; records: number },
  ): Generator<Buffer, void, undefined> {
    let priorMac: Buffer | undefined;
    for (const answers of chunks(records, soa, this.chunkBytes)) {
      const first = made.messages === 0;
      const message = this.transferMessage(request, answers, first);
      made.messages++;
      made.records += answers.length;
      if (!key || !request.tsig) {
        yield message;
        continue;
      }
      const context: TsigContext = priorMac
        ? { kind: "continuation", priorMac }
        : { kind: "response", requestMac: request.tsig.mac };
      const signed = signMessage(message, key, context, { timeSigned: this.now() });
      priorMac = signed.mac;
      yield signed.message;
    }
  }

  /** One message of a transfer, unsigned; the first has the question and, for EDNS, an OPT. */
  private transferMessage(request: Request, answers: packet.Answer[], first: boolean): Buffer {
    const { header } = request;
    const encoded = packet.encode({
      id: header.id,
      type: "response",
      flags: FLAG.AA | (header.flags & FLAG.RD),
      answers,
      // EDNS: an OPT in the first message, as the question (RFC 6891 6.1.1).
      additionals: first && request.edns ? [responseOpt(RCODE.NOERROR)] : [],
    });
    // The question goes in the first message only (RFC 5936 2.2.1).
    return first ? withQuestion(encoded, request.question) : encoded;
  }
}

/**
 * A transfer's records (the SOA, the others, the SOA again) in runs of about
 * `bytes` on the wire (at least one record a run), measured as they are taken.
 */
function* chunks(
  records: readonly ZoneRecord[],
  soa: ZoneRecord,
  bytes: number,
): Generator<packet.Answer[], void, undefined> {
  let run: packet.Answer[] = [];
  let size = 0;
  const add = (record: ZoneRecord): packet.Answer[] | undefined => {
    const [wire] = toWire([record]);
    const length = packet.encodingLength({ answers: [wire!] }) - HEADER_BYTES;
    let full: packet.Answer[] | undefined;
    if (size + length > bytes && run.length > 0) {
      full = run;
      run = [];
      size = 0;
    }
    run.push(wire!);
    size += length;
    return full;
  };
  const full = add(soa);
  if (full) yield full;
  for (const record of records) {
    if (record.type === "SOA") continue;
    const ready = add(record);
    if (ready) yield ready;
  }
  const last = add(soa);
  if (last) yield last;
  yield run;
}

function fromOf(remote: Remote): string {
  return `${remote.address}#${remote.port}`;
}

function bareResponse(header: ReturnType<typeof readHeader>, rcode: number): Buffer {
  const out = Buffer.alloc(HEADER_BYTES);
  out.writeUInt16BE(header.id, 0);
  out.writeUInt16BE(FLAG.QR | (header.opcode << 11) | (header.flags & FLAG.RD) | rcode, 2);
  return out;
}
