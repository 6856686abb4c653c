/**
 * `outgoing setup` against the emulator, from an empty account: the first run
 * creates everything, the second changes nothing and says so, a run that fails
 * midway says what was done and what was not, and bad input sends nothing.
 * Also setupOutgoing, the library function behind it.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { createSecondaryDnsClient } from "../../src/index.js";
import { findPrimary, PrimaryUnknownError } from "../../src/dns/index.js";
import { SetupFailedError, setupOutgoing } from "../../src/setup.js";
import { apiError, startProxy, proxiesClosedAfterEach } from "./proxy.js";
import { cli } from "./run.js";

const ACCOUNT = "01a7362d577a6c3019a474fd6f485823";
const STACK_LINE = /^\s+at /m;
let zones = 0;
const newZone = () => (++zones).toString(16).padStart(32, "c");

let emulator: Emulator;
let folder: string;
beforeAll(async () => {
  emulator = await startEmulator({ seed: {}, dnsPort: 0 });
  folder = mkdtempSync(path.join(tmpdir(), "cli-setup-"));
});
afterAll(async () => {
  await emulator.close();
  rmSync(folder, { recursive: true, force: true });
});
const proxies = proxiesClosedAfterEach();

const envFor = (url: string) => ({
  CLOUDFLARE_BASE_URL: url,
  CLOUDFLARE_API_TOKEN: "setup-token",
  CLOUDFLARE_ACCOUNT_ID: ACCOUNT,
});
const checker = () =>
  createSecondaryDnsClient({ apiToken: "checker", baseUrl: emulator.url, accountId: ACCOUNT });

/** A fresh peer address per test, so tests do not find each other's peers. */
let peers = 0;
const newPeerIp = () => `127.0.1.${++peers}`;

function setupArgs(zone: string, ip: string, ...more: string[]) {
  return ["outgoing", "setup", zone, "--name", "example.com.", "--peer-ip", ip, ...more];
}

