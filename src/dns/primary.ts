/**
 * A DNS primary on loopback: answers SOA (UDP and TCP) and zone transfers
 * (AXFR, and IXFR in AXFR form as RFC 1995 section 4 allows) over TCP, checks
 * and signs TSIG (RFC 8945), and sends NOTIFY (RFC 1996) to the zone's peers.
 *
 * Its zones come from a `ZoneSource` asked on every request, so the caller's
 * state (records, serial, peers, enabled) is the only copy. It listens and
 * sends on loopback only.
 *
 * Answers, by case:
 *   - undecodable request with a header        FORMERR (no header: dropped)
 *   - opcode other than QUERY                  NOTIMP
 *   - bad TSIG                                 NOTAUTH + TSIG error BADKEY/BADSIG/BADTIME
 *   - zone unknown: query REFUSED; transfer NOTAUTH (RFC 5936 2.2.1, not authoritative)
 *   - transfers disabled                       REFUSED
 *   - transfer from an address that is no peer REFUSED
 *   - transfer from a peer address that has a TSIG, unsigned or with another key: NOTAUTH
 *   - AXFR over UDP                            REFUSED (transfers are TCP only)
 */
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { createServer, isIP, type Server, type Socket } from "node:net";
import { udpExchange } from "./exchange.js";
import { compareSerials } from "./serial.js";
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
  type TsigKeyInput,
  type TsigRecord,
} from "./tsig.js";
import {
  FLAG,
  HEADER_BYTES,
  MAX_MESSAGE_BYTES,
  OPCODE,
  RCODE,
  isLoopbackAddress,
  normalizeName,
  packet,
  readHeader,
} from "./wire.js";
import type { ZoneRecord } from "./zone.js";

/** A secondary that may transfer the zone and is sent NOTIFY. */
export interface ZonePeer {
  id: string;
  name?: string;
  /** Where NOTIFY goes and where transfers come from; a peer without one is never notified. */
  ip?: string | null;
  /** Port for NOTIFY; 53 when absent. */
  port?: number | null;
  tsig?: TsigKeyInput | null;
}

/** What the primary serves for one zone, read fresh on every request. */
export interface ZoneView {
  zoneId: string;
  /** The zone's name (absolute; trailing dot optional). */
  name: string;
  /** The zone's records; its SOA is served with `serial` in place of its own. */
  records: readonly ZoneRecord[];
  serial: number;
  transfersEnabled: boolean;
  peers: readonly ZonePeer[];
}

export interface TransferInfo {
  zoneId: string;
  kind: "AXFR" | "IXFR";
  /** Address and source port the request came from. */
  address: string;
  port: number;
  /** The peer the request was matched to (by address and key), when one was. */
  peerId?: string;
  serial: number;
}

export interface SoaQueryInfo {
  zoneId: string;
  address: string;
  port: number;
  transport: "udp" | "tcp";
  serial: number;
}

/** Where zones come from. `zone` gets the name lower case, without the trailing dot. */
export interface ZoneSource {
  zone(name: string): ZoneView | undefined;
  /** Called after a transfer was written out in full. */
  onTransfer?(info: TransferInfo): void;
  /** Called for each SOA query answered for a zone. */
  onSoaQuery?(info: SoaQueryInfo): void;
}

export type NotifyOutcome =
  /** The peer answered; `rcode` 0 means it accepted the NOTIFY. */
  | "answered"
  /** Not sent: no ip, or an address that is not loopback. */
  | "skipped"
  /** No answer after every attempt, or the address refused the datagram. */
  | "failed";

export interface NotifyResult {
  zoneId: string;
  peerId: string;
  target: string;
  outcome: NotifyOutcome;
  attempts: number;
  rcode?: number;
  /** Why it was skipped or failed; or the TSIG problem with the answer. */
  reason?: string;
}

