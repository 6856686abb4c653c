/**
 * A real HTTP server on 127.0.0.1 and a free port, whose answers a test scripts
 * one request at a time. Every request it saw is kept for assertions.
 */
import http from "node:http";
import { afterAll, beforeAll } from "vitest";
import type { AddressInfo } from "node:net";

export interface SeenRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Destroy the socket instead of answering. */
  destroy?: boolean;
}

export type Handler = (request: SeenRequest, index: number) => Reply | Promise<Reply>;

export interface TestServer {
  /** e.g. http://127.0.0.1:41234/client/v4 */
  baseUrl: string;
  requests: SeenRequest[];
  /** Replaces the handler; requests seen so far are kept. */
  handle(handler: Handler): void;
  close(): Promise<void>;
}

export const ZONE = "023e105f4ecef8ad9ca31a8372d0c353";
export const PEER_A = "23ff594956f20c2a721606e94745a8aa";
export const PEER_B = "00920f38ce07c2e2f4df50b1f61d4194";

export function envelope(result: unknown) {
  return { success: true, errors: [], messages: [], result };
}

export function failure(
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): Reply {
  return {
    status,
    headers: { "cf-ray": "8c1f3b2e9d4a51f2-LHR", ...headers },
    body: { success: false, errors: [{ code, message }], messages: [], result: null },
  };
}

export const sampleZone = {
  id: "269d8f4853475ca241c4e730be286b20",
  name: "www.example.com.",
  peers: [PEER_A, PEER_B],
  soa_serial: 2019102400,
  checked_time: "2019-10-24T17:09:42.883908+01:00",
  created_time: "2019-10-24T17:09:42.883908+01:00",
  last_transferred_time: "2019-10-24T17:09:42.883908+01:00",
};

export async function startServer(
  handler: Handler = () => ({ body: envelope("OK") }),
): Promise<TestServer> {
  let current = handler;
  const requests: SeenRequest[] = [];
  const sockets = new Set<import("node:net").Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const seen: SeenRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(seen);
      const reply = await current(seen, requests.length - 1);
      if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
      if (reply.destroy) {
        req.socket.destroy();
        return;
      }
      const body =
        reply.body === undefined
          ? ""
          : typeof reply.body === "string"
            ? reply.body
            : JSON.stringify(reply.body);
      const type = typeof reply.body === "string" ? "text/html" : "application/json";
      if (res.destroyed) return;
      res.writeHead(reply.status ?? 200, {
        "content-type": type,
        "cf-ray": "8c1f3b2e9d4a51f2-LHR",
        ...reply.headers,
      });
      res.end(body);
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/client/v4`,
    requests,
    handle(next) {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A server started before the calling file's tests and closed after them. Its
 * fields are read through, so it can be declared at the top of a test file.
 */
export function serverForTests(handler?: Handler): TestServer {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startServer(handler);
  });
  afterAll(() => server?.close());
  const started = (): TestServer => {
    if (!server) throw new Error("the test server is only there while the tests run");
    return server;
  };
  return {
    get baseUrl() {
      return started().baseUrl;
    },
    get requests() {
      return started().requests;
    },
    handle: (next) => started().handle(next),
    close: () => started().close(),
  };
}
