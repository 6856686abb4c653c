/**
 * `doctor --format nagios`: the status line and exit code for reports made by
 * hand (thresholds, precedence, hostile names), then the CLI in-process against
 * the emulator, whose own DNS server stands in for a peer in sync.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiDoctorReport } from "../../src/dns/api-doctor.js";
import { nagiosCheck } from "../../src/dns/nagios.js";
import { cli } from "../cli/run.js";
import { freePort } from "./servers.js";
import { watchedEmulator } from "./watch-emulator.js";

function report(overrides: Partial<ApiDoctorReport> = {}): ApiDoctorReport {
  return {
    zone: "example.com",
    primary: { target: "192.0.2.53:53", state: "answered", serial: 100, detail: "serial 100" },
    peers: [
      {
        id: "p1",
        name: "ns1",
        target: "192.0.2.1:53",
        state: "in-sync",
        serial: 100,
        detail: "in sync at serial 100",
      },
      {
        id: "p2",
        name: "ns2",
        target: "192.0.2.2:53",
        state: "in-sync",
        serial: 100,
        detail: "in sync at serial 100",
      },
    ],
    status: "Enabled",
    lastTransferredTime: "2026-12-04T10:00:00Z",
    secondsSinceLastTransfer: 30,
    exitCode: 0,
    ...overrides,
  };
}

const behind = (distance: number) => ({
  id: "p2",
  name: "ns2",
  target: "192.0.2.2:53",
  state: "behind" as const,
  serial: 100 - distance,
  distance,
  detail: `behind by ${distance}`,
});

describe("nagiosCheck", () => {
  it("all in sync: OK, exit 0, perfdata with each peer's lag and the age", () => {
    expect(nagiosCheck(report())).toEqual({
      code: 0,
      status: "OK",
      line: "CF SECONDARY DNS OK - example.com: 2 peer(s) in sync at serial 100 | 'ns1 lag'=0;1;10;0 'ns2 lag'=0;1;10;0 last_transfer_age=30s;;;0",
    });
  });

  it("lag against the thresholds: under warning OK, then WARNING, then CRITICAL", () => {
    const t = { lagWarning: 2, lagCritical: 5 };
    const at = (d: number) => nagiosCheck(report({ peers: [behind(d)] }), t);
    expect([1, 2, 4, 5, 9].map((d) => at(d).code)).toEqual([0, 1, 1, 2, 2]);
    expect(at(4).line).toBe(
      "CF SECONDARY DNS WARNING - example.com: ns2 behind by 4 | 'ns2 lag'=4;2;5;0 last_transfer_age=30s;;;0",
    );
  });

  it("the last transfer's age against its thresholds", () => {
    const t = { ageWarning: 3600, ageCritical: 7200 };
    const at = (age: number) => nagiosCheck(report({ secondsSinceLastTransfer: age }), t);
    expect([3599, 3600, 7200].map((age) => at(age).status)).toEqual(["OK", "WARNING", "CRITICAL"]);
    expect(at(7200).line).toContain("no transfer for 2 h 0 min");
    expect(at(7200).line).toMatch(/last_transfer_age=7200s;3600;7200;0$/);
  });

  it("unreachable and disabled are CRITICAL; a silent primary is UNKNOWN unless something is CRITICAL", () => {
    const down = {
      ...behind(0),
      state: "unreachable" as const,
      detail: "unreachable (ECONNREFUSED)",
    };
    const unreachable = nagiosCheck(report({ peers: [down] }));
    expect(unreachable.code).toBe(2);
    expect(unreachable.line).toContain("'ns2 lag'=U;1;10;0");
    expect(nagiosCheck(report({ status: "Disabled" })).line).toMatch(
      /^CF SECONDARY DNS CRITICAL - example\.com: outgoing transfers Disabled \|/,
    );
    const silent = { target: "192.0.2.53:53", state: "no-answer" as const, detail: "no answer" };
    const notCompared = {
      ...behind(0),
      state: "not-compared" as const,
      detail: "no primary serial",
    };
    expect(nagiosCheck(report({ primary: silent, peers: [notCompared] })).code).toBe(3);
    expect(nagiosCheck(report({ primary: silent, peers: [down] })).code).toBe(2);
    expect(nagiosCheck(report({ peers: [] })).status).toBe("WARNING");
  });

  it("a hostile peer name cannot add a line, a perfdata field or a second `|`", () => {
    const name = "x' | evil=1\nCRITICAL";
    const { line } = nagiosCheck(report({ peers: [{ ...behind(3), name }] }));
    expect(line.split("\n")).toHaveLength(1);
    expect(line.split("|")).toHaveLength(2);
    expect(line.split("|")[1]).toBe(
      " 'x_ _ evil_1_CRITICAL lag'=3;1;10;0 last_transfer_age=30s;;;0",
    );
  });
});

describe("the README's nagios example", () => {
  it("is what nagiosCheck prints for that report", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const monitoring = readme.slice(readme.indexOf("\n## Monitoring"));
    const [command, line] = (/^```text\n([\s\S]*?)^```/m.exec(monitoring)?.[1] ?? "").split("\n");
    expect(command).toContain(
      "--format nagios --lag-warning 1 --lag-critical 10 --age-critical 1d",
    );
    const shown = report({
      zone: "example.com.",
      primary: { ...report().primary, serial: 2026120404 },
      peers: [
        { ...report().peers[0]!, serial: 2026120404 },
        {
          ...behind(3),
          serial: 2026120401,
          detail: "behind by 3 (serial 2026120401, primary 2026120404)",
        },
      ],
      secondsSinceLastTransfer: 312,
    });
    expect(nagiosCheck(shown, { lagWarning: 1, lagCritical: 10, ageCritical: 86_400 }).line).toBe(
      line,
    );
  });
});

describe("doctor --format nagios (CLI, in-process)", () => {
  const ZONE_ID = "00112233445566778899aabbccddeeff";
  const TOKEN = "nagios-token-must-never-show-0001";
  let setup: Awaited<ReturnType<typeof watchedEmulator>>;
  let env: Record<string, string>;

  beforeAll(async () => {
    setup = await watchedEmulator(TOKEN);
    await setup.addZone(ZONE_ID, "nagios.test.", [setup.mirror()]);
    env = setup.env;
  });
  afterAll(() => setup?.emulator.close());

  it("a peer in sync: OK, exit 0, one line", async () => {
    const run = await cli(["outgoing", "doctor", ZONE_ID, "--format", "nagios"], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^CF SECONDARY DNS OK - nagios\.test\.: 1 peer\(s\) in sync at serial \d+ \| 'mirror lag'=0;1;10;0 last_transfer_age=\d+s;;;0\n$/,
    );
    expect(run.stderr).toBe("");
  });

  it("a peer on a closed port: CRITICAL, exit 2", async () => {
    const other = "ffeeddccbbaa99887766554433221100";
    const closed = { name: "closed", ip: "127.0.0.1", port: await freePort() };
    await setup.addZone(other, "nagios.test.", [closed]);
    const run = await cli(
      ["outgoing", "doctor", other, "--format=nagios", "--timeout", "500"],
      env,
    );
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^CF SECONDARY DNS CRITICAL - nagios\.test\.: closed unreachable/);
  });

  it("bad usage and API errors: UNKNOWN, exit 3, one line, no token", async () => {
    const runs = await Promise.all([
      cli(["outgoing", "doctor", ZONE_ID, "--format", "json"], env),
      cli(["outgoing", "doctor", ZONE_ID, "--format", "nagios", "--age-warning", "6"], env),
      cli(["outgoing", "doctor", ZONE_ID, "--format", "nagios", "--lag-critical", "0"], env),
      cli(["outgoing", "doctor", "ffffffffffffffffffffffffffffffff", "--format", "nagios"], env),
      cli(["outgoing", "doctor", ZONE_ID, "--format", "nagios", "--timeout", "soon"], env),
    ]);
    for (const run of runs) {
      expect(run.code, run.stdout).toBe(3);
      expect(run.stdout).toMatch(/^CF SECONDARY DNS UNKNOWN - [^\n|]+\n$/);
      expect(run.stdout + run.stderr).not.toContain(TOKEN);
    }
    expect(runs[0]!.stdout).toContain('only "nagios"');
    expect(runs[1]!.stdout).toContain("invalid --age-warning");
    expect(runs[3]!.stdout).toMatch(/404|not found/i);
  });
});