/** What the primary did, for a log or an event list. Never holds a secret. */
export type DnsEvent =
  | {
      type: "query";
      zone: string;
      qtype: string;
      from: string;
      transport: "udp" | "tcp";
      rcode: number;
      tsig?: string;
    }
  | {
      type: "transfer";
      zoneId: string;
      kind: "AXFR" | "IXFR";
      from: string;
      messages: number;
      records: number;
      tsig?: string;
    }
  | {
      type: "refused";
      zone: string;
      qtype: string;
      from: string;
      rcode: number;
      reason: string;
      tsigError?: string;
    }
  | { type: "malformed"; from: string; transport: "udp" | "tcp"; reason: string }
  | ({ type: "notify" } & NotifyResult)
  | { type: "error"; reason: string };

export interface DnsPrimaryOptions {
  /** A loopback address; default 127.0.0.1. */
  host?: string;
  /** 0 (the default) picks a free port, the same for UDP and TCP. */
  port?: number;
  source: ZoneSource;
  log?: (event: DnsEvent) => void;
  /** A TCP connection idle this long is closed. Default 10000. */
  tcpIdleTimeoutMs?: number;
  /** Further TCP connections are closed at once. Default 32. */
  maxTcpConnections?: number;
  /** Target size of one transfer message before TSIG. Default 16000. */
  transferMessageBytes?: number;
  /** Wait per NOTIFY attempt. Default 1000. */
  notifyTimeoutMs?: number;
  /** NOTIFY attempts per peer. Default 3. */
  notifyAttempts?: number;
  /** Seconds since the epoch, for TSIG; default the clock. */
  now?: () => number;
}

export interface DnsPrimary {
  readonly host: string;
  readonly port: number;
  /** Sends NOTIFY for the zone to each of its peers (loopback only); resolves when all are done. */
  notify(zoneName: string): Promise<NotifyResult[]>;
  close(): Promise<void>;
}

/** Thrown by startDnsPrimary for an address it will not listen on. */
export class DnsPrimaryError extends Error {
  override name = "DnsPrimaryError";
}

interface Remote {
  address: string;
  port: number;
  transport: "udp" | "tcp";
}

const TRANSFER_TYPES = new Set(["AXFR", "IXFR"]);

export async function startDnsPrimary(options: DnsPrimaryOptions): Promise<DnsPrimary> {
  const host = options.host ?? "127.0.0.1";
  if (!isIP(host) || !isLoopbackAddress(host)) {
    throw new DnsPrimaryError(
      `the DNS primary listens on loopback only (127.0.0.0/8 or ::1), not "${host}"`,
    );
  }
  const log = options.log ?? (() => {});
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const idleMs = options.tcpIdleTimeoutMs ?? 10_000;
  const maxConnections = options.maxTcpConnections ?? 32;
  const chunkBytes = Math.min(options.transferMessageBytes ?? 16_000, 60_000);
  const handler = new RequestHandler(options.source, log, now, chunkBytes);

  const connections = new Set<Socket>();
  const tcp = createServer((socket) => {
    if (connections.size >= maxConnections) {
      socket.destroy();
      return;
    }
    connections.add(socket);
    socket.on("close", () => connections.delete(socket));
    serveTcp(socket, handler, idleMs, log);
  });
  const { udp, port } = await listenBoth(tcp, host, options.port ?? 0, log, handler);

  let closed = false;
  const notifier = new Notifier(
    options.source,
    log,
    options.notifyTimeoutMs ?? 1000,
    options.notifyAttempts ?? 3,
    () => closed,
  );

  return {
    host,
    port,
    notify: (zoneName) => notifier.notify(zoneName),
    close: async () => {
      if (closed) return;
      closed = true;
      for (const socket of connections) socket.destroy();
      await Promise.all([
        new Promise<void>((resolve) => tcp.close(() => resolve())),
        new Promise<void>((resolve) => udp.close(() => resolve())),
      ]);
    },
  };
}

