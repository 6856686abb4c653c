import { expect, it } from "vitest";
import * as dns from "../../src/dns/index.js";

it("the dns entry point exports what the emulator and the CLI wire in (src/dns/WIRING.md)", () => {
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
  ] as const) {
    expect(typeof dns[name], name).toBe("function");
  }
  expect(dns.CLOUDFLARE_PRIMARY).toEqual({ host: "172.65.64.6", port: 53 });
  expect(Object.keys(dns.DOCTOR_EXIT_CODES)).toContain("behind");
});