describe("outgoing setup, as text", () => {
  it("creates everything, then finds everything unchanged", async () => {
    const [zone, ip] = [newZone(), newPeerIp()];
    const tsigName = `k${zone.slice(-4)}.example.com.`;
    const args = setupArgs(zone, ip, "--tsig-name", tsigName, "--primary", "127.0.0.1:5300");
    const first = await cli(args, envFor(emulator.url));
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const lines = first.stdout.split("\n");
    expect(lines[0]).toBe(`Setting up outgoing transfers of zone ${zone}:`);
    expect(lines[1]).toMatch(/^ {2}tsig {7}created {4}created TSIG key .* \([0-9a-f]{32}\)$/);
    expect(lines[2]).toMatch(
      /^ {2}peer {7}created {4}created peer "secondary 127\.0\.1\.\d+ port 53"/,
    );
    expect(lines[3]).toMatch(/^ {2}outgoing {3}created {4}/);
    expect(lines[4]).toMatch(/^ {2}transfers {2}updated {4}enabled outgoing transfers/);
    expect(lines[5]).toBe("Done: 3 created, 1 updated.");

    const client = checker();
    const tsig = (await client.tsigs.list()).find((t) => t.name === tsigName)!;
    const peer = (await client.peers.list()).find((p) => p.ip === ip)!;
    expect(tsig.algo).toBe("hmac-sha256.");
    expect(Buffer.from(tsig.secret, "base64")).toHaveLength(32);
    expect(peer).toMatchObject({ port: 53, tsig_id: tsig.id });
    expect((await client.outgoing.get(zone)).peers).toEqual([peer.id]);
    expect(await client.outgoing.status(zone)).toBe("Enabled");

    // What the secondary needs: address, key stanza, Knot and NSD, secret shown this once.
    const out = first.stdout;
    expect(out).toContain(
      `Configure your secondary to transfer example.com. from 127.0.0.1 port 5300, signed with the key ${tsigName}:`,
    );
    expect(out).toContain("printed this once");
    expect(out).toContain(
      `key "${tsigName}" {\n    algorithm hmac-sha256;\n    secret "${tsig.secret}";\n};`,
    );
    expect(out).toContain(
      "# Knot DNS: secondary for example.com, transferring from 127.0.0.1@5300",
    );
    expect(out).toContain("    address: 127.0.0.1@5300");
    expect(out).toContain("# NSD: secondary for example.com, transferring from 127.0.0.1@5300");
    expect(out).toContain(`    request-xfr: AXFR 127.0.0.1@5300 ${tsigName}`);
    expect(out).not.toContain("hmac-sha256.;");
    // Pasting into a server already running: which parts to take, for each (issue 19 item 4).
    const paste = out.slice(out.indexOf("To add this zone to a server you already run"));
    expect(paste.length).toBeLessThan(out.length);
    expect(paste).toMatch(/for Knot the key,\s+remote, acl and zone sections/);
    expect(paste).toMatch(/for\s+NSD the key and zone clauses/);
    expect(paste).toMatch(/for BIND the key\s+and zone statements/);

    const second = await cli(args, envFor(emulator.url));
    expect(second.code).toBe(0);
    expect(second.stderr).toBe("");
    const again = second.stdout.split("\n");
    for (const line of again.slice(1, 5)) expect(line).toMatch(/^ {2}\S+ +unchanged /);
    expect(again[5]).toBe("Nothing to change: everything was already set up.");
    expect(second.stdout).not.toContain(tsig.secret);
    expect(second.stdout).toContain("The key's secret is masked: run again with --show-secret");
    expect(second.stdout).toContain('secret "******** (--show-secret to see it)";');
    expect(await client.tsigs.list()).toHaveLength((await client.tsigs.list()).length);
    expect((await client.outgoing.get(zone)).peers).toEqual([peer.id]);

    const shown = await cli([...args, "--show-secret"], envFor(emulator.url));
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`secret "${tsig.secret}";`);
    expect(shown.stdout).toContain("(--show-secret): keep it private");
  });

  it("defaults: the emulator's DNS address, learnt from the API, and key cloudflare-transfer.ZONE", async () => {
    const [zone, ip] = [newZone(), newPeerIp()];
    const args = ["outgoing", "setup", zone, "--name", "default.example.", "--peer-ip", ip];
    const { code, stdout, stderr } = await cli(args, envFor(emulator.url));
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    const dns = `127.0.0.1@${emulator.dns!.port}`;
    expect(stdout).toContain(
      `from 127.0.0.1 port ${emulator.dns!.port}, signed with the key cloudflare-transfer.default.example.:`,
    );
    expect(stdout).toContain(`    address: ${dns}\n`);
    expect(stdout).toContain("    allow-notify: 127.0.0.1 cloudflare-transfer.default.example.");
    expect(stdout).not.toContain("172.65.64.6");
  });

  it("adds the peer to a configuration that lists another, with the same key", async () => {
    const [zone, ipA, ipB] = [newZone(), newPeerIp(), newPeerIp()];
    const tsig = ["--tsig-name", `shared${zone.slice(-4)}.example.com.`];
    expect((await cli(setupArgs(zone, ipA, ...tsig), envFor(emulator.url))).code).toBe(0);
    const second = await cli(setupArgs(zone, ipB, ...tsig), envFor(emulator.url));
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/ {2}tsig {7}unchanged /);
    expect(second.stdout).toMatch(/ {2}peer {7}created /);
    expect(second.stdout).toMatch(/ {2}outgoing {3}updated {4}example\.com\. now lists the peer/);
    expect(second.stdout).toMatch(/ {2}transfers {2}unchanged /);
    const client = checker();
    const ids = (await client.peers.list())
      .filter((p) => [ipA, ipB].includes(p.ip ?? ""))
      .map((p) => p.id);
    expect((await client.outgoing.get(zone)).peers).toEqual(ids);
  });

  it("--no-tsig: a peer without a key, unsigned configuration", async () => {
    const [zone, ip] = [newZone(), newPeerIp()];
    const args = setupArgs(zone, ip, "--no-tsig", "--peer-port", "5353", "--peer-name", "ns9");
    const { code, stdout } = await cli(args, envFor(emulator.url));
    expect(code).toBe(0);
    expect(stdout).not.toMatch(/^ {2}tsig /m);
    expect(stdout).toContain(", unsigned:");
    expect(stdout).toContain("the addresses in the NOTIFY ACLs below are all that decides");
    expect(stdout).toContain(`request-xfr: AXFR 127.0.0.1@${emulator.dns!.port} NOKEY`);
    const peer = (await checker().peers.list()).find((p) => p.ip === ip)!;
    expect(peer).toMatchObject({ name: "ns9", port: 5353 });
    expect(peer.tsig_id ?? undefined).toBeUndefined();
  });

  it("--tsig-secret-file and --tsig-algo: the key is created with that secret and algorithm", async () => {
    const [zone, ip] = [newZone(), newPeerIp()];
    const file = path.join(folder, "setup.secret");
    const secret = Buffer.alloc(64, 7).toString("base64");
    writeFileSync(file, `${secret}\n`, { mode: 0o600 }); // others reading it: a warning
    const name = `file${zone.slice(-4)}.example.com.`;
    const args = setupArgs(
      zone,
      ip,
      "--tsig-name",
      name,
      "--tsig-algo",
      "hmac-sha512.",
      "--tsig-secret-file",
      file,
    );
    const { code, stdout } = await cli(args, envFor(emulator.url));
    expect(code).toBe(0);
    expect(stdout).toContain("algorithm: hmac-sha512\n");
    const tsig = (await checker().tsigs.list()).find((t) => t.name === name)!;
    expect(tsig).toMatchObject({ algo: "hmac-sha512.", secret });
  });
});

