/**
 * The primary's TCP side (RFC 7766): length-prefixed messages, pipelined, each
 * answered in order, under limits that keep hostile clients on loopback from
 * starving the others:
 *   - a message must arrive whole within `messageMs` of its first byte (a byte
 *     now and then does not keep a connection: slowloris);
 *   - a connection with no message under way and nothing to write is closed
 *     after `idleMs` (from the connect, the last answer written, or the last drain);
 *   - at most `maxConnections` in all and `maxPerAddress` from one address; a
 *     new connection past either limit closes the idlest one (the one whose last
 *     progress is oldest), so new clients always get a slot;
 *   - backpressure: when the socket's output is above its high-water mark the
 *     connection stops reading and answering until 'drain', so one answer at
 *     most is queued beyond the mark, and input is read only while less than
 *     `maxBufferedBytes` of it waits (a client that never reads its answers
 *     holds a bounded amount of memory, then the idle limit closes it);
 *   - at most PER_TURN messages, or BYTES_PER_TURN of output, are answered or
 *     written per connection per event-loop turn, so UDP queries and other
 *     connections are served between them. A transfer's messages are made one at
 *     a time as they are written (answer.ts), so a large transfer is spread over
 *     many turns, and no more of it is made while the output is full.
 */
import type { Socket } from "node:net";
import type { Handled, RequestHandler } from "./answer.js";
import { plainAddress, type DnsEvent, type Remote } from "./source.js";
import { HEADER_BYTES } from "./wire.js";

export interface TcpLimits {
  idleMs: number;
  messageMs: number;
  maxConnections: number;
  maxPerAddress: number;
  maxBufferedBytes: number;
}

/** Messages answered, and bytes written, per connection before the event loop gets a turn. */
const PER_TURN = 16;
const BYTES_PER_TURN = 64 * 1024;

/** Accepts and serves the TCP connections of one primary. */
export class TcpFront {
  readonly #connections = new Set<Connection>();
  #sweeper: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly handler: RequestHandler,
    private readonly limits: TcpLimits,
    private readonly log: (event: DnsEvent) => void,
  ) {}

  /** The server's connection listener. */
  accept(socket: Socket): void {
    const connection = new Connection(socket, this.handler, this.limits, this.log);
    this.#makeRoom(connection.address);
    this.#connections.add(connection);
    socket.on("close", () => {
      this.#connections.delete(connection);
      if (this.#connections.size === 0) this.#stopSweeping();
    });
    this.#startSweeping();
    connection.start();
  }

  /** Drops every connection (at close). */
  closeAll(): void {
    for (const connection of this.#connections) connection.socket.destroy();
    this.#stopSweeping();
  }

  #makeRoom(address: string): void {
    const open = () => [...this.#connections].filter((c) => !c.socket.destroyed);
    const same = open().filter((c) => c.address === address);
    if (same.length >= this.limits.maxPerAddress) evictIdlest(same, "per-address");
    const all = open();
    if (all.length >= this.limits.maxConnections) evictIdlest(all, "connection");
  }

  #startSweeping(): void {
    if (this.#sweeper) return;
    const every = Math.max(10, Math.min(250, this.limits.messageMs / 4, this.limits.idleMs / 4));
    this.#sweeper = setInterval(() => {
      const now = Date.now();
      for (const connection of this.#connections) connection.checkDeadline(now);
    }, every);
    this.#sweeper.unref();
  }

  #stopSweeping(): void {
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }
}

function evictIdlest(connections: Connection[], limit: string): void {
  const idlest = connections.reduce((a, b) => (b.lastProgress < a.lastProgress ? b : a));
  idlest.close(`the ${limit} limit was reached and this connection was the idlest`);
}

class Connection {
  readonly remote: Remote;
  readonly address: string;
  /** Input not yet answered: at most one partial message, or whole ones waiting their turn. */
  #buffered: Buffer = Buffer.alloc(0);
  /** When the first byte of the message now arriving came (undefined: none under way). */
  #messageStarted: number | undefined;
  /** The last connect, whole message, answer written or drain: what "idlest" compares. */
  lastProgress = Date.now();
  #waitingDrain = false;
  /** The answer being written (a transfer's messages not yet made), while one is. */
  #writing: { messages: Iterator<Buffer>; after: Handled["after"] } | undefined;
  #scheduled = false;
  #ended = false;

  constructor(
    readonly socket: Socket,
    private readonly handler: RequestHandler,
    private readonly limits: TcpLimits,
    private readonly log: (event: DnsEvent) => void,
  ) {
    this.remote = {
      address: socket.remoteAddress ?? "?",
      port: socket.remotePort ?? 0,
      transport: "tcp",
    };
    this.address = plainAddress(this.remote.address);
  }

