/**
 * What happens to one request, in order: faults injected by the options, the
 * route, the credentials, the path parameters, the body, then the handler. Every
 * step but the handler judges the request by the spec alone; every answer is an
 * envelope and carries a cf-ray header.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { EMULATOR_DNS_HEADER } from "../dns/api-doctor.js";
import { Failure, failureEnvelope, failures, successEnvelope } from "./failures.js";
import type { ResourceHandlers, ZoneHooks } from "./resource.js";
import type { SecondaryHooks } from "./handlers/incoming.js";
import { describeError, mainError, pointerOfError, type LoadedSpec, type Route } from "./spec.js";
import type { Store } from "./store.js";
import { nowMicros, timestamp } from "./time.js";

export const API_PREFIX = "/client/v4";
/**
 * The largest request body taken, in bytes. The API's bodies are small (a name
 * and at most 30 peer ids fit in 1.5 KB, even pretty-printed), and a cap this
 * low bounds what judging one body can cost: the spec's checks run in no set
 * order, so an array of a thousand items gets its uniqueness compared pair by
 * pair before its length counts. At 4 KiB the worst body found takes a few
 * milliseconds; at 8 KiB, up to 50. A bigger body is answered 413 unparsed.
 */
export const MAX_BODY_BYTES = 4 * 1024;

export interface Faults {
  latencyMs: number;
  rateLimitShare: number;
  serverErrorShare: number;
  retryAfterSeconds: number;
  random: () => number;
}

export interface Pipeline {
  spec: LoadedSpec;
  handlers: ResourceHandlers;
  store: Store;
  faults: Faults;
  zones?: ZoneHooks | undefined;
  /** The secondary that pulls incoming zones (handlers/incoming.ts); absent when there is none. */
  secondary?: SecondaryHooks | undefined;
  /** Told of each unexpected error a 500 answers (a failed save, a bug). */
  warn?: ((message: string) => void) | undefined;
  /**
   * Where the emulator serves DNS ("127.0.0.1:5353", "[::1]:5353"), or "none":
   * sent on every answer in the EMULATOR_DNS_HEADER header, so doctor and setup
   * ask the emulator's primary and never Cloudflare's.
   */
  dnsAddress?: string | undefined;
}

/** A proxy's error page, as the spec's 5XX allows besides the envelope. */
const BAD_GATEWAY_PAGE =
  "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>cf-secondary-dns emulator</center></body></html>";

export async function handleRequest(pipeline: Pipeline, req: IncomingMessage, res: ServerResponse) {
  const ray = `${randomBytes(8).toString("hex")}-EMU`;
  res.setHeader(EMULATOR_DNS_HEADER, pipeline.dnsAddress ?? "none");
  try {
    const raw = await readBody(req);
    if (raw === undefined) return; // the client went away mid-request
    const { latencyMs } = pipeline.faults;
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    if (injectFault(pipeline.faults, res, ray)) return;
    const text = await answer(pipeline, req, raw);
    send(res, 200, ray, text);
  } catch (error) {
    const failure = error instanceof Failure ? error : failures.internal();
    if (!(error instanceof Failure))
      (pipeline.warn ?? process.emitWarning)(`emulator: ${String(error)}`);
    send(
      res,
      failure.status,
      ray,
      JSON.stringify(failureEnvelope(failure.errors)),
      failure.headers,
    );
  }
}

/** Routes, checks and runs the request; resolves to the success body, or throws a Failure. */
async function answer(pipeline: Pipeline, req: IncomingMessage, raw: Buffer): Promise<string> {
  const path = pathOf(req.url ?? "/");
  // HEAD is GET without the body, which Node leaves out of the answer by itself.
  const method = req.method === "HEAD" ? "GET" : (req.method ?? "GET");
  const route = findRoute(pipeline.spec.routes, method, path);
  if (!authorized(pipeline.spec, route, req)) throw failures.authentication();

  const values = route.pattern.exec(path.slice(API_PREFIX.length))?.slice(1) ?? [];
  const params: Record<string, string> = {};
  route.parameters.forEach(({ name, validate }, i) => {
    const value = decoded(values[i] ?? "");
    if (value === undefined || !validate(value))
      throw failures.invalidIdentifier(path.slice(API_PREFIX.length), name);
    params[name] = value;
  });

  const handler = pipeline.handlers[route.operationId];
  if (!handler) throw failures.internal(); // startEmulator makes sure this cannot happen
  const micros = nowMicros();
  const { result, changed, resultInfo, after } = handler({
    params,
    body: route.body ? parseBody(route.body, raw) : undefined,
    store: pipeline.store,
    now: timestamp(micros),
    date: new Date(micros / 1000),
    zones: pipeline.zones,
    secondary: pipeline.secondary,
  });
  // Serialised now: later requests may change the state while the save runs.
  const text = JSON.stringify(successEnvelope(result, resultInfo));
  if (changed) await pipeline.store.save();
  after?.();
  return text;
}

/**
 * The path of a request target. Not through `new URL(target, base)`: it takes
 * "//x" for a host, and throws on "//".
 */