describe("the primary's address: learnt from the emulator, never Cloudflare's for a loopback API", () => {
  it("an emulator without DNS, and a loopback API that names no address: exit 2 naming --primary, nothing changed", async () => {
    const plain = await startEmulator({ seed: {} });
    try {
      const quiet = await startProxy(emulator.url, (method, url) =>
        method === "GET" && url === "/client/v4"
          ? { status: 404, body: apiError(7000, "No route") }
          : undefined,
      );
      proxies.push(quiet);
      for (const url of [plain.url, quiet.url]) {
        const zone = newZone();
        const { code, stdout, stderr } = await cli(setupArgs(zone, newPeerIp()), envFor(url));
        expect({ code, stdout }).toEqual({ code: 2, stdout: "" });
        expect(stderr).toMatch(/give --primary HOST:PORT/);
      }
      expect(quiet.seen).toEqual(["GET /client/v4"]);
      const names = (await checker().tsigs.list()).map((t) => t.name);
      expect(names.filter((n) => n.startsWith("cloudflare-transfer.example.com"))).toEqual([]);
      // --primary needs no question to the API.
      const given = await cli(
        setupArgs(newZone(), newPeerIp(), "--primary", "127.0.0.1:5399"),
        envFor(plain.url),
      );
      expect(given.code).toBe(0);
      expect(given.stdout).toContain("from 127.0.0.1 port 5399");
    } finally {
      await plain.close();
    }
  });

  it("findPrimary: Cloudflare's API is not asked; another host without the header is a gateway to Cloudflare", async () => {
    const asked: string[] = [];
    const fetch = (async (url: string) => {
      asked.push(String(url));
      return new Response("{}", { status: 404 });
    }) as unknown as typeof globalThis.fetch;
    const cloudflare = await findPrimary({
      baseUrl: "https://api.cloudflare.com/client/v4",
      fetch,
    });
    expect(cloudflare).toEqual({ host: "172.65.64.6", port: 53, from: "cloudflare" });
    expect(asked).toEqual([]);
    const gateway = await findPrimary({ baseUrl: "https://gateway.example/client/v4", fetch });
    expect(gateway?.from).toBe("cloudflare");
    expect(asked).toEqual(["https://gateway.example/client/v4"]);
    await expect(findPrimary({ baseUrl: "http://[::1]:9/client/v4", fetch })).rejects.toThrow(
      PrimaryUnknownError,
    );
    const learnt = await findPrimary({ baseUrl: emulator.url });
    expect(learnt).toEqual({ host: "127.0.0.1", port: emulator.dns!.port, from: "emulator" });
  });

  it("doctor asks the emulator's primary by itself, and refuses a loopback API that names none", async () => {
    const zone = newZone();
    expect((await cli(setupArgs(zone, newPeerIp()), envFor(emulator.url))).code).toBe(0);
    const args = ["outgoing", "doctor", zone, "--json", "--timeout", "300"];
    const found = await cli(args, envFor(emulator.url));
    const report = JSON.parse(found.stdout);
    expect(report.primary).toMatchObject({
      target: `127.0.0.1:${emulator.dns!.port}`,
      state: "answered",
    });
    const events = emulator.events().filter((e) => e.type === "query" && e.qtype === "SOA");
    expect(events.length).toBeGreaterThan(0);

    const plain = await startEmulator({ seed: {} });
    try {
      const refused = await cli(args, envFor(plain.url));
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/serves no DNS .*give --primary HOST:PORT/);
      expect(refused.stdout).toBe("");
    } finally {
      await plain.close();
    }
  });
});

