/**
 * Real secondaries for the tests: Knot (knotd) and NSD, each started in a temp
 * dir on a loopback high port, configured with the text the renderers print
 * (so `outgoing setup`'s output is what is tested), and always stopped by PID.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createSocket } from "node:dgram";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseZoneFile } from "../../src/dns/zone.js";
import { renderKnotConfig, renderNsdConfig, type SecondarySetup } from "../../src/dns/render.js";

export interface SecondaryKind {
  name: "knot" | "nsd";
  binary: string;
}

export const KNOT: SecondaryKind = { name: "knot", binary: "/usr/sbin/knotd" };
export const NSD: SecondaryKind = { name: "nsd", binary: "/usr/sbin/nsd" };

/** Whether the server runs here (its version flag exits 0: knotd -V, nsd -v). */
export function installed(kind: SecondaryKind): boolean {
  const flag = kind.name === "knot" ? "-V" : "-v";
  return spawnSync(kind.binary, [flag], { stdio: "ignore", timeout: 5000 }).status === 0;
}

/** A port free on loopback for both TCP and UDP at the moment of asking. */
export async function freePort(): Promise<number> {
  for (;;) {
    const server = createServer();
    const port = await new Promise<number>((resolve) =>
      server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)),
    );
    const udp = createSocket("udp4");
    const ok = await new Promise<boolean>((resolve) => {
      udp.once("error", () => resolve(false));
      udp.bind(port, "127.0.0.1", () => resolve(true));
    });
    udp.close();
    await new Promise((resolve) => server.close(resolve));
    if (ok) return port;
  }
}

export class Secondary {
  readonly dir: string;
  readonly port: number;
  #child: ChildProcess | undefined;
  #output = "";
  readonly #kind: SecondaryKind;
  readonly #config: string;

  /** `zone`: the zone's part of the configuration, rendered from a setup or given as text. */
  private constructor(kind: SecondaryKind, port: number, zone: SecondarySetup | string) {
    this.#kind = kind;
    this.port = port;
    this.dir = mkdtempSync(join(tmpdir(), `dns-${kind.name}-`));
    const knot = kind.name === "knot";
    const text =
      typeof zone === "string" ? zone : knot ? renderKnotConfig(zone) : renderNsdConfig(zone);
    this.#config = knot ? this.#knotConfig(text) : this.#nsdConfig(text);
  }

  static async create(kind: SecondaryKind, setup: SecondarySetup): Promise<Secondary> {
    return new Secondary(kind, await freePort(), setup);
  }

  /** A secondary on `port` whose zone configuration is `text`, as `outgoing setup` printed it. */
  static fromText(kind: SecondaryKind, port: number, text: string): Secondary {
    return new Secondary(kind, port, text);
  }

  get configFile(): string {
    return join(this.dir, `${this.#kind.name}.conf`);
  }

  #knotConfig(zone: string): string {
    for (const sub of ["run", "db", "zones"]) mkdirSync(join(this.dir, sub));
    const text = [
      "server:",
      `  rundir: "${this.dir}/run"`,
      `  listen: 127.0.0.1@${this.port}`,
      "database:",
      `  storage: "${this.dir}/db"`,
      "log:",
      "  - target: stderr",
      "    any: info",
      "template:",
      "  - id: default",
      `    storage: "${this.dir}/zones"`,
      "",
      zone,
    ].join("\n");
    writeFileSync(this.configFile, text);
    return text;
  }

  #nsdConfig(zone: string): string {
    const text = [
      "server:",
      `    ip-address: 127.0.0.1@${this.port}`,
      '    username: ""',
      '    chroot: ""',
      '    database: ""',
      `    zonesdir: "${this.dir}"`,
      `    zonelistfile: "${this.dir}/zone.list"`,
      `    xfrdfile: "${this.dir}/xfrd.state"`,
      `    xfrdir: "${this.dir}"`,
      `    pidfile: "${this.dir}/nsd.pid"`,
      `    logfile: "${this.dir}/nsd.log"`,
      "    server-count: 1",
      // Write transferred zones to disk each second, so a restart serves the last serial (as Knot's journal does).
      "    zonefiles-write: 1",
      "    verbosity: 2",
      "remote-control:",
      "    control-enable: no",
      "",
      zone,
    ].join("\n");
    writeFileSync(this.configFile, text);
    return text;
  }

  /** Checks the configuration with the server's own checker; throws with its output. */
  checkConfig(): void {
    const [command, args] =
      this.#kind.name === "knot"
        ? ["/usr/sbin/knotc", ["-c", this.configFile, "conf-check"]]
        : ["/usr/sbin/nsd-checkconf", [this.configFile]];
    const result = spawnSync(command, args, { encoding: "utf8", timeout: 10_000 });
    if (result.status !== 0)
      throw new Error(
        `${command} rejected the configuration:\n${result.stdout}${result.stderr}\n${this.#config}`,
      );
  }

  start(): void {
    if (this.#child) throw new Error("already running");
    const args =
      this.#kind.name === "knot" ? ["-c", this.configFile] : ["-c", this.configFile, "-d"];
    const child = spawn(this.#kind.binary, args, { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.on("data", (chunk: Buffer) => (this.#output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (this.#output += chunk.toString()));
    child.on("exit", () => {
      if (this.#child === child) this.#child = undefined;
    });
    this.#child = child;
  }

  /** Stops the process by its PID: SIGTERM, then SIGKILL after 3 s. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child) await stopChild(child);
    this.#child = undefined;
  }

  /**
   * The serial the server has written to disk (NSD's zone file, read with this
   * package's parser), or undefined; Knot keeps its journal in a database instead.
   */
  storedSerial(zone: string): number | undefined {
    try {
      return parseZoneFile(readFileSync(join(this.dir, `${zone}.zone`), "utf8"), { origin: zone })
        .soa.serial;
    } catch {
      return undefined;
    }
  }

  /** What the server logged (stderr, and NSD's log file). */
  log(): string {
    let file = "";
    try {
      file = readFileSync(join(this.dir, "nsd.log"), "utf8");
    } catch {
      // Knot logs to stderr only.
    }
    return this.#output + file;
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Stops a child process by its PID: SIGTERM, then SIGKILL after 3 s; at once if it has exited. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
  await exited;
  clearTimeout(timer);
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  context = () => "",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${context()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
