// Bad input to client.peers, client.tsigs and client.acls: every field of their
// bodies, their ids, and the account id, each refused with a ValidationError
// naming the field before anything is sent; and the limits themselves accepted.
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  createSecondaryDnsClient,
  ValidationError,
  type AclInput,
  type PeerInput,
  type TsigInput,
} from "../../src/index.js";
import { TSIG_ALGORITHMS } from "../../generated/constants.js";
import { envelope, PEER_A, serverForTests, type SeenRequest } from "../support/server.js";

const server = serverForTests();
const ACCOUNT = "01a7362d577a6c3019a474fd6f485823";
const TSIG = "69cd1e104af3e6ed3cb344f263fd0d5a";
const ACL = "b4ae99a55280e68a888defc35bb0cf97";

// Pass `null` for a client without the accountId option.
const client = (accountId: string | null = ACCOUNT) =>
  createSecondaryDnsClient({
    apiToken: "tok-account-input-01",
    baseUrl: server.baseUrl,
    ...(accountId === null ? {} : { accountId }),
  });
type Client = ReturnType<typeof client>;

const peer: PeerInput = {
  name: "ns1",
  ip: "127.0.0.2",
  port: 53,
  ixfr_enable: false,
  tsig_id: TSIG,
};
const tsig: TsigInput = {
  name: "tsig.example.com.",
  algo: "hmac-sha256.",
  secret: "c2VjcmV0LXNlY3JldA==",
};
const acl: AclInput = { name: "local", ip_range: "127.0.0.16/28" };
const bad = <T>(value: T, changes: Record<string, unknown>) => ({ ...value, ...changes }) as never;

