// 7. The emulator's DNS primary under abuse on loopback (issue 17, items 4 to 7):
// how long a legitimate query waits while an attacker holds TCP slots, pipelines
// transfers or queries it never reads, or bursts queries at a 200k-record zone;
// how much the primary's RSS grows; how often reads write the state file. The
// primary runs in a process of its own (bench/abuse/server.mjs); the attackers
// and the legitimate client run here. Every packet goes to 127.0.0.1.
import { spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { watch } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { Socket } from "node:net";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { benchDir, root as packageRoot } from "../lib/paths.mjs";
import { fmt, median, table } from "../lib/stats.mjs";

const packet = createRequire(path.join(packageRoot, "package.json"))("dns-packet");
const ZONE = "bench.test";
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the scenarios against the package at each of `roots` ({ label, root }). */
export async function runAbuse({
  log,
  roots = [{ label: "this commit", root: packageRoot }],
  quick,
}) {
  const scale = quick
    ? { zone: 5_000, big: 20_000, flood: 40_000 }
    : { zone: 50_000, big: 200_000, flood: 400_000 };
  const out = [];
  for (const { label, root } of roots) {
    log(`abuse: ${label}, ${fmt.int(scale.zone)}-record zone`);
    const result = { label, scale };
    await withServer(root, scale.zone, async (server) => {
      result.baseline = await baseline(server);
      result.idle = await idleSlots(server);
      log("abuse: idle slots done");
      result.slowloris = await slowloris(server, quick ? 5_000 : 10_000);
      log("abuse: slowloris done");
      result.axfrs = await flood(server, () => frames(100, (i) => query(ZONE, "AXFR", i)));
      log("abuse: pipelined AXFR done");
      result.soas = await flood(server, () => frames(scale.flood, (i) => query(ZONE, "SOA", i)));
      log("abuse: unread SOA flood done");
      result.writes = await stateWrites(server, quick ? 2_000 : 5_000);
      log("abuse: state writes done");
    });
    log(`abuse: ${label}, ${fmt.int(scale.big)}-record zone`);
    await withServer(root, scale.big, async (server) => {
      result.burst = await queryBurst(server, scale.big);
    });
    out.push(result);
  }
  return out;
}

async function withServer(root, records, body) {
  const folder = await mkdtemp(path.join(tmpdir(), "bench-abuse-"));
  const child = spawn(
    process.execPath,
    [path.join(benchDir, "abuse", "server.mjs"), root, String(records), folder],
    {
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => JSON.parse((await lines.next()).value);
  try {
    const { dns } = await next();
    const server = {
      port: dns,
      folder,
      rss: async () => {
        child.stdin.write("rss\n");
        return next();
      },
    };
    await body(server);
  } finally {
    child.stdin.write("exit\n");
    await new Promise((resolve) => {
      const timer = setTimeout(() => child.kill(), 10_000);
      child.once("exit", () => resolve(clearTimeout(timer)));
    });
    await rm(folder, { recursive: true, force: true });
  }
}

function query(name, type, id = 1) {
  return packet.encode({
    id: id & 0xffff,
    type: "query",
    flags: 0,
    questions: [{ name, type, class: "IN" }],
  });
}

function framed(message) {
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(message.length, 0);
  return Buffer.concat([prefix, message]);
}

function frames(count, make) {
  return Buffer.concat(Array.from({ length: count }, (_, i) => framed(make(i))));
}

/** Milliseconds until a UDP answer to `message`; Infinity after `timeoutMs`. */
function udpTime(port, message, timeoutMs = 3000) {
  return new Promise((resolve) => {
    const socket = createSocket("udp4");
    const started = performance.now();
    const done = (ms) => {
      clearTimeout(timer);
      socket.close();
      resolve(ms);
    };
    const timer = setTimeout(() => done(Infinity), timeoutMs);
    socket.on("message", () => done(performance.now() - started));
    socket.send(message, port, "127.0.0.1");
  });
}

/** Milliseconds until a whole TCP answer (for AXFR: its closing SOA); Infinity when refused or late. */
function tcpTime(port, type, timeoutMs = 5000) {
  return new Promise((resolve) => {
    const socket = new Socket();
    const started = performance.now();
    let buffered = Buffer.alloc(0);
    let soas = 0;
    const done = (ms) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ms);
    };
    const timer = setTimeout(() => done(Infinity), timeoutMs);
    socket.on("error", () => done(Infinity));
    socket.on("close", () => done(Infinity));
    socket.on("data", (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const message = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
        buffered = buffered.subarray(2 + message.length);
        if (type !== "AXFR") return done(performance.now() - started);
        soas += packet.decode(message).answers.filter((a) => a.type === "SOA").length;
        if (soas >= 2) return done(performance.now() - started);
      }
    });
    socket.connect(port, "127.0.0.1", () => socket.write(framed(query(ZONE, type))));
  });
}