function pathOf(target: string): string {
  if (target.startsWith("/")) return target.split(/[?#]/, 1)[0] ?? "";
  try {
    return new URL(target).pathname; // the absolute form, http://host/path
  } catch {
    return ""; // "*" or garbage: no route
  }
}

function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined; // a malformed %-escape
  }
}

function findRoute(routes: Route[], method: string, path: string): Route {
  if (!path.startsWith(`${API_PREFIX}/`)) throw failures.noRouteOutsidePrefix(API_PREFIX);
  const below = path.slice(API_PREFIX.length);
  const matching = routes.filter((r) => r.pattern.test(below));
  if (matching.length === 0) throw failures.noRoute();
  const route = matching.find((r) => r.method === method);
  if (!route) {
    const allowed = matching.map((r) => r.method);
    throw failures.methodNotAllowed(allowed.includes("GET") ? [...allowed, "HEAD"] : allowed);
  }
  return route;
}

/** Whether the request satisfies one of the operation's security alternatives. */
function authorized(spec: LoadedSpec, route: Route, req: IncomingMessage): boolean {
  const visible = /^[\x21-\x7e]+$/;
  const satisfies = (name: string): boolean => {
    const scheme = spec.securitySchemes[name];
    if (scheme?.type === "http" && scheme.scheme?.toLowerCase() === "bearer") {
      const match = /^Bearer (.+)$/i.exec(req.headers.authorization ?? "");
      return match !== null && visible.test(match[1] ?? "");
    }
    if (scheme?.type === "apiKey" && scheme.in === "header" && scheme.name) {
      const value = req.headers[scheme.name.toLowerCase()];
      return typeof value === "string" && visible.test(value);
    }
    return false; // a scheme the emulator does not know is never satisfied
  };
  if (route.security.length === 0) return true;
  return route.security.some((alternative) => alternative.every(satisfies));
}

function parseBody(body: NonNullable<Route["body"]>, raw: Buffer): unknown {
  const text = raw.toString("utf8");
  if (text.trim() === "") {
    if (body.required) throw failures.bodyMissing();
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw failures.bodyNotJson();
  }
  if (!body.validate(value)) {
    const error = mainError(body.validate.errors ?? []);
    throw error
      ? failures.invalidField(pointerOfError(error), describeError(error))
      : failures.invalidField("", "is invalid");
  }
  return value;
}

function injectFault(faults: Faults, res: ServerResponse, ray: string): boolean {
  const draw = faults.random();
  if (draw < faults.rateLimitShare) {
    const failure = failures.rateLimited(faults.retryAfterSeconds);
    send(res, 429, ray, JSON.stringify(failureEnvelope(failure.errors)), failure.headers);
    return true;
  }
  if (draw < faults.rateLimitShare + faults.serverErrorShare) {
    // Half from "the API" (an envelope), half from "a proxy" (an HTML page).
    if (faults.random() < 0.5) {
      send(res, 500, ray, JSON.stringify(failureEnvelope(failures.internal().errors)));
    } else {
      send(res, 502, ray, BAD_GATEWAY_PAGE, { "content-type": "text/html; charset=utf-8" });
    }
    return true;
  }
  return false;
}

/**
 * The body, or undefined when the client went away before sending all of it.
 * Past MAX_BODY_BYTES the rest is read and dropped (so the answer, 413, reaches
 * a client still sending); the request timeout ends a body that never does.
 */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () =>
      size > MAX_BODY_BYTES ? reject(failures.bodyTooLarge()) : resolve(Buffer.concat(chunks)),
    );
    req.on("error", () => resolve(undefined));
    req.on("close", () => resolve(undefined)); // no effect once settled by "end"
  });
}

/**
 * What Node reports before a request reaches the pipeline (a malformed request,
 * headers too large, a request past its timeout): answered with an envelope, as
 * every other failure, then the connection is closed.
 */
export function answerClientError(error: Error, socket: Socket): void {
  const code = (error as { code?: unknown }).code;
  const pending = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (code === "ECONNRESET" || !socket.writable || pending?.headersSent) {
    socket.destroy();
    return;
  }
  const failure =
    code === "ERR_HTTP_REQUEST_TIMEOUT"
      ? failures.requestTimeout()
      : code === "HPE_HEADER_OVERFLOW"
        ? failures.headersTooLarge()
        : failures.badRequest();
  const body = JSON.stringify(failureEnvelope(failure.errors));
  const reason = { 408: "Request Timeout", 431: "Request Header Fields Too Large" }[
    failure.status as 408 | 431
  ];
  socket.end(
    [
      `HTTP/1.1 ${failure.status} ${reason ?? "Bad Request"}`,
      "content-type: application/json; charset=utf-8",
      `content-length: ${Buffer.byteLength(body)}`,
      `cf-ray: ${randomBytes(8).toString("hex")}-EMU`,
      "connection: close",
      "",
      body,
    ].join("\r\n"),
  );
}

function send(
  res: ServerResponse,
  status: number,
  ray: string,
  body: string,
  headers: Record<string, string> = {},
) {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    "cf-ray": ray,
    ...headers,
  });
  res.end(body);
}
