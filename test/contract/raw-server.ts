/**
 * An HTTP server on 127.0.0.1 that answers with exactly the bytes and headers it
 * is given, unlike test/support/server.ts, which adds a content type and sends
 * text. The property tests need arbitrary bytes and headers on the wire.
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface RawReply {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

export interface RawServer {
  baseUrl: string;
  /** The answer to every request from now on. */
  reply: RawReply;
  close(): Promise<void>;
}

export async function startRawServer(): Promise<RawServer> {
  const sockets = new Set<Socket>();
  const state: RawServer = {
    baseUrl: "",
    reply: { status: 200, headers: {}, body: new Uint8Array() },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const { status, headers, body } = state.reply;
      res.writeHead(status, headers);
      res.end(body);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/client/v4`;
  return state;
}
