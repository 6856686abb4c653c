/**
 * The recorder and its scrubber are plain .mjs scripts with no type
 * declarations; they are loaded through a computed specifier (so tsc does not
 * look for types) and given the types below.
 */
import type { Fixture } from "./fixtures.js";

export interface Known {
  secrets?: string[];
  emails?: string[];
  accountIds?: string[];
  zoneIds?: string[];
  configIds?: string[];
  peerIds?: string[];
  zoneNames?: string[];
}

export interface Scrubber {
  text(value: string): string;
  value<T>(value: T): T;
  exchange<T>(fixture: T): T;
  leaks(value: unknown): string[];
}

export interface ScrubModule {
  REDACTED: string;
  PLACEHOLDERS: {
    email: string;
    zoneId: string;
    accountId: string;
    configId: string;
    peerIds: string[];
    zoneName: string;
  };
  createScrubber(known: Known): Scrubber;
}

export interface RecordOptions {
  operation: string;
  zoneId: string;
  name?: string;
  peers: string[];
  scenario?: string;
  accountId?: string;
  description?: string;
  out?: string;
  dryRun: boolean;
}

export interface RecordModule {
  SHORT_NAMES: Record<string, string>;
  parseArgs(argv: string[]): RecordOptions;
  findOperation(name: string): {
    operationId: string;
    method: string;
    path: string;
    takesBody: boolean;
  };
  record(
    options: RecordOptions,
    context: { env: Record<string, string | undefined>; fetch?: typeof fetch; now?: Date },
  ): Promise<Fixture>;
  fixturePath(fixture: Fixture, out?: string): string;
}

const load = (name: string): Promise<unknown> =>
  import(new URL(`../../scripts/${name}`, import.meta.url).href);

export const loadScrub = () => load("scrub.mjs") as Promise<ScrubModule>;
export const loadRecord = () => load("record.mjs") as Promise<RecordModule>;
