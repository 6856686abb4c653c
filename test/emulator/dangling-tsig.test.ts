// A peer whose tsig_id names a TSIG that is gone (a state file edited by hand)
// must stay closed: an unsigned AXFR from its address is refused NOTAUTH with an
// event that names the missing TSIG, never served unsigned (issue 17, fails closed).
import { Socket } from "node:net";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createSecondaryDnsClient } from "../../src/index.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { packet } from "../../src/dns/wire.js";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const ZONE_ID = "fedcba9876543210fedcba9876543210";
const SECRET = Buffer.from("dangling-tsig-test-secret-000001").toString("base64");

let emulator: Emulator | undefined;
let folder: string | undefined;
afterEach(async () => {
  await emulator?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
  emulator = folder = undefined;
});

/** The first answer to an unsigned AXFR over TCP (within 5 s). */
function unsignedAxfr(port: number): Promise<packet.Packet> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error("no answer"));
    }, 5000);
    socket.on("error", reject);
    socket.on("data", (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 2 || buffered.length < 2 + buffered.readUInt16BE(0)) return;
      clearTimeout(timer);
      socket.destroy();
      resolve(packet.decode(buffered.subarray(2, 2 + buffered.readUInt16BE(0))));
    });
    const query = packet.streamEncode({
      id: 7,
      type: "query",
      questions: [{ name: "dangling.test", type: "AXFR", class: "IN" }],
    });
    socket.connect(port, "127.0.0.1", () => socket.write(query));
  });
}

describe("a peer whose TSIG no longer exists", () => {
  it("is refused NOTAUTH for an unsigned AXFR, with an event naming the missing TSIG", async () => {
    folder = await mkdtemp(join(tmpdir(), "dangling-tsig-"));
    const stateFile = join(folder, "state.json");
    emulator = await startEmulator({ seed: {}, stateFile });
    const client = createSecondaryDnsClient({
      baseUrl: emulator.url,
      apiToken: "test-token",
      accountId: ACCOUNT,
    });
    const tsig = await client.tsigs.create({ name: "gone.", algo: "hmac-sha256.", secret: SECRET });
    const peer = await client.peers.create({ name: "p", ip: "127.0.0.1", tsig_id: tsig.id });
    await client.outgoing.create(ZONE_ID, { name: "dangling.test.", peers: [peer.id] });
    await client.outgoing.enable(ZONE_ID);
    await emulator.close();
    emulator = undefined;

    // The hand edit: the TSIG disappears, the peer still names it.
    const state = JSON.parse(await readFile(stateFile, "utf8"));
    expect(JSON.stringify(state.collections.tsigs)).toContain(tsig.id);
    state.collections.tsigs = {};
    await writeFile(stateFile, JSON.stringify(state));

    emulator = await startEmulator({ seed: {}, stateFile, dnsPort: 0 });
    const answer = await unsignedAxfr(emulator.dns!.port);
    expect((answer as { rcode?: string }).rcode).toBe("NOTAUTH");
    expect(answer.answers ?? []).toHaveLength(0);
    const refused = emulator.events().find((e) => e.type === "refused" && e.qtype === "AXFR");
    expect(refused).toMatchObject({ rcode: 9 });
    expect((refused as { reason: string }).reason).toContain(`TSIG ${tsig.id} does not exist`);
    expect(emulator.events().some((e) => e.type === "transfer")).toBe(false);
  });
});