// [what, the call, the field the error must name, a word its reason must contain]
const table: [string, (c: Client) => Promise<unknown>, string, RegExp][] = [
  // peers
  [
    "peer without a name",
    (c) => c.peers.create(bad(peer, { name: undefined })),
    "body.name",
    /required/,
  ],
  [
    "peer with an empty name",
    (c) => c.peers.create(bad(peer, { name: "" })),
    "body.name",
    /non-empty/,
  ],
  [
    "peer name a number",
    (c) => c.peers.update(PEER_A, bad(peer, { name: 7 })),
    "body.name",
    /non-empty string/,
  ],
  [
    "ip 999.1.1.1",
    (c) => c.peers.create(bad(peer, { ip: "999.1.1.1" })),
    "body.ip",
    /IPv4 or IPv6/,
  ],
  [
    "ip with 3 parts",
    (c) => c.peers.create(bad(peer, { ip: "127.0.1" })),
    "body.ip",
    /IPv4 or IPv6/,
  ],
  [
    "ip with a leading zero",
    (c) => c.peers.create(bad(peer, { ip: "127.0.0.02" })),
    "body.ip",
    /IPv4 or IPv6/,
  ],
  [
    "ip a host name",
    (c) => c.peers.create(bad(peer, { ip: "ns1.example.com" })),
    "body.ip",
    /IPv4 or IPv6/,
  ],
  [
    "ip with a port",
    (c) => c.peers.create(bad(peer, { ip: "127.0.0.2:53" })),
    "body.ip",
    /IPv4 or IPv6/,
  ],
  [
    "ip a CIDR range",
    (c) => c.peers.create(bad(peer, { ip: "127.0.0.0/24" })),
    "body.ip",
    /IPv4 or IPv6/,
  ],
  [
    "ipv6 with two ::",
    (c) => c.peers.create(bad(peer, { ip: "1::2::3" })),
    "body.ip",
    /IPv4 or IPv6/,
  ],
  [
    "ipv6 with 9 groups",
    (c) => c.peers.create(bad(peer, { ip: "1:2:3:4:5:6:7:8:9" })),
    "body.ip",
    /IPv4 or IPv6/,
  ],
  [
    "ipv6 with a 5-digit group",
    (c) => c.peers.create(bad(peer, { ip: "12345::1" })),
    "body.ip",
    /IPv4 or IPv6/,
  ],
  ["ip a number", (c) => c.peers.create(bad(peer, { ip: 2130706433 })), "body.ip", /IPv4 or IPv6/],
  ["ip null", (c) => c.peers.create(bad(peer, { ip: null })), "body.ip", /IPv4 or IPv6/],
  ["port 0", (c) => c.peers.create(bad(peer, { port: 0 })), "body.port", /1 to 65535, got 0/],
  [
    "port 70000",
    (c) => c.peers.update(PEER_A, bad(peer, { port: 70000 })),
    "body.port",
    /1 to 65535, got 70000/,
  ],
  ["port 65536", (c) => c.peers.create(bad(peer, { port: 65536 })), "body.port", /1 to 65535/],
  ["port -53", (c) => c.peers.create(bad(peer, { port: -53 })), "body.port", /1 to 65535/],
  ["port 53.5", (c) => c.peers.create(bad(peer, { port: 53.5 })), "body.port", /integer/],
  ["port as a string", (c) => c.peers.create(bad(peer, { port: "53" })), "body.port", /integer/],
  ["port NaN", (c) => c.peers.create(bad(peer, { port: Number.NaN })), "body.port", /integer/],
  [
    "ixfr_enable a string",
    (c) => c.peers.create(bad(peer, { ixfr_enable: "true" })),
    "body.ixfr_enable",
    /true or false/,
  ],
  [
    "ixfr_enable 1",
    (c) => c.peers.create(bad(peer, { ixfr_enable: 1 })),
    "body.ixfr_enable",
    /true or false/,
  ],
  [
    "tsig_id short",
    (c) => c.peers.create(bad(peer, { tsig_id: "abc" })),
    "body.tsig_id",
    /32 lowercase hex/,
  ],
  [
    "tsig_id uppercase",
    (c) => c.peers.create(bad(peer, { tsig_id: TSIG.toUpperCase() })),
    "body.tsig_id",
    /lowercase/,
  ],
  [
    "tsig_id a TSIG name",
    (c) => c.peers.create(bad(peer, { tsig_id: "tsig.example.com." })),
    "body.tsig_id",
    /32 lowercase hex/,
  ],
  [
    "peer with an id field",
    (c) => c.peers.create(bad(peer, { id: PEER_A })),
    "body.id",
    /not a field/,
  ],
  [
    "peer with a misspelt field",
    (c) => c.peers.create(bad(peer, { tsig: TSIG })),
    "body.tsig",
    /not a field/,
  ],
  ["peer body an array", (c) => c.peers.create([] as never), "body", /must be an object/],
  [
    "peer body missing",
    (c) => c.peers.update(PEER_A, undefined as never),
    "body",
    /must be an object/,
  ],
  ["peer id short", (c) => c.peers.get("abc"), "peerId", /32 lowercase hex/],
  ["peer id traversal", (c) => c.peers.delete("../../zones"), "peerId", /32 lowercase hex/],
  ["peer id a number", (c) => c.peers.update(1 as never, peer), "peerId", /must be a string/],
  // TSIGs
  [
    "tsig name without its dot",
    (c) => c.tsigs.create(bad(tsig, { name: "tsig.example.com" })),
    "body.name",
    /with its trailing dot/,
  ],
  [
    "tsig name with spaces",
    (c) => c.tsigs.create(bad(tsig, { name: "my key." })),
    "body.name",
    /DNS name/,
  ],
  ["tsig name empty", (c) => c.tsigs.create(bad(tsig, { name: "" })), "body.name", /empty/],
  [
    "tsig without a name",
    (c) => c.tsigs.update(TSIG, bad(tsig, { name: undefined })),
    "body.name",
    /required/,
  ],
  [
    "algo without its dot",
    (c) => c.tsigs.create(bad(tsig, { algo: "hmac-sha256" })),
    "body.algo",
    /add the trailing dot: "hmac-sha256\."/,
  ],
  [
    "algo unknown",
    (c) => c.tsigs.create(bad(tsig, { algo: "hmac-sha3." })),
    "body.algo",
    /must be one of "hmac-md5/,
  ],
  [
    "algo upper case",
    (c) => c.tsigs.create(bad(tsig, { algo: "HMAC-SHA256." })),
    "body.algo",
    /must be one of/,
  ],
  [
    "algo gss-tsig",
    (c) => c.tsigs.create(bad(tsig, { algo: "gss-tsig." })),
    "body.algo",
    /must be one of/,
  ],
  [
    "tsig without algo",
    (c) => c.tsigs.create(bad(tsig, { algo: undefined })),
    "body.algo",
    /required/,
  ],
  [
    "an empty secret",
    (c) => c.tsigs.create(bad(tsig, { secret: "" })),
    "body.secret",
    /non-empty.*got an empty string/,
  ],
  [
    "a secret that is a number",
    (c) => c.tsigs.update(TSIG, bad(tsig, { secret: 1234 })),
    "body.secret",
    /got number/,
  ],
  ["no secret", (c) => c.tsigs.create(bad(tsig, { secret: undefined })), "body.secret", /required/],
  [
    "tsig with an id field",
    (c) => c.tsigs.create(bad(tsig, { id: TSIG })),
    "body.id",
    /not a field/,
  ],
  ["tsig id uppercase", (c) => c.tsigs.get(TSIG.toUpperCase()), "tsigId", /lowercase/],
  ["tsig id empty", (c) => c.tsigs.delete(""), "tsigId", /32 lowercase hex/],
  // ACLs
  [
    "a /23 IPv4 range",
    (c) => c.acls.create(bad(acl, { ip_range: "127.0.0.0/23" })),
    "body.ip_range",
    /no larger than \/24 for IPv4/,
  ],
  [
    "a /0 IPv4 range",
    (c) => c.acls.create(bad(acl, { ip_range: "0.0.0.0/0" })),
    "body.ip_range",
    /no larger than \/24/,
  ],
  [
    "a /63 IPv6 range",
    (c) => c.acls.update(ACL, bad(acl, { ip_range: "2001:db8::/63" })),
    "body.ip_range",
    /no larger than \/24 for IPv4 or \/64 for IPv6/,
  ],
  [
    "a /33 IPv4 range",
    (c) => c.acls.create(bad(acl, { ip_range: "127.0.0.1/33" })),
    "body.ip_range",
    /CIDR/,
  ],
  [
    "a /129 IPv6 range",
    (c) => c.acls.create(bad(acl, { ip_range: "::1/129" })),
    "body.ip_range",
    /CIDR/,
  ],
  [
    "a range without prefix",
    (c) => c.acls.create(bad(acl, { ip_range: "127.0.0.1" })),
    "body.ip_range",
    /CIDR/,
  ],
  [
    "a range with a bad address",
    (c) => c.acls.create(bad(acl, { ip_range: "999.0.0.0/24" })),
    "body.ip_range",
    /CIDR/,
  ],
  [
    "a prefix with a leading zero",
    (c) => c.acls.create(bad(acl, { ip_range: "127.0.0.0/024" })),
    "body.ip_range",
    /CIDR/,
  ],
  [
    "two prefixes",
    (c) => c.acls.create(bad(acl, { ip_range: "127.0.0.0/24/28" })),
    "body.ip_range",
    /CIDR/,
  ],
  [
    "IPv6 with embedded IPv4",
    (c) => c.acls.create(bad(acl, { ip_range: "::ffff:127.0.0.1/120" })),
    "body.ip_range",
    /CIDR/,
  ],
  [
    "a range that is a number",
    (c) => c.acls.create(bad(acl, { ip_range: 24 })),
    "body.ip_range",
    /CIDR/,
  ],
  [
    "acl without a range",
    (c) => c.acls.create(bad(acl, { ip_range: undefined })),
    "body.ip_range",
    /required/,
  ],
  [
    "acl with an empty name",
    (c) => c.acls.create(bad(acl, { name: "" })),
    "body.name",
    /non-empty/,
  ],
  [
    "acl with an extra field",
    (c) => c.acls.create(bad(acl, { ip: "127.0.0.1" })),
    "body.ip",
    /not a field/,
  ],
  ["acl id with a slash", (c) => c.acls.get("a/b"), "aclId", /32 lowercase hex/],
  // the account
  [
    "an uppercase account per call",
    (c) => c.peers.list({ accountId: ACCOUNT.toUpperCase() }),
    "accountId",
    /lowercase/,
  ],
  [
    "a short account per call",
    (c) => c.tsigs.list({ accountId: "abc" }),
    "accountId",
    /32 lowercase hex/,
  ],
  ["an account that is a number", (c) => c.acls.list({ accountId: 1 as never }), "accountId", /./],
];

