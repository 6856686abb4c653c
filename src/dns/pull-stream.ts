/**
 * The TCP side of a pull: sends one request and hands each length-prefixed
 * message of the answer to a reader until it says the answer is complete,
 * under bounds that no primary can stretch:
 *   - each message must be whole within `messageTimeoutMs` of the request or of
 *     the message before it;
 *   - the whole answer within `totalTimeoutMs`;
 *   - at most `maxBytes` received in all;
 *   - an AbortSignal ends it at once (the emulator closing).
 * Every outcome is a value: what the reader returns, or a failure.
 */
import { Socket } from "node:net";
import type { PullFailure } from "./pull.js";

export interface StreamBounds {
  messageTimeoutMs: number;
  totalTimeoutMs: number;
  maxBytes: number;
  signal?: AbortSignal | undefined;
}

/** What the reader says of one message: read on, the answer is complete, or a failure. */
export type MessageVerdict = "more" | "done" | PullFailure;

export function streamExchange(
  target: { host: string; port: number },
  request: Buffer,
  bounds: StreamBounds,
  onMessage: (message: Buffer) => MessageVerdict,
): Promise<"done" | PullFailure> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let buffered: Buffer = Buffer.alloc(0);
    let received = 0;
    let settled = false;
    const finish = (outcome: "done" | PullFailure) => {
      if (settled) return;
      settled = true;
      clearTimeout(total);
      clearTimeout(perMessage);
      bounds.signal?.removeEventListener("abort", aborted);
      socket.destroy();
      resolve(outcome);
    };
    const timeout = (what: string, ms: number) => () =>
      finish({ reason: "timeout", detail: `${what} did not arrive within ${ms} ms` });
    const total = setTimeout(
      timeout("the whole answer", bounds.totalTimeoutMs),
      bounds.totalTimeoutMs,
    );
    let perMessage = setTimeout(
      timeout("a message", bounds.messageTimeoutMs),
      bounds.messageTimeoutMs,
    );
    const aborted = () => finish({ reason: "aborted", detail: "the pull was stopped" });
    bounds.signal?.addEventListener("abort", aborted);
    if (bounds.signal?.aborted) return aborted();
    socket.on("error", (error) =>
      finish({ reason: "unreachable", detail: (error as { code?: string }).code ?? error.message }),
    );
    socket.on("close", () =>
      finish({ reason: "malformed", detail: "the primary closed the connection mid-answer" }),
    );
    socket.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received > bounds.maxBytes) {
        const detail = `the answer passed ${bounds.maxBytes} bytes`;
        return finish({ reason: "oversized", detail });
      }
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      while (!settled && buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const length = buffered.readUInt16BE(0);
        const message = buffered.subarray(2, 2 + length);
        buffered = buffered.subarray(2 + length);
        clearTimeout(perMessage);
        perMessage = setTimeout(
          timeout("a message", bounds.messageTimeoutMs),
          bounds.messageTimeoutMs,
        );
        const verdict = safely(() => onMessage(Buffer.from(message)));
        if (verdict !== "more") finish(verdict);
      }
    });
    socket.connect(target.port, target.host, () => {
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(request.length, 0);
      socket.write(Buffer.concat([prefix, request]));
    });
  });
}

function safely(read: () => MessageVerdict): MessageVerdict {
  try {
    return read();
  } catch (error) {
    return { reason: "malformed", detail: (error as Error).message };
  }
}
