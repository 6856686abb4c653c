/**
 * What each operation's samples need before they run, and what must be true
 * after: the samples of every operation, run against the emulator, each leave
 * a mark that a second client can see (or print what they read). The account
 * resources start from the emulator's seed: the spec's example account with the
 * peers, TSIGs and ACLs its examples show.
 */
import { expect } from "vitest";
import {
  createSecondaryDnsClient,
  NotFoundError,
  type SecondaryDnsClient,
} from "../../src/index.js";
import { OPERATIONS, type OperationId } from "../../generated/operations.js";
import { createCaller } from "../../src/cli/call.js";
import { clientCall } from "../contract/client-calls.js";
import type { OperationInfo } from "../support/spec.js";
import { parameters } from "./spec-info.js";

export const ZONE = "023e105f4ecef8ad9ca31a8372d0c353";
export const NAME = "www.example.com.";
/** Not the samples' name, so a sample that reads or replaces the configuration shows it did. */
const SEED_NAME = "seeded.example.net.";
/** Both peers of the emulator's seed: a configuration may list only peers that exist. */
const SEED_PEERS = ["00920f38ce07c2e2f4df50b1f61d4194", "23ff594956f20c2a721606e94745a8aa"];
export const ACCOUNT = "01a7362d577a6c3019a474fd6f485823";
const PEER = "23ff594956f20c2a721606e94745a8aa";
const TSIG = "69cd1e104af3e6ed3cb344f263fd0d5a";
const ACL = "b4ae99a55280e68a888defc35bb0cf97";
const at = { accountId: ACCOUNT };

export interface Scenario {
  /**
   * The state before the sample runs: the zone's configuration (none, disabled
   * or enabled), or "tsig-unused": the example TSIG taken off the seeded peers.
   */
  before: "none" | "disabled" | "enabled" | "tsig-unused" | "incoming";
  /** Checks the emulator's state, through another client, and what the sample printed. */
  after(client: SecondaryDnsClient, stdout: string, url: string): Promise<void>;
}

/** An operation's name in the client, from the operations table: e.g. `outgoing.forceNotify`. */
export function scenarioKey(op: OperationInfo): string {
  const info = OPERATIONS[op.operationId];
  return info?.resource ? `${info.resource}.${info.method}` : op.operationId;
}

