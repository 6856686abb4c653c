/**
 * What `outgoing setup` gives the secondary: the key, the configuration for
 * Knot, NSD and BIND 9 to paste into an existing server, with why the NOTIFY
 * ACL reads as it does, and with --write-config whole files that run as
 * written. A key or path the renderers cannot write is named, never thrown.
 */
import type { FoundPrimary } from "../dns/api-doctor.js";
import { CLOUDFLARE_NOTIFY_FROM } from "../dns/cloudflare.js";
import { renderKeyStanza, renderKnotConfig, renderNsdConfig } from "../dns/render.js";
import {
  renderBindConfig,
  writeSecondaryConfigs,
  type WrittenConfig,
} from "../dns/secondary-config.js";
import type { SetupResult } from "../setup.js";
import { escapeText } from "../text.js";
import { MASKED } from "./secret.js";

export interface Needs {
  primary: string;
  /** Where NOTIFY may come from, as the ACLs list it. */
  notifyFrom: string[];
  keyStanza: string | null;
  knot: string;
  nsd: string;
  bind: string;
  /** The files --write-config wrote, and the command that runs each. */
  written?: WrittenConfig[];
}

/** `writeTo`: the --write-config folder, with the peer's address the servers listen at. */
export function secondaryNeeds(
  result: SetupResult,
  zoneName: string,
  primary: FoundPrimary,
  writeTo?: string,
): Needs | { primary: string; error: string } {
  const at = `${primary.host}:${primary.port}`;
  const tsig = result.tsig
    ? { name: result.tsig.name, algorithm: result.tsig.algo, secret: result.tsig.secret }
    : null;
  // Cloudflare's NOTIFYs come from more than its documented sources; the emulator's from its own address.
  const notifyFrom = primary.from === "cloudflare" ? [...CLOUDFLARE_NOTIFY_FROM] : [primary.host];
  const setup = {
    zone: zoneName,
    primary: { host: primary.host, port: primary.port },
    tsig,
    notifyFrom,
  };
  try {
    const needs: Needs = {
      primary: at,
      notifyFrom,
      keyStanza: tsig ? renderKeyStanza(tsig) : null,
      knot: renderKnotConfig(setup),
      nsd: renderNsdConfig(setup),
      bind: renderBindConfig(setup),
    };
    if (writeTo !== undefined) {
      const listen = { host: result.peer.ip ?? "", port: result.peer.port ?? 53 };
      needs.written = writeSecondaryConfigs(setup, { listen, dir: writeTo });
    }
    return needs;
  } catch (error) {
    // SetupError, TsigKeyError and file errors never hold the secret.
    return { primary: at, error: (error as Error).message };
  }
}

/** Why the NOTIFY ACL reads as it does: with a key, the key decides; without, addresses are all there is. */
function aclNote(signed: boolean, cloudflare: boolean): string[] {
  if (!signed)
    return [
      "No key (--no-tsig): the addresses in the NOTIFY ACLs below are all that decides which",
      "NOTIFY is taken. A NOTIFY from an address not listed is dropped, and the zone then",
      "waits for the SOA refresh (hours) to catch up. A key makes NOTIFY and transfers safe.",
    ];
  if (!cloudflare) return ["The NOTIFY ACLs below require the key, from the primary's address."];
  return [
    "The NOTIFY ACLs below require the key: the key is the gate. They allow Cloudflare's",
    "documented NOTIFY sources and its published ranges (GET /client/v4/ips), because",
    "NOTIFYs have been seen from Cloudflare addresses outside the documented ones; an ACL",
    "narrower than this drops them. Allowing any address with the key is safe as well.",
  ];
}

export function describeNeeds(
  result: SetupResult,
  needs: Needs,
  primary: FoundPrimary,
  showSecret: boolean,
  secretIsNew: boolean,
): string {
  const lines = [
    // The API's words escaped; the configuration below holds only checked values (render.ts).
    escapeText(
      `Configure your secondary to transfer ${result.outgoing.name} from ${primary.host} port ${primary.port}` +
        (result.tsig ? `, signed with the key ${result.tsig.name}:` : ", unsigned:"),
    ),
  ];
  const secret = result.tsig?.secret;
  const hide = (text: string) =>
    secret === undefined || showSecret ? text : text.split(secret).join(MASKED);
  if (secret !== undefined) {
    lines.push(
      showSecret
        ? secretIsNew
          ? "The key's secret is below, printed this once (later runs mask it): keep it private."
          : "The key's secret is below (--show-secret): keep it private."
        : "The key's secret is masked: run again with --show-secret to print it.",
    );
  }
  lines.push(...aclNote(result.tsig !== null, primary.from === "cloudflare"));
  lines.push(
    "",
    "To add this zone to a server you already run, paste the part for it: for Knot the key,",
    "remote, acl and zone sections (your server, database and template sections stay); for",
    "NSD the key and zone clauses (zonefile is relative to your zonesdir); for BIND the key",
    "and zone statements (the zone file is relative to your options' directory).",
  );
  if (needs.keyStanza) lines.push("", "# Key (BIND, dig -k, kdig -k)", hide(needs.keyStanza));
  lines.push("", hide(needs.knot), "", hide(needs.nsd), "", hide(needs.bind));
  if (needs.written) lines.push(...describeWritten(result, needs.written));
  return `${lines.join("\n")}\n`;
}

function describeWritten(result: SetupResult, written: WrittenConfig[]): string[] {
  const at = escapeText(`${result.peer.ip} port ${result.peer.port ?? 53}`);
  return [
    "",
    `Whole configurations, listening at the peer's address (${at}), written (owner-only: they`,
    "hold the key). Run one of them (they listen at the same address), in the foreground:",
    ...written.map((w) => `  ${escapeText(w.command)}`),
  ];
}