describe("outgoing setup --json", () => {
  it("prints the steps, the key with its secret, the peer, the configuration and the text for the secondary", async () => {
    const [zone, ip] = [newZone(), newPeerIp()];
    const args = setupArgs(zone, ip, "--json", "--tsig-name", `json${zone.slice(-4)}.example.com.`);
    const { code, stdout, stderr } = await cli(args, envFor(emulator.url));
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    const data = JSON.parse(stdout);
    expect(data.steps.map((s: { outcome: string }) => s.outcome)).toEqual([
      "created",
      "created",
      "created",
      "updated",
    ]);
    expect(data.primary).toEqual({ host: "127.0.0.1", port: emulator.dns!.port });
    expect(data.peer.tsig_id).toBe(data.tsig.id);
    expect(data.outgoing.peers).toEqual([data.peer.id]);
    expect(data.secondary.primary).toBe(`127.0.0.1:${emulator.dns!.port}`);
    expect(data.secondary.keyStanza).toContain(data.tsig.secret);
    expect(data.secondary.knot).toContain(`secret: ${data.tsig.secret}`);
    expect(data.secondary.nsd).toContain(`secret: "${data.tsig.secret}"`);
    const again = JSON.parse((await cli(args, envFor(emulator.url))).stdout);
    expect(new Set(again.steps.map((s: { outcome: string }) => s.outcome))).toEqual(
      new Set(["unchanged"]),
    );
  });
});

