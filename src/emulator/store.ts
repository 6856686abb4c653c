/**
 * The emulator's state: named collections of JSON records (one collection per
 * resource, keyed by zone id), optionally kept in a state file.
 *
 * Concurrency: handlers read and change records synchronously, so on Node's
 * single thread every request's read-modify-write is whole; nothing can
 * interleave with it. Only the saving is asynchronous, and it is serialised.
 *
 * Durability: each save writes a temp file (a name no other emulator uses) and
 * renames it over the state file. A rename is atomic, so a process killed at any
 * moment leaves either the old or the new file, never a torn one. A request is
 * answered only after a save that includes its change has finished. When a save
 * fails, every change it did not bring to disk is undone in memory and the
 * requests that made them fail, so memory never claims what the file does not
 * hold. There is no fsync: what the emulator guards against is its own process
 * dying (the kernel keeps what was written), not power loss, and an fsync per
 * save would halve its throughput.
 *
 * One owner: a lock file beside the state file holds the pid of the emulator
 * that uses it; a second emulator refuses to start while that process lives.
 */
import { randomBytes } from "node:crypto";
import { readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { acquireLock, type Lock } from "./lock.js";

const FORMAT = 1;

interface StateDocument {
  format: number;
  collections: Record<string, Record<string, unknown>>;
}

/** What is wrong with one record of a collection, or undefined when it has the shape the emulator writes. */
export type RecordCheck = (record: unknown, key: string) => string | undefined;

/** The collections the emulator knows, each with the check of its records. */
export type RecordChecks = Readonly<Record<string, RecordCheck>>;

type Collections = Map<string, Map<string, unknown>>;

export class Store {
  private collections: Collections = new Map();
  /** The collections as the state file holds them: what a failed save goes back to. */
  private durable: Collections = new Map();
  private readonly file: string | undefined;
  private readonly lock: Lock | undefined;
  /** The save that has not started yet; changes made before it starts are in it. */
  private queued: Promise<void> | undefined;
  /** The save now running (or finished); the next one waits for it. */
  private last: Promise<void> = Promise.resolve();
  /** Counts the undos: a save queued before one must not acknowledge changes it undid. */
  private undos = 0;
  private saves = 0;
  private changes = 0;
  /** The coalesced save that `saveLater` scheduled, with who hears of its failure. */
  private later:
    { timer: ReturnType<typeof setTimeout>; onError: (error: Error) => void } | undefined;
  /** Unique to this instance, so two emulators (or two stores in one process) never share a temp file. */
  private readonly tempTag = `${process.pid}.${randomBytes(6).toString("hex")}`;

  private constructor(file: string | undefined, lock: Lock | undefined) {
    this.file = file;
    this.lock = lock;
  }

  /**
   * A store in memory, or one loaded from `file` (empty when the file does not
   * exist yet). Refuses a file whose folder is missing, that another live
   * emulator holds, or that is not a state file whose records pass `checks`.
   */
  static async open(file?: string, checks: RecordChecks = {}): Promise<Store> {
    if (file === undefined) return new Store(undefined, undefined);
    await checkFolder(file);
    const lock = await acquireLock(file);
    const store = new Store(file, lock);
    try {
      await store.removeLeftovers(file);
      await store.load(file, checks);
    } catch (error) {
      await lock.release();
      throw error;
    }
    return store;
  }

  /** Goes up with every change to the records in memory: what a cache built from them compares. */
  get generation(): number {
    return this.changes;
  }

  get<T>(collection: string, key: string): T | undefined {
    return this.collections.get(collection)?.get(key) as T | undefined;
  }

  /** Records must be replaced, never changed in place: a failed save restores the old object. */
  set<T>(collection: string, key: string, value: T): void {
    let records = this.collections.get(collection);
    if (!records) this.collections.set(collection, (records = new Map()));
    records.set(key, value);
    this.changes++;
  }

  delete(collection: string, key: string): boolean {
    this.changes++;
    return this.collections.get(collection)?.delete(key) ?? false;
  }

  /** Every record of the state, as plain JSON (what the state file holds). */
  snapshot(): StateDocument {
    const collections: StateDocument["collections"] = {};
    for (const [name, records] of this.collections) collections[name] = Object.fromEntries(records);
    return { format: FORMAT, collections };
  }

  /**
   * Resolves once the state as it is now is in the state file; rejects when it
   * could not be written, after undoing the changes the file does not have.
   * Calls made while a save is waiting share it, so a burst of changes costs
   * one or two writes.
   */
  save(): Promise<void> {
    if (this.file === undefined) return Promise.resolve();
    if (!this.queued) {
      const file = this.file;
      const undos = this.undos;
      const queued = this.last.then(() => {
        if (this.queued === queued) this.queued = undefined;
        if (undos !== this.undos) {
          throw new Error("the change was undone because an earlier save failed");
        }
        return this.writeNow(file);
      });
      this.queued = queued;
      this.last = queued.catch(() => {});
    }
    return this.queued;
  }

  /**
   * For changes no request waits for (the times a zone was last read): saves
   * within `delayMs`, once for every call made meanwhile, and at `close()`. A
   * save made for a request before then carries these changes too. A failure
   * goes to `onError`.
   */
  saveLater(onError: (error: Error) => void, delayMs = 1000): void {
    if (this.file === undefined || this.later) return;
    const timer = setTimeout(() => this.flushLater(), delayMs);
    timer.unref();
    this.later = { timer, onError };
  }

  /** How many times the state file was written since the store opened. */
  get writes(): number {
    return this.saves;
  }

  private flushLater(): Promise<void> {
    const later = this.later;
    if (!later) return Promise.resolve();
    clearTimeout(later.timer);
    this.later = undefined;
    // A save already queued (not started) will hold these changes: no write of its own.
    return (this.queued ?? this.save()).catch(later.onError);
  }

  /** Resolves when no save is running or waiting. */
  settled(): Promise<void> {
    return this.last;
  }

  /** Waits for the last save, then lets another emulator take the state file. */
  async close(): Promise<void> {
    await this.flushLater();
    await this.settled();
    await this.lock?.release();
  }

  private async writeNow(file: string): Promise<void> {
    // This write holds every change made so far, those saveLater waits to write too.
    if (this.later) clearTimeout(this.later.timer);
    this.later = undefined;
    const written = copy(this.collections);
    const bytes = stateBytes(this.collections);
    // In the same folder, so the rename never crosses file systems.
    const temp = join(dirname(file), `.${basename(file)}.${this.tempTag}.${++this.saves}.tmp`);
    try {
      await writeFile(temp, bytes, { mode: 0o600 });
      await rename(temp, file);
      this.durable = written;
    } catch (error) {
      await rm(temp, { force: true, recursive: true }).catch(() => {});
      this.undo();
      throw error;
    }
  }

  /** Back to what the file holds; the save queued meanwhile (if any) will fail its requests. */
  private undo(): void {
    this.collections = copy(this.durable);
    this.changes++;
    this.undos++;
    this.queued = undefined;
  }

  /** Temp files of writes cut short by a kill; the lock says no one else is writing. */
  private async removeLeftovers(file: string): Promise<void> {
    const prefix = `.${basename(file)}.`;
    const folder = dirname(file);
    for (const name of await readdir(folder)) {
      if (name.startsWith(prefix) && name.endsWith(".tmp")) {
        await rm(join(folder, name), { force: true, recursive: true });
      }
    }
  }

  private async load(file: string, checks: RecordChecks): Promise<void> {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      if ((error as { code?: unknown }).code === "ENOENT") return;
      throw new Error(`the state file ${file} could not be read: ${(error as Error).message}`);
    }
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      // Refuse rather than start empty and overwrite someone's data on the first save.
      throw new Error(`the state file ${file} is not JSON; move it away to start afresh`);
    }
    const problem = documentProblem(document, checks);
    if (problem) {
      throw new Error(
        `the state file ${file} is not an emulator state file (format ${FORMAT}): ${problem}; move it away to start afresh`,
      );
    }
    for (const [name, records] of Object.entries((document as StateDocument).collections)) {
      this.collections.set(name, new Map(Object.entries(records)));
    }
    this.durable = copy(this.collections);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const shown = (value: unknown) =>
  value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;

/** What is wrong with a parsed state file, naming the collection and record; undefined when nothing is. */
function documentProblem(document: unknown, checks: RecordChecks): string | undefined {
  if (!isRecord(document)) return `the file holds ${shown(document)}, not an object`;
  if (document.format !== FORMAT) return `"format" must be ${FORMAT}`;
  if (!isRecord(document.collections)) {
    return `"collections" must be an object, not ${shown(document.collections)}`;
  }
  for (const [name, records] of Object.entries(document.collections)) {
    const check = Object.hasOwn(checks, name) ? checks[name] : undefined;
    if (!check) return `collection "${name}" is not one this emulator keeps`;
    if (!isRecord(records)) return `collection "${name}" must be an object, not ${shown(records)}`;
    for (const [key, record] of Object.entries(records)) {
      const wrong = check(record, key);
      if (wrong) return `record "${key}" of collection "${name}": ${wrong}`;
    }
  }
  return undefined;
}

/** The folder must exist: otherwise every save would fail after the emulator seemed to start well. */
async function checkFolder(file: string): Promise<void> {
  const folder = dirname(file);
  const info = await stat(folder).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new Error(`the folder of the state file ${file} does not exist: create ${folder} first`);
  }
}

