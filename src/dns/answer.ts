/**
 * How the primary answers one request (RFC 1035, 1995, 5936, 8945):
 *   - undecodable request with a header        FORMERR (no header: dropped)
 *   - opcode other than QUERY                  NOTIMP
 *   - bad TSIG                                 NOTAUTH + TSIG error BADKEY/BADSIG/BADTIME
 *   - zone unknown: query REFUSED; transfer NOTAUTH (RFC 5936 2.2.1, not authoritative)
 *   - transfers disabled                       REFUSED
 *   - transfer from an address that is no peer REFUSED
 *   - transfer from a peer address that has a TSIG, unsigned or with another key: NOTAUTH
 *   - AXFR over UDP                            REFUSED (transfers are TCP only)
 *   - IXFR from an up-to-date secondary        the SOA alone; otherwise AXFR form (RFC 1995 4)
 *   - a UDP answer larger than the client takes: TC set, so it asks again over TCP
 * SOA queries need no TSIG (the serial is public); a signed one is verified and answered signed.
 */
import { compareSerials } from "./serial.js";
import {
  plainAddress,
  keysOf,
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
  keyLookup,
  signMessage,
  tsigErrorName,
  verifyMessage,
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
  readHeader,
} from "./wire.js";
import { toWire, type ZoneRecord } from "./zone.js";
import { recordsAt } from "./owners.js";

const TRANSFER_TYPES = new Set(["AXFR", "IXFR"]);

export interface Handled {
  messages: Buffer[];
  /** Run once the messages are written (the transfer callback). */
  after?: () => void;
}

interface Request {
  header: ReturnType<typeof readHeader>;
  decoded: ReturnType<typeof packet.decode>;
  tsig: TsigRecord | undefined;
  raw: Buffer;
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
    try {
      decoded = packet.decode(raw);
      tsig = findTsig(raw);
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
      return this.answer({ header, decoded, tsig, raw, remote }, question);
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
    const atAddress =
      view?.peers.filter((peer) => peer.ip && plainAddress(peer.ip) === address) ?? [];
    const keysAtAddress = keysOf(atAddress, this.log);
    const keys =
      transfer && keysAtAddress.length > 0 ? keysAtAddress : keysOf(view?.peers ?? [], this.log);
    let key: TsigKey | undefined;
    if (request.tsig) {
      const verdict = verifyMessage(
        request.raw,
        keyLookup(keys),
        { kind: "request" },
        { now: this.now() },
      );
      if (verdict.status === "bad" || verdict.status === "peer-error") {
        const tsigError = tsigErrorName(verdict.error);
        this.log({
          type: "refused",
          zone: zoneName,
          qtype,
          from,
          rcode: RCODE.NOTAUTH,
          reason: `TSIG ${tsigError}`,
          tsigError,
        });
        return {
          messages: [
            this.tsigErrorResponse(
              request,
              verdict.error,
              verdict.status === "bad" ? verdict.key : undefined,
            ),
          ],
        };
      }
      if (verdict.status === "ok") key = verdict.key;
    }

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

    if (atAddress.length === 0)
      return refuse(RCODE.REFUSED, "the address is not one of the zone's peers", key);
    if (keysAtAddress.length > 0 && !key)
      return refuse(
        RCODE.NOTAUTH,
        "a peer at this address has a TSIG, the request is unsigned",
        key,
      );
    const peer = atAddress.find((p) =>
      key ? keysOf([p], () => {}).some((k) => k.name === key!.name) : !p.tsig,
    );

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
    this.log({
      type: "transfer",
      zoneId: view.zoneId,
      kind,
      from,
      messages: messages.length,
      records: body.length + 2,
      ...(key ? { tsig: key.name } : {}),
    });
    return {
      messages,
      after: () =>
        this.notice(() =>
          this.source.onTransfer?.({
            zoneId: view.zoneId,
            kind,
            address,
            port: request.remote.port,
            ...(peer ? { peerId: peer.id } : {}),
            serial: view.serial,
          }),
        ),
    };
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
    if (request.remote.transport === "tcp" || full.length <= udpLimit(request)) return full;
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
      content.rcode;
    const message = packet.encode({
      id: header.id,
      type: "response",
      flags,
      questions: request.decoded.questions ?? [],
      answers: toWire(content.answers ?? []),
      authorities: toWire(content.authorities ?? []),
    });
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
      const message = packet.encode({
        id: header.id,
        type: "response",
        flags: FLAG.AA | (header.flags & FLAG.RD),
        // The question goes in the first message only (RFC 5936 2.2.1).
        questions: index === 0 ? (request.decoded.questions ?? []) : [],
        answers: toWire(answers),
      });
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

/** The largest UDP answer the client takes: 512 bytes, or its EDNS payload size (at most 4096). */
function udpLimit(request: Request): number {
  const opt = request.decoded.additionals?.find((record) => record.type === "OPT") as
    { udpPayloadSize?: number } | undefined;
  return Math.min(Math.max(opt?.udpPayloadSize ?? 512, 512), 4096);
}