describe("outgoing setup that fails midway", () => {
  it("says what was done and what was not, exits 1, and a second run finishes the job", async () => {
    const [zone, ip] = [newZone(), newPeerIp()];
    const proxy = await startProxy(emulator.url, (method, url) =>
      method === "POST" && url.endsWith(`/zones/${zone}/secondary_dns/outgoing`)
        ? { status: 403, body: apiError(10000, "Authentication error\x1b[2J") }
        : undefined,
    );
    proxies.push(proxy);
    const args = setupArgs(
      zone,
      ip,
      "--tsig-name",
      `mid${zone.slice(-4)}.example.com.`,
      "--retries",
      "0",
    );
    const failed = await cli(args, envFor(proxy.url));
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/ {2}tsig {7}created /);
    expect(failed.stdout).toMatch(/ {2}peer {7}created /);
    expect(failed.stdout).not.toMatch(/outgoing {3}created/);
    expect(failed.stderr).toContain('outgoing setup stopped at step "outgoing".');
    expect(failed.stderr).toContain("  done: tsig created, peer created\n");
    expect(failed.stderr).toContain("  not done: outgoing, transfers\n");
    expect(failed.stderr).toContain("the API answered 403 to POST");
    expect(failed.stderr).toContain("error 10000: Authentication error\\x1b[2J");
    expect(failed.stderr).not.toContain("\x1b");
    expect(failed.stderr).not.toMatch(STACK_LINE);
    expect(proxy.seen.some((r) => r.startsWith("POST") && r.endsWith("/enable"))).toBe(false);

    const second = await cli(args, envFor(emulator.url));
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/ {2}tsig {7}unchanged /);
    expect(second.stdout).toMatch(/ {2}peer {7}unchanged /);
    expect(second.stdout).toMatch(/ {2}outgoing {3}created /);
    expect(second.stdout).toMatch(/ {2}transfers {2}updated /);
  });

  it("an unreachable API at the first step: nothing done, exit 3", async () => {
    const proxy = await startProxy(emulator.url);
    const url = proxy.url;
    await proxy.close();
    const args = setupArgs(newZone(), newPeerIp(), "--retries", "0", "--timeout", "2000");
    const { code, stderr } = await cli(args, envFor(url));
    expect(code).toBe(3);
    expect(stderr).toContain('stopped at step "tsig"');
    expect(stderr).toContain("  done: nothing\n");
    expect(stderr).toContain("  not done: tsig, peer, outgoing, transfers\n");
  });
});

describe("outgoing setup with bad input: usage error, exit 2, nothing sent", () => {
  const cases: [string, string[], RegExp][] = [
    [
      "an IP of 999.1.1.1",
      ["--peer-ip", "999.1.1.1"],
      /invalid --peer-ip: must be an IPv4 or IPv6/,
    ],
    ["port 0", ["--peer-port", "0"], /invalid --peer-port: must be a whole number from 1 to 65535/],
    ["port 70000", ["--peer-port", "70000"], /invalid --peer-port/],
    ["an unknown algorithm", ["--tsig-algo", "hmac-sha999"], /invalid --tsig-algo: must be one of/],
    [
      "a key name that is not a DNS name (named as given)",
      ["--tsig-name", "k ey.example.com"],
      /invalid --tsig-name: .*got "k ey\.example\.com"/,
    ],
    ["a bad zone name", ["--name", "exa mple.com."], /invalid --name: must be a DNS name/],
    ["a bad account", ["--account", "XYZ"], /invalid --account: must be 32 lowercase hex/],
    [
      "a bad --primary",
      ["--primary", "cloudflare.com:53"],
      /invalid --primary: "cloudflare.com:53" is not an IP address/,
    ],
    ["--no-tsig with --tsig-name", ["--no-tsig", "--tsig-name", "a."], /exclude each other/],
    ["an unknown option", ["--bogus"], /unknown option "--bogus"/],
  ];
  it.each(cases)("%s", async (_, extra, message) => {
    const proxy = await startProxy(emulator.url);
    proxies.push(proxy);
    const args = [...setupArgs(newZone(), "127.0.2.1"), ...extra];
    // A later --peer-ip or --name replaces the one setupArgs gave.
    const { code, stdout, stderr } = await cli(args, envFor(proxy.url));
    expect(stderr).toMatch(message);
    expect(stderr).toContain('Run "cf-secondary-dns outgoing setup --help" for usage.');
    expect({ code, stdout, seen: proxy.seen }).toEqual({ code: 2, stdout: "", seen: [] });
  });

  it("an empty secret file, a missing one, and no account", async () => {
    const proxy = await startProxy(emulator.url);
    proxies.push(proxy);
    const empty = path.join(folder, "empty.secret");
    writeFileSync(empty, "\n", { mode: 0o600 });
    const base = setupArgs(newZone(), "127.0.2.1");
    const env = envFor(proxy.url);
    const runs = [
      [
        [...base, "--tsig-secret-file", empty],
        env,
        /no secret in --tsig-secret-file .*: it is empty/,
      ],
      [
        [...base, "--tsig-secret-file", path.join(folder, "none")],
        env,
        /cannot read --tsig-secret-file .*ENOENT/,
      ],
      [
        base,
        { ...env, CLOUDFLARE_ACCOUNT_ID: "" },
        /missing --account ID \(or CLOUDFLARE_ACCOUNT_ID\)/,
      ],
      [["outgoing", "setup", newZone(), "--peer-ip", "127.0.0.9"], env, /missing --name ZONE/],
      [["outgoing", "setup", newZone(), "--name", "a."], env, /missing --peer-ip IP/],
      [["outgoing", "setup"], env, /missing <zone_id>/],
    ] as const;
    for (const [args, runEnv, message] of runs) {
      const { code, stderr } = await cli([...args], runEnv);
      expect(stderr).toMatch(message);
      expect(code).toBe(2);
    }
    expect(proxy.seen).toEqual([]);
  });

  it("--help", async () => {
    const { code, stdout } = await cli(["outgoing", "setup", "--help"], {});
    expect(code).toBe(0);
    expect(stdout).toContain(
      "Usage: cf-secondary-dns outgoing setup <zone_id> --name ZONE --peer-ip IP",
    );
    expect(stdout).toContain("--show-secret");
    const outgoingHelp = await cli(["outgoing", "--help"], {});
    expect(outgoingHelp.stdout).toContain("  setup ");
  });
});

