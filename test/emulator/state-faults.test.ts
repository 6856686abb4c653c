/**
 * The state file under faults: a folder that does not exist, a save that fails
 * (memory goes back to what the file holds), two emulators on one file (the
 * second refuses while the first lives), leftovers of killed writes, and files
 * of the wrong shape (refused, naming the file, the record and what is wrong).
 */
import { spawn } from "node:child_process";
import { watch, type FSWatcher } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startEmulator } from "../../src/emulator/index.js";
import { Store } from "../../src/emulator/store.js";
import { builtFile } from "../cli/built.js";
import { querySoa } from "../../src/dns/index.js";
import { OTHER_ZONE, outgoing, PEER_A, PEER_B, ZONE, type Action } from "./exchange.js";

let folder: string;
let stateFile: string;
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), "emulator-faults-"));
  stateFile = join(folder, "state.json");
});
afterEach(() => rm(folder, { recursive: true, force: true }));

const zoneBody = (name: string, peers: string[] = []) => ({ body: { name, peers } });

describe("a state file in a folder that does not exist", () => {
  it("is refused at start, naming the file, and nothing is created", async () => {
    const missing = join(folder, "no-such-folder", "state.json");
    await expect(startEmulator({ stateFile: missing })).rejects.toThrow(
      `the folder of the state file ${missing} does not exist`,
    );
    expect(await readdir(folder)).toEqual([]);
  });
});

describe("a save that fails", () => {
  it("answers 500 and leaves memory as the file holds it; saves work again once it can", async () => {
    const warnings: string[] = []; // expected here: captured, not printed
    const emulator = await startEmulator({ stateFile, onWarning: (w) => warnings.push(w) });
    try {
      const created = await outgoing(emulator.url, "POST", ZONE, "", zoneBody("example.com."));
      expect(created.status).toBe(200);
      // A folder where the state file was: root can write anywhere, but no one can
      // rename a file over a folder.
      await rm(stateFile);
      await mkdir(stateFile);
      const answers = await Promise.all([
        outgoing(emulator.url, "PUT", ZONE, "", zoneBody("changed.example.", [PEER_A])),
        outgoing(emulator.url, "POST", OTHER_ZONE, "", zoneBody("example.org.")),
        outgoing(emulator.url, "POST", ZONE, "/enable"),
        outgoing(emulator.url, "DELETE", ZONE),
      ]);
      expect(answers.map((a) => a.status)).toEqual([500, 500, 500, 500]);
      expect(warnings.join("\n")).toContain("EISDIR");
      expect((await outgoing(emulator.url, "GET", ZONE)).body.result).toEqual(created.body.result);
      expect((await outgoing(emulator.url, "GET", ZONE, "/status")).body.result).toBe("Disabled");
      expect((await outgoing(emulator.url, "GET", OTHER_ZONE)).status).toBe(404);

      await rm(stateFile, { recursive: true });
      const other = await outgoing(emulator.url, "POST", OTHER_ZONE, "", zoneBody("example.org."));
      expect(other.status).toBe(200);
      const saved = JSON.parse(await readFile(stateFile, "utf8"));
      expect(Object.keys(saved.collections.outgoing).sort()).toEqual([ZONE, OTHER_ZONE].sort());
      expect(saved.collections.outgoing[ZONE].zone).toEqual(created.body.result);
    } finally {
      await emulator.close();
    }
    expect((await readdir(folder)).sort()).toEqual(["state.json"]);
  });
});

