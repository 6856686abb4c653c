/**
 * The transfers file: what it holds (the types below, whose JSON Schema is
 * generated/transfers.schema.json), how it is read (YAML with the line of every
 * node, so a problem names file, line and field) and checked (the schema, then
 * the references between objects), and how `import` writes it.
 *
 * References are by name, never by id: a peer names its key, a zone its peers.
 * A secret is never in the file, only where to find it (an environment variable
 * or a file) and its fingerprint.
 *
 * Zone sections: `outgoing` (Cloudflare as primary) or `incoming` (Cloudflare
 * as secondary), never both in one zone (the schema's `not`, as the API refuses
 * it); each has its entry in ZONE_SECTIONS (plan.ts).
 */
import { isAbsolute, resolve, dirname } from "node:path";
import {
  LineCounter,
  parseDocument,
  stringify,
  isMap,
  isNode,
  isScalar,
  type Document,
} from "yaml";
import { TRANSFERS_SCHEMA } from "../../generated/transfers-schema.js";
import { checkSchema, type Issue } from "./check.js";

export type SecretRef =
  | { env: string; fingerprint?: string | undefined }
  | { file: string; fingerprint?: string | undefined };

export interface DeclaredTsig {
  name: string;
  algo: (typeof TRANSFERS_SCHEMA.properties.tsigs.items.properties.algo.enum)[number];
  secret: SecretRef;
}

export interface DeclaredPeer {
  name: string;
  ip?: string | undefined;
  port?: number | undefined;
  ixfr_enable?: boolean | undefined;
  /** The peer's key, by name. */
  tsig?: string | undefined;
}

export interface DeclaredAcl {
  name: string;
  ip_range: string;
}

export interface DeclaredOutgoing {
  name: string;
  /** The linked peers, by name. */
  peers: string[];
  /** Transfers on or off; default true. */
  enabled?: boolean | undefined;
}

export interface DeclaredIncoming {
  name: string;
  /** The primaries Cloudflare pulls the zone from, by name. */
  peers: string[];
  auto_refresh_seconds: number;
}

export interface DeclaredZone {
  id: string;
  /** Absent: the zone has no outgoing configuration. */
  outgoing?: DeclaredOutgoing | undefined;
  /** Absent: the zone has no incoming configuration. Never beside `outgoing`. */
  incoming?: DeclaredIncoming | undefined;
}

/** A transfers file, as read. */
export interface TransfersConfig {
  $schema?: string | undefined;
  version: 1;
  account?: string | undefined;
  tsigs?: DeclaredTsig[] | undefined;
  peers?: DeclaredPeer[] | undefined;
  acls?: DeclaredAcl[] | undefined;
  zones?: DeclaredZone[] | undefined;
}

/** YAML aliases a file may expand (the yaml package's own default): a transfers file needs none. */
const MAX_ALIASES = 100;

/** One problem of a file, with where it is. */
export interface FileProblem {
  file: string;
  /** 1-based; 0 when the problem has no place (an empty file). */
  line: number;
  /** The field, as `peers[2].port`; empty for the whole document. */
  field: string;
  message: string;
}

/** A file that cannot be used: nothing was sent. The CLI exits 2 with each problem on a line. */
export class TransfersFileError extends Error {
  override name = "TransfersFileError";
  readonly problems: FileProblem[];

  constructor(problems: FileProblem[]) {
    super(problems.map(formatProblem).join("\n"));
    this.problems = problems;
  }
}

export function formatProblem(problem: FileProblem): string {
  const field = problem.field ? ` ${problem.field}:` : "";
  return `${problem.file}:${problem.line}:${field} ${problem.message}`;
}

/** `["peers", 2, "port"]` as `peers[2].port`. */
export function fieldName(path: readonly (string | number)[]): string {
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join("");
}

/** A parsed file: the config, and where each of its nodes is. */
export interface ReadFile {
  config: TransfersConfig;
  /** The file's name as given, for messages. */
  file: string;
  /** Resolves a `secret.file` relative to the transfers file. */
  resolvePath(path: string): string;
}

/** Reads a transfers file's text; throws TransfersFileError naming every problem found. */
export function parseTransfers(text: string, file: string): ReadFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineAt = (offset: number | undefined) =>
    offset === undefined ? 0 : lineCounter.linePos(offset).line;
  if (doc.errors.length > 0) {
    throw new TransfersFileError(
      doc.errors.map((error) => ({
        file,
        line: lineAt(error.pos[0]),
        field: "",
        message: `YAML: ${error.message.split("\n")[0]}`,
      })),
    );
  }
  const value = plainValue(doc, file);
  const where = (issue: Issue): FileProblem => ({
    file,
    line: lineOf(doc, issue.path, lineAt),
    field: fieldName(issue.path),
    message: issue.message,
  });
  const issues = checkSchema(TRANSFERS_SCHEMA, value);
  if (issues.length === 0) issues.push(...referenceIssues(value as TransfersConfig));
  if (issues.length > 0) throw new TransfersFileError(issues.map(where));
  const base = dirname(file);
  return {
    config: value as TransfersConfig,
    file,
    resolvePath: (path) => (isAbsolute(path) ? path : resolve(base, path)),
  };
}