describe("bad input to peers, TSIGs and ACLs gets a ValidationError and sends nothing", () => {
  it.each(table)("%s", async (_what, call, field, reason) => {
    const before = server.requests.length;
    let promise: Promise<unknown> | undefined;
    expect(() => {
      promise = call(client());
    }).not.toThrow();
    const error = await promise!.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe(field);
    expect((error as ValidationError).reason).toMatch(reason);
    expect(server.requests.length).toBe(before);
  });

  it("every field of the three bodies has a bad-input entry", () => {
    for (const [resource, fields] of [
      ["peers", Object.keys(peer)],
      ["tsigs", Object.keys(tsig)],
      ["acls", Object.keys(acl)],
    ] as const) {
      for (const name of fields) {
        const rows = table.filter(
          ([, call, field]) => field === `body.${name}` && String(call).includes(`c.${resource}.`),
        );
        expect(rows.length, `${resource} body.${name}`).toBeGreaterThan(0);
      }
    }
  });
});

/** Answers create and update with what they sent, under an id. */
function echo(request: SeenRequest) {
  return { body: envelope({ id: PEER_A, ...JSON.parse(request.body) }) };
}

describe("the limits themselves are accepted", () => {
  it.each([
    ["port 1", { ...peer, port: 1 }],
    ["port 65535", { ...peer, port: 65535 }],
    ["a name only", { name: "n" }],
    ["IPv6 loopback", { ...peer, ip: "::1" }],
    ["a full IPv6 address", { ...peer, ip: "2001:0db8:0000:0000:0000:ff00:0042:8329" }],
    ["IPv4-mapped IPv6", { ...peer, ip: "::ffff:127.0.0.2" }],
    ["IPv4 255.255.255.255", { ...peer, ip: "255.255.255.255" }],
    ["ixfr_enable true", { ...peer, ixfr_enable: true }],
  ])("peer: %s", async (_what, body) => {
    server.handle(echo);
    await expect(client().peers.create(body)).resolves.toMatchObject(body);
    expect(JSON.parse(server.requests.at(-1)!.body)).toEqual(body);
  });

  it.each([
    ["a /24", "127.0.0.0/24"],
    ["a /32", "127.0.0.1/32"],
    ["a /64", "2001:db8::/64"],
    ["a /128", "::1/128"],
    ["host bits set", "127.0.0.17/28"],
  ])("ACL: %s", async (_what, ip_range) => {
    server.handle(echo);
    await expect(client().acls.create({ name: "r", ip_range })).resolves.toMatchObject({
      ip_range,
    });
  });

  it.each<TsigInput["algo"]>(TSIG_ALGORITHMS)("TSIG algorithm %s", async (algo) => {
    server.handle(echo);
    await expect(client().tsigs.create({ ...tsig, algo })).resolves.toMatchObject({ algo });
  });

  it("fields holding undefined are left out, and the caller's body is neither changed nor kept", async () => {
    server.handle(echo);
    const body = { name: "ns1", ip: undefined, port: 53 } as unknown as PeerInput;
    const frozen = { ...body };
    await client().peers.update(PEER_A, body);
    expect(JSON.parse(server.requests.at(-1)!.body)).toEqual({ name: "ns1", port: 53 });
    expect(body).toEqual(frozen);
  });
});

