/**
 * One DNS request, one response, over UDP or TCP, bounded in time: the client
 * side shared by the SOA query and the NOTIFY sender.
 */
import { createSocket } from "node:dgram";
import { isIPv6, Socket } from "node:net";
import { MAX_MESSAGE_BYTES, readHeader } from "./wire.js";

export type ExchangeOutcome =
  | { ok: true; response: Buffer }
  | { ok: false; failure: "timeout" }
  | { ok: false; failure: "unreachable"; detail: string };

export interface ExchangeRequest {
  host: string;
  port: number;
  message: Buffer;
  timeoutMs: number;
  /** Ends the exchange at once (as "unreachable", detail "aborted"). */
  signal?: AbortSignal | undefined;
}

/** Calls `finish` when `signal` aborts; returns what stops listening. */
function onAbort(signal: AbortSignal | undefined, finish: (outcome: ExchangeOutcome) => void) {
  if (!signal) return () => {};
  const aborted = () => finish({ ok: false, failure: "unreachable", detail: "aborted" });
  if (signal.aborted) queueMicrotask(aborted);
  signal.addEventListener("abort", aborted);
  return () => signal.removeEventListener("abort", aborted);
}

function failureDetail(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : error instanceof Error ? error.message : String(error);
}

/** Sends over UDP and waits for a response with the same ID from that address. */
export function udpExchange(request: ExchangeRequest): Promise<ExchangeOutcome> {
  const id = request.message.readUInt16BE(0);
  return new Promise((resolve) => {
    const socket = createSocket(isIPv6(request.host) ? "udp6" : "udp4");
    let settled = false;
    const finish = (outcome: ExchangeOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stopListening();
      socket.close();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ ok: false, failure: "timeout" }), request.timeoutMs);
    const stopListening = onAbort(request.signal, finish);
    socket.on("error", (error) =>
      finish({ ok: false, failure: "unreachable", detail: failureDetail(error) }),
    );
    socket.on("message", (message) => {
      // Anything else (a stray or forged datagram) is ignored; the timer still runs.
      if (
        message.length >= 12 &&
        readHeader(message).id === id &&
        readHeader(message).flags & 0x8000
      ) {
        finish({ ok: true, response: message });
      }
    });
    // connect() makes the kernel drop datagrams from other addresses and report
    // ICMP port-unreachable as ECONNREFUSED.
    // A connect that fails (ENETUNREACH: no route) calls back with the error, emitting none.
    socket.connect(request.port, request.host, (error?: Error) => {
      if (error) return finish({ ok: false, failure: "unreachable", detail: failureDetail(error) });
      socket.send(request.message, (error) => {
        if (error) finish({ ok: false, failure: "unreachable", detail: failureDetail(error) });
      });
    });
  });
}

/** Sends over TCP and reads the first response message (2-byte length prefix). */
export function tcpExchange(request: ExchangeRequest): Promise<ExchangeOutcome> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let settled = false;
    let buffered = Buffer.alloc(0);
    const finish = (outcome: ExchangeOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stopListening();
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ ok: false, failure: "timeout" }), request.timeoutMs);
    const stopListening = onAbort(request.signal, finish);
    socket.on("error", (error) =>
      finish({ ok: false, failure: "unreachable", detail: failureDetail(error) }),
    );
    socket.on("close", () =>
      finish({ ok: false, failure: "unreachable", detail: "connection closed before a response" }),
    );
    socket.on("data", (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length > MAX_MESSAGE_BYTES + 2)
        buffered = buffered.subarray(0, MAX_MESSAGE_BYTES + 2);
      if (buffered.length < 2) return;
      const length = buffered.readUInt16BE(0);
      if (buffered.length >= 2 + length)
        finish({ ok: true, response: Buffer.from(buffered.subarray(2, 2 + length)) });
    });
    socket.connect(request.port, request.host, () => {
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(request.message.length, 0);
      socket.write(Buffer.concat([prefix, request.message]));
    });
  });
}
