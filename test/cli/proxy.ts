/**
 * A small HTTP proxy on 127.0.0.1 in front of the emulator: it counts the
 * requests it sees and, for the ones `fail` picks, answers an error itself
 * instead of passing them on. Fault injection for the CLI, which takes only a URL.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach } from "vitest";

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "content-length"]);

export interface Proxy {
  /** The base URL to give the CLI (same path prefix as the target's). */
  url: string;
  /** "METHOD /path" of every request seen, in order. */
  seen: string[];
  close(): Promise<void>;
}

export async function startProxy(
  target: string,
  fail: (method: string, path: string) => { status: number; body: unknown } | undefined = () =>
    undefined,
): Promise<Proxy> {
  const base = new URL(target);
  const seen: string[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const method = req.method ?? "GET";
    const path = req.url ?? "/";
    seen.push(`${method} ${path}`);
    const fault = fail(method, path);
    if (fault) {
      res.writeHead(fault.status, {
        "content-type": "application/json",
        "cf-ray": "0123456789abcdef-PRX",
      });
      res.end(JSON.stringify(fault.body));
      return;
    }
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([name]) => !HOP_BY_HOP.has(name) && name !== "host"),
    ) as Record<string, string>;
    const body = chunks.length > 0 ? Buffer.concat(chunks) : null;
    const answer = await fetch(`${base.origin}${path}`, { method, headers, body });
    const passed = [...answer.headers].filter(([name]) => !HOP_BY_HOP.has(name));
    res.writeHead(answer.status, Object.fromEntries(passed));
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${base.pathname}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A Cloudflare-style error envelope. */
export const apiError = (code: number, message: string) => ({
  success: false,
  errors: [{ code, message }],
  messages: [],
  result: null,
});

/** A list for the proxies a test file starts: each one pushed to it is closed after its test. */
export function proxiesClosedAfterEach(): Proxy[] {
  const proxies: Proxy[] = [];
  afterEach(async () => {
    for (const proxy of proxies.splice(0)) await proxy.close();
  });
  return proxies;
}