async function baseline({ port }) {
  const udp = [];
  const tcp = [];
  for (let i = 0; i < 20; i++) udp.push(await udpTime(port, query(ZONE, "SOA")));
  for (let i = 0; i < 10; i++) tcp.push(await tcpTime(port, "SOA"));
  const axfr = [];
  for (let i = 0; i < 3; i++) axfr.push(await tcpTime(port, "AXFR", 20_000));
  return { udp: median(udp), tcp: median(tcp), axfr: median(axfr) };
}

/** Opens a connection that never sends; resolves once connected (or closed). */
function hold(port, sockets) {
  return new Promise((resolve) => {
    const socket = new Socket();
    sockets.push(socket);
    socket.on("error", () => {});
    socket.once("connect", resolve);
    socket.once("close", resolve);
    socket.connect(port, "127.0.0.1");
  });
}

async function idleSlots({ port }) {
  const sockets = [];
  try {
    for (let i = 0; i < 32; i++) await hold(port, sockets);
    await sleep(200);
    const tcp = [];
    for (let i = 0; i < 5; i++) tcp.push(await tcpTime(port, "SOA", 3000));
    const axfr = await tcpTime(port, "AXFR", 20_000);
    return {
      tcp: Math.max(...tcp),
      served: tcp.filter(Number.isFinite).length,
      tries: tcp.length,
      axfr,
    };
  } finally {
    for (const s of sockets) s.destroy();
  }
}

/** 32 connections, each sending one byte of a SOA query every 4 s, reopened when closed; a legitimate TCP SOA each second. */
async function slowloris({ port }, durationMs) {
  let stop = false;
  const message = framed(query(ZONE, "SOA"));
  const sockets = new Set();
  const drip = () => {
    if (stop) return;
    const socket = new Socket();
    sockets.add(socket);
    let sent = 0;
    let timer;
    const send = () => {
      if (socket.destroyed) return;
      socket.write(message.subarray(sent, sent + 1));
      sent = Math.min(sent + 1, message.length - 1);
      timer = setTimeout(send, 4000);
    };
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      sockets.delete(socket);
      setTimeout(drip, 50); // an attacker reconnects
    });
    socket.connect(port, "127.0.0.1", send);
  };
  for (let i = 0; i < 32; i++) drip();
  await sleep(500);
  const tcp = [];
  const end = Date.now() + durationMs;
  while (Date.now() < end) {
    tcp.push(await tcpTime(port, "SOA", 3000));
    await sleep(1000);
  }
  stop = true;
  for (const s of sockets) s.destroy();
  return {
    tcp: Math.max(...tcp),
    median: median(tcp),
    served: tcp.filter(Number.isFinite).length,
    tries: tcp.length,
  };
}

