/**
 * Whole configuration files that make Knot, NSD or BIND 9 a secondary of one
 * zone, runnable as written: each listens at the peer's address and port, keeps
 * everything under one folder, and holds the key, the primary and the NOTIFY
 * ACL. Also BIND's key and zone statements to paste into an existing
 * named.conf (Knot's and NSD's come from render.ts, and the whole files reuse
 * them). Paths are checked before they are written into the text.
 */
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { join, resolve } from "node:path";
import {
  check,
  KEY_CLAUSE,
  renderKnotConfig,
  renderNsdConfig,
  SetupError,
  type SecondarySetup,
} from "./render.js";
import { isPort } from "./wire.js";

/** Where the secondary listens (the peer's ip and port) and the folder it keeps its files in. */
export interface SecondaryServer {
  listen: { host: string; port: number };
  /** An absolute folder; the server's files go in a subfolder per server. */
  dir: string;
}

export type ServerKind = "knot" | "nsd" | "bind";

/** BIND 9: the key and zone statements for an existing named.conf. */
export function renderBindConfig(setup: SecondarySetup): string {
  const c = check(setup);
  const [host, port] = c.primary.split("@");
  const key = c.key ? ` key "${c.key.name}"` : "";
  const ranges = c.notifyFrom.map((range) => `${range};`).join(" ");
  // BIND has no "and" in an address list: !{ !{ ranges }; any; } rejects what is outside the ranges.
  const notify = c.key ? `!{ !{ ${ranges} }; any; }; key "${c.key.name}";` : ranges;
  return [
    `# BIND 9: secondary for ${c.zone}, transferring from ${c.primary}`,
    ...(c.key ? [...KEY_CLAUSE.bind(c.key), ""] : []),
    `zone "${c.zone}" {`,
    "    type secondary;",
    `    file "${c.zone}.zone";`,
    `    primaries { ${host} port ${port}${key}; };`,
    `    allow-notify { ${notify} };`,
    "};",
    "",
  ].join("\n");
}

/** Whether a path can be written into a configuration file as it is: printable ASCII, no quote or backslash. */
export function writablePath(path: string): boolean {
  return /^[\x20-\x7e]+$/.test(path) && !/["\\]/.test(path);
}

/**
 * What keeps each server in its own folder, listening at host@port and nowhere
 * else: Knot's server, database and log sections, NSD's server and
 * remote-control clauses, BIND's options (with `extra` lines) and no controls.
 */
export const SERVER_CLAUSE = {
  knot: (host: string, port: number, home: string) => [
    "server:",
    `  rundir: "${home}/run"`,
    `  listen: ${host}@${port}`,
    "database:",
    `  storage: "${home}/db"`,
    "log:",
    "  - target: stderr",
    "    any: info",
  ],
  nsd: (
    host: string,
    port: number,
    home: string,
    { zonefilesWrite }: { zonefilesWrite: number },
  ) => [
    "server:",
    `    ip-address: ${host}@${port}`,
    '    username: ""',
    '    chroot: ""',
    '    database: ""',
    `    zonesdir: "${home}"`,
    `    zonelistfile: "${home}/zone.list"`,
    `    xfrdfile: "${home}/xfrd.state"`,
    `    xfrdir: "${home}"`,
    `    pidfile: "${home}/nsd.pid"`,
    `    logfile: "${home}/nsd.log"`,
    "    server-count: 1",
    `    zonefiles-write: ${zonefilesWrite}`,
    "remote-control:",
    "    control-enable: no",
  ],
  bind: (host: string, port: number, home: string, extra: readonly string[] = []) => {
    const v6 = isIP(host) === 6;
    return [
      "options {",
      `    directory "${home}";`,
      `    pid-file "${home}/named.pid";`,
      `    session-keyfile "${home}/session.key";`,
      `    listen-on${v6 ? "-v6" : ""} port ${port} { ${host}; };`,
      `    listen-on${v6 ? "" : "-v6"} { none; };`,
      "    recursion no;",
      "    dnssec-validation no;",
      ...extra,
      "};",
      "controls { };",
    ];
  },
} as const;

/**
 * Writes one server's configuration file into `home` (made, with `subs`, for
 * the owner only), readable by the owner only: it holds the key's secret.
 * Returns the file's path.
 */
export function writeConfigFile(home: string, name: string, text: string, subs: readonly string[]) {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  for (const sub of subs) mkdirSync(join(home, sub), { recursive: true, mode: 0o700 });
  const file = join(home, name);
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600); // an existing file keeps its mode otherwise
  return file;
}

function checkServer(server: SecondaryServer): { host: string; port: number; dir: string } {
  const { host, port } = server.listen;
  if (!isIP(host)) throw new SetupError(`"${host}" is not an IP address to listen on`);
  if (!isPort(port)) throw new SetupError(`listening port ${port} is out of range`);
  const dir = resolve(server.dir);
  if (!writablePath(dir))
    throw new SetupError(`the folder "${dir}" cannot be written in a configuration file`);
  return { host, port, dir };
}

/** knot.conf, whole: `knotd -c DIR/knot/knot.conf` runs it (in the foreground). */
export function renderKnotServer(setup: SecondarySetup, server: SecondaryServer): string {
  const { host, port, dir } = checkServer(server);
  const home = join(dir, "knot");
  return [
    ...SERVER_CLAUSE.knot(host, port, home),
    "template:",
    "  - id: default",
    `    storage: "${home}/zones"`,
    "",
    renderKnotConfig(setup),
  ].join("\n");
}

/** nsd.conf, whole: `nsd -d -c DIR/nsd/nsd.conf` runs it (in the foreground). */
export function renderNsdServer(setup: SecondarySetup, server: SecondaryServer): string {
  const { host, port, dir } = checkServer(server);
  const home = join(dir, "nsd");
  return [
    ...SERVER_CLAUSE.nsd(host, port, home, { zonefilesWrite: 60 }),
    "",
    renderNsdConfig(setup),
  ].join("\n");
}

/** named.conf, whole: `named -g -c DIR/bind/named.conf` runs it (in the foreground, no rndc). */
export function renderBindServer(setup: SecondarySetup, server: SecondaryServer): string {
  const { host, port, dir } = checkServer(server);
  const home = join(dir, "bind");
  return [
    ...SERVER_CLAUSE.bind(host, port, home, ["    notify no;"]),
    "",
    renderBindConfig(setup),
  ].join("\n");
}

/** A written server's configuration: its file and the command that runs it. */
export interface WrittenConfig {
  kind: ServerKind;
  file: string;
  command: string;
}

/**
 * Writes knot/knot.conf, nsd/nsd.conf and bind/named.conf under `server.dir`
 * (and the folders they use), readable by the owner only: they hold the key's
 * secret. Every text is rendered before anything is written.
 */
export function writeSecondaryConfigs(
  setup: SecondarySetup,
  server: SecondaryServer,
): WrittenConfig[] {
  const { dir } = checkServer(server);
  const files: [ServerKind, string, string, string[], string][] = [
    ["knot", "knot.conf", renderKnotServer(setup, server), ["run", "db", "zones"], "knotd -c"],
    ["nsd", "nsd.conf", renderNsdServer(setup, server), [], "nsd -d -c"],
    ["bind", "named.conf", renderBindServer(setup, server), [], "named -g -c"],
  ];
  return files.map(([kind, name, text, subs, run]) => {
    const file = writeConfigFile(join(dir, kind), name, text, subs);
    return { kind, file, command: `${run} ${file}` };
  });
}