/** The operations' scenarios, by client method; a read from the seed needs none (readScenario). */
export const scenarios: Record<string, Scenario> = {
  "outgoing.get": {
    before: "disabled",
    async after(_client, stdout) {
      expect(stdout).toContain(SEED_NAME);
    },
  },
  "outgoing.create": {
    before: "none",
    async after(client) {
      const zone = await client.outgoing.get(ZONE);
      expect(zone.name).toBe(NAME);
      expect(zone.peers).toHaveLength(2);
    },
  },
  "outgoing.update": {
    before: "disabled",
    async after(client) {
      const zone = await client.outgoing.get(ZONE);
      expect(zone.name).toBe(NAME);
      expect(zone.peers).toEqual(["23ff594956f20c2a721606e94745a8aa"]);
    },
  },
  "outgoing.delete": {
    before: "disabled",
    async after(client) {
      await expect(client.outgoing.get(ZONE)).rejects.toBeInstanceOf(NotFoundError);
    },
  },
  "outgoing.disable": {
    before: "enabled",
    async after(client) {
      expect(await client.outgoing.status(ZONE)).toBe("Disabled");
    },
  },
  "outgoing.enable": {
    before: "disabled",
    async after(client) {
      expect(await client.outgoing.status(ZONE)).toBe("Enabled");
    },
  },
  "outgoing.forceNotify": {
    before: "enabled",
    async after(_client, stdout) {
      expect(stdout).toContain("OK");
    },
  },
  "outgoing.status": {
    before: "enabled",
    async after(_client, stdout) {
      expect(stdout).toContain("Enabled");
    },
  },
  "peers.get": {
    before: "none",
    async after(_client, stdout) {
      expect(stdout).toContain("192.0.2.2");
    },
  },
  "peers.create": {
    before: "none",
    async after(client) {
      const peers = await client.peers.list(at);
      expect(peers).toHaveLength(3);
      expect(peers.filter((p) => p.name === "ns1-backup" && p.tsig_id === TSIG)).toHaveLength(2);
    },
  },
  "peers.update": {
    before: "none",
    async after(client) {
      expect((await client.peers.get(PEER, at)).port).toBe(5353);
    },
  },
  "peers.delete": {
    before: "none",
    async after(client) {
      await expect(client.peers.get(PEER, at)).rejects.toBeInstanceOf(NotFoundError);
    },
  },
  "tsigs.create": {
    before: "none",
    async after(client) {
      expect(await client.tsigs.list(at)).toHaveLength(3);
    },
  },
  "tsigs.get": {
    before: "none",
    async after(_client, stdout) {
      expect(stdout).toMatch(/hmac-/);
    },
  },
  "tsigs.update": {
    before: "none",
    async after(client) {
      // The samples rotate the secret (a random one; the CLI's is generated or read).
      const tsig = await client.tsigs.get(TSIG, at);
      expect(tsig.name).toBe("tsig.example.com.");
      expect(tsig.secret).not.toBe("l3qJr97PJWH4YV4k2uPsiVuPfmmcjV1t+8HbhItnu9U=");
    },
  },
  "tsigs.delete": {
    before: "tsig-unused",
    async after(client) {
      await expect(client.tsigs.get(TSIG, at)).rejects.toBeInstanceOf(NotFoundError);
    },
  },
  "acls.create": {
    before: "none",
    async after(client) {
      expect(await client.acls.list(at)).toHaveLength(3);
    },
  },
  "acls.get": {
    before: "none",
    async after(_client, stdout) {
      expect(stdout).toContain("192.0.2.16/28");
    },
  },
  "acls.update": {
    before: "none",
    async after(client) {
      expect((await client.acls.get(ACL, at)).ip_range).toBe("192.0.2.0/24");
    },
  },
  "acls.delete": {
    before: "none",
    async after(client) {
      await expect(client.acls.get(ACL, at)).rejects.toBeInstanceOf(NotFoundError);
    },
  },
  "incoming.get": {
    before: "incoming",
    async after(_client, stdout) {
      expect(stdout).toContain(SEED_NAME);
    },
  },
  "incoming.create": {
    before: "none",
    async after(_client, _stdout, url) {
      expect(await read(url, "incoming.get")).toMatchObject({
        name: NAME,
        auto_refresh_seconds: 86400,
      });
    },
  },
  "incoming.update": {
    before: "incoming",
    async after(_client, _stdout, url) {
      expect(await read(url, "incoming.get")).toMatchObject({
        name: NAME,
        auto_refresh_seconds: 3600,
      });
    },
  },
  "incoming.delete": {
    before: "incoming",
    async after(_client, _stdout, url) {
      await expect(read(url, "incoming.get")).rejects.toBeInstanceOf(NotFoundError);
    },
  },
  "incoming.forceAxfr": {
    before: "incoming",
    async after(_client, stdout) {
      expect(stdout).toContain("OK");
    },
  },
  "dnsSettings.zone.get": {
    before: "none",
    async after(_client, stdout, url) {
      const settings = (await read(url, "dnsSettings.zone.get")) as { multi_provider: boolean };
      expect(stdout).toContain(String(settings.multi_provider));
    },
  },
  "dnsSettings.zone.update": {
    before: "none",
    async after(_client, _stdout, url) {
      expect(await read(url, "dnsSettings.zone.get")).toMatchObject({ multi_provider: true });
    },
  },
  "dnsSettings.account.get": {
    before: "none",
    async after(_client, stdout, url) {
      const settings = (await read(url, "dnsSettings.account.get")) as {
        zone_defaults: { multi_provider: boolean };
      };
      expect(stdout).toContain(String(settings.zone_defaults.multi_provider));
    },
  },
  "dnsSettings.account.update": {
    before: "none",
    async after(_client, _stdout, url) {
      expect(await read(url, "dnsSettings.account.get")).toMatchObject({
        zone_defaults: { multi_provider: true },
      });
    },
  },
  "cloudflare-i-ps-cloudflare-ip-details": {
    before: "none",
    async after(_client, stdout) {
      // What the emulator publishes, the package's list: the first IPv4 and the last IPv6 range.
      expect(stdout).toContain("173.245.48.0/20");
      expect(stdout).toContain("2c0f:f248::/32");
    },
  },
};

