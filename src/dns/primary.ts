/**
 * A DNS primary on loopback: answers SOA (UDP and TCP) and zone transfers
 * (AXFR, and IXFR in AXFR form as RFC 1995 section 4 allows) over TCP, checks
 * and signs TSIG (RFC 8945), and sends NOTIFY (RFC 1996) to the zone's peers.
 *
 * Its zones come from a `ZoneSource` asked on every request, so the caller's
 * state (records, serial, peers, enabled) is the only copy. It listens and
 * sends on loopback only.
 *
 * How each request is answered: answer.ts. NOTIFY: notify.ts.
 */
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { createServer, isIP, type Server } from "node:net";
import { RequestHandler } from "./answer.js";
import { Notifier } from "./notify.js";
import type { DnsEvent, NotifyResult, Remote, ZoneSource } from "./source.js";
import { TcpFront, type TcpLimits } from "./tcp.js";
import { isLoopbackAddress, loadPacket } from "./wire.js";

export type {
  DnsEvent,
  NotifyOutcome,
  NotifyResult,
  SoaQueryInfo,
  TransferInfo,
  ZonePeer,
  ZoneSource,
  ZoneView,
} from "./source.js";

export interface DnsPrimaryOptions {
  /** A loopback address; default 127.0.0.1. */
  host?: string;
  /** 0 (the default) picks a free port, the same for UDP and TCP. */
  port?: number;
  source: ZoneSource;
  log?: (event: DnsEvent) => void;
  /**
   * A TCP connection with no message under way and nothing left to write is
   * closed after this long (from its connect, its last answer or drain). Default 10000.
   */
  tcpIdleTimeoutMs?: number;
  /** A TCP message must arrive whole within this long of its first byte. Default 2000. */
  tcpMessageTimeoutMs?: number;
  /** Open TCP connections at most; one more closes the idlest. Default 32. */
  maxTcpConnections?: number;
  /** Open TCP connections from one address at most; one more closes its idlest. Default 16. */
  maxTcpConnectionsPerAddress?: number;
  /** Input a TCP connection may hold unanswered before it stops reading. Default 65538 (one largest message). */
  maxTcpBufferedBytes?: number;
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

/** The UDP socket's receive buffer asked for; the kernel caps it at its own limit. */
const UDP_RECEIVE_BUFFER = 1 << 20;

export async function startDnsPrimary(options: DnsPrimaryOptions): Promise<DnsPrimary> {
  loadPacket(); // at start, not at the first query: a missing dns-packet is named now
  const host = options.host ?? "127.0.0.1";
  if (!isIP(host) || !isLoopbackAddress(host)) {
    throw new DnsPrimaryError(
      `the DNS primary listens on loopback only (127.0.0.0/8 or ::1), not "${host}"`,
    );
  }
  const log = options.log ?? (() => {});
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const chunkBytes = Math.min(options.transferMessageBytes ?? 16_000, 60_000);
  const handler = new RequestHandler(options.source, log, now, chunkBytes);

  const front = new TcpFront(handler, tcpLimits(options), log);
  // Half-open: a client may end its side once it has asked, and still get its answers.
  const tcp = createServer({ allowHalfOpen: true }, (socket) => front.accept(socket));
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
      front.closeAll();
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
    await bound(tcp, (done) => tcp.listen(wanted, host, done), "TCP", host, wanted);
    const port = (tcp.address() as { port: number }).port;
    const udp = createSocket(host.includes(":") ? "udp6" : "udp4");
    try {
      await bound(udp, (done) => udp.bind(port, host, done), "UDP", host, port);
    } catch (error) {
      udp.close();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
      if (wanted !== 0 || attempt >= 4) throw error;
      continue;
    }
    // Room for a burst of queries (about 1,000 small datagrams): the default
    // (often 208 KB, about 250 datagrams) drops the rest, a legitimate query with them.
    try {
      udp.setRecvBufferSize(UDP_RECEIVE_BUFFER);
    } catch {
      // The system's limit stays; bursts are then cut sooner, nothing else changes.
    }
    udp.on("error", (error) => log({ type: "error", reason: `UDP socket: ${error.message}` }));
    tcp.on("error", (error) => log({ type: "error", reason: `TCP server: ${error.message}` }));
    udp.on("message", (message, rinfo) => {
      const remote: Remote = { address: rinfo.address, port: rinfo.port, transport: "udp" };
      for (const response of handler.handle(message, remote).messages) {
        udp.send(response, rinfo.port, rinfo.address);
      }
    });
    return { udp, port };
  }
}

/** Waits until `start` has the socket listening; its error event rejects with a DnsPrimaryError. */
function bound(
  socket: Server | UdpSocket,
  start: (done: () => void) => void,
  transport: string,
  host: string,
  port: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once("error", (error: Error) => reject(listenError(transport, host, port, error)));
    start(() => {
      socket.removeAllListeners("error");
      resolve();
    });
  });
}

function listenError(transport: string, host: string, port: number, cause: Error): DnsPrimaryError {
  const code = (cause as { code?: string }).code ?? cause.message;
  return new DnsPrimaryError(`cannot listen for DNS on ${transport} ${host}:${port} (${code})`, {
    cause,
  });
}

function tcpLimits(options: DnsPrimaryOptions): TcpLimits {
  const limit = (value: number | undefined, fallback: number, name: string) => {
    const chosen = value ?? fallback;
    if (!Number.isInteger(chosen) || chosen < 1)
      throw new DnsPrimaryError(`${name} must be a whole number, 1 or more`);
    return chosen;
  };
  return {
    idleMs: limit(options.tcpIdleTimeoutMs, 10_000, "tcpIdleTimeoutMs"),
    messageMs: limit(options.tcpMessageTimeoutMs, 2000, "tcpMessageTimeoutMs"),
    maxConnections: limit(options.maxTcpConnections, 32, "maxTcpConnections"),
    maxPerAddress: limit(options.maxTcpConnectionsPerAddress, 16, "maxTcpConnectionsPerAddress"),
    maxBufferedBytes: limit(options.maxTcpBufferedBytes, 2 + 65_535, "maxTcpBufferedBytes"),
  };
}