/**
 * Each large record's JSON as the state file holds it (indented for its
 * depth, UTF-8), by the record object. Records are replaced, never changed in
 * place, so a record that did not change since the last save is not
 * serialised again: a save after a small change to a state holding a
 * 200k-record zone costs a write, not a JSON.stringify of the zone that would
 * hold up the event loop. Small records cost little to redo and are not kept.
 */
const recordBytes = new WeakMap<object, Buffer>();
const CACHED_BYTES = 64 * 1024;

function recordJson(value: unknown): string | Buffer {
  const cacheable = typeof value === "object" && value !== null;
  const known = cacheable ? recordBytes.get(value) : undefined;
  if (known) return known;
  // Three levels in: the document, "collections", the collection.
  const text = (JSON.stringify(value, null, 2) ?? "null").replaceAll("\n", "\n      ");
  if (!cacheable || text.length < CACHED_BYTES) return text;
  const bytes = Buffer.from(text, "utf8");
  recordBytes.set(value, bytes);
  return bytes;
}

/** The state file's bytes: what JSON.stringify(snapshot, null, 2) gives, one newline after. */
function stateBytes(collections: Collections): Buffer[] {
  const parts: (string | Buffer)[] = [`{\n  "format": ${FORMAT},\n  "collections": {`];
  let firstCollection = true;
  for (const [name, records] of collections) {
    parts.push(`${firstCollection ? "" : ","}\n    ${JSON.stringify(name)}: {`);
    firstCollection = false;
    let first = true;
    for (const [key, value] of records) {
      parts.push(`${first ? "" : ","}\n      ${JSON.stringify(key)}: `, recordJson(value));
      first = false;
    }
    parts.push(records.size > 0 ? "\n    }" : "}");
  }
  parts.push(collections.size > 0 ? "\n  }\n}\n" : "}\n}\n");
  // Runs of text become one buffer each; the cached ones are written as they are.
  const out: Buffer[] = [];
  let text = "";
  for (const part of parts) {
    if (typeof part === "string") text += part;
    else {
      out.push(Buffer.from(text, "utf8"), part);
      text = "";
    }
  }
  out.push(Buffer.from(text, "utf8"));
  return out;
}

function copy(collections: Collections): Collections {
  return new Map([...collections].map(([name, records]) => [name, new Map(records)]));
}
