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
  messages: Buffer[];
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

export class RequestHandler {
  constructor(
    private readonly source: ZoneSource,
    private readonly log: (event: DnsEvent) => void,
    private readonly now: () => number,
    private readonly chunkBytes: number,
  ) {}

  handle(raw: Buffer, remote: Remote): Handled {
    const from = `${remote.address}#${remote.port}`;
    if (raw.length < HEADER_BYTES || raw.length > MAX_MESSAGE_BYTES) {
      this.log({
        type: "malformed",
        from,
        transport: remote.transport,
        reason: `a ${raw.length}-byte message`,
      });
      return { messages: [] };
    }
    const header = readHeader(raw);
    if (header.flags & FLAG.QR) return { messages: [] }; // a response: never answer one
    let decoded: ReturnType<typeof packet.decode>;
    let tsig: TsigRecord | undefined;
    let questionBytes: Buffer;
    let edns: Edns | undefined;
    try {
      decoded = packet.decode(raw);
      tsig = findTsig(raw);
      questionBytes = header.qdcount === 1 ? questionSection(raw) : Buffer.alloc(0);
      edns = requestEdns(decoded.additionals);
    } catch (error) {
      this.log({
        type: "malformed",
        from,
        transport: remote.transport,
        reason: (error as Error).message,
      });
      return { messages: [bareResponse(header, RCODE.FORMERR)] };
    }
    if (header.opcode !== OPCODE.QUERY) return { messages: [bareResponse(header, RCODE.NOTIMP)] };
    const question = decoded.questions?.[0];
    if (header.qdcount !== 1 || !question)
      return { messages: [bareResponse(header, RCODE.FORMERR)] };
    try {
      const request = { header, decoded, tsig, raw, question: questionBytes, edns, remote };
      if (edns && edns.version > 0) return this.badVersion(request, question);
      return this.answer(request, question);
    } catch (error) {
      // A source that throws or holds a bad zone: SERVFAIL for this request, the server lives on.
      this.log({ type: "error", reason: `answering ${from}: ${(error as Error).message}` });
      return { messages: [bareResponse(header, RCODE.SERVFAIL)] };
    }
  }

  private answer(
    request: Request,
    question: { name: string; type: string; class?: string | undefined },
  ): Handled {
    const zoneName = normalizeName(question.name);
    const qtype = question.type;
    const transfer = TRANSFER_TYPES.has(qtype);
    const from = `${request.remote.address}#${request.remote.port}`;
    const view = this.findZone(zoneName, qtype);
    const refuse = (rcode: number, reason: string, key?: TsigKey): Handled => {
      this.log({ type: "refused", zone: zoneName, qtype, from, rcode, reason });
      return { messages: [this.respond(request, { rcode }, key)] };
    };

    // TSIG first (RFC 8945 5.2): a bad signature is answered NOTAUTH whatever was asked.
    const address = plainAddress(request.remote.address);
    const atAddress = peersAt(view?.peers ?? [], address);
    let signed: Extract<SignatureCheck, { ok: true }> | undefined;
    if (request.tsig) {
      // A transfer may be signed only with the key of a peer at its address; a query with any peer's.
      const check = transfer
        ? checkSignature(request.raw, request.tsig, atAddress, "at this address", this.now())
        : checkSignature(request.raw, request.tsig, view?.peers ?? [], "of the zone", this.now());
      if (!check.ok) return this.refuseTsig(request, zoneName, qtype, check);
      signed = check;
    }
    const key = signed?.key;

    if (qtype === "AXFR" && request.remote.transport === "udp")
      return refuse(RCODE.REFUSED, "AXFR over UDP", key);
    if (!view)
      return refuse(transfer ? RCODE.NOTAUTH : RCODE.REFUSED, "not a zone of this primary", key);
    if (!view.transfersEnabled)
      return refuse(RCODE.REFUSED, "outgoing transfers are disabled", key);
    if (question.class !== undefined && question.class !== "IN")
      return refuse(RCODE.REFUSED, `class ${question.class}`, key);

    const soa = soaOf(view);
    if (!transfer) {
      const handled = this.query(request, view, soa, zoneName, qtype, key);
      this.log({
        type: "query",
        zone: zoneName,
        qtype,
        from,
        transport: request.remote.transport,
        rcode: handled.rcode,
        ...(key ? { tsig: key.name } : {}),
      });
      if (qtype === "SOA" && handled.rcode === RCODE.NOERROR) {
        this.notice(() =>
          this.source.onSoaQuery?.({
            zoneId: view.zoneId,
            address,
            port: request.remote.port,
            transport: request.remote.transport,
            serial: view.serial,
          }),
        );
      }
      return { messages: [handled.message] };
    }

    const access = transferAccess(atAddress, signed);
    if (!access.ok) return refuse(access.rcode, access.reason, key);
    const peer = access.peer;

    // IXFR from a secondary that is up to date: the current SOA alone (RFC 1995 section 2).
    const theirs = request.decoded.authorities?.find((r) => r.type === "SOA") as
      { data?: { serial?: number } } | undefined;
    const theirSerial = theirs?.data?.serial;
    if (
      qtype === "IXFR" &&
      typeof theirSerial === "number" &&
      theirSerial >= 0 &&
      theirSerial <= 0xffffffff
    ) {
      const order = compareSerials(theirSerial, view.serial);
      if (order === 0 || order === 1)
        return {
          messages: [
            this.respond(request, { rcode: RCODE.NOERROR, answers: [soa], aa: true }, key),
          ],
        };
    }
    if (qtype === "IXFR" && request.remote.transport === "udp") {
      return {
        messages: [this.respond(request, { rcode: RCODE.NOERROR, answers: [soa], aa: true }, key)],
      };
    }

    const body = view.records.filter((r) => r.type !== "SOA");
    const messages = this.transferMessages(request, [soa, ...body, soa], key);
    const kind = qtype as "AXFR" | "IXFR";
    return {
      messages,
      // A transfer counts (event, onTransfer) only once every message was written.
      after: (error) => {
        if (error) {
          const reason = `${kind} of zone ${view.zoneId} to ${from} not completed: ${error.message}`;
          this.log({ type: "error", reason });
          return;
        }
        this.log({
          type: "transfer",
          zoneId: view.zoneId,
          kind,
          from,
          messages: messages.length,
          records: body.length + 2,
          ...(key ? { tsig: key.name } : {}),
        });
        this.notice(() =>
          this.source.onTransfer?.({
            zoneId: view.zoneId,
            kind,
            address,
            port: request.remote.port,
            peerId: peer.id,
            serial: view.serial,
          }),
        );
      },
    };
  }

