/**
 * Peers, TSIGs and ACLs through raw HTTP: the five operations of each, what they
 * answer in each state, and bad input for every field. Every answer is checked
 * against the spec by exchange(); each bad input is also put to the spec's own
 * validator, so the emulator and the spec cannot disagree.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TSIG_ALGORITHMS } from "../../generated/constants.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { operationById, requestValidator } from "../support/spec.js";
import { exchange, onlyError } from "./exchange.js";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const OTHER_ACCOUNT = "fedcba9876543210fedcba9876543210";
const MISSING = "ffffffffffffffffffffffffffffffff";
const SECRET = "l3qJr97PJWH4YV4k2uPsiVuPfmmcjV1t+8HbhItnu9U=";

interface Resource {
  segment: string;
  create: string;
  notFound: string;
  input: Record<string, unknown>;
  changed: Record<string, unknown>;
  /** Bodies the spec refuses, with the pointer the emulator must name. */
  bad: [what: string, body: unknown, pointer: string][];
}

const peerInput = { name: "ns1", ip: "127.0.0.2", port: 53 };
const tsigInput = { name: "tsig.example.com.", algo: "hmac-sha256.", secret: SECRET };
const aclInput = { name: "local", ip_range: "127.0.0.16/28" };

const RESOURCES: Resource[] = [
  {
    segment: "peers",
    create: "secondary-dns-(-peer)-create-peer",
    notFound: "Peer not found",
    input: peerInput,
    changed: { name: "ns1", ip: "::1", port: 5353, ixfr_enable: true },
    bad: [
      ["no name", { ip: "127.0.0.2" }, "/name"],
      ["an empty name", { name: "" }, "/name"],
      ["a name that is not a string", { name: 53 }, "/name"],
      ["ip 999.1.1.1", { ...peerInput, ip: "999.1.1.1" }, "/ip"],
      ["ip with a prefix", { ...peerInput, ip: "127.0.0.2/32" }, "/ip"],
      ["ip a host name", { ...peerInput, ip: "localhost" }, "/ip"],
      ["ipv6 with a zone", { ...peerInput, ip: "fe80::1%eth0" }, "/ip"],
      ["port 0", { ...peerInput, port: 0 }, "/port"],
      ["port 70000", { ...peerInput, port: 70000 }, "/port"],
      ["port -53", { ...peerInput, port: -53 }, "/port"],
      ["port 53.5", { ...peerInput, port: 53.5 }, "/port"],
      ['port "53"', { ...peerInput, port: "53" }, "/port"],
      ['ixfr_enable "yes"', { ...peerInput, ixfr_enable: "yes" }, "/ixfr_enable"],
      ["tsig_id in capitals", { ...peerInput, tsig_id: MISSING.toUpperCase() }, "/tsig_id"],
      ["tsig_id too short", { ...peerInput, tsig_id: "abc" }, "/tsig_id"],
      ["an id in the body", { ...peerInput, id: MISSING }, "/id"],
      ["an unknown field", { ...peerInput, address: "127.0.0.2" }, "/address"],
      ["an array", [peerInput], ""],
    ],
  },
  {
    segment: "tsigs",
    create: "secondary-dns-(-tsig)-create-tsig",
    notFound: "TSIG not found",
    input: tsigInput,
    changed: { name: "other.example.", algo: "hmac-sha512.", secret: "c2VjcmV0" },
    bad: [
      ["an algorithm without its dot", { ...tsigInput, algo: "hmac-sha256" }, "/algo"],
      ["an unknown algorithm", { ...tsigInput, algo: "hmac-sha3-256." }, "/algo"],
      ["an algorithm in capitals", { ...tsigInput, algo: "HMAC-SHA256." }, "/algo"],
      ["an empty secret", { ...tsigInput, secret: "" }, "/secret"],
      ["no secret", { name: tsigInput.name, algo: tsigInput.algo }, "/secret"],
      ["a secret that is not a string", { ...tsigInput, secret: 42 }, "/secret"],
      ["a name without its dot", { ...tsigInput, name: "tsig.example.com" }, "/name"],
      ["a name with an empty label", { ...tsigInput, name: "tsig..com." }, "/name"],
      ["a name with a space", { ...tsigInput, name: "my key." }, "/name"],
      ["no name", { algo: tsigInput.algo, secret: SECRET }, "/name"],
      ["no algorithm", { name: tsigInput.name, secret: SECRET }, "/algo"],
      ["an id in the body", { ...tsigInput, id: MISSING }, "/id"],
    ],
  },
  {
    segment: "acls",
    create: "secondary-dns-(-acl)-create-acl",
    notFound: "ACL not found",
    input: aclInput,
    changed: { name: "local-v6", ip_range: "::1/128" },
    bad: [
      ["a /23 IPv4 range", { ...aclInput, ip_range: "127.0.0.0/23" }, "/ip_range"],
      ["a /0 IPv4 range", { ...aclInput, ip_range: "0.0.0.0/0" }, "/ip_range"],
      ["a /63 IPv6 range", { ...aclInput, ip_range: "2001:db8::/63" }, "/ip_range"],
      ["a /33 IPv4 prefix", { ...aclInput, ip_range: "127.0.0.1/33" }, "/ip_range"],
      ["an address without a prefix", { ...aclInput, ip_range: "127.0.0.1" }, "/ip_range"],
      ["999.1.1.1/32", { ...aclInput, ip_range: "999.1.1.1/32" }, "/ip_range"],
      ["a prefix that is not a number", { ...aclInput, ip_range: "127.0.0.1/x" }, "/ip_range"],
      ["no range", { name: "local" }, "/ip_range"],
      ["an empty name", { ...aclInput, name: "" }, "/name"],
      ["no name", { ip_range: "127.0.0.1/32" }, "/name"],
    ],
  },
];