/** One connection writes `make()` at once and never reads; UDP SOA latency every 100 ms for 5 s, and RSS. */
async function flood(server, make) {
  const before = await server.rss();
  const socket = new Socket();
  socket.on("error", () => {});
  await new Promise((resolve) => socket.connect(server.port, "127.0.0.1", resolve));
  socket.pause(); // never reads
  socket.write(make());
  const udp = [];
  const end = Date.now() + 5000;
  while (Date.now() < end) {
    udp.push(await udpTime(server.port, query(ZONE, "SOA")));
    await sleep(100);
  }
  const after = await server.rss();
  socket.destroy();
  await sleep(300);
  return {
    udpMax: Math.max(...udp),
    udpMedian: median(udp),
    answered: udp.filter(Number.isFinite).length,
    tries: udp.length,
    rssGrowth: after.peak - before.rss,
  };
}

/** UDP SOA queries for `ms`, 16 at a time; the state file's writes counted by their temp files. */
async function stateWrites({ port, folder }, ms) {
  const temps = new Set();
  const watcher = watch(folder, (_event, name) => {
    if (name?.endsWith(".tmp")) temps.add(name);
  });
  let queries = 0;
  const end = Date.now() + ms;
  const loop = async () => {
    while (Date.now() < end)
      if (Number.isFinite(await udpTime(port, query(ZONE, "SOA"), 1000))) queries++;
  };
  await Promise.all(Array.from({ length: 16 }, loop));
  await sleep(1200); // the coalesced write of the last reads
  watcher.close();
  return { queries, seconds: ms / 1000, writes: temps.size };
}

/** A and SOA query cost at `records` records, and a parallel SOA while 300 A queries arrive at once. */
async function queryBurst({ port }, records) {
  const a = [];
  const soa = [];
  for (let i = 0; i < 200; i++) {
    a.push(await udpTime(port, query(`h${(i * 7919) % records}.${ZONE}`, "A")));
    soa.push(await udpTime(port, query(ZONE, "SOA")));
  }
  const delays = [];
  for (let round = 0; round < 5; round++) {
    const burst = createSocket("udp4");
    let answers = 0;
    burst.on("message", () => answers++);
    await new Promise((resolve) => burst.bind(0, "127.0.0.1", resolve));
    for (let i = 0; i < 300; i++)
      burst.send(query(`h${(i * 31 + round) % records}.${ZONE}`, "A", i), port, "127.0.0.1");
    delays.push(await udpTime(port, query(ZONE, "SOA"), 10_000));
    await sleep(500);
    burst.close();
  }
  return {
    a: median(a),
    soa: median(soa),
    burstMax: Math.max(...delays),
    burstMedian: median(delays),
  };
}

const ms = (n) => (Number.isFinite(n) ? (n < 10 ? `${n.toFixed(1)} ms` : fmt.ms(n)) : "no answer");
const mb = (bytes) => `${(bytes / 1048576).toFixed(0)} MB`;

