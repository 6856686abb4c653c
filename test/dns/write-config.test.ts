/**
 * `outgoing setup --write-config DIR` against the emulator, with no --primary
 * (the emulator names its DNS address): Knot, NSD and BIND 9 are each started
 * with the file setup wrote, as written (`knotd -c`, `nsd -d -c`, `named -g -c`),
 * get the zone by a signed AXFR, follow a NOTIFY to the next serial, and doctor
 * finds them in sync. BIND is a real secondary here as Knot and NSD are.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { minimalZone, querySoa } from "../../src/dns/index.js";
import { udpExchange } from "../../src/dns/exchange.js";
import { signMessage, TsigKey } from "../../src/dns/tsig.js";
import { FLAG, OPCODE, packet, readHeader } from "../../src/dns/wire.js";
import { createSecondaryDnsClient } from "../../src/index.js";
import { cli } from "../cli/run.js";
import { freePort, stopChild, waitFor } from "./servers.js";

const CI = process.env.CI === "true";
const ACCOUNT = "0123456789abcdef0123456789abcdef";
const ZONE = "written.test";

const SERVERS = [
  { kind: "knot", binary: "/usr/sbin/knotd", version: "-V", file: "knot/knot.conf", run: ["-c"] },
  { kind: "nsd", binary: "/usr/sbin/nsd", version: "-v", file: "nsd/nsd.conf", run: ["-d", "-c"] },
  {
    kind: "bind",
    binary: "/usr/sbin/named",
    version: "-v",
    file: "bind/named.conf",
    run: ["-g", "-c"],
  },
] as const;

/** The rcode a NOTIFY for the zone gets from 127.0.0.1 (the primary's own address), signed or not. */
async function notifyRcode(port: number, key?: TsigKey): Promise<number | undefined> {
  let message = packet.encode({
    id: 4321,
    type: "query",
    flags: (OPCODE.NOTIFY << 11) | FLAG.AA,
    questions: [{ name: ZONE, type: "SOA", class: "IN" }],
  });
  if (key) ({ message } = signMessage(message, key, { kind: "request" }));
  const outcome = await udpExchange({ host: "127.0.0.1", port, message, timeoutMs: 2000 });
  return outcome.ok ? readHeader(outcome.response).rcode : undefined;
}

async function serialAt(port: number): Promise<number | undefined> {
  const answer = await querySoa({ host: "127.0.0.1", port, zone: ZONE, timeoutMs: 500 });
  return answer.status === "answer" ? answer.serial : undefined;
}

let zones = 0;
for (const server of SERVERS) {
  const present =
    spawnSync(server.binary, [server.version], { stdio: "ignore", timeout: 5000 }).status === 0;
  if (!present && !CI) console.warn(`[dns] ${server.binary} is not installed: skipped`);

  describe.skipIf(!present && !CI)(
    `${server.kind} from the files setup --write-config wrote`,
    () => {
      let emulator: Emulator;
      let dir: string;
      let child: ChildProcess | undefined;
      let output = "";
      const zoneId = (++zones).toString(16).padStart(32, "e");
      const env = () => ({
        CLOUDFLARE_BASE_URL: emulator.url,
        CLOUDFLARE_API_TOKEN: "test-token",
        CLOUDFLARE_ACCOUNT_ID: ACCOUNT,
      });

      beforeAll(async () => {
        expect(present, `${server.binary} must be installed when CI=true`).toBe(true);
        emulator = await startEmulator({ dnsPort: 0, seed: {} });
        dir = mkdtempSync(join(tmpdir(), `write-config-${server.kind}-`));
      });
      afterAll(async () => {
        if (child) await stopChild(child);
        await emulator?.close();
        rmSync(dir, { recursive: true, force: true });
      });

      it("runs as written, gets the zone signed, follows NOTIFY, and doctor finds it in sync", async () => {
        const port = await freePort();
        const args = ["outgoing", "setup", zoneId, "--name", `${ZONE}.`, "--peer-ip", "127.0.0.1"];
        const setup = await cli(
          [...args, "--peer-port", String(port), "--write-config", dir],
          env(),
        );
        expect(setup.code, setup.stderr).toBe(0);
        const file = join(dir, server.file);
        expect(setup.stdout).toContain(
          `  ${[server.binary.split("/").pop(), ...server.run, file].join(" ")}`,
        );
        expect(statSync(file).mode & 0o077).toBe(0);
        const text = readFileSync(file, "utf8");
        expect(text).toContain(`${emulator.dns!.port}`);

        child = spawn(server.binary, [...server.run, file], { stdio: ["ignore", "pipe", "pipe"] });
        child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
        child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
        const log = () => `${output}\n${text}`;
        const first = await waitFor("the first transfer", () => serialAt(port), 15_000, log);
        expect(emulator.events().find((e) => e.type === "transfer")).toMatchObject({
          zoneId,
          tsig: `cloudflare-transfer.${ZONE}.`,
        });

        const serial = await emulator.setRecords(zoneId, [
          ...minimalZone(ZONE, first),
          { name: `www.${ZONE}`, ttl: 300, type: "A", data: "192.0.2.80" },
        ]);
        await waitFor(
          `serial ${serial} after NOTIFY`,
          async () => ((await serialAt(port)) === serial ? true : undefined),
          10_000,
          log,
        );
        // The key is the gate: from the allowed address, unsigned is refused, signed is taken.
        // (BIND takes NOTIFY from a zone's primaries whatever allow-notify says.)
        const client = createSecondaryDnsClient({
          apiToken: "t",
          baseUrl: emulator.url,
          accountId: ACCOUNT,
        });
        const tsig = (await client.tsigs.list()).find(
          (t) => t.name === `cloudflare-transfer.${ZONE}.`,
        )!;
        const key = new TsigKey({ name: tsig.name, algorithm: tsig.algo, secret: tsig.secret });
        expect(await notifyRcode(port, key), log()).toBe(0);
        if (server.kind !== "bind") expect([5, 9]).toContain(await notifyRcode(port));
        const doctor = await cli(
          ["outgoing", "doctor", zoneId, "--json", "--timeout", "1000"],
          env(),
        );
        expect(doctor.code, doctor.stdout + doctor.stderr).toBe(0);
        expect(JSON.parse(doctor.stdout).peers[0]).toMatchObject({ state: "in-sync", serial });
      });
    },
  );
}