/**
 * The scenario of a read the table above does not list: from the emulator's
 * seed, its samples must print what a second client reads through the same
 * operation (each `id` in it, else the whole value). So a new read-only operation
 * needs no line here; one that changes state does (see missingScenario).
 */
function readScenario(op: OperationInfo): Scenario {
  return {
    before: "none",
    async after(client, stdout) {
      const ids = Object.fromEntries(
        parameters(op).map((p) => [
          p.name.replace(/_(\w)/g, (_, c: string) => c.toUpperCase()),
          String(p.example),
        ]),
      );
      const read = await clientCall(op.operationId)(client, ids, undefined);
      const items = (Array.isArray(read) ? read : [read]) as { id?: unknown }[];
      const shown = items.flatMap((item) => (typeof item?.id === "string" ? [item.id] : []));
      for (const text of shown.length > 0 ? shown : [String(read)]) expect(stdout).toContain(text);
    },
  };
}

/** The operation's scenario: its line above, else the read's; undefined for a change without one. */
export function scenarioFor(op: OperationInfo): Scenario | undefined {
  return scenarios[scenarioKey(op)] ?? (op.method === "get" ? readScenario(op) : undefined);
}

/** What an operation without a scenario lacks, in words: "" when it has one. */
export function missingScenario(op: OperationInfo): string {
  if (scenarioFor(op)) return "";
  return `operation ${op.operationId} (${op.method.toUpperCase()} ${op.path}) changes state and has no scenario: add "${scenarioKey(op)}" to scenarios in test/docs/scenarios.ts (the state its samples start from, and what they leave)`;
}

/**
 * Sends the operation of a client method (`incoming.get`) to the emulator at `url`
 * through the CLI's caller, for the resources whatever facade the package has.
 */
export function read(url: string, key: string, body?: unknown): Promise<unknown> {
  const [operationId, info] = Object.entries(OPERATIONS).find(
    ([, i]) => `${i.resource}.${i.method}` === key,
  )!;
  const params = info.operation.path.includes("{zone_id}") ? { zoneId: ZONE } : {};
  const caller = createCaller({ apiToken: "docs-samples-checker", baseUrl: url, maxRetries: 0 });
  return caller.send(operationId as OperationId, params, body, { accountId: ACCOUNT });
}

/** A client of the emulator, for seeding and checking; not the one under test. */
export function checkingClient(baseUrl: string): SecondaryDnsClient {
  return createSecondaryDnsClient({ apiToken: "docs-samples-checker", baseUrl, maxRetries: 0 });
}

export async function seed(
  client: SecondaryDnsClient,
  before: Scenario["before"],
  url: string,
): Promise<void> {
  if (before === "none") return;
  if (before === "incoming") {
    const zone = { name: SEED_NAME, peers: SEED_PEERS, auto_refresh_seconds: 86400 };
    await read(url, "incoming.create", zone);
    return;
  }
  if (before === "tsig-unused") {
    for (const { id, tsig_id: _, ...rest } of await client.peers.list(at))
      await client.peers.update(id, rest, at);
    return;
  }
  await client.outgoing.create(ZONE, { name: SEED_NAME, peers: SEED_PEERS });
  if (before === "enabled") await client.outgoing.enable(ZONE);
}
