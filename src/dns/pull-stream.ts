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
    let rest: Buffer = Buffer.alloc(0);
    let received = 0;
    let settled = false;
    const finish = (outcome: "done" | PullFailure) => {
      if (settled) return;
      settled = true;
      timers?.stop();
      socket.destroy();
      resolve(outcome);
    };
    let timers: Timers | undefined;
    timers = new Timers(bounds, finish);
    if (settled) return timers.stop(); // aborted before it began
    socket.on("error", (error) =>
      finish({ reason: "unreachable", detail: (error as { code?: string }).code ?? error.message }),
    );
    socket.on("close", () =>
      finish({ reason: "malformed", detail: "the primary closed the connection mid-answer" }),
    );
    socket.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received > bounds.maxBytes)
        return finish({
          reason: "oversized",
          detail: `the answer passed ${bounds.maxBytes} bytes`,
        });
      const split = splitFrames(rest.length === 0 ? chunk : Buffer.concat([rest, chunk]));
      rest = split.rest;
      for (const message of split.messages) {
        if (settled) return;
        timers.messageArrived();
        const verdict = safely(() => onMessage(message));
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

/** The whole length-prefixed messages at the front of `buffered` (copied), and what follows them. */
function splitFrames(buffered: Buffer): { messages: Buffer[]; rest: Buffer } {
  const messages: Buffer[] = [];
  let at = 0;
  while (buffered.length - at >= 2 && buffered.length - at >= 2 + buffered.readUInt16BE(at)) {
    const length = buffered.readUInt16BE(at);
    messages.push(Buffer.from(buffered.subarray(at + 2, at + 2 + length)));
    at += 2 + length;
  }
  return { messages, rest: buffered.subarray(at) };
}

/** The deadlines of one answer (a message, the whole) and its abort signal, each ending it with a failure. */
class Timers {
  #total: ReturnType<typeof setTimeout>;
  #message: ReturnType<typeof setTimeout>;
  readonly #aborted: () => void;

  constructor(
    private readonly bounds: StreamBounds,
    private readonly finish: (failure: PullFailure) => void,
  ) {
    this.#total = setTimeout(
      this.#timeout("the whole answer", bounds.totalTimeoutMs),
      bounds.totalTimeoutMs,
    );
    this.#message = this.#messageTimer();
    this.#aborted = () => finish({ reason: "aborted", detail: "the pull was stopped" });
    bounds.signal?.addEventListener("abort", this.#aborted);
    if (bounds.signal?.aborted) this.#aborted();
  }

  messageArrived(): void {
    clearTimeout(this.#message);
    this.#message = this.#messageTimer();
  }

  stop(): void {
    clearTimeout(this.#total);
    clearTimeout(this.#message);
    this.bounds.signal?.removeEventListener("abort", this.#aborted);
  }

  #messageTimer() {
    const ms = this.bounds.messageTimeoutMs;
    return setTimeout(this.#timeout("a message", ms), ms);
  }

  #timeout(what: string, ms: number) {
    return () =>
      this.finish({ reason: "timeout", detail: `${what} did not arrive within ${ms} ms` });
  }
}

function safely(read: () => MessageVerdict): MessageVerdict {
  try {
    return read();
  } catch (error) {
    return { reason: "malformed", detail: (error as Error).message };
  }
}
