/**
 * The emulator's zone files checked before it starts or reloads: each must be a
 * regular file (a FIFO, a device or a folder would block the read or never end),
 * of a bounded size, read within a deadline, and parse as a zone. A zone with no
 * outgoing configuration yet (a fresh start) is parsed too, so a bad file stops
 * the start with its name and line instead of surfacing when the zone is created.
 */
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { parseZoneFile } from "../dns/zone.js";

/** The largest zone file the emulator reads: far more than a test zone needs. */
export const ZONE_FILE_MAX_BYTES = 64 * 1024 * 1024;
/** How long reading one zone file may take (a slow network mount, a stuck disk). */
export const ZONE_FILE_READ_MS = 10_000;

/**
 * Stands in for the zone's name while checking a file that writes names relative
 * to the configuration's name (`@`, no $ORIGIN): RFC 6761 keeps `.invalid` for this.
 */
const PLACEHOLDER_ORIGIN = "zone-file-check.invalid";

/** Throws an Error naming the first file that cannot be used, and why (and the line). */
export async function checkZoneFiles(
  files: Readonly<Record<string, string>>,
  names: (zoneId: string) => string | undefined,
): Promise<void> {
  for (const [zoneId, file] of Object.entries(files)) {
    const text = await readZoneFile(zoneId, file);
    const name = names(zoneId);
    if (name !== undefined) {
      parseZoneFile(text, { origin: name, source: file });
      continue;
    }
    try {
      parseZoneFile(text, { source: file });
    } catch (error) {
      if (!/before any \$ORIGIN/.test((error as Error).message)) throw error;
      checkRelative(text, file);
    }
  }
}

/** A file whose names hang on the configuration's name: only a name's own zone can be wrong here. */
function checkRelative(text: string, file: string): void {
  try {
    parseZoneFile(text, { origin: PLACEHOLDER_ORIGIN, source: file });
  } catch (error) {
    if (!/is outside the zone/.test((error as Error).message)) throw error;
  }
}

/**
 * A zone file's text. Opened without blocking (a FIFO with no writer would hang a
 * plain open), refused unless it is a regular file of at most ZONE_FILE_MAX_BYTES,
 * and read within ZONE_FILE_READ_MS.
 */
export async function readZoneFile(zoneId: string, file: string): Promise<string> {
  const fail = (why: string) =>
    new Error(`zone file ${file} (zone ${zoneId}) could not be read (${why})`);
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw fail((error as { code?: string }).code ?? (error as Error).message);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw fail(`${kind(info)}, not a regular file`);
    if (info.size > ZONE_FILE_MAX_BYTES) {
      throw fail(`${info.size} bytes, more than the ${ZONE_FILE_MAX_BYTES} a zone file may have`);
    }
    const signal = AbortSignal.timeout(ZONE_FILE_READ_MS);
    const bytes = await handle.readFile({ signal }).catch((error: Error) => {
      throw fail(signal.aborted ? `not read within ${ZONE_FILE_READ_MS / 1000} s` : error.message);
    });
    return bytes.toString("utf8");
  } finally {
    await handle.close();
  }
}

function kind(info: {
  isDirectory(): boolean;
  isFIFO(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSocket(): boolean;
}): string {
  if (info.isDirectory()) return "EISDIR: a folder";
  if (info.isFIFO()) return "a FIFO (named pipe)";
  if (info.isCharacterDevice() || info.isBlockDevice()) return "a device";
  if (info.isSocket()) return "a socket";
  return "not a file";
}
