/**
 * The state file: the state survives a restart, a crash mid-write loses nothing
 * that was acknowledged, and a file that is not ours is refused, not overwritten.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startEmulator } from "../../src/emulator/index.js";
import { builtFile } from "../cli/built.js";
import { OTHER_ZONE, outgoing, PEER_A, PEER_B, TOKEN, ZONE } from "./exchange.js";

let folder: string;
let stateFile: string;
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), "emulator-state-"));
  stateFile = join(folder, "state.json");
});
afterEach(() => rm(folder, { recursive: true, force: true }));

describe("stateFile", () => {
  it("keeps configurations and statuses across a restart", async () => {
    const first = await startEmulator({ stateFile });
    await outgoing(first.url, "POST", ZONE, "", {
      body: { name: "example.com.", peers: [PEER_A] },
    });
    await outgoing(first.url, "PUT", ZONE, "", { body: { name: "example.com.", peers: [PEER_B] } });
    await outgoing(first.url, "POST", ZONE, "/enable");
    await outgoing(first.url, "POST", OTHER_ZONE, "", {
      body: { name: "example.org.", peers: [] },
    });
    const zone = (await outgoing(first.url, "GET", ZONE)).body.result;
    const other = (await outgoing(first.url, "GET", OTHER_ZONE)).body.result;
    await first.close();

    const second = await startEmulator({ stateFile });
    try {
      expect((await outgoing(second.url, "GET", ZONE)).body.result).toEqual(zone);
      expect((await outgoing(second.url, "GET", ZONE, "/status")).body.result).toBe("Enabled");
      expect((await outgoing(second.url, "GET", OTHER_ZONE)).body.result).toEqual(other);
      expect((await outgoing(second.url, "GET", OTHER_ZONE, "/status")).body.result).toBe(
        "Disabled",
      );
      // A delete is kept too.
      await outgoing(second.url, "DELETE", OTHER_ZONE);
    } finally {
      await second.close();
    }
    const third = await startEmulator({ stateFile });
    expect((await outgoing(third.url, "GET", OTHER_ZONE)).status).toBe(404);
    await third.close();
  });

  it("writes plain JSON and leaves no temp file behind", async () => {
    const emulator = await startEmulator({ stateFile, seed: {} });
    const created = await outgoing(emulator.url, "POST", ZONE, "", {
      body: { name: "example.com.", peers: [] },
    });
    await emulator.close();
    const saved = JSON.parse(await readFile(stateFile, "utf8"));
    expect(saved).toEqual({
      format: 1,
      collections: { outgoing: { [ZONE]: { status: "Disabled", zone: created.body.result } } },
    });
    expect(await readdir(folder)).toEqual(["state.json"]);
  });

  it("starts empty when the file does not exist yet, and creates nothing until a change", async () => {
    const emulator = await startEmulator({ stateFile });
    expect((await outgoing(emulator.url, "GET", ZONE)).status).toBe(404);
    await emulator.close();
    expect(await readdir(folder)).toEqual([]);
  });

  it("ignores a temp file that a killed write left behind", async () => {
    const first = await startEmulator({ stateFile });
    await outgoing(first.url, "POST", ZONE, "", { body: { name: "example.com.", peers: [] } });
    await first.close();
    await writeFile(join(folder, ".state.json.999.1.tmp"), '{"format":1,"collections":{"outg');
    const second = await startEmulator({ stateFile });
    expect((await outgoing(second.url, "GET", ZONE)).status).toBe(200);
    await second.close();
  });

  it.each([
    ["not JSON", "{ torn", /not JSON/],
    ["someone else's JSON", '{"zones": []}', /not an emulator state file/],
  ])(
    "refuses a state file that is %s, and leaves it as it was",
    async (_case, content, message) => {
      await writeFile(stateFile, content);
      await expect(startEmulator({ stateFile })).rejects.toThrow(message);
      expect(await readFile(stateFile, "utf8")).toBe(content);
    },
  );

  it("loses no acknowledged update when the process is killed mid-write (SIGKILL)", async () => {
    // A child process creates a zone, then updates it as fast as it can, printing
    // each serial the emulator acknowledged. It is killed without warning while
    // updates (and so writes) are in flight.
    const emulatorModule = await builtFile("dist/src/emulator/index.js");
    const script = `
      const { startEmulator } = await import(${JSON.stringify(emulatorModule)});
      const emulator = await startEmulator({ stateFile: ${JSON.stringify(stateFile)} });
      const url = emulator.url + "/zones/${ZONE}/secondary_dns/outgoing";
      const headers = { ...${JSON.stringify(TOKEN)}, "content-type": "application/json" };
      await fetch(url, { method: "POST", headers, body: JSON.stringify({ name: "example.com.", peers: [] }) });
      const update = async (worker) => {
        for (let i = 0; ; i++) {
          const body = JSON.stringify({ name: "w" + worker + "-" + i + ".example.", peers: [] });
          const answer = await (await fetch(url, { method: "PUT", headers, body })).json();
          process.stdout.write(answer.result.soa_serial + "\\n");
        }
      };
      await Promise.all([update(1), update(2), update(3), update(4)]);
    `;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const acknowledged: number[] = [];
    let partial = "";
    await new Promise<void>((resolve, reject) => {
      child.on("error", reject);
      child.stdout.on("data", (chunk: Buffer) => {
        const lines = (partial + chunk.toString("utf8")).split("\n");
        partial = lines.pop() ?? ""; // a line cut off at the chunk's end
        for (const line of lines) acknowledged.push(Number(line));
        if (acknowledged.length >= 200) {
          child.kill("SIGKILL");
          resolve();
        }
      });
    });
    await new Promise((resolve) => child.once("close", resolve));
    expect(child.signalCode).toBe("SIGKILL");

    const restarted = await startEmulator({ stateFile });
    try {
      const { soa_serial } = (await outgoing(restarted.url, "GET", ZONE)).body.result;
      expect(soa_serial).toBeGreaterThanOrEqual(Math.max(...acknowledged));
    } finally {
      await restarted.close();
    }
  });
});
