// The modular form: createSecondaryDnsCore and one generated function per
// operation (`outgoingGet(core, zoneId)`), the same functions the full client
// binds to its core. It sends what the client sends, checks what it checks, and
// refuses anything that is not a core.
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
  cloudflareIps,
  createPublicCore,
  createSecondaryDnsClient,
  createSecondaryDnsCore,
  NotFoundError,
  outgoingGet,
  outgoingUpdate,
  peersCreate,
  peersDelete,
  tsigsCreate,
  ValidationError,
} from "../../src/index.js";
import { RESOURCES } from "../../generated/client/resources.js";
import { OPERATIONS } from "../../generated/operations.js";
import { rawClient } from "../../src/raw.js";
import { envelope, failure, sampleZone, serverForTests, ZONE } from "../support/server.js";

const server = serverForTests();
const ACCOUNT = "01a7362d577a6c3019a474fd6f485823";
const core = () =>
  createSecondaryDnsCore({
    apiToken: "tok-modular-0001",
    baseUrl: server.baseUrl,
    accountId: ACCOUNT,
  });

describe("the modular form", () => {
  it("sends what the full client sends and resolves to the result", async () => {
    server.handle(() => ({ body: envelope(sampleZone) }));
    const client = createSecondaryDnsClient({
      apiToken: "tok-modular-0001",
      baseUrl: server.baseUrl,
    });
    expect(await outgoingGet(core(), ZONE)).toEqual(sampleZone);
    expect(await client.outgoing.get(ZONE)).toEqual(sampleZone);
    const [modular, full] = server.requests.slice(-2);
    expect(modular!.path).toBe(`/client/v4/zones/${ZONE}/secondary_dns/outgoing`);
    expect(modular!.path).toBe(full!.path);
    expect(modular!.headers.authorization).toBe("Bearer tok-modular-0001");
    expect(modular!.headers["user-agent"]).toBe(full!.headers["user-agent"]);
  });

  it("checks bodies and path parameters before sending", async () => {
    const before = server.requests.length;
    await expect(outgoingUpdate(core(), ZONE, { name: "a.", peers: "x" } as never)).rejects.toThrow(
      "Invalid body.peers: must be an array",
    );
    await expect(outgoingGet(core(), "nope")).rejects.toThrow(ValidationError);
    expect(server.requests.length).toBe(before);
  });

  it("fills the account from the core's options, and sends {} for a peer's delete", async () => {
    server.handle((request) => ({
      body: envelope(request.method === "DELETE" ? { id: ZONE } : { id: ZONE, name: "p" }),
    }));
    await peersCreate(core(), { name: "p" });
    expect(server.requests.at(-1)!.path).toBe(`/client/v4/accounts/${ACCOUNT}/secondary_dns/peers`);
    await peersDelete(core(), ZONE);
    // A delete's optional body (EmptyBody) is not an argument: `{}` goes, as the spec asks.
    expect(server.requests.at(-1)!.body).toBe("{}");
  });

  it("rejects as the client does", async () => {
    server.handle(() => failure(404, 1003, "Primary zone configuration not found"));
    await expect(outgoingGet(core(), ZONE)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("keeps a TSIG secret it sent out of its errors (the spec's password field)", async () => {
    const secret = "l3qJr97PJWH4YV4k2uPsiVuPfmmcjV1t+8HbhItnu9U=";
    server.handle((request) => failure(400, 1004, `bad body ${request.body}`));
    const error = await tsigsCreate(core(), { name: "k.", algo: "hmac-sha256.", secret }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect(inspect(error, { depth: 10 })).not.toContain(secret);
    expect((error as Error).message).toContain("[REDACTED]");
  });

  it("refuses what is not a core or a client, sending nothing", async () => {
    const before = server.requests.length;
    for (const notCore of [{}, null, undefined, "core"]) {
      await expect(outgoingGet(notCore as never, ZONE)).rejects.toThrow(
        "Invalid client: must be a client made by createSecondaryDnsClient or createSecondaryDnsCore",
      );
    }
    expect(server.requests.length).toBe(before);
  });

  it("takes a full client as its core, and a core works with rawClient and cloudflareIps", async () => {
    server.handle(() => ({ body: envelope(sampleZone) }));
    const client = createSecondaryDnsClient({
      apiToken: "tok-modular-0001",
      baseUrl: server.baseUrl,
    });
    expect(await outgoingGet(client, ZONE)).toEqual(sampleZone);
    const { data } = await rawClient(core()).GET("/zones/{zone_id}/secondary_dns/outgoing", {
      params: { path: { zone_id: ZONE } },
    });
    expect(data?.result).toEqual(sampleZone);
    const ranges = { ipv4_cidrs: ["173.245.48.0/20"], ipv6_cidrs: ["2400:cb00::/32"], etag: "e" };
    server.handle(() => ({ body: envelope(ranges) }));
    expect(await cloudflareIps(core())).toEqual(ranges);
  });

  it("a public core needs no credential, reads none from the environment and sends none", async () => {
    const ranges = { ipv4_cidrs: ["173.245.48.0/20"], ipv6_cidrs: ["2400:cb00::/32"], etag: "p" };
    server.handle(() => ({ body: envelope(ranges) }));
    const saved = process.env.CLOUDFLARE_API_TOKEN;
    process.env.CLOUDFLARE_API_TOKEN = "tok-from-env-0002";
    try {
      expect(await cloudflareIps(createPublicCore({ baseUrl: server.baseUrl }))).toEqual(ranges);
      const request = server.requests.at(-1)!;
      expect(request.path).toBe("/client/v4/ips");
      expect(request.headers.authorization).toBeUndefined();
      expect(request.headers["x-auth-key"]).toBeUndefined();
      expect(request.headers["user-agent"]).toMatch(/^cf-secondary-dns\//);
    } finally {
      if (saved === undefined) delete process.env.CLOUDFLARE_API_TOKEN;
      else process.env.CLOUDFLARE_API_TOKEN = saved;
    }
    // With no credential anywhere, a core cannot be made, a public core can.
    const env = ["CLOUDFLARE_API_TOKEN", "CLOUDFLARE_EMAIL", "CLOUDFLARE_API_KEY"];
    const kept = env.map((name) => [name, process.env[name]] as const);
    for (const name of env) delete process.env[name];
    try {
      expect(() => createSecondaryDnsCore({ baseUrl: server.baseUrl })).toThrow(/no credentials/);
      expect(await cloudflareIps(createPublicCore({ baseUrl: server.baseUrl }))).toEqual(ranges);
    } finally {
      for (const [name, value] of kept) if (value !== undefined) process.env[name] = value;
    }
    // Its other options are checked as a client's are.
    expect(() => createPublicCore({ baseUrl: "http://api.example.com/client/v4" })).toThrow(
      ValidationError,
    );
  });

  it("a core is checked as a client's options are", () => {
    expect(() => createSecondaryDnsCore({ apiToken: "t", apiKey: "k", apiEmail: "e@x" })).toThrow(
      ValidationError,
    );
  });
});

describe("the generated table", () => {
  it("holds one function per operation with x-client-method, where the method says", () => {
    const withMethod = Object.values(OPERATIONS).filter((info) => info.resource);
    for (const info of withMethod) {
      const resource = RESOURCES[info.resource as keyof typeof RESOURCES] as Record<
        string,
        unknown
      >;
      const fn = info
        .method!.split(".")
        .reduce<unknown>((at, key) => (at as Record<string, unknown>)[key], resource);
      expect(typeof fn, `${info.resource}.${info.method}`).toBe("function");
    }
    const count = (table: object): number =>
      Object.values(table).reduce<number>(
        (n, v) => n + (typeof v === "function" ? 1 : count(v as object)),
        0,
      );
    expect(count(RESOURCES)).toBe(withMethod.length);
  });

  it("the full client has every resource of the table, bound", () => {
    const client = createSecondaryDnsClient({ apiToken: "t" });
    expect(Object.keys(client).sort()).toEqual(Object.keys(RESOURCES).sort());
  });
});