let emulator: Emulator;
beforeEach(async () => {
  emulator = await startEmulator({ seed: {} });
});
afterEach(() => emulator.close());

const base = (segment: string, account = ACCOUNT) =>
  `/accounts/${account}/secondary_dns/${segment}`;

describe.each(RESOURCES)("$segment", (resource) => {
  const { segment } = resource;
  const call = (method: string, id = "", body?: unknown, account = ACCOUNT) =>
    exchange(emulator.url, method, `${base(segment, account)}${id ? `/${id}` : ""}`, {
      ...(body === undefined ? {} : { body }),
    });
  const create = async (body: unknown = resource.input, account = ACCOUNT) => {
    const answer = await call("POST", "", body, account);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body.result as { id: string } & Record<string, unknown>;
  };

  it("an account starts with none: the list is empty, one page", async () => {
    const { status, body } = await call("GET");
    expect(status).toBe(200);
    expect(body.result).toEqual([]);
    expect(body.result_info).toEqual({
      count: 0,
      page: 1,
      per_page: 0,
      total_count: 0,
      total_pages: 1,
    });
  });

  it("create answers the input with a new id; get and list answer the same", async () => {
    const created = await create();
    expect(created).toMatchObject(resource.input);
    expect(created.id).toMatch(/^[0-9a-f]{32}$/);
    expect((await call("GET", created.id)).body.result).toEqual(created);
    const second = await create();
    expect(second.id).not.toBe(created.id);
    const list = (await call("GET")).body;
    expect(list.result).toEqual([created, second]); // in the order of creation
    expect(list.result_info).toMatchObject({ count: 2, total_count: 2 });
  });

  it("update replaces every field and keeps the id; the list shows the change", async () => {
    const created = await create();
    const updated = await call("PUT", created.id, resource.changed);
    expect(updated.status).toBe(200);
    expect(updated.body.result).toEqual({ id: created.id, ...resource.changed });
    expect((await call("GET")).body.result).toEqual([updated.body.result]);
  });

  it("delete answers the id, with no body or an empty object; then get answers 404", async () => {
    for (const body of [undefined, {}]) {
      const created = await create();
      const deleted = await call("DELETE", created.id, body);
      expect(deleted.status).toBe(200);
      expect(deleted.body.result).toEqual({ id: created.id });
      expect((await call("GET", created.id)).status).toBe(404);
    }
    expect((await call("GET")).body.result).toEqual([]);
  });

  it("delete refuses a body with anything in it (400), and deletes nothing", async () => {
    const created = await create();
    const answer = await call("DELETE", created.id, { id: created.id });
    expect(answer.status).toBe(400);
    expect(onlyError(answer).source).toEqual({ pointer: "" });
    expect((await call("GET", created.id)).status).toBe(200);
  });

  it.each(["GET", "PUT", "DELETE"])(
    "%s of an id the account does not have answers 404 with code 1003",
    async (method) => {
      const answer = await call(method, MISSING, method === "PUT" ? resource.input : undefined);
      expect(answer.status).toBe(404);
      expect(onlyError(answer)).toEqual({ code: 1003, message: resource.notFound });
    },
  );

  it("keeps accounts apart: another account neither lists nor reaches the record", async () => {
    const created = await create();
    expect((await call("GET", "", undefined, OTHER_ACCOUNT)).body.result).toEqual([]);
    expect((await call("GET", created.id, undefined, OTHER_ACCOUNT)).status).toBe(404);
    expect((await call("DELETE", created.id, undefined, OTHER_ACCOUNT)).status).toBe(404);
    expect((await call("GET", created.id)).status).toBe(200);
  });

  it("an account id or record id that is not 32 lowercase hex answers 400 code 7003", async () => {
    for (const path of [
      `/accounts/not-an-account/secondary_dns/${segment}`,
      `/accounts/${ACCOUNT.toUpperCase()}/secondary_dns/${segment}`,
      `${base(segment)}/abc`,
    ]) {
      const answer = await exchange(emulator.url, "GET", path);
      expect(answer.status, path).toBe(400);
      expect(onlyError(answer).code).toBe(7003);
    }
  });

  it.each(resource.bad)(
    "bad input, %s: 400 naming %s, on create and on update, and nothing changes",
    async (_what, body, pointer) => {
      const validate = requestValidator(operationById(resource.create))!;
      expect(validate(body), "the spec refuses it too").toBe(false);
      const kept = await create();
      for (const [method, id] of [
        ["POST", ""],
        ["PUT", kept.id],
      ] as const) {
        const answer = await call(method, id, body);
        expect(answer.status, `${method}: ${JSON.stringify(answer.body)}`).toBe(400);
        const error = onlyError(answer);
        expect(error.code).toBe(1004);
        expect(error.source).toEqual({ pointer });
      }
      expect((await call("GET")).body.result).toEqual([kept]);
    },
  );
});

