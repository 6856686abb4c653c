/**
 * The emulator's DNS settings of zones and accounts over HTTP: Cloudflare's
 * defaults (the spec's examples show the same), PATCH merging, the spec's
 * ranges; and multi_provider on what the emulator's DNS primary transfers,
 * read by kdig's signed AXFR (under CI=true a missing kdig fails).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { createSecondaryDnsClient } from "../../src/index.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { DEFAULT_SETTINGS } from "../../src/emulator/handlers/dns-settings.js";
import { operations } from "../support/spec.js";
import { exchange, onlyError, ZONE } from "./exchange.js";

const ACCOUNT = "01a7362d577a6c3019a474fd6f485823";
const ZONE_SETTINGS = `/zones/${ZONE}/dns_settings`;
const ACCOUNT_SETTINGS = `/accounts/${ACCOUNT}/dns_settings`;

let emulator: Emulator | undefined;
let folder: string | undefined;
afterEach(async () => {
  await emulator?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
  emulator = folder = undefined;
});

async function started(options = {}) {
  emulator = await startEmulator(options);
  return emulator;
}

const send = (method: string, path: string, body?: unknown) =>
  exchange(emulator!.url, method, path, body === undefined ? {} : { body });

/** The result of the first example of an operation's 200. */
function exampleResult(operationId: string): unknown {
  const op = operations().find((o) => o.operationId === operationId)!;
  const examples = (op.operation as any).responses["200"].content["application/json"].examples;
  return (Object.values(examples)[0] as { value: { result: unknown } }).value.result;
}

describe("DNS settings over HTTP", () => {
  it("answers Cloudflare's defaults for a zone and an account never changed, as the spec's examples show them", async () => {
    await started();
    expect((await send("GET", ZONE_SETTINGS)).body.result).toEqual(DEFAULT_SETTINGS);
    expect(exampleResult("dns-settings-for-a-zone-list-dns-settings")).toEqual(DEFAULT_SETTINGS);
    const account = (await send("GET", ACCOUNT_SETTINGS)).body.result;
    expect(account).toEqual({ zone_defaults: DEFAULT_SETTINGS });
    expect(exampleResult("dns-settings-for-an-account-list-dns-settings")).toEqual(account);
  });

  it("merges each PATCH into what is there, the SOA field by field, and keeps it", async () => {
    await started();
    await send("PATCH", ZONE_SETTINGS, { multi_provider: true, ns_ttl: 3600 });
    const after = await send("PATCH", ZONE_SETTINGS, {
      soa: { ttl: 1800, mname: "ns1.example.com." },
      nameservers: { type: "custom.account", ns_set: 2 },
    });
    const expected = {
      ...DEFAULT_SETTINGS,
      multi_provider: true,
      ns_ttl: 3600,
      nameservers: { type: "custom.account", ns_set: 2 },
      soa: { ...DEFAULT_SETTINGS.soa, ttl: 1800, mname: "ns1.example.com." },
    };
    expect(after.body.result).toEqual(expected);
    expect((await send("GET", ZONE_SETTINGS)).body.result).toEqual(expected);
    // Another zone is untouched.
    const other = "/zones/9a7806061c88ada191ed06f989cc3dac/dns_settings";
    expect((await send("GET", other)).body.result).toEqual(DEFAULT_SETTINGS);

    await send("PATCH", ACCOUNT_SETTINGS, { zone_defaults: { multi_provider: true } });
    const account = await send("PATCH", ACCOUNT_SETTINGS, {
      zone_defaults: { soa: { retry: 600 } },
    });
    expect(account.body.result.zone_defaults).toEqual({
      ...DEFAULT_SETTINGS,
      multi_provider: true,
      soa: { ...DEFAULT_SETTINGS.soa, retry: 600 },
    });
  });

  it.each([
    [{ ns_ttl: 29 }, "/ns_ttl"],
    [{ ns_ttl: 86401 }, "/ns_ttl"],
    [{ ns_ttl: 300.5 }, "/ns_ttl"],
    [{ multi_provider: "yes" }, "/multi_provider"],
    [{ soa: { expire: 3600 } }, "/soa/expire"],
    [{ soa: { retry: 7200 } }, "/soa/retry"],
    [{ zone_mode: "cdn" }, "/zone_mode"],
    [{ nameservers: { type: "custom" } }, "/nameservers"],
    [{ multi_provder: true }, ""],
  ])("refuses %j (400, naming %s) and changes nothing", async (body, pointer) => {
    await started();
    const answer = await send("PATCH", ZONE_SETTINGS, body);
    expect(answer.status).toBe(400);
    expect(onlyError(answer)).toMatchObject({ code: 1004 });
    expect(onlyError(answer).source?.pointer ?? "").toContain(pointer);
    expect((await send("GET", ZONE_SETTINGS)).body.result).toEqual(DEFAULT_SETTINGS);
  });

  it("refuses an account's nameservers type only a zone takes", async () => {
    await started();
    const body = { zone_defaults: { nameservers: { type: "custom.zone" } } };
    expect((await send("PATCH", ACCOUNT_SETTINGS, body)).status).toBe(400);
  });
});

