/**
 * The NOTIFY ACLs' ranges: `outgoing setup` asks GET /ips of the API it talks
 * to (the emulator answers the published ranges), and when that fails it uses
 * the package's dated list and says why in one line. Also cloudflareIps, the
 * function behind it: no credential goes with the request.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CLOUDFLARE_IPV4_RANGES,
  CLOUDFLARE_IPV6_RANGES,
  CLOUDFLARE_RANGES,
} from "../../src/dns/cloudflare.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { cloudflareIps, createSecondaryDnsClient, ValidationError } from "../../src/index.js";
import { startProxy, proxiesClosedAfterEach } from "./proxy.js";
import { cli } from "./run.js";

const ACCOUNT = "01a7362d577a6c3019a474fd6f485823";
let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ seed: {}, dnsPort: 0 });
});
afterAll(() => emulator.close());
const proxies = proxiesClosedAfterEach();

const envFor = (url: string) => ({
  CLOUDFLARE_BASE_URL: url,
  CLOUDFLARE_API_TOKEN: "ranges-token",
  CLOUDFLARE_ACCOUNT_ID: ACCOUNT,
});
let zones = 0;
const newZone = () => (++zones).toString(16).padStart(32, "d");
const setupArgs = (zone: string, ...more: string[]) => [
  "outgoing",
  "setup",
  zone,
  "--name",
  "ranges.example.",
  "--peer-ip",
  `127.0.2.${zones}`,
  ...more,
];
const isIps = (method: string, path: string) => method === "GET" && path.endsWith("/ips");

describe("cloudflareIps", () => {
  it("reads the emulator's ranges, the package's list, and sends no credential", async () => {
    const seen: Request[] = [];
    const client = createSecondaryDnsClient({
      apiToken: "secret-token-never-sent",
      baseUrl: emulator.url,
      fetch: (request) => (seen.push(request.clone()), fetch(request)),
    });
    const ips = await cloudflareIps(client);
    expect(ips.ipv4_cidrs).toEqual(CLOUDFLARE_IPV4_RANGES);
    expect(ips.ipv6_cidrs).toEqual(CLOUDFLARE_IPV6_RANGES);
    expect(ips.etag).toMatch(/^[0-9a-f]{32}$/);
    expect(seen.map((r) => new URL(r.url).pathname)).toEqual(["/client/v4/ips"]);
    expect(seen[0]!.headers.get("authorization")).toBeNull();
    expect(seen[0]!.headers.get("user-agent")).toMatch(/^cf-secondary-dns\//);
  });

  it("refuses an object that is not a client, sending nothing", async () => {
    await expect(cloudflareIps({} as never)).rejects.toBeInstanceOf(ValidationError);
  });
});

describe("cf-secondary-dns ips", () => {
  it("prints the published ranges with no credential in the environment, and sends none", async () => {
    const proxy = await startProxy(emulator.url);
    proxies.push(proxy);
    const { code, stdout, stderr } = await cli(["ips", "--json"], {
      CLOUDFLARE_BASE_URL: proxy.url,
    });
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(proxy.seen).toEqual(["GET /client/v4/ips"]);
    const published = await cloudflareIps(
      createSecondaryDnsClient({ apiToken: "t", baseUrl: emulator.url }),
    );
    expect(JSON.parse(stdout)).toEqual(published);
  });
});

describe("outgoing setup's NOTIFY ranges", () => {
  it("come from the API's GET /ips, and the text says so", async () => {
    const proxy = await startProxy(emulator.url);
    proxies.push(proxy);
    const { code, stdout, stderr } = await cli(setupArgs(newZone()), envFor(proxy.url));
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(proxy.seen.filter((line) => line === "GET /client/v4/ips")).toHaveLength(1);
    const etag = (
      await cloudflareIps(createSecondaryDnsClient({ apiToken: "t", baseUrl: emulator.url }))
    ).etag;
    expect(stdout).toContain(
      `The published ranges are the API's answer to GET /ips (etag ${etag}).`,
    );
    // The emulator's own address, then every published range, in each server's ACL.
    expect(stdout).toMatch(/address: \[127\.0\.0\.1, 173\.245\.48\.0\/20, .*2c0f:f248::\/32\]/);
    expect(stdout).toContain("    allow-notify: 104.16.0.0/13 cloudflare-transfer.ranges.example.");
    expect(stdout).not.toContain("GET /ips failed");
  });

  it("--json says where they came from", async () => {
    const { code, stdout } = await cli(setupArgs(newZone(), "--json"), envFor(emulator.url));
    expect(code).toBe(0);
    const { secondary } = JSON.parse(stdout);
    expect(secondary.ranges).toMatchObject({ from: "api" });
    expect(secondary.notifyFrom).toEqual(["127.0.0.1", ...CLOUDFLARE_RANGES]);
  });

  it("fall back to the package's list when GET /ips fails, saying why in one line", async () => {
    const proxy = await startProxy(emulator.url, (method, path) =>
      isIps(method, path)
        ? {
            status: 500,
            body: {
              success: false,
              errors: [{ code: 10001, message: "Internal server error" }],
              messages: [],
              result: null,
            },
          }
        : undefined,
    );
    proxies.push(proxy);
    const { code, stdout, stderr } = await cli(setupArgs(newZone()), envFor(proxy.url));
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    const line = stdout.split("\n").find((l) => l.startsWith("GET /ips failed"));
    expect(line).toMatch(
      /^GET \/ips failed \(.*500.*\): the published ranges are this package's list of 2021\.$/,
    );
    expect(stdout).not.toContain("answer to GET /ips");
    expect(stdout).toContain(
      "    allow-notify: 2c0f:f248::/32 cloudflare-transfer.ranges.example.",
    );
  });

  it("fall back when the answer is not a list of ranges, and nothing odd reaches the configuration", async () => {
    const proxy = await startProxy(emulator.url, (method, path) =>
      isIps(method, path)
        ? {
            status: 200,
            body: {
              success: true,
              errors: [],
              messages: [],
              result: { ipv4_cidrs: ["10.0.0.0/8;\n}; any"], ipv6_cidrs: [], etag: "x" },
            },
          }
        : undefined,
    );
    proxies.push(proxy);
    const { code, stdout } = await cli(setupArgs(newZone(), "--json"), envFor(proxy.url));
    expect(code).toBe(0);
    const { secondary } = JSON.parse(stdout);
    expect(secondary.ranges.from).toBe("fallback");
    expect(secondary.ranges.why).toContain("ipv4_cidrs[0]");
    expect(secondary.notifyFrom).toEqual(["127.0.0.1", ...CLOUDFLARE_RANGES]);
    expect(secondary.bind).not.toContain("10.0.0.0/8");
  });

  it("fall back when the API has no /ips at all (an unreachable route)", async () => {
    const proxy = await startProxy(emulator.url, (method, path) =>
      isIps(method, path)
        ? {
            status: 404,
            body: {
              success: false,
              errors: [{ code: 7000, message: "No route for that URI" }],
              messages: [],
              result: null,
            },
          }
        : undefined,
    );
    proxies.push(proxy);
    const { code, stdout } = await cli(setupArgs(newZone()), envFor(proxy.url));
    expect(code).toBe(0);
    expect(stdout).toMatch(/^GET \/ips failed \(.*No route for that URI.*\): .*list of 2021\.$/m);
  });
});
