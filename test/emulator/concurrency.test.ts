/**
 * 32 clients at once on loopback, on zones they share: every request gets a
 * spec-valid envelope, no update is lost (each one adds exactly one to the
 * serial), and the state file ends equal to what the emulator serves.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { outgoing, PEER_A, PEER_B, type Answer } from "./exchange.js";

const CLIENTS = 32;
const ROUNDS = 6;
const REQUESTS_PER_ROUND = 3; // one counted update, one churn step, one status switch
const DEADLINE_MS = 20_000; // about 4 s on a slow shared runner

/** Zones whose configuration stays; updates on them are counted. */
const COUNTED = ["c0", "c1", "c2", "c3"].map((p) => p.padEnd(32, "0"));
/** Zones that clients create and delete under each other's feet. */
const CHURNED = ["d0", "d1"].map((p) => p.padEnd(32, "0"));

let emulator: Emulator;
let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "emulator-load-"));
  emulator = await startEmulator({ stateFile: join(folder, "state.json") });
});
afterAll(async () => {
  await emulator.close();
  await rm(folder, { recursive: true, force: true });
});

it(`${CLIENTS} concurrent clients lose no update and get a valid envelope for every request`, async () => {
  const initial = new Map<string, number>();
  for (const zone of COUNTED) {
    const created = await outgoing(emulator.url, "POST", zone, "", {
      body: { name: "example.com.", peers: [] },
    });
    initial.set(zone, created.body.result.soa_serial);
  }

  const updatesOk = new Map<string, number>(COUNTED.map((z) => [z, 0]));
  const answers: Answer[] = [];
  const record = (answer: Answer, allowed: number[]) => {
    expect(allowed).toContain(answer.status);
    answers.push(answer);
    return answer;
  };

  const client = async (n: number) => {
    for (let round = 0; round < ROUNDS; round++) {
      const counted = COUNTED[(n + round) % COUNTED.length] as string;
      const churned = CHURNED[(n + round) % CHURNED.length] as string;
      const peers = n % 2 === 0 ? [PEER_A] : [PEER_A, PEER_B];
      const [update] = await Promise.all([
        outgoing(emulator.url, "PUT", counted, "", {
          body: { name: `c${n}-${round}.example.`, peers },
        }),
        churnStep(n, round, churned).then((answer) => record(answer, [200, 400, 404])),
        outgoing(emulator.url, "POST", counted, round % 2 === 0 ? "/enable" : "/disable").then(
          (a) => record(a, [200]),
        ),
      ]);
      record(update, [200]);
      updatesOk.set(counted, (updatesOk.get(counted) ?? 0) + 1);
    }
  };

  const churnStep = (n: number, round: number, zone: string) => {
    switch ((n + round) % 4) {
      case 0:
        return outgoing(emulator.url, "POST", zone, "", {
          body: { name: `d${n}.example.`, peers: [] },
        });
      case 1:
        return outgoing(emulator.url, "POST", zone, "/enable");
      case 2:
        return outgoing(emulator.url, "PUT", zone, "", {
          body: { name: `d${n}.example.`, peers: [PEER_B] },
        });
      default:
        return outgoing(emulator.url, "DELETE", zone);
    }
  };

  const started = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n)));
  const elapsed = performance.now() - started;

  expect(answers).toHaveLength(CLIENTS * ROUNDS * REQUESTS_PER_ROUND);
  expect(elapsed).toBeLessThan(DEADLINE_MS);
  const served: Record<string, unknown> = {};
  for (const zone of COUNTED) {
    const zoneNow = (await outgoing(emulator.url, "GET", zone)).body.result;
    expect(zoneNow.soa_serial, zone).toBe(
      (initial.get(zone) as number) + (updatesOk.get(zone) as number),
    );
    served[zone] = zoneNow;
  }
  expect([...updatesOk.values()].reduce((a, b) => a + b)).toBe(CLIENTS * ROUNDS);

  // What the file holds is what the emulator serves (close() waits for the last save).
  for (const zone of CHURNED) {
    const answer = await outgoing(emulator.url, "GET", zone);
    if (answer.status === 200) served[zone] = answer.body.result;
  }
  await emulator.close();
  const saved = JSON.parse(await readFile(join(folder, "state.json"), "utf8"));
  const savedZones = Object.fromEntries(
    Object.entries<{ zone: unknown }>(saved.collections.outgoing).map(([zone, r]) => [
      zone,
      r.zone,
    ]),
  );
  expect(savedZones).toEqual(served);
}, 40_000);