const KDIG = "/usr/bin/kdig";
const haveKdig = existsSync(KDIG);
const CI = process.env.CI === "true";
const SECRET = Buffer.from("dns-settings-test-secret-000001!").toString("base64");
const NAME = "multi.test";
const OTHER_NS = "ns1.other-provider.example.";
const CLOUDFLARE_NS = "kristina.ns.cloudflare.com.";

/** The apex NS targets and the serial of a signed AXFR of the zone, as kdig reads them. */
async function transferred(port: number): Promise<{ ns: string[]; serial: number }> {
  const key = `hmac-sha256:transfer-key.:${SECRET}`;
  const args = ["@127.0.0.1", "-p", String(port), "-y", key, "+noall", "+answer", "AXFR", NAME];
  const { stdout } = await promisify(execFile)(KDIG, args, { timeout: 10_000 });
  const lines = stdout.split("\n").map((line) => line.trim().split(/\s+/));
  const ns = lines.filter((f) => f[0] === `${NAME}.` && f[3] === "NS").map((f) => f[4]!);
  const soa = lines.find((f) => f[3] === "SOA")!;
  return { ns: ns.sort(), serial: Number(soa[6]) };
}

describe.skipIf(!haveKdig && !CI)("multi_provider and outgoing transfers", () => {
  async function zoneWithFile(apexNs: string[]) {
    folder = await mkdtemp(join(tmpdir(), "emulator-dns-settings-"));
    const file = join(folder, "zone.txt");
    const ns = apexNs.map((target) => `@ NS ${target}`).join("\n");
    await writeFile(
      file,
      `$TTL 300\n@ SOA ns1 hostmaster 7 3600 600 86400 300\n${ns}\nwww A 192.0.2.1\n`,
    );
    const started = await startEmulator({ dnsPort: 0, seed: {}, zoneFiles: { [ZONE]: file } });
    emulator = started;
    const client = createSecondaryDnsClient({
      baseUrl: started.url,
      apiToken: "t",
      accountId: ACCOUNT,
    });
    const tsig = await client.tsigs.create({
      name: "transfer-key.",
      algo: "hmac-sha256.",
      secret: SECRET,
    });
    const peer = await client.peers.create({
      name: "kdig",
      ip: "127.0.0.1",
      port: 9,
      tsig_id: tsig.id,
    });
    await client.outgoing.create(ZONE, { name: `${NAME}.`, peers: [peer.id] });
    await client.outgoing.enable(ZONE);
    return { port: started.dns!.port, client };
  }

  it("leaves other providers' apex NS records out without it, keeps them with it, and moves the serial", async () => {
    const { port, client } = await zoneWithFile([OTHER_NS, CLOUDFLARE_NS]);
    const before = await transferred(port);
    expect(before.ns).toEqual([CLOUDFLARE_NS]);

    await send("PATCH", ZONE_SETTINGS, { multi_provider: true });
    const after = await transferred(port);
    expect(after.ns).toEqual([CLOUDFLARE_NS, OTHER_NS].sort());
    expect(after.serial).toBe(before.serial + 1);
    expect((await client.outgoing.get(ZONE)).soa_serial).toBe(after.serial);

    // A PATCH that leaves multi_provider as it is changes no record and no serial.
    await send("PATCH", ZONE_SETTINGS, { ns_ttl: 3600 });
    expect((await transferred(port)).serial).toBe(after.serial);
  });

  it("puts the stand-in for Cloudflare's nameservers at the apex when only other providers' were there", async () => {
    const { port } = await zoneWithFile([OTHER_NS]);
    const before = await transferred(port);
    expect(before.ns).toEqual(["ns.primary.invalid."]);
    // Its TTL is the zone's ns_ttl: a change of it is a change of records.
    await send("PATCH", ZONE_SETTINGS, { ns_ttl: 3600 });
    expect((await transferred(port)).serial).toBe(before.serial + 1);
  });
});
