/**
 * Ready-to-paste configuration that makes a Knot or NSD server a secondary of
 * this primary, and a key stanza in the format BIND, dig -k and others read.
 * Knot and NSD write the algorithm without the trailing dot; the API stores it
 * with one. Everything is checked before it is written into the text, so a
 * value can never break out of its line.
 */
import { isIP } from "node:net";
import { TSIG_DIGESTS, TsigKey, type TsigKeyInput } from "./tsig.js";
import { canonicalName, isPort, normalizeName } from "./wire.js";

export interface SecondarySetup {
  zone: string;
  /** Where the secondary transfers from (an IP address and port). */
  primary: { host: string; port: number };
  /** Addresses or CIDR ranges the NOTIFY messages come from; default the primary's host. */
  notifyFrom?: readonly string[];
  /** The key transfers are signed with; algorithm as the API writes it (`hmac-sha256.`). */
  tsig?: TsigKeyInput | null;
}

/** Thrown for a setup that cannot be written as configuration. Never holds the secret. */
export class SetupError extends Error {
  override name = "SetupError";
}

export interface Checked {
  zone: string;
  primary: string;
  notifyFrom: string[];
  key?: { name: string; algorithm: string; secret: string };
}

/** The setup checked and in the form configuration files write it (zone without its dot). */
export function check(setup: SecondarySetup): Checked {
  const zone = normalizeName(setup.zone);
  try {
    canonicalName(zone);
  } catch (error) {
    throw new SetupError(`zone name "${setup.zone}" is not valid: ${(error as Error).message}`);
  }
  if (zone === "" || !/^[a-z0-9._-]+$/.test(zone))
    throw new SetupError(`zone name "${setup.zone}" cannot be written in a configuration file`);
  if (!isIP(setup.primary.host))
    throw new SetupError(`"${setup.primary.host}" is not an IP address`);
  for (const range of setup.notifyFrom ?? []) {
    if (!isRange(range)) throw new SetupError(`"${range}" is not an IP address or CIDR range`);
  }
  const port = setup.primary.port;
  if (!isPort(port)) throw new SetupError(`primary port ${port} is out of range`);
  const checked: Checked = {
    zone,
    primary: `${setup.primary.host}@${port}`,
    notifyFrom: setup.notifyFrom ? [...setup.notifyFrom] : [setup.primary.host],
  };
  if (setup.tsig) {
    const key = new TsigKey(setup.tsig); // validates name, algorithm and base64 secret
    if (!/^[a-z0-9._-]+$/.test(key.name))
      throw new SetupError(`TSIG key name "${key.name}" cannot be written in a configuration file`);
    checked.key = {
      name: key.name,
      algorithm: TSIG_DIGESTS[key.algorithm].configName,
      secret: setup.tsig.secret.trim(),
    };
  }
  return checked;
}

/** An IP address, or one with a prefix length that fits it ("192.0.2.0/24", "2001:db8::/32"). */
function isRange(text: string): boolean {
  const [address = "", prefix, extra] = text.split("/");
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

type ConfigKey = NonNullable<Checked["key"]>;

/** The key, as each server's configuration declares it: Knot's key section, NSD's key clause, BIND's key statement. */
export const KEY_CLAUSE = {
  knot: (key: ConfigKey) => [
    "key:",
    `  - id: ${key.name}`,
    `    algorithm: ${key.algorithm}`,
    `    secret: ${key.secret}`,
  ],
  nsd: (key: ConfigKey) => [
    "key:",
    `    name: "${key.name}"`,
    `    algorithm: ${key.algorithm}`,
    `    secret: "${key.secret}"`,
  ],
  bind: (key: ConfigKey) => [
    `key "${key.name}" {`,
    `    algorithm ${key.algorithm};`,
    `    secret "${key.secret}";`,
    "};",
  ],
} as const;

/** Knot DNS 3.x: key, remote, acl and zone sections (add your own server/database/template). */
export function renderKnotConfig(setup: SecondarySetup): string {
  const c = check(setup);
  const keyLine = (indent: string) => (c.key ? [`${indent}key: ${c.key.name}`] : []);
  const id = `cf-primary-${c.zone}`;
  return [
    `# Knot DNS: secondary for ${c.zone}, transferring from ${c.primary}`,
    ...(c.key ? [...KEY_CLAUSE.knot(c.key), ""] : []),
    "remote:",
    `  - id: ${id}`,
    `    address: ${c.primary}`,
    ...keyLine("    "),
    "",
    "acl:",
    `  - id: ${id}-notify`,
    `    address: [${c.notifyFrom.join(", ")}]`,
    ...keyLine("    "),
    "    action: notify",
    "",
    "zone:",
    `  - domain: ${c.zone}`,
    // `master` is the Knot 3.2 keyword (Debian 12); later versions still accept it.
    `    master: ${id}`,
    `    acl: ${id}-notify`,
    "",
  ].join("\n");
}

/** NSD 4: key and zone clauses (add your own server clause). */
export function renderNsdConfig(setup: SecondarySetup): string {
  const c = check(setup);
  const keyName = c.key ? c.key.name : "NOKEY";
  return [
    `# NSD: secondary for ${c.zone}, transferring from ${c.primary}`,
    ...(c.key ? [...KEY_CLAUSE.nsd(c.key), ""] : []),
    "zone:",
    `    name: "${c.zone}"`,
    `    zonefile: "${c.zone}.zone"`,
    `    request-xfr: AXFR ${c.primary} ${keyName}`,
    ...c.notifyFrom.map((address) => `    allow-notify: ${address} ${keyName}`),
    "",
  ].join("\n");
}

/** A key stanza in named.conf format, read by BIND, `dig -k`, `nsupdate -k` and `kdig -k`. */
export function renderKeyStanza(tsig: TsigKeyInput): string {
  const c = check({ zone: "key.invalid", primary: { host: "127.0.0.1", port: 53 }, tsig });
  return [...KEY_CLAUSE.bind(c.key!), ""].join("\n");
}