describe("peers", () => {
  const peers = (method: string, id = "", body?: unknown) =>
    exchange(emulator.url, method, `${base("peers")}${id ? `/${id}` : ""}`, {
      ...(body === undefined ? {} : { body }),
    });

  it("ixfr_enable is false when left out; optional fields left out stay out", async () => {
    const { body } = await peers("POST", "", { name: "only-a-name" });
    expect(body.result).toEqual({ id: body.result.id, name: "only-a-name", ixfr_enable: false });
  });

  it("takes IPv4 and IPv6 addresses and the ends of the port range", async () => {
    for (const [ip, port] of [
      ["127.0.0.1", 1],
      ["::1", 65535],
      ["::ffff:127.0.0.1", 53],
    ] as const) {
      const answer = await peers("POST", "", { name: "p", ip, port });
      expect(answer.status, `${ip} ${port}`).toBe(200);
      expect(answer.body.result).toMatchObject({ ip, port });
    }
  });
});

describe("tsigs", () => {
  it("answers the secret on every read, as the real API does", async () => {
    const tsigs = base("tsigs");
    const created = (await exchange(emulator.url, "POST", tsigs, { body: tsigInput })).body.result;
    expect(created.secret).toBe(SECRET);
    const got = await exchange(emulator.url, "GET", `${tsigs}/${created.id}`);
    expect(got.body.result.secret).toBe(SECRET);
    expect((await exchange(emulator.url, "GET", tsigs)).body.result[0].secret).toBe(SECRET);
  });

  it("takes each RFC 8945 HMAC algorithm", async () => {
    for (const algo of TSIG_ALGORITHMS) {
      const answer = await exchange(emulator.url, "POST", base("tsigs"), {
        body: { ...tsigInput, algo },
      });
      expect(answer.status, algo).toBe(200);
    }
  });
});

describe("acls", () => {
  it("takes ranges from /24 to /32 and /64 to /128, host bits set or not", async () => {
    for (const ip_range of [
      "127.0.0.0/24",
      "127.0.0.53/28",
      "127.0.0.1/32",
      "2001:db8::/64",
      "::1/128",
    ]) {
      const answer = await exchange(emulator.url, "POST", base("acls"), {
        body: { name: "r", ip_range },
      });
      expect(answer.status, ip_range).toBe(200);
    }
  });
});