describe("two emulators on one state file", () => {
  it("the second refuses to start while the first runs in this process, and starts after", async () => {
    const first = await startEmulator({ stateFile });
    await expect(startEmulator({ stateFile })).rejects.toThrow(
      `the state file ${stateFile} is in use by another emulator in this process`,
    );
    await outgoing(first.url, "POST", ZONE, "", zoneBody("example.com."));
    await first.close();
    const second = await startEmulator({ stateFile });
    expect((await outgoing(second.url, "GET", ZONE)).status).toBe(200);
    await second.close();
  });

  it("the second refuses while another process holds the file, and takes over once it is killed", async () => {
    const emulatorModule = await builtFile("dist/src/emulator/index.js");
    const script = `
      const { startEmulator } = await import(${JSON.stringify(emulatorModule)});
      await startEmulator({ stateFile: ${JSON.stringify(stateFile)} });
      process.stdout.write("ready\\n");
      setTimeout(() => process.exit(0), 20_000); // never outlives the test by much
    `;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        child.on("error", reject);
        child.on("exit", () => reject(new Error("the child emulator stopped early")));
        child.stdout.on("data", (chunk: Buffer) => {
          if (chunk.toString("utf8").includes("ready")) resolve();
        });
      });
      await expect(startEmulator({ stateFile })).rejects.toThrow(
        `is in use by process ${child.pid}`,
      );
    } finally {
      child.kill("SIGKILL");
    }
    await new Promise((resolve) => child.once("close", resolve));
    expect(await readdir(folder)).toContain("state.json.lock"); // left by the kill
    const taken = await startEmulator({ stateFile });
    await outgoing(taken.url, "POST", ZONE, "", zoneBody("example.com."));
    await taken.close();
    expect(await readdir(folder)).toEqual(["state.json"]);
  });

  it("a lock whose process is alive is honoured, whatever else it says", async () => {
    // pid 1 always lives; the lock is someone else's.
    await writeFile(`${stateFile}.lock`, "1 0123456789abcdef\n");
    await expect(startEmulator({ stateFile })).rejects.toThrow(/in use by process 1;.*delete/);
    expect(await readFile(`${stateFile}.lock`, "utf8")).toBe("1 0123456789abcdef\n");
  });

  it.each([
    ["a dead process", async () => `${await deadPid()} 0123456789abcdef\n`],
    ["nothing readable", async () => "garbage"],
  ])("a lock of %s is taken over", async (_case, content) => {
    await writeFile(`${stateFile}.lock`, await content());
    const emulator = await startEmulator({ stateFile });
    expect(await readFile(`${stateFile}.lock`, "utf8")).toMatch(
      new RegExp(`^${process.pid} [0-9a-f]{16}\\n$`),
    );
    await emulator.close();
    expect(await readdir(folder)).toEqual([]);
  });
});

describe("temp files", () => {
  it("are named per emulator instance, so two never write the same one", async () => {
    const seen = new Set<string>();
    const watcher = watch(folder, (_event, name) => {
      if (name?.endsWith(".tmp")) seen.add(name);
    });
    try {
      for (const name of ["one.example.", "two.example."]) {
        const emulator = await startEmulator({ stateFile });
        await outgoing(emulator.url, "PUT", ZONE, "", zoneBody(name)); // 404, no write
        await outgoing(emulator.url, "POST", OTHER_ZONE, "", zoneBody(name));
        await outgoing(emulator.url, "DELETE", OTHER_ZONE);
        await emulator.close();
      }
      await new Promise((resolve) => setTimeout(resolve, 50)); // the last events come in
    } finally {
      watcher.close();
    }
    // .state.json.<pid>.<instance tag>.<save number>.tmp
    const tags = new Set([...seen].map((name) => name.split(".")[4]));
    expect(seen.size).toBe(4);
    expect(tags.size).toBe(2);
  });
});

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.once("close", resolve));
  return child.pid as number;
}

describe("leftovers of killed writes", () => {
  it("are removed at start; other files are left alone", async () => {
    await writeFile(join(folder, ".state.json.999.1.tmp"), '{"format":1,"collections":{"outg');
    await writeFile(join(folder, ".state.json.4242.abcdef012345.7.tmp"), "");
    await writeFile(join(folder, ".other.json.1.1.tmp"), "not ours");
    const emulator = await startEmulator({ stateFile });
    expect((await readdir(folder)).sort()).toEqual([".other.json.1.1.tmp", "state.json.lock"]);
    await emulator.close();
  });
});