describe("the account id", () => {
  afterEach(() => vi.unstubAllEnvs());
  const list = `/client/v4/accounts/${ACCOUNT}/secondary_dns/peers`;
  const OTHER = "ffffffffffffffffffffffffffffffff";

  it("comes from the client option", async () => {
    server.handle(() => ({ body: envelope([]) }));
    await client().peers.list();
    expect(server.requests.at(-1)!.path).toBe(list);
  });

  it("else from CLOUDFLARE_ACCOUNT_ID", async () => {
    vi.stubEnv("CLOUDFLARE_ACCOUNT_ID", ACCOUNT);
    server.handle(() => ({ body: envelope([]) }));
    await client(null).peers.list();
    expect(server.requests.at(-1)!.path).toBe(list);
  });

  it("the option wins over the environment, and a call's accountId over both", async () => {
    vi.stubEnv("CLOUDFLARE_ACCOUNT_ID", OTHER);
    server.handle(() => ({ body: envelope([]) }));
    await client().peers.list();
    expect(server.requests.at(-1)!.path).toBe(list);
    await client().acls.list({ accountId: OTHER });
    expect(server.requests.at(-1)!.path).toBe(`/client/v4/accounts/${OTHER}/secondary_dns/acls`);
  });

  it("missing everywhere: a ValidationError naming accountId, for every method, nothing sent", async () => {
    vi.stubEnv("CLOUDFLARE_ACCOUNT_ID", "");
    const c = client(null);
    const calls = [
      c.peers.list(),
      c.peers.get(PEER_A),
      c.peers.create(peer),
      c.peers.update(PEER_A, peer),
      c.peers.delete(PEER_A),
      c.tsigs.list(),
      c.tsigs.get(TSIG),
      c.tsigs.create(tsig),
      c.tsigs.update(TSIG, tsig),
      c.tsigs.delete(TSIG),
      c.acls.list(),
      c.acls.get(ACL),
      c.acls.create(acl),
      c.acls.update(ACL, acl),
      c.acls.delete(ACL),
    ];
    const before = server.requests.length;
    for (const call of calls) {
      const error = await call.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe("accountId");
      expect((error as ValidationError).message).toMatch(/CLOUDFLARE_ACCOUNT_ID/);
    }
    expect(server.requests.length).toBe(before);
  });

  it("a bad CLOUDFLARE_ACCOUNT_ID is refused at the call, naming accountId, nothing sent", async () => {
    vi.stubEnv("CLOUDFLARE_ACCOUNT_ID", "not-an-account");
    const before = server.requests.length;
    const error = await client(null)
      .peers.list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe("accountId");
    expect(server.requests.length).toBe(before);
  });

  it("a bad accountId option is refused when the client is made", () => {
    expect(() => client("not-an-account")).toThrow(ValidationError);
  });

  it("is not needed by zone-scoped calls", async () => {
    vi.stubEnv("CLOUDFLARE_ACCOUNT_ID", "");
    server.handle(() => ({ body: envelope("Enabled") }));
    await expect(client(null).outgoing.status(ACL)).resolves.toBe("Enabled");
  });
});