export function abuseMarkdown(results) {
  const header = ["measure", "goal", ...results.map((r) => r.label)];
  const row = (name, goal, value) => [name, goal, ...results.map(value)];
  const { scale } = results[0];
  return table(header, [
    row(
      "no attack: UDP SOA / TCP SOA / AXFR (median)",
      "",
      (r) => `${ms(r.baseline.udp)} / ${ms(r.baseline.tcp)} / ${ms(r.baseline.axfr)}`,
    ),
    row(
      "32 idle TCP connections: legitimate TCP SOA (worst of 5)",
      "< 1 s",
      (r) => `${ms(r.idle.tcp)} (${r.idle.served}/${r.idle.tries} served)`,
    ),
    row("32 idle TCP connections: legitimate AXFR", "< 1 s + the AXFR", (r) => ms(r.idle.axfr)),
    row(
      "32 slowloris connections (1 byte / 4 s, reconnecting): TCP SOA (worst)",
      "< 1 s",
      (r) => `${ms(r.slowloris.tcp)} (${r.slowloris.served}/${r.slowloris.tries} served)`,
    ),
    row(
      "100 AXFRs pipelined, never read: parallel UDP SOA (median / worst)",
      "< 100 ms",
      (r) =>
        `${ms(r.axfrs.udpMedian)} / ${ms(r.axfrs.udpMax)} (${r.axfrs.answered}/${r.axfrs.tries})`,
    ),
    row("100 AXFRs pipelined, never read: RSS growth (peak)", "< 50 MB", (r) =>
      mb(r.axfrs.rssGrowth),
    ),
    row(
      `${fmt.int(scale.flood)} SOA queries pipelined, never read: parallel UDP SOA (median / worst)`,
      "< 100 ms",
      (r) => `${ms(r.soas.udpMedian)} / ${ms(r.soas.udpMax)} (${r.soas.answered}/${r.soas.tries})`,
    ),
    row(
      `${fmt.int(scale.flood)} SOA queries pipelined, never read: RSS growth (peak)`,
      "< 50 MB",
      (r) => mb(r.soas.rssGrowth),
    ),
    row(
      "UDP SOA flood (16 in flight): state-file writes per second",
      "about 1",
      (r) =>
        `${(r.writes.writes / r.writes.seconds).toFixed(1)} (${fmt.int(r.writes.queries)} queries in ${r.writes.seconds} s)`,
    ),
    row(
      `${fmt.int(scale.big)}-record zone: A query / SOA query (median)`,
      "A within 2x SOA",
      (r) => `${ms(r.burst.a)} / ${ms(r.burst.soa)} (${fmt.ratio(r.burst.a / r.burst.soa)})`,
    ),
    row(
      `${fmt.int(scale.big)}-record zone: SOA beside a 300-A-query burst (median / worst of 5)`,
      "< 50 ms",
      (r) => `${ms(r.burst.burstMedian)} / ${ms(r.burst.burstMax)}`,
    ),
  ]);
}

export const ABUSE_START = "<!-- abuse: written by npm run bench -- --abuse -->";
export const ABUSE_END = "<!-- /abuse -->";

/** Section 7 of RESULTS.md, between markers so `--abuse` can replace it alone. */
export function abuseSection(results, { date, commit, load }) {
  if (!results)
    return `${ABUSE_START}\nNot measured in this run: \`npm run bench -- --abuse\`.\n${ABUSE_END}`;
  const { scale } = results[0];
  return `${ABUSE_START}
Measured on ${date.slice(0, 16).replace("T", " ")} UTC at commit ${commit}${loadText(load)}. The emulator (\`bench/abuse/server.mjs\`: one zone of ${fmt.int(scale.zone)} A records, then one of ${fmt.int(scale.big)}, a state file, transfers open to 127.0.0.1) runs in a process of its own; the attackers and the legitimate client run in the bench's process, all on 127.0.0.1. "Before" is the commit named in its column, built the same way. Latencies are wall time from the client's send to the whole answer; RSS growth is the emulator's peak RSS (sampled every 20 ms) during the attack less its RSS before; state-file writes are counted by their temp files. Why a goal is missed: bench/NOTES.md, "Primary under abuse".

${abuseMarkdown(results)}
${ABUSE_END}`;
}

/** ", load average …" (1, 5 and 15 min, at the start and at the end), when it was recorded. */
function loadText(load) {
  if (!load) return "";
  const [start, end] = load.map((l) => l.map((x) => x.toFixed(2)).join(" "));
  return `, load average (1, 5, 15 min) ${start} at the start and ${end} at the end, on ${cpus().length} cores`;
}

/** Replaces section 7 in `text` (RESULTS.md), or adds it before "## Commands". */
export function spliceAbuse(text, section) {
  const start = text.indexOf(ABUSE_START);
  const end = text.indexOf(ABUSE_END);
  if (start >= 0 && end > start)
    return text.slice(0, start) + section + text.slice(end + ABUSE_END.length);
  const heading = `## 7. Primary under abuse\n\n${section}\n\n`;
  const commands = text.indexOf("## Commands");
  return commands >= 0
    ? text.slice(0, commands) + heading + text.slice(commands)
    : `${text.trimEnd()}\n\n${heading}`;
}
