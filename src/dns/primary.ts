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
import { createServer, isIP, type Server, type Socket } from "node:net";
import { RequestHandler } from "./answer.js";
import { Notifier } from "./notify.js";
import type { DnsEvent, NotifyResult, Remote, ZoneSource } from "./source.js";
import { HEADER_BYTES, isLoopbackAddress, loadPacket } from "./wire.js";

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
      tcp.once("error", (error) => reject(listenError("TCP", host, wanted, error)));
      tcp.listen(wanted, host, () => {
        tcp.removeAllListeners("error");
        resolve();
      });
    });
    const port = (tcp.address() as { port: number }).port;
    const udp = createSocket(host.includes(":") ? "udp6" : "udp4");
    try {
      await new Promise<void>((resolve, reject) => {
        udp.once("error", (error) => reject(listenError("UDP", host, port, error)));
        udp.bind(port, host, () => {
          udp.removeAllListeners("error");
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

function listenError(transport: string, host: string, port: number, cause: Error): DnsPrimaryError {
  const code = (cause as { code?: string }).code ?? cause.message;
  return new DnsPrimaryError(`cannot listen for DNS on ${transport} ${host}:${port} (${code})`, {
    cause,
  });
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
      // Called with an error when any write before it failed (a reset peer): not a transfer.
      if (after) socket.write(Buffer.alloc(0), (error) => after(error));
    }
  });
}
