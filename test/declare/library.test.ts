/**
 * The library behind the commands (cf-secondary-dns/declare), used as a program
 * would: apply a file with its secret given in `env`, import the result, write it
 * and read it back, plan: nothing to change; the result of a failed apply says
 * what was done and what was not; a plan holds no secret.
 */
import { afterEach, beforeEach, expect, it } from "vitest";
import { createSecondaryDnsClient, type SecondaryDnsClient } from "../../src/index.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import {
  apply,
  formatTransfers,
  importConfig,
  parseTransfers,
  plan,
  SecretUnavailableError,
  type Change,
} from "../../src/declare/index.js";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const ZONE = "00112233445566778899aabbccddeeff";
const SECRET = Buffer.from("declare-library-secret-01234567").toString("base64");
const TEXT = `version: 1
tsigs:
  - { name: lib.example., algo: hmac-sha256., secret: { env: LIB_SECRET } }
peers:
  - { name: ns1, ip: 192.0.2.1, tsig: lib.example. }
zones:
  - id: ${ZONE}
    outgoing: { name: lib.example., peers: [ns1], enabled: false }
`;

let emulator: Emulator;
let client: SecondaryDnsClient;
beforeEach(async () => {
  emulator = await startEmulator({ seed: {} });
  client = createSecondaryDnsClient({ baseUrl: emulator.url, apiToken: "t", accountId: ACCOUNT });
});
afterEach(() => emulator.close());

it("apply, import, format, parse, plan: nothing left to change, and no secret in any plan", async () => {
  const file = parseTransfers(TEXT, "lib.yaml");
  const steps: Change[] = [];
  const result = await apply(client, file, {
    env: { LIB_SECRET: SECRET },
    onStep: (change) => steps.push(change),
  });
  expect(result.failed).toBeUndefined();
  expect(steps.map((c) => `${c.action} ${c.kind}`)).toEqual([
    "create tsig",
    "create peer",
    "create outgoing",
  ]);
  expect(JSON.stringify(result)).not.toContain(SECRET);
  expect(await client.outgoing.status(ZONE)).toBe("Disabled");

  const config = await importConfig(client, [ZONE], { accountId: ACCOUNT });
  expect(JSON.stringify(config)).not.toContain(SECRET);
  const again = parseTransfers(formatTransfers(config), "imported.yaml");
  expect(await plan(client, again, { env: {} })).toEqual({ changes: [], unmanaged: [], notes: [] });
});

it("a failed apply's result names the failed step and the steps not done", async () => {
  const result = await apply(client, parseTransfers(TEXT, "lib.yaml"), { env: {} });
  expect(result.failed?.error).toBeInstanceOf(SecretUnavailableError);
  expect(result.failed?.change).toMatchObject({ kind: "tsig", action: "create" });
  expect(result.done).toEqual([]);
  expect(result.notDone.map((c) => c.kind)).toEqual(["peer", "outgoing"]);
  expect(await client.tsigs.list()).toEqual([]);
});
