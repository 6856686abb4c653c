import { expect, it } from "vitest";
import * as dns from "../../src/dns/index.js";

it("the dns entry point exports what the emulator and the CLI use", () => {
  for (const name of [
    "startDnsPrimary",
    "querySoa",
    "checkSecondaries",
    "doctorExitCode",
    "formatDoctorReport",
    "parseAddress",
    "parseZoneFile",
    "checkZone",
    "minimalZone",
    "nextSerial",
    "compareSerials",
    "serialDistance",
    "renderKnotConfig",
    "renderNsdConfig",
    "renderKeyStanza",
    "runDoctor",
    "formatAge",
  ] as const) {
    expect(typeof dns[name], name).toBe("function");
  }
  expect(dns.CLOUDFLARE_PRIMARY).toEqual({ host: "172.65.64.6", port: 53 });
  expect(Object.keys(dns.DOCTOR_EXIT_CODES)).toContain("behind");
});

it("formatAge says how long ago, for people", () => {
  expect([5, 125, 3 * 3600 + 600, 2 * 86400 + 3600].map(dns.formatAge)).toEqual([
    "5 s",
    "2 min 5 s",
    "3 h 10 min",
    "2 d 1 h",
  ]);
});