  /** BADVERS for an EDNS version other than 0 (RFC 6891 6.1.3), with an OPT of version 0. */
  private badVersion(request: Request, question: { name: string; type: string }): Handled {
    this.log({
      type: "refused",
      zone: normalizeName(question.name),
      qtype: question.type,
      from: `${request.remote.address}#${request.remote.port}`,
      rcode: BADVERS,
      reason: `EDNS version ${request.edns!.version} (only 0 is spoken)`,
    });
    return { messages: [this.respond(request, { rcode: BADVERS }, undefined)] };
  }

  /** NOTAUTH with the TSIG error of a signed request that failed its check, and the event that says why. */
  private refuseTsig(
    request: Request,
    zone: string,
    qtype: string,
    check: Extract<SignatureCheck, { ok: false }>,
  ): Handled {
    const from = `${request.remote.address}#${request.remote.port}`;
    const tsigError = tsigErrorName(check.error);
    this.log({
      type: "refused",
      zone,
      qtype,
      from,
      rcode: RCODE.NOTAUTH,
      reason: check.reason,
      tsigError,
    });
    return { messages: [this.tsigErrorResponse(request, check.error, check.key)] };
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

  private query(
    request: Request,
    view: ZoneView,
    soa: ZoneRecord,
    zoneName: string,
    qtype: string,
    key: TsigKey | undefined,
  ) {
    const apex = normalizeName(view.name);
    const atName = recordsAt(view.records, apex, soa, zoneName, qtype);
    const answers = atName.filter((r) => r.type === qtype || qtype === "ANY");
    const rcode = atName.length === 0 && !(zoneName === apex) ? RCODE.NXDOMAIN : RCODE.NOERROR;
    const authorities = answers.length === 0 ? [soa] : [];
    return {
      rcode,
      message: this.respond(request, { rcode, answers, authorities, aa: true }, key),
    };
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
    if (error === TSIG_ERROR.BADTIME && key) {
      // Signed, with the server's time as other data (RFC 8945 5.2.3).
      const time = Buffer.alloc(6);
      time.writeUIntBE(this.now(), 0, 6);
      const unsigned = this.respond(
        { ...request, tsig: undefined },
        { rcode: RCODE.NOTAUTH },
        undefined,
      );
      return signMessage(
        unsigned,
        key,
        { kind: "response", requestMac: tsig.mac },
        { timeSigned: tsig.timeSigned, fudge: DEFAULT_FUDGE, error, other: time },
      ).message;
    }
    return appendTsigError(
      this.respond({ ...request, tsig: undefined }, { rcode: RCODE.NOTAUTH }, undefined),
      tsig,
      error,
    );
  }

  /** The transfer, cut into messages of about chunkBytes, each signed when the request was (RFC 8945 5.3.1). */
  private transferMessages(
    request: Request,
    records: ZoneRecord[],
    key: TsigKey | undefined,
  ): Buffer[] {
    const chunks: ZoneRecord[][] = [[]];
    let size = 0;
    for (const record of records) {
      const bytes = packet.encodingLength({ answers: toWire([record]) }) - HEADER_BYTES;
      if (size + bytes > this.chunkBytes && chunks[chunks.length - 1]!.length > 0) {
        chunks.push([]);
        size = 0;
      }
      chunks[chunks.length - 1]!.push(record);
      size += bytes;
    }
    const { header } = request;
    const out: Buffer[] = [];
    let priorMac: Buffer | undefined;
    chunks.forEach((answers, index) => {
      const encoded = packet.encode({
        id: header.id,
        type: "response",
        flags: FLAG.AA | (header.flags & FLAG.RD),
        answers: toWire(answers),
        // EDNS: an OPT in the first message, as the question (RFC 6891 6.1.1).
        additionals: index === 0 && request.edns ? [responseOpt(RCODE.NOERROR)] : [],
      });
      // The question goes in the first message only (RFC 5936 2.2.1).
      const message = index === 0 ? withQuestion(encoded, request.question) : encoded;
      if (key && request.tsig) {
        const context: TsigContext = priorMac
          ? { kind: "continuation", priorMac }
          : { kind: "response", requestMac: request.tsig.mac };
        const signed = signMessage(message, key, context, { timeSigned: this.now() });
        priorMac = signed.mac;
        out.push(signed.message);
      } else out.push(message);
    });
    return out;
  }
}

function bareResponse(header: ReturnType<typeof readHeader>, rcode: number): Buffer {
  const out = Buffer.alloc(HEADER_BYTES);
  out.writeUInt16BE(header.id, 0);
  out.writeUInt16BE(FLAG.QR | (header.opcode << 11) | (header.flags & FLAG.RD) | rcode, 2);
  return out;
}