async function listenBoth(
  tcp: Server,
  host: string,
  wanted: number,
  log: (event: DnsEvent) => void,
  handler: RequestHandler,
): Promise<{ udp: UdpSocket; port: number }> {
  // Port 0: the TCP port is free, but the same UDP port may not be; try a few.
  for (let attempt = 0; ; attempt++) {
    await new Promise<void>((resolve, reject) => {
      tcp.once("error", reject);
      tcp.listen(wanted, host, () => {
        tcp.off("error", reject);
        resolve();
      });
    });
    const port = (tcp.address() as { port: number }).port;
    const udp = createSocket(host.includes(":") ? "udp6" : "udp4");
    try {
      await new Promise<void>((resolve, reject) => {
        udp.once("error", reject);
        udp.bind(port, host, () => {
          udp.off("error", reject);
          resolve();
        });
      });
    } catch (error) {
      udp.close();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
      if (wanted !== 0 || attempt >= 4) throw error;
      continue;
    }
    udp.on("error", (error) => log({ type: "error", reason: `UDP socket: ${error.message}` }));
    udp.on("message", (message, rinfo) => {
      const remote: Remote = { address: rinfo.address, port: rinfo.port, transport: "udp" };
      for (const response of handler.handle(message, remote).messages) {
        udp.send(response, rinfo.port, rinfo.address);
      }
    });
    return { udp, port };
  }
}

function serveTcp(
  socket: Socket,
  handler: RequestHandler,
  idleMs: number,
  log: (event: DnsEvent) => void,
): void {
  const remote: Remote = {
    address: socket.remoteAddress ?? "?",
    port: socket.remotePort ?? 0,
    transport: "tcp",
  };
  let buffered = Buffer.alloc(0);
  socket.setTimeout(idleMs, () => socket.destroy());
  socket.on("error", () => socket.destroy());
  socket.on("data", (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 2) {
      const length = buffered.readUInt16BE(0);
      if (length < HEADER_BYTES) {
        log({
          type: "malformed",
          from: `${remote.address}#${remote.port}`,
          transport: "tcp",
          reason: `a ${length}-byte message`,
        });
        socket.destroy();
        return;
      }
      if (buffered.length < 2 + length) return;
      const message = Buffer.from(buffered.subarray(2, 2 + length));
      buffered = buffered.subarray(2 + length);
      const { messages, after } = handler.handle(message, remote);
      for (const response of messages) {
        const prefix = Buffer.alloc(2);
        prefix.writeUInt16BE(response.length, 0);
        socket.write(Buffer.concat([prefix, response]));
      }
      if (after) socket.write(Buffer.alloc(0), () => after());
    }
  });
}

