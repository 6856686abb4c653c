/**
 * What `outgoing setup` gives the secondary: the key, the configuration for
 * Knot, NSD and BIND 9 to paste into an existing server, with why the NOTIFY
 * ACL reads as it does, and with --write-config whole files that run as
 * written. A key or path the renderers cannot write is named, never thrown.
 */
import type { FoundPrimary } from "../dns/api-doctor.js";
import { CLOUDFLARE_NOTIFY_SOURCES, CLOUDFLARE_RANGES } from "../dns/cloudflare.js";
import { renderKeyStanza, renderKnotConfig, renderNsdConfig } from "../dns/render.js";
import {
  renderBindConfig,
  writeSecondaryConfigs,
  type WrittenConfig,
} from "../dns/secondary-config.js";
import type { SecondaryDnsClient } from "../index.js";
import { cloudflareIps } from "../client/ips.js";
import { strictResults } from "../client/results.js";
import type { SetupResult } from "../setup.js";
import { escapeText } from "../text.js";
import { MASKED } from "./secret.js";

/** How long GET /ips may take before the fallback list is used. */
const RANGES_TIMEOUT_MS = 5_000;

/** Where the published ranges in the NOTIFY ACLs came from. */
export interface RangesSource {
  /** "api": the API's GET /ips answered; "fallback": it did not, so CLOUDFLARE_RANGES. */
  from: "api" | "fallback";
  /** The API's etag of the ranges (from "api"). */
  etag?: string;
  /** Why the API's answer was not used (from "fallback"). */
  why?: string;
}

export interface NotifyRanges extends RangesSource {
  ranges: string[];
}

/**
 * Cloudflare's published ranges, from the API the client talks to (the
 * emulator's answer against the emulator), else the package's dated list: a
 * failure here never fails setup, whose API steps are done by now.
 */
export async function notifyRanges(
  client: SecondaryDnsClient,
  signal?: AbortSignal,
): Promise<NotifyRanges> {
  const fallback = (why: string): NotifyRanges => ({
    ranges: [...CLOUDFLARE_RANGES],
    from: "fallback",
    why: why.split("\n", 1)[0]!,
  });
  try {
    const ips = await cloudflareIps(client, {
      signal,
      maxRetries: 0,
      timeoutMs: RANGES_TIMEOUT_MS,
    });
    const problem = strictResults("CloudflareIps", ips);
    if (problem) return fallback(`unexpected response: ${problem}`);
    const ranges = [...ips.ipv4_cidrs, ...ips.ipv6_cidrs];
    if (ranges.length === 0) return fallback("the answer lists no ranges");
    return { ranges, from: "api", etag: ips.etag };
  } catch (error) {
    if (signal?.aborted) throw error;
    return fallback(error instanceof Error ? error.message : String(error));
  }
}

export interface Needs {
  primary: string;
  /** Where NOTIFY may come from, as the ACLs list it. */
  notifyFrom: string[];
  /** Where the published ranges among them came from. */
  ranges: RangesSource;
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
  published: NotifyRanges,
  writeTo?: string,
): Needs | { primary: string; error: string } {
  const at = `${primary.host}:${primary.port}`;
  const tsig = result.tsig
    ? { name: result.tsig.name, algorithm: result.tsig.algo, secret: result.tsig.secret }
    : null;
  // Cloudflare's NOTIFYs come from more than its documented sources (the emulator's from its own
  // address): the primary's sources, then the published ranges.
  const sources = primary.from === "cloudflare" ? CLOUDFLARE_NOTIFY_SOURCES : [primary.host];
  const notifyFrom = [...new Set([...sources, ...published.ranges])];
  const { ranges: _, ...ranges } = published;
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
      ranges,
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
function aclNote(signed: boolean, cloudflare: boolean, ranges: RangesSource): string[] {
  const origin =
    ranges.from === "api"
      ? [`The published ranges are the API's answer to GET /ips (etag ${ranges.etag}).`]
      : [`GET /ips failed (${ranges.why}): the published ranges are this package's list of 2021.`];
  if (!signed)
    return [
      "No key (--no-tsig): the addresses in the NOTIFY ACLs below are all that decides which",
      "NOTIFY is taken. A NOTIFY from an address not listed is dropped, and the zone then",
      "waits for the SOA refresh (hours) to catch up. A key makes NOTIFY and transfers safe.",
      ...origin,
    ];
  if (!cloudflare)
    return [
      "The NOTIFY ACLs below require the key: the key is the gate. They allow the primary's",
      "address and Cloudflare's published ranges, as they would for Cloudflare's API.",
      ...origin,
    ];
  return [
    "The NOTIFY ACLs below require the key: the key is the gate. They allow Cloudflare's",
    "documented NOTIFY sources and its published ranges (GET /client/v4/ips), because",
    "NOTIFYs have been seen from Cloudflare addresses outside the documented ones; an ACL",
    "narrower than this drops them. Allowing any address with the key is safe as well.",
    ...origin,
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
  lines.push(
    ...aclNote(result.tsig !== null, primary.from === "cloudflare", needs.ranges).map(escapeText),
  );
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