describe("a state file of the wrong shape", () => {
  const zone = {
    id: "0123456789abcdef0123456789abcdef",
    name: "example.com.",
    peers: [PEER_A, PEER_B],
    soa_serial: 2024010100,
    checked_time: "2024-01-01T00:00:00Z",
    created_time: "2024-01-01T00:00:00Z",
    last_transferred_time: "2024-01-01T00:00:00Z",
  };
  const state = (collections: unknown) => JSON.stringify({ format: 1, collections });

  it.each<[string, string, string]>([
    ["an array", "[]", "the file holds an array, not an object"],
    ["collections: null", state(null), `"collections" must be an object, not null`],
    ["another format", JSON.stringify({ format: 2, collections: {} }), `"format" must be 1`],
    ["an unknown collection", state({ zones: {} }), `collection "zones" is not one`],
    [
      "a collection that is a list",
      state({ outgoing: [] }),
      `collection "outgoing" must be an object`,
    ],
    [
      "a record that is a number",
      state({ outgoing: { [ZONE]: 42 } }),
      `record "${ZONE}" of collection "outgoing": must be an object`,
    ],
    [
      "a record without a status",
      state({ outgoing: { [ZONE]: { zone } } }),
      `record "${ZONE}" of collection "outgoing": status must be "Enabled" or "Disabled"`,
    ],
    [
      "a zone whose serial is a string",
      state({ outgoing: { [ZONE]: { status: "Enabled", zone: { ...zone, soa_serial: "1" } } } }),
      `record "${ZONE}" of collection "outgoing": zone.soa_serial must be integer`,
    ],
    [
      "a zone with a peer that is no id",
      state({ outgoing: { [ZONE]: { status: "Enabled", zone: { ...zone, peers: ["x"] } } } }),
      `record "${ZONE}" of collection "outgoing": zone.peers`,
    ],
  ])("%s: refused, naming the file, the record and what is wrong", async (_case, text, problem) => {
    await writeFile(stateFile, text);
    const start = startEmulator({ stateFile });
    await expect(start).rejects.toThrow(
      `the state file ${stateFile} is not an emulator state file`,
    );
    await expect(start).rejects.toThrow(problem);
    expect(await readFile(stateFile, "utf8")).toBe(text);
    expect(await readdir(folder)).toEqual(["state.json"]); // and the lock was let go
  });

  it("a file the emulator wrote is accepted", async () => {
    const text = state({ outgoing: { [ZONE]: { status: "Enabled", zone } } });
    await writeFile(stateFile, text);
    const emulator = await startEmulator({ stateFile });
    expect((await outgoing(emulator.url, "GET", ZONE)).body.result).toEqual(zone);
    await emulator.close();
  });
});

describe("every save replaces the state file", () => {
  it("by a new file renamed over it (a new inode each time), never by writing into it", async () => {
    // A write in place can be torn by a kill; a rename cannot. The inode tells them
    // apart on every save, where a kill -9 test catches a torn write only now and then.
    const emulator = await startEmulator({ stateFile, seed: {} });
    try {
      const changes: [string, string, Action, ReturnType<typeof zoneBody>?][] = [
        ["POST", ZONE, "", zoneBody("example.com.")],
        ["PUT", ZONE, "", zoneBody("changed.example.")],
        ["POST", ZONE, "/enable"],
        ["POST", OTHER_ZONE, "", zoneBody("example.org.")],
        ["POST", ZONE, "/disable"],
        ["DELETE", OTHER_ZONE, ""],
      ];
      let inode = -1;
      for (const [method, zone, action, body] of changes) {
        expect((await outgoing(emulator.url, method, zone, action, body)).status).toBe(200);
        const now = (await stat(stateFile)).ino;
        expect(now, `${method} ${action} wrote the state file in place`).not.toBe(inode);
        inode = now;
        JSON.parse(await readFile(stateFile, "utf8"));
      }
    } finally {
      await emulator.close();
    }
  });
});

