/**
 * `cf-secondary-dns outgoing doctor <zone_id>... --watch`: the watcher of
 * src/dns/watch.ts in the foreground, with `GET /metrics` (Prometheus text
 * format) and `GET /healthz` on --listen, one stdout line per change of state
 * (JSON lines with --json), until SIGINT or SIGTERM, which end it with exit 0.
 */
import { createServer, type Server } from "node:http";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { createSecondaryDnsClient } from "../index.js";
import { parseAddress } from "../dns/doctor.js";
import { identifierProblem } from "../client/validate.js";
import type { WatchChange, WatchMetrics } from "../dns/watch.js";
import { DOCTOR_OPTIONS, PRIMARY_ENV, doctorSettings } from "./doctor.js";
import { DEFAULT_INTERVAL, DEFAULT_LISTEN, duration } from "./doctor-flags.js";
import { PROGRAM } from "./help.js";
import { UsageError, type CliIo } from "./io.js";
import { asUsage, clientOptions } from "./outgoing.js";
import { choosePrimary } from "./primary.js";
import { escapeText } from "../text.js";
import { formatAddress } from "../dns/wire.js";
import { parseOrExplain } from "./parse.js";

const HELP_COMMAND = `${PROGRAM} outgoing doctor --help`;

const OPTIONS = {
  ...DOCTOR_OPTIONS,
  watch: { type: "boolean" },
  interval: { type: "string" },
  listen: { type: "string" },
} as const;

export async function runWatchCommand(argv: string[], io: CliIo): Promise<number> {
  const settings = watchSettings(argv, io);
  const { values, zoneIds, accountId, timeoutMs, intervalMs, listen } = settings;
  const { ZoneWatcher, createWatchMetrics, countingFetch } = await loadWatch();
  const metrics = createWatchMetrics();
  const baseUrlFrom = values["base-url"] !== undefined ? "--base-url" : "CLOUDFLARE_BASE_URL";
  const { client, primary } = await asUsage(HELP_COMMAND, baseUrlFrom, async () => {
    // No retries inside a call: the watcher backs off itself, and each 429 shows in metrics.
    const options = clientOptions(io, HELP_COMMAND, values["base-url"], undefined, "0");
    const client = createSecondaryDnsClient({
      ...options,
      accountId,
      fetch: countingFetch(metrics),
    });
    // As doctor finds it (--primary, the environment, the emulator's header), once at start.
    const found = await choosePrimary(io, {
      flag: values.primary,
      envName: PRIMARY_ENV,
      baseUrl: options.baseUrl,
      help: HELP_COMMAND,
    }).then((say) => say());
    return { client, primary: { host: found.host, port: found.port } };
  });
  const print = (change: WatchChange) =>
    io.stdout.write(`${values.json ? JSON.stringify(change) : formatChange(change)}\n`);
  const watcher = new ZoneWatcher(client, {
    zoneIds,
    primary,
    accountId,
    intervalMs,
    timeoutMs,
    metrics,
    onChange: print,
  });
  const staleAfter = 3 * intervalMs + (timeoutMs ?? 3000);
  const healthy = () =>
    watcher.lastTickAt !== undefined && Date.now() - watcher.lastTickAt < staleAfter;
  const server = await serve(listen, metrics, healthy);
  io.stderr.write(
    `Watching ${zoneIds.length} zone(s) every ${values.interval ?? DEFAULT_INTERVAL}; metrics at http://${formatAddress(listen.host, listen.port)}/metrics\n`,
  );
  await watcher.run(io.signal ?? new AbortController().signal, (error) =>
    io.stderr.write(`${escapeText(`tick failed: ${(error as Error).message}`)}\n`),
  );
  await stop(server);
  return 0;
}

/** The flags and zone ids, checked: every mistake is a UsageError before anything starts. */
function watchSettings(argv: string[], io: CliIo) {
  const { values, positionals } = parseOrExplain(
    () => parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true }),
    HELP_COMMAND,
  );
  if (positionals.length === 0) throw new UsageError("missing <zone_id>", HELP_COMMAND);
  for (const zoneId of positionals) {
    const problem = identifierProblem(zoneId);
    if (problem) throw new UsageError(`invalid <zone_id> "${zoneId}": ${problem}`, HELP_COMMAND);
  }
  const { accountId, timeoutMs } = doctorSettings(values, io, HELP_COMMAND);
  const intervalMs = duration(values.interval ?? DEFAULT_INTERVAL, "--interval", HELP_COMMAND, {
    min: 100,
    max: 86_400_000,
  });
  const listen = listenAddress(values.listen ?? DEFAULT_LISTEN);
  return { values, zoneIds: positionals, accountId, timeoutMs, intervalMs, listen };
}

/** prom-client is an optional peer dependency: say so when it is missing. */
async function loadWatch() {
  try {
    return await import("../dns/watch.js");
  } catch (error) {
    if ((error as { code?: string }).code !== "ERR_MODULE_NOT_FOUND") throw error;
    throw new UsageError(
      `--watch needs the optional dependency prom-client: npm install prom-client@15.1.3 (${(error as Error).message})`,
      HELP_COMMAND,
    );
  }
}

function listenAddress(text: string): { host: string; port: number } {
  try {
    return parseAddress(text);
  } catch (error) {
    throw new UsageError(`invalid --listen: ${(error as Error).message}`, HELP_COMMAND);
  }
}

/** One line for people: when, which zone and subject, the new state, the old one, and why. */
export function formatChange(change: WatchChange): string {
  const zone = change.zone ? `${change.zone} (${change.zone_id})` : change.zone_id;
  const subject =
    change.subject === "peer"
      ? `peer ${change.peer} (${change.peer_id})${change.address ? ` at ${change.address}` : ""}`
      : change.subject;
  const was = change.from === null ? "" : ` (was ${change.from})`;
  return escapeText(`${change.time} ${zone} ${subject}: ${change.to}${was}: ${change.detail}`);
}

/** GET /metrics and GET /healthz; everything else 404 (or 405 for other methods). */
function serve(
  listen: { host: string; port: number },
  metrics: WatchMetrics,
  healthy: () => boolean,
): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
    } else if (path === "/metrics") {
      const gzip = /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
      metrics.registry.metrics().then(
        (body) => {
          const type = { "content-type": metrics.registry.contentType };
          if (!gzip) return res.writeHead(200, type).end(body);
          // Prometheus asks for gzip: a fleet's exposition shrinks about tenfold.
          res.writeHead(200, { ...type, "content-encoding": "gzip", vary: "accept-encoding" });
          res.end(gzipSync(body));
        },
        () => res.writeHead(500).end(),
      );
    } else if (path === "/healthz") {
      const ok = healthy();
      res.writeHead(ok ? 200 : 503, { "content-type": "text/plain; charset=utf-8" });
      res.end(ok ? "ok\n" : "no recent tick\n");
    } else {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found\n");
    }
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new UsageError(
          `cannot listen on ${formatAddress(listen.host, listen.port)}: ${error.code ?? error.message}`,
          HELP_COMMAND,
        ),
      ),
    );
    server.listen(listen.port, listen.host, () => resolve(server));
  });
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