  start(): void {
    const { socket } = this;
    socket.on("error", () => socket.destroy());
    // A transfer cut short by the close: it did not happen.
    socket.on("close", () => this.#finish(new Error("the connection closed")));
    socket.on("data", (chunk: Buffer) => this.#receive(chunk));
    socket.on("end", () => {
      this.#ended = true;
      this.#pump();
    });
    socket.on("drain", () => {
      this.#waitingDrain = false;
      this.lastProgress = Date.now();
      // A message that was waiting behind the output gets its full time from now.
      if (this.#buffered.length > 0) this.#messageStarted = this.lastProgress;
      this.#pump();
    });
  }

  close(reason: string): void {
    if (this.socket.destroyed) return;
    this.log({
      type: "error",
      reason: `TCP ${this.address}#${this.remote.port} closed: ${reason}`,
    });
    this.socket.destroy();
  }

  checkDeadline(now: number): void {
    if (this.#messageStarted !== undefined && !this.#waitingDrain && !this.#writing) {
      if (now - this.#messageStarted > this.limits.messageMs)
        this.close(`a message took more than ${this.limits.messageMs} ms to arrive`);
    } else if (now - this.lastProgress > this.limits.idleMs) {
      this.close(`idle for more than ${this.limits.idleMs} ms`);
    }
  }

  #receive(chunk: Buffer): void {
    if (this.#buffered.length === 0) this.#messageStarted = Date.now();
    this.#buffered = this.#buffered.length === 0 ? chunk : Buffer.concat([this.#buffered, chunk]);
    this.#pump();
  }

  /**
   * Writes the answer under way, then answers the whole messages buffered, up to
   * PER_TURN messages or BYTES_PER_TURN a turn, while the output is below its mark.
   */
  #pump(): void {
    let written = 0;
    for (let handled = 0; ;) {
      if (this.socket.destroyed) return;
      if (this.#waitingDrain) return this.#flow();
      if (handled >= PER_TURN || written >= BYTES_PER_TURN) return this.#later();
      if (this.#writing) {
        written += this.#writeNext();
        continue;
      }
      const message = this.#nextMessage();
      if (message === "malformed") return;
      if (!message) break;
      const { messages, after } = this.handler.handle(Buffer.from(message), this.remote);
      this.#writing = { messages: messages[Symbol.iterator](), after };
      handled++;
    }
    this.#flow();
    // The client has ended its side: what is left can never become a whole message.
    if (this.#ended && !this.socket.writableEnded) this.socket.end();
  }

  /** Answers the rest on a later turn of the event loop. */
  #later(): void {
    this.#flow();
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#pump();
    });
  }

  /** The next whole message, undefined when none is buffered yet. */
  #nextMessage(): Buffer | "malformed" | undefined {
    if (this.#buffered.length < 2) return undefined;
    const length = this.#buffered.readUInt16BE(0);
    if (length < HEADER_BYTES) {
      this.log({
        type: "malformed",
        from: `${this.remote.address}#${this.remote.port}`,
        transport: "tcp",
        reason: `a ${length}-byte message`,
      });
      this.socket.destroy();
      return "malformed";
    }
    if (this.#buffered.length < 2 + length) return undefined;
    const message = this.#buffered.subarray(2, 2 + length);
    this.#buffered = this.#buffered.subarray(2 + length);
    this.lastProgress = Date.now();
    // The next message's clock starts now if any of it is here.
    this.#messageStarted = this.#buffered.length > 0 ? this.lastProgress : undefined;
    return message;
  }

  /** Makes and writes the next message of the answer under way; returns the bytes written. */
  #writeNext(): number {
    let next: IteratorResult<Buffer>;
    try {
      next = this.#writing!.messages.next();
    } catch (error) {
      // A message that cannot be made (a bad record): the answer stops, so does the connection.
      this.#finish(error as Error);
      this.close(`answering failed: ${(error as Error).message}`);
      return 0;
    }
    if (next.done) {
      const { after } = this.#writing!;
      this.#writing = undefined;
      // With the error when a write before it failed (a reset peer): then it was no transfer.
      if (after) this.socket.write(Buffer.alloc(0), (error) => after(error));
      // A message that waited behind this answer gets its full time from now.
      if (this.#buffered.length > 0) this.#messageStarted = Date.now();
      return 0;
    }
    const response = next.value;
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16BE(response.length, 0);
    if (!this.socket.write(Buffer.concat([prefix, response]))) this.#waitingDrain = true;
    this.lastProgress = Date.now();
    return 2 + response.length;
  }

  /** Ends the answer under way, if any, as not written (`error` says why). */
  #finish(error: Error): void {
    const writing = this.#writing;
    this.#writing = undefined;
    writing?.after?.(error);
  }

  /** Reads only while no drain is awaited and little input waits. */
  #flow(): void {
    const read = !this.#waitingDrain && this.#buffered.length < this.limits.maxBufferedBytes;
    if (read && this.socket.isPaused()) this.socket.resume();
    else if (!read && !this.socket.isPaused()) this.socket.pause();
  }
}