describe("setupOutgoing, the library function", () => {
  it("reports each step, and a failure at enable names the three steps done", async () => {
    const zone = newZone();
    let calls = 0;
    const client = createSecondaryDnsClient({
      apiToken: "library",
      baseUrl: emulator.url,
      accountId: ACCOUNT,
      maxRetries: 0,
      fetch: (request: Request, init?: RequestInit) => {
        calls += 1;
        if (request.url.endsWith("/outgoing/enable"))
          return Promise.resolve(
            new Response(JSON.stringify(apiError(1000, "server fault")), {
              status: 500,
              headers: { "content-type": "application/json" },
            }),
          );
        return fetch(request, init);
      },
    });
    const heard: string[] = [];
    const input = {
      zoneId: zone,
      zoneName: "lib.example.",
      peer: { ip: newPeerIp() },
      tsig: { name: `lib${zone.slice(-4)}.example.` },
    };
    const failure = await setupOutgoing(client, input, (s) =>
      heard.push(`${s.step} ${s.outcome}`),
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SetupFailedError);
    const error = failure as SetupFailedError;
    expect(error.step).toBe("transfers");
    expect(error.done.map((s) => s.step)).toEqual(["tsig", "peer", "outgoing"]);
    expect(error.notDone).toEqual(["transfers"]);
    expect(heard).toEqual(["tsig created", "peer created", "outgoing created"]);
    expect(error.message).not.toContain(
      ((await checker().tsigs.list()).at(-1) as { secret: string }).secret,
    );
    expect(calls).toBeGreaterThan(4);

    const result = await setupOutgoing(checker(), input);
    expect(result.steps.map((s) => s.outcome)).toEqual([
      "unchanged",
      "unchanged",
      "unchanged",
      "updated",
    ]);
    expect(result.tsig?.secret).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  it("checks its input before sending anything", async () => {
    let calls = 0;
    const client = createSecondaryDnsClient({
      apiToken: "library",
      baseUrl: emulator.url,
      accountId: ACCOUNT,
      fetch: () => {
        calls += 1;
        throw new Error("not reached");
      },
    });
    const bad = {
      zoneId: newZone(),
      zoneName: "a.example.",
      peer: { ip: "127.0.0.1", port: 0 },
      tsig: null,
    };
    await expect(setupOutgoing(client, bad)).rejects.toMatchObject({ field: "peer.port" });
    expect(calls).toBe(0);
  });
});
