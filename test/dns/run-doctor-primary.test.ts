/**
 * runDoctor's `primary` as text, the way `--primary` takes it ("host:port"): the
 * library parses it instead of failing with a TypeError at run time, and text that
 * is not an address rejects with a RangeError before any query. On 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSecondaryDnsClient, type SecondaryDnsClient } from "../../src/index.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { runDoctor } from "../../src/dns/index.js";

const ZONE = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
let emulator: Emulator;
let client: SecondaryDnsClient;
beforeAll(async () => {
  emulator = await startEmulator({ dnsPort: 0, seed: {} });
  client = createSecondaryDnsClient({ baseUrl: emulator.url, apiToken: "t" });
  await client.outgoing.create(ZONE, { name: "doctor-primary.test.", peers: [] });
  await client.outgoing.enable(ZONE);
});
afterAll(() => emulator.close());

describe("runDoctor({ primary })", () => {
  it('takes "host:port" and asks that address', async () => {
    const report = await runDoctor(client, ZONE, {
      primary: `127.0.0.1:${emulator.dns!.port}`,
      timeoutMs: 2000,
    });
    expect(report.primary).toMatchObject({
      target: `127.0.0.1:${emulator.dns!.port}`,
      state: "answered",
      serial: (await client.outgoing.get(ZONE)).soa_serial,
    });
  });

  it("takes { host, port } as before", async () => {
    const report = await runDoctor(client, ZONE, {
      primary: { host: "127.0.0.1", port: emulator.dns!.port },
      timeoutMs: 2000,
    });
    expect(report.primary.state).toBe("answered");
  });

  it("rejects text that is not an address with a RangeError naming it", async () => {
    await expect(runDoctor(client, ZONE, { primary: "primary.example:53" })).rejects.toThrow(
      new RangeError(
        '"primary.example:53" is not an IP address with an optional port (host:port, [v6]:port)',
      ),
    );
  });
});
