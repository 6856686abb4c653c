/**
 * Whole configuration files that make Knot, NSD or BIND 9 the PRIMARY of one
 * zone whose secondary is Cloudflare ("Cloudflare as secondary"), runnable as
 * written: each serves the zone file given, allows transfers (signed with the
 * key, when there is one) from the secondary's transfer sources only, and sends
 * NOTIFY to the secondary's NOTIFY addresses. Against Cloudflare those are the
 * facts of cloudflare.ts; against the emulator, its own DNS address.
 *
 * Knot keeps the differences between zone file versions in its journal, and
 * BIND with ixfr-from-differences, so both answer IXFR; NSD 4.6 answers AXFR.
 * Every value is checked before it is written into the text.
 */
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { join, resolve } from "node:path";
import { CLOUDFLARE_NOTIFY_SOURCES, CLOUDFLARE_SECONDARY_NOTIFY } from "./cloudflare.js";
import { SetupError, check, type Checked } from "./render.js";
import type { ServerKind } from "./secondary-config.js";
import type { TsigKeyInput } from "./tsig.js";

/** Who the secondary is: where its transfers come from and where NOTIFY goes. */
export interface SecondaryTargets {
  /** Addresses or CIDR ranges allowed to transfer the zone. */
  transferFrom: readonly string[];
  /** Where NOTIFY is sent. */
  notify: readonly { host: string; port: number }[];
}

export interface PrimarySetup {
  zone: string;
  /** The zone file the primary serves (made absolute). */
  zoneFile: string;
  /** Where the primary listens; host defaults to 127.0.0.1. */
  listen: { host?: string; port: number };
  /** The key transfers and NOTIFY are signed with; algorithm as the API writes it. */
  tsig?: TsigKeyInput | null | undefined;
  targets: SecondaryTargets;
  /** A folder for the servers' own files (a subfolder each); absolute once resolved. */
  dir: string;
}

/** One configuration file: its path under `dir`, its text, and the command that runs it. */
export interface PrimaryConfigFile {
  kind: ServerKind;
  /** Path relative to the setup's `dir`. */
  path: string;
  text: string;
  /** Runs the server in the foreground with this file. */
  command: string;
  /** Makes the server re-read the zone file (and send NOTIFY when its serial rose). */
  reload: string;
}

/** Cloudflare as the secondary: its transfer sources, and its NOTIFY addresses on port 53. */
export function cloudflareTargets(): SecondaryTargets {
  return {
    transferFrom: [...CLOUDFLARE_NOTIFY_SOURCES],
    notify: CLOUDFLARE_SECONDARY_NOTIFY.map((host) => ({ host, port: 53 })),
  };
}

/** The emulator as the secondary: it transfers from, and takes NOTIFY on, its DNS address. */
export function emulatorTargets(dns: { host: string; port: number }): SecondaryTargets {
  return { transferFrom: [dns.host], notify: [{ host: dns.host, port: dns.port }] };
}

interface Resolved {
  c: Checked;
  host: string;
  port: number;
  zoneFile: string;
  dir: string;
  notify: { host: string; port: number }[];
}

const PLAIN_PATH = /^[\x20-\x7e]+$/;