/** The document as plain values; aliases that would expand without bound are refused. */
function plainValue(doc: Document, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new TransfersFileError([{ file, line: 1, field: "", message: `YAML: ${message}` }]);
  }
}

/**
 * The line of the node at `path`, or of its nearest parent that exists. For a
 * mapping's entry, the key's line (a block mapping's value starts a line below).
 */
function lineOf(
  doc: Document,
  path: readonly (string | number)[],
  lineAt: (offset: number | undefined) => number,
): number {
  for (let n = path.length; n >= 0; n--) {
    const at = path.slice(0, n);
    const node = keyNode(doc, at) ?? (n === 0 ? doc.contents : doc.getIn(at, true));
    if (isNode(node) && node.range) return lineAt(node.range[0]);
  }
  return lineAt(0);
}

/** The key of the mapping entry at `path` (whose last part is the key), if there is one. */
function keyNode(doc: Document, path: readonly (string | number)[]): unknown {
  const last = path.at(-1);
  if (typeof last !== "string") return undefined;
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  if (!isMap(parent)) return undefined;
  return parent.items.find((pair) => isScalar(pair.key) && pair.key.value === last)?.key;
}

/** Names given twice, and references to names the file does not define. */
export function referenceIssues(config: TransfersConfig): Issue[] {
  const issues: Issue[] = [];
  const names = (list: "tsigs" | "peers" | "acls" | "zones", key: "name" | "id") => {
    const seen = new Map<string, number>();
    for (const [index, item] of (config[list] ?? []).entries()) {
      const name = (item as unknown as Record<string, string>)[key]!;
      const first = seen.get(name);
      if (first !== undefined) {
        issues.push({
          path: [list, index, key],
          message: `${JSON.stringify(name)} is given twice (first at ${list}[${first}])`,
        });
      } else seen.set(name, index);
    }
    return seen;
  };
  const tsigs = names("tsigs", "name");
  const peers = names("peers", "name");
  names("acls", "name");
  names("zones", "id");
  for (const [index, peer] of (config.peers ?? []).entries()) {
    if (peer.tsig !== undefined && !tsigs.has(peer.tsig)) {
      issues.push({
        path: ["peers", index, "tsig"],
        message: `names the key ${JSON.stringify(peer.tsig)}, which tsigs does not define`,
      });
    }
  }
  for (const [index, zone] of (config.zones ?? []).entries()) {
    issues.push(...outgoingIssues(config, zone, peers, ["zones", index, "outgoing"]));
    const primaries = zone.incoming?.peers ?? [];
    issues.push(...unknownPeers(primaries, peers, ["zones", index, "incoming"]));
  }
  return issues;
}

/** The zone's peers (by name) that the file's peers do not define. */
function unknownPeers(
  linked: readonly string[],
  peers: Map<string, number>,
  path: (string | number)[],
): Issue[] {
  return linked.flatMap((name, i) =>
    peers.has(name)
      ? []
      : [
          {
            path: [...path, "peers", i],
            message: `names the peer ${JSON.stringify(name)}, which peers does not define`,
          },
        ],
  );
}

function outgoingIssues(
  config: TransfersConfig,
  zone: DeclaredZone,
  peers: Map<string, number>,
  path: (string | number)[],
): Issue[] {
  const linked = zone.outgoing?.peers ?? [];
  const issues = unknownPeers(linked, peers, path);
  // Cloudflare's rule: the peers of one zone share one key, or none has a key.
  const keys = new Set(linked.map((name) => config.peers?.[peers.get(name) ?? -1]?.tsig ?? ""));
  if (issues.length === 0 && keys.size > 1) {
    issues.push({
      path: [...path, "peers"],
      message: `the peers of one zone must all use the same TSIG key, or none (here: ${[...keys].map((k) => k || "none").join(", ")})`,
    });
  }
  return issues;
}

/** A config as YAML text, in the order the schema lists its fields. */
export function formatTransfers(config: TransfersConfig, header: string[] = []): string {
  const comments = header.map((line) => `# ${line}\n`).join("");
  return comments + stringify(config, { lineWidth: 0 });
}