describe("the state file's text", () => {
  it("is JSON.stringify(state, null, 2) after every save, a large record kept from one save to the next", async () => {
    const store = await Store.open(stateFile, { a: () => undefined, b: () => undefined });
    const text = async () => readFile(stateFile, "utf8");
    const expected = () => `${JSON.stringify(store.snapshot(), null, 2)}\n`;
    try {
      await store.save();
      expect(await text()).toBe(expected());
      const big = {
        records: Array.from({ length: 5000 }, (_, i) => ({ name: `h${i}.\u00e9`, i })),
      };
      store.set("a", "big", big);
      store.set("a", "small", { line: "a\nb", empty: {}, none: [] });
      store.set("b", "n", 5);
      await store.save();
      expect(await text()).toBe(expected());
      store.set("a", "small", { changed: true });
      store.delete("b", "n");
      await store.save();
      expect(await text()).toBe(expected());
    } finally {
      await store.close();
    }
  });
});

describe("saveLater (changes no request waits for)", () => {
  it("writes once for many calls, rides along with a request's save, and is written at close", async () => {
    const store = await Store.open(stateFile, { a: () => undefined });
    const saved = async () => JSON.parse(await readFile(stateFile, "utf8")).collections.a;
    const failures: Error[] = [];
    try {
      for (let i = 0; i < 100; i++) {
        store.set("a", "read", i);
        store.saveLater((e) => failures.push(e), 200);
      }
      expect(store.writes).toBe(0); // nothing yet: a read costs no write
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(store.writes).toBe(1);
      expect(await saved()).toEqual({ read: 99 });

      // A request's save carries the pending change; no second write follows for it.
      store.set("a", "read", 100);
      store.saveLater((e) => failures.push(e), 200);
      store.set("a", "request", true);
      await store.save();
      expect(store.writes).toBe(2);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(store.writes).toBe(2);
      expect(await saved()).toEqual({ read: 100, request: true });

      // Pending at close: written then.
      store.set("a", "read", 101);
      store.saveLater((e) => failures.push(e), 60_000);
    } finally {
      await store.close();
    }
    expect(store.writes).toBe(3);
    expect(await saved()).toEqual({ read: 101, request: true });
    expect(failures).toEqual([]);
  });
});

describe("reads of a zone (SOA queries)", () => {
  it("do not rewrite the state file each time: their times are written coalesced, and at close", async () => {
    const emulator = await startEmulator({ stateFile, seed: {}, dnsPort: 0 });
    const written = new Set<string>();
    let watcher: FSWatcher | undefined;
    try {
      await outgoing(emulator.url, "POST", ZONE, "", zoneBody("reads.example."));
      await outgoing(emulator.url, "POST", ZONE, "/enable");
      watcher = watch(folder, (_event, name) => {
        if (name?.endsWith(".tmp")) written.add(name);
      });
      const queries = 300;
      const started = Date.now();
      for (let i = 0; i < queries; i++) {
        const answer = await querySoa({
          host: "127.0.0.1",
          port: emulator.dns!.port,
          zone: "reads.example",
        });
        expect(answer.status).toBe("answer");
      }
      await new Promise((resolve) => setTimeout(resolve, 50)); // the last events come in
      // About one write a second at most, however long a loaded machine takes for the
      // queries (one write per query or so before; 300 take well under a second here).
      const seconds = Math.ceil((Date.now() - started) / 1000);
      expect(written.size).toBeLessThanOrEqual(seconds + 1);
      const checked = (await outgoing(emulator.url, "GET", ZONE)).body.result.checked_time;
      await emulator.close();
      const saved = JSON.parse(await readFile(stateFile, "utf8"));
      expect(saved.collections.outgoing[ZONE].zone.checked_time).toBe(checked);
    } finally {
      watcher?.close();
      await emulator.close();
    }
  });
});
