/**
 * The Cloudflare default, with the real API base URL and no --primary: setup
 * prints Cloudflare's transfer address and every NOTIFY range, and doctor asks
 * Cloudflare's address. Run in a loopback-only network namespace (`unshare -n`,
 * root here and in CI) so that even a bug sends nothing off this machine: the
 * API is an emulator behind a fetch stand-in, and the DNS query finds no route.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { builtFile } from "./built.js";

const CHILD = fileURLToPath(new URL("./cloudflare-default.child.mjs", import.meta.url));

describe("Cloudflare's API and no --primary, in a network namespace with loopback only", () => {
  it("setup prints Cloudflare's address and ranges; doctor's query to it goes nowhere", async () => {
    const modules = await Promise.all(
      ["dist/src/emulator/index.js", "dist/src/cli/run.js", "dist/src/dns/api-doctor.js"].map(
        (file) => builtFile(file),
      ),
    );
    const script = `ip link set lo up && exec "${process.execPath}" "$@"`;
    const { stdout } = await promisify(execFile)(
      "unshare",
      ["-n", "sh", "-c", script, "sh", CHILD, ...modules],
      { timeout: 15_000 },
    );
    const result = JSON.parse(stdout);
    expect(result.interfaces).toEqual(["lo"]);
    expect(result.elsewhere).toEqual([]);

    expect(result.setup.code, result.setup.stderr).toBe(0);
    const text: string = result.setup.stdout;
    expect(text).toContain(
      "from 172.65.64.6 port 53, signed with the key cloudflare-transfer.example.com.:",
    );
    expect(text).toContain("the key is the gate");
    expect(text).toContain("    address: 172.65.64.6@53");
    expect(text).toMatch(
      /address: \[104\.30\.167\.163\/32, 104\.30\.167\.173\/32, 2a09:bac0:1000:c47::\/64, 173\.245\.48\.0\/20, /,
    );
    expect(text).toContain("    allow-notify: 104.16.0.0/13 cloudflare-transfer.example.com.");
    expect(text).toContain(
      'primaries { 172.65.64.6 port 53 key "cloudflare-transfer.example.com."; };',
    );

    const report = JSON.parse(result.doctor.stdout);
    expect(report.primary).toMatchObject({ target: "172.65.64.6:53", state: "unreachable" });
  });
});
