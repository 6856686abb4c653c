/**
 * What each operation's samples need before they run, and what must be true
 * after: the samples of all eight operations, run against the emulator, each
 * leave a mark that a second client can see (or print what they read).
 */
import { expect } from "vitest";
import {
  createSecondaryDnsClient,
  NotFoundError,
  type SecondaryDnsClient,
} from "../../src/index.js";
import { OPERATIONS } from "../../generated/operations.js";
import type { OperationInfo } from "../support/spec.js";

export const ZONE = "023e105f4ecef8ad9ca31a8372d0c353";
export const NAME = "www.example.com.";
/** Not the samples' name, so a sample that reads or replaces the configuration shows it did. */
const SEED_NAME = "seeded.example.net.";
const SEED_PEERS = [
  "00920f38ce07c2e2f4df50b1f61d4194",
  "0123456789abcdef0123456789abcdef",
  "23ff594956f20c2a721606e94745a8aa",
];

export interface Scenario {
  /** The zone's state before the sample runs. */
  before: "none" | "disabled" | "enabled";
  /** Checks the emulator's state, through another client, and what the sample printed. */
  after(client: SecondaryDnsClient, stdout: string): Promise<void>;
}

/** An operation's name in the client, from the operations table: e.g. `outgoing.forceNotify`. */
export function scenarioKey(op: OperationInfo): string {
  const info = OPERATIONS[op.operationId];
  return info?.resource ? `${info.resource}.${info.method}` : op.operationId;
}

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
};

/** A client of the emulator, for seeding and checking; not the one under test. */
export function checkingClient(baseUrl: string): SecondaryDnsClient {
  return createSecondaryDnsClient({ apiToken: "docs-samples-checker", baseUrl, maxRetries: 0 });
}

export async function seed(client: SecondaryDnsClient, before: Scenario["before"]): Promise<void> {
  if (before === "none") return;
  await client.outgoing.create(ZONE, { name: SEED_NAME, peers: SEED_PEERS });
  if (before === "enabled") await client.outgoing.enable(ZONE);
}
