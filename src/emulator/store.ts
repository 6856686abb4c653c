/**
 * The emulator's state: named collections of JSON records (one collection per
 * resource, keyed by zone id), optionally kept in a state file.
 *
 * Concurrency: handlers read and change records synchronously, so on Node's
 * single thread every request's read-modify-write is whole; nothing can
 * interleave with it. Only the saving is asynchronous, and it is serialised.
 *
 * Durability: each save writes a temp file and renames it over the state file.
 * A rename is atomic, so a process killed at any moment leaves either the old or
 * the new file, never a torn one. A request is answered only after a save that
 * includes its change has finished. There is no fsync: what the emulator guards
 * against is its own process dying (the kernel keeps what was written), not
 * power loss, and an fsync per save would halve its throughput.
 */
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

const FORMAT = 1;

interface StateDocument {
  format: number;
  collections: Record<string, Record<string, unknown>>;
}

export class Store {
  private readonly collections = new Map<string, Map<string, unknown>>();
  private readonly file: string | undefined;
  /** The save that has not started yet; changes made before it starts are in it. */
  private queued: Promise<void> | undefined;
  /** The save now running (or finished); the next one waits for it. */
  private last: Promise<void> = Promise.resolve();
  private saves = 0;

  private constructor(file: string | undefined) {
    this.file = file;
  }

  /** A store in memory, or one loaded from `file` (empty when the file does not exist yet). */
  static async open(file?: string): Promise<Store> {
    const store = new Store(file);
    if (file !== undefined) await store.load(file);
    return store;
  }

  get<T>(collection: string, key: string): T | undefined {
    return this.collections.get(collection)?.get(key) as T | undefined;
  }

  set<T>(collection: string, key: string, value: T): void {
    let records = this.collections.get(collection);
    if (!records) this.collections.set(collection, (records = new Map()));
    records.set(key, value);
  }

  delete(collection: string, key: string): boolean {
    return this.collections.get(collection)?.delete(key) ?? false;
  }

  /** Every record of the state, as plain JSON (what the state file holds). */
  snapshot(): StateDocument {
    const collections: StateDocument["collections"] = {};
    for (const [name, records] of this.collections) collections[name] = Object.fromEntries(records);
    return { format: FORMAT, collections };
  }

  /**
   * Resolves once the state as it is now is in the state file. Calls made while a
   * save is waiting share it, so a burst of changes costs one or two writes.
   */
  save(): Promise<void> {
    if (this.file === undefined) return Promise.resolve();
    if (!this.queued) {
      const file = this.file;
      const queued = this.last.then(() => {
        this.queued = undefined;
        return this.writeNow(file);
      });
      this.queued = queued;
      this.last = queued.catch(() => {});
    }
    return this.queued;
  }

  /** Resolves when no save is running or waiting. */
  settled(): Promise<void> {
    return this.last;
  }

  private async writeNow(file: string): Promise<void> {
    const text = `${JSON.stringify(this.snapshot(), null, 2)}\n`;
    // In the same folder, so the rename never crosses file systems.
    const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${++this.saves}.tmp`);
    try {
      await writeFile(temp, text, { encoding: "utf8", mode: 0o600 });
      await rename(temp, file);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  private async load(file: string): Promise<void> {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      if ((error as { code?: unknown }).code === "ENOENT") return;
      throw error;
    }
    let document: StateDocument;
    try {
      document = JSON.parse(text) as StateDocument;
    } catch {
      // Refuse rather than start empty and overwrite someone's data on the first save.
      throw new Error(`the state file ${file} is not JSON; move it away to start afresh`);
    }
    if (document?.format !== FORMAT || typeof document.collections !== "object") {
      throw new Error(`the state file ${file} is not an emulator state file (format ${FORMAT})`);
    }
    for (const [name, records] of Object.entries(document.collections)) {
      this.collections.set(name, new Map(Object.entries(records)));
    }
  }
}