function resolveSetup(setup: PrimarySetup): Resolved {
  const host = setup.listen.host ?? "127.0.0.1";
  const c = check({
    zone: setup.zone,
    primary: { host, port: setup.listen.port },
    notifyFrom: setup.targets.transferFrom,
    tsig: setup.tsig ?? null,
  });
  for (const target of setup.targets.notify) {
    if (!isIP(target.host)) throw new SetupError(`"${target.host}" is not an IP address`);
    if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535)
      throw new SetupError(`NOTIFY port ${target.port} is out of range`);
  }
  const paths = [resolve(setup.zoneFile), resolve(setup.dir)];
  for (const path of paths) {
    if (!PLAIN_PATH.test(path) || /["\\]/.test(path))
      throw new SetupError(`the path "${path}" cannot be written in a configuration file`);
  }
  const [zoneFile, dir] = paths as [string, string];
  return { c, host, port: setup.listen.port, zoneFile, dir, notify: [...setup.targets.notify] };
}

/** knot.conf: the zone's journal keeps each zone file's differences, so IXFR is served. */
export function renderKnotPrimary(setup: PrimarySetup): string {
  const { c, host, port, zoneFile, dir, notify } = resolveSetup(setup);
  const home = join(dir, "knot");
  const key = (indent: string) => (c.key ? [`${indent}key: ${c.key.name}`] : []);
  const remotes = notify.map((target, i) => ({ id: `secondary-notify-${i + 1}`, ...target }));
  return [
    `# Knot DNS: primary for ${c.zone}; transfers to ${c.notifyFrom.join(", ")}`,
    "server:",
    `  rundir: "${home}/run"`,
    `  listen: ${host}@${port}`,
    "database:",
    `  storage: "${home}/db"`,
    "log:",
    "  - target: stderr",
    "    any: info",
    ...(c.key
      ? [
          "key:",
          `  - id: ${c.key.name}`,
          `    algorithm: ${c.key.algorithm}`,
          `    secret: ${c.key.secret}`,
        ]
      : []),
    ...(remotes.length > 0 ? ["remote:"] : []),
    ...remotes.flatMap((r) => [
      `  - id: ${r.id}`,
      `    address: ${r.host}@${r.port}`,
      ...key("    "),
    ]),
    "acl:",
    "  - id: secondary-transfer",
    `    address: [${c.notifyFrom.join(", ")}]`,
    ...key("    "),
    "    action: transfer",
    "zone:",
    `  - domain: ${c.zone}`,
    `    file: "${zoneFile}"`,
    `    storage: "${home}/zones"`,
    // Never write the zone back to its file; keep the differences between its versions (IXFR).
    "    zonefile-sync: -1",
    "    zonefile-load: difference",
    "    journal-content: changes",
    "    acl: secondary-transfer",
    ...(remotes.length > 0 ? [`    notify: [${remotes.map((r) => r.id).join(", ")}]`] : []),
    "",
  ].join("\n");
}

/** nsd.conf: transfers (AXFR) to the secondary's sources, NOTIFY to its addresses. */
export function renderNsdPrimary(setup: PrimarySetup): string {
  const { c, host, port, zoneFile, dir, notify } = resolveSetup(setup);
  const home = join(dir, "nsd");
  const keyName = c.key ? c.key.name : "NOKEY";
  return [
    `# NSD: primary for ${c.zone}; transfers to ${c.notifyFrom.join(", ")}`,
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
    "    zonefiles-write: 0",
    "remote-control:",
    "    control-enable: no",
    ...(c.key
      ? [
          "key:",
          `    name: "${c.key.name}"`,
          `    algorithm: ${c.key.algorithm}`,
          `    secret: "${c.key.secret}"`,
        ]
      : []),
    "zone:",
    `    name: "${c.zone}"`,
    `    zonefile: "${zoneFile}"`,
    ...c.notifyFrom.map((range) => `    provide-xfr: ${range} ${keyName}`),
    ...notify.map((target) => `    notify: ${target.host}@${target.port} ${keyName}`),
    "",
  ].join("\n");
}

/** named.conf: transfers with the key from the sources only, NOTIFY to the addresses only (at once). */
export function renderBindPrimary(setup: PrimarySetup): string {
  const { c, host, port, zoneFile, dir, notify } = resolveSetup(setup);
  const home = join(dir, "bind");
  const v6 = isIP(host) === 6;
  const ranges = c.notifyFrom.map((range) => `${range};`).join(" ");
  // BIND has no "and" in an address list: !{ !{ ranges }; any; } rejects what is outside the ranges.
  const allow = c.key ? `!{ !{ ${ranges} }; any; }; key "${c.key.name}";` : ranges;
  const keyClause = c.key ? ` key "${c.key.name}"` : "";
  return [
    `# BIND 9: primary for ${c.zone}; transfers to ${c.notifyFrom.join(", ")}`,
    "options {",
    `    directory "${home}";`,
    `    pid-file "${home}/named.pid";`,
    `    session-keyfile "${home}/session.key";`,
    `    listen-on${v6 ? "-v6" : ""} port ${port} { ${host}; };`,
    `    listen-on${v6 ? "" : "-v6"} { none; };`,
    "    recursion no;",
    "    dnssec-validation no;",
    "};",
    "controls { };",
    ...(c.key
      ? [
          `key "${c.key.name}" {`,
          `    algorithm ${c.key.algorithm};`,
          `    secret "${c.key.secret}";`,
          "};",
        ]
      : []),
    `zone "${c.zone}" {`,
    "    type primary;",
    `    file "${zoneFile}";`,
    `    allow-transfer { ${allow} };`,
    "    notify explicit;",
    "    notify-delay 0;",
    `    also-notify { ${notify.map((t) => `${t.host} port ${t.port}${keyClause};`).join(" ")} };`,
    "    ixfr-from-differences yes;",
    "};",
    "",
  ].join("\n");
}

/** The three files, rendered (nothing written): what `incoming setup --write-config DIR` writes. */
export function renderPrimaryConfigs(setup: PrimarySetup): PrimaryConfigFile[] {
  const dir = resolve(setup.dir);
  const file = (kind: ServerKind, name: string) => join(dir, kind, name);
  return [
    {
      kind: "knot",
      path: "knot/knot.conf",
      text: renderKnotPrimary(setup),
      command: `knotd -c ${file("knot", "knot.conf")}`,
      reload: `knotc -c ${file("knot", "knot.conf")} zone-reload ${resolveSetup(setup).c.zone}`,
    },
    {
      kind: "nsd",
      path: "nsd/nsd.conf",
      text: renderNsdPrimary(setup),
      command: `nsd -d -c ${file("nsd", "nsd.conf")}`,
      reload: `kill -HUP $(cat ${file("nsd", "nsd.pid")})`,
    },
    {
      kind: "bind",
      path: "bind/named.conf",
      text: renderBindPrimary(setup),
      command: `named -g -c ${file("bind", "named.conf")}`,
      reload: `kill -HUP $(cat ${file("bind", "named.pid")})`,
    },
  ];
}

/**
 * Writes the three files under `setup.dir` (and the folders the servers use),
 * readable by the owner only: they hold the key's secret. Everything is
 * rendered before anything is written. Returns the files as written.
 */
export function writePrimaryConfigs(setup: PrimarySetup): PrimaryConfigFile[] {
  const files = renderPrimaryConfigs(setup);
  const dir = resolve(setup.dir);
  for (const file of files) {
    const home = join(dir, file.kind);
    mkdirSync(home, { recursive: true, mode: 0o700 });
    if (file.kind === "knot")
      for (const sub of ["run", "db", "zones"])
        mkdirSync(join(home, sub), { recursive: true, mode: 0o700 });
    const path = join(dir, file.path);
    writeFileSync(path, file.text, { mode: 0o600 });
    chmodSync(path, 0o600); // an existing file keeps its mode otherwise
  }
  return files;
}