interface Handled {
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

class RequestHandler {
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
        this.source.onSoaQuery?.({
          zoneId: view.zoneId,
          address,
          port: request.remote.port,
          transport: request.remote.transport,
          serial: view.serial,
        });
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
        this.source.onTransfer?.({
          zoneId: view.zoneId,
          kind,
          address,
          port: request.remote.port,
          ...(peer ? { peerId: peer.id } : {}),
          serial: view.serial,
        }),
    };
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
    const records =
      zoneName === apex && qtype === "SOA" ? [soa] : view.records.filter((r) => r.type !== "SOA");
    const atName =
      zoneName === apex && qtype !== "SOA"
        ? [soa, ...records].filter((r) => normalizeName(r.name) === zoneName)
        : records.filter((r) => normalizeName(r.name) === zoneName);
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
    context?: TsigContext,
  ): Buffer {
    const { header } = request;
    const flags =
      (header.opcode << 11) | (content.aa ? FLAG.AA : 0) | (header.flags & FLAG.RD) | content.rcode;
    const message = packet.encode({
      id: header.id,
      type: "response",
      flags,
      questions: request.decoded.questions ?? [],
      answers: (content.answers ?? []) as packet.Answer[],
      authorities: (content.authorities ?? []) as packet.Answer[],
    });
    if (!key || !request.tsig) return message;
    return signMessage(
      message,
      key,
      context ?? { kind: "response", requestMac: request.tsig.mac },
      { timeSigned: this.now() },
    ).message;
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
      const bytes = packet.encodingLength({ answers: [record as packet.Answer] }) - HEADER_BYTES;
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
        answers: answers as packet.Answer[],
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

function plainAddress(address: string): string {
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}

function soaOf(view: ZoneView): ZoneRecord {
  const soa = view.records.find((r) => r.type === "SOA");
  if (!soa || soa.type !== "SOA") {
    throw new Error(`zone ${view.name} has no SOA record`);
  }
  return { ...soa, data: { ...soa.data, serial: view.serial } };
}

function keysOf(peers: readonly ZonePeer[], log: (event: DnsEvent) => void): TsigKey[] {
  const keys: TsigKey[] = [];
  for (const peer of peers) {
    if (!peer.tsig) continue;
    try {
      keys.push(new TsigKey(peer.tsig));
    } catch (error) {
      log({ type: "error", reason: `peer ${peer.id}: ${(error as Error).message}` });
    }
  }
  return keys;
}

/** Sends NOTIFY (RFC 1996) to a zone's peers, on loopback only. */
class Notifier {
  constructor(
    private readonly source: ZoneSource,
    private readonly log: (event: DnsEvent) => void,
    private readonly timeoutMs: number,
    private readonly attempts: number,
    private readonly closed: () => boolean,
  ) {}

  async notify(zoneName: string): Promise<NotifyResult[]> {
    const view = this.source.zone(normalizeName(zoneName));
    if (!view) return [];
    const results = await Promise.all(view.peers.map((peer) => this.notifyPeer(view, peer)));
    for (const result of results) this.log({ type: "notify", ...result });
    return results;
  }

  private async notifyPeer(view: ZoneView, peer: ZonePeer): Promise<NotifyResult> {
    const port = peer.port ?? 53;
    const ip = peer.ip ?? "";
    const target = ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;
    const base = { zoneId: view.zoneId, peerId: peer.id, target };
    if (!ip)
      return { ...base, target: "", outcome: "skipped", attempts: 0, reason: "the peer has no ip" };
    if (!isIP(ip) || !isLoopbackAddress(ip)) {
      return {
        ...base,
        outcome: "skipped",
        attempts: 0,
        reason: "not a loopback address: this primary never sends off the machine",
      };
    }
    let key: TsigKey | undefined;
    if (peer.tsig) {
      const [built] = keysOf([peer], this.log);
      if (!built)
        return {
          ...base,
          outcome: "skipped",
          attempts: 0,
          reason: "the peer's TSIG key is unusable",
        };
      key = built;
    }
    const soa = soaOf(view);
    let attempts = 0;
    while (attempts < this.attempts && !this.closed()) {
      attempts++;
      const id = Math.floor(Math.random() * 0x10000);
      let message = packet.encode({
        id,
        type: "query",
        flags: (OPCODE.NOTIFY << 11) | FLAG.AA,
        questions: [{ name: normalizeName(view.name), type: "SOA", class: "IN" }],
        answers: [soa as packet.Answer],
      });
      let mac: Buffer | undefined;
      if (key) ({ message, mac } = signMessage(message, key, { kind: "request" }));
      const outcome = await udpExchange({ host: ip, port, message, timeoutMs: this.timeoutMs });
      if (!outcome.ok) {
        if (attempts >= this.attempts || this.closed()) {
          return {
            ...base,
            outcome: "failed",
            attempts,
            reason: outcome.failure === "timeout" ? "no answer" : outcome.detail,
          };
        }
        continue;
      }
      const rcode = readHeader(outcome.response).rcode;
      const result: NotifyResult = { ...base, outcome: "answered", attempts, rcode };
      if (key && mac) {
        const verdict = safeVerify(outcome.response, key, mac);
        if (verdict) result.reason = verdict;
      }
      return result;
    }
    return { ...base, outcome: "failed", attempts, reason: "the primary closed" };
  }
}

function safeVerify(response: Buffer, key: TsigKey, requestMac: Buffer): string | undefined {
  try {
    const verdict = verifyMessage(response, keyLookup([key]), { kind: "response", requestMac });
    if (verdict.status === "ok") return undefined;
    if (verdict.status === "unsigned") return "the answer is not signed";
    return `the answer has TSIG ${tsigErrorName(verdict.error)}`;
  } catch (error) {
    return `the answer is malformed: ${(error as Error).message}`;
  }
}
