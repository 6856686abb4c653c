/**
 * The account resources' schemas (peers, TSIGs, ACLs) accept what the API takes
 * and refuse the rest, field by field; and every FIX(n) of the split spec is in
 * spec/FIXES.md, and every line of it is somewhere in the spec.
 */
import fc from "fast-check";
import { readdirSync, readFileSync } from "node:fs";
import { isIPv6 } from "node:net";
import { describe, expect, it } from "vitest";
import { OPERATIONS } from "../generated/operations.js";
import { operations, spec, validatorAt } from "./support/spec.js";

const schema = (name: string) => validatorAt(`#/components/schemas/${name}`);
const TSIG_ID = "69cd1e104af3e6ed3cb344f263fd0d5a";
const SECRET = "l3qJr97PJWH4YV4k2uPsiVuPfmmcjV1t+8HbhItnu9U=";

const cases: { input: string; good: unknown[]; bad: unknown[] }[] = [
  {
    input: "PeerInput",
    good: [
      { name: "ns1" },
      { name: "ns1", ip: "127.0.0.2", port: 53, ixfr_enable: true, tsig_id: TSIG_ID },
      { name: "ns1", ip: "::1", port: 1 },
      { name: "ns1", ip: "2001:db8::53", port: 65535 },
    ],
    bad: [
      {},
      { name: "" },
      { ip: "127.0.0.2" },
      { name: "ns1", ip: "999.1.1.1" },
      { name: "ns1", ip: "127.0.0.2/32" },
      { name: "ns1", ip: "localhost" },
      { name: "ns1", port: 0 },
      { name: "ns1", port: 70000 },
      { name: "ns1", port: 53.5 },
      { name: "ns1", port: "53" },
      { name: "ns1", ixfr_enable: "true" },
      { name: "ns1", tsig_id: "69CD1E104AF3E6ED3CB344F263FD0D5A" },
      { name: "ns1", tsig_id: "tsig" },
      { name: "ns1", id: TSIG_ID },
    ],
  },
  {
    input: "TsigInput",
    good: [
      { name: "tsig.example.com.", algo: "hmac-sha256.", secret: SECRET },
      { name: "k.", algo: "hmac-md5.sig-alg.reg.int.", secret: "a" },
      { name: "tsig.example.com.", algo: "hmac-sha512.", secret: SECRET },
    ],
    bad: [
      { name: "tsig.example.com", algo: "hmac-sha256.", secret: SECRET },
      { name: "tsig..com.", algo: "hmac-sha256.", secret: SECRET },
      { name: "tsig.example.com.", algo: "hmac-sha256", secret: SECRET },
      { name: "tsig.example.com.", algo: "HMAC-SHA256.", secret: SECRET },
      { name: "tsig.example.com.", algo: "hmac-sha256-128.", secret: SECRET },
      { name: "tsig.example.com.", algo: "hmac-sha256.", secret: "" },
      { name: "tsig.example.com.", algo: "hmac-sha256." },
      { algo: "hmac-sha256.", secret: SECRET },
    ],
  },
  {
    input: "AclInput",
    good: [
      { name: "a", ip_range: "127.0.0.0/24" },
      { name: "a", ip_range: "127.0.0.53/32" },
      { name: "a", ip_range: "127.0.0.16/28" },
      { name: "a", ip_range: "::1/128" },
      { name: "a", ip_range: "2001:db8::/64" },
    ],
    bad: [
      { name: "a", ip_range: "127.0.0.0/23" },
      { name: "a", ip_range: "127.0.0.0/33" },
      { name: "a", ip_range: "127.0.0.1" },
      { name: "a", ip_range: "999.1.1.1/32" },
      { name: "a", ip_range: "2001:db8::/63" },
      { name: "a", ip_range: "::1/129" },
      { name: "a", ip_range: "127.0.0.1/32 " },
      { name: "", ip_range: "127.0.0.1/32" },
      { name: "a" },
      { ip_range: "127.0.0.1/32" },
    ],
  },
];

describe("the account resources' input schemas", () => {
  for (const { input, good, bad } of cases) {
    it.each(good.map((v) => [JSON.stringify(v), v] as const))(`${input} takes %s`, (_s, value) => {
      const validate = schema(input);
      expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
    });
    it.each(bad.map((v) => [JSON.stringify(v), v] as const))(`${input} refuses %s`, (_s, value) => {
      expect(schema(input)(value)).toBe(false);
    });
  }

  it("an ACL's IPv6 range is any address node:net calls IPv6 (hex groups), with /64 to /128", () => {
    const group = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
    const address = fc
      .tuple(fc.array(group, { minLength: 0, maxLength: 8 }), fc.nat(9), fc.boolean())
      .map(([groups, at, compress]) =>
        compress
          ? `${groups.slice(0, at).join(":")}::${groups.slice(at).join(":")}`
          : groups.join(":"),
      );
    const validate = schema("AclInput");
    fc.assert(
      fc.property(address, fc.integer({ min: 0, max: 140 }), (ip, prefix) => {
        const expected = isIPv6(ip) && prefix >= 64 && prefix <= 128;
        expect(validate({ name: "a", ip_range: `${ip}/${prefix}` })).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it("the TSIG secret is marked sensitive, and still returned (not writeOnly)", () => {
    for (const name of ["Tsig", "TsigInput"]) {
      const secret = spec.components.schemas?.[name].properties.secret;
      expect(secret, name).toMatchObject({ format: "password", minLength: 1 });
      expect(secret.writeOnly, name).toBeUndefined();
    }
    const answer = { id: TSIG_ID, name: "k.", algo: "hmac-sha1.", secret: SECRET };
    expect(schema("Tsig")(answer)).toBe(true);
    expect(schema("Tsig")({ ...answer, secret: undefined })).toBe(false);
  });
});

describe("the spec's files", () => {
  const folder = new URL("../spec/", import.meta.url);
  const yaml = readdirSync(folder)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => readFileSync(new URL(f, folder), "utf8"))
    .join("\n");
  const listed = readFileSync(new URL("FIXES.md", folder), "utf8");
  const numbers = (text: string, re: RegExp) =>
    [...new Set([...text.matchAll(re)].map((m) => Number(m[1])))].sort((a, b) => a - b);

  it("name every departure FIX(n) in spec/FIXES.md, and every listed one is used", () => {
    const used = numbers(yaml, /FIX\((\d+)\)/g);
    const rows = numbers(listed, /^\|\s*(\d+)\s*\|/gm);
    expect(used.length).toBeGreaterThanOrEqual(17);
    expect(rows).toEqual(used);
  });

  it("file each operation of the table under one tag, one tag per client resource", () => {
    const ids = operations().map((op) => op.operationId);
    expect(ids.sort()).toEqual(Object.keys(OPERATIONS).sort());
    const tagOf = new Map<string, string>();
    for (const op of operations()) {
      const tags = op.operation.tags as string[];
      expect(tags, op.operationId).toHaveLength(1);
      const info = OPERATIONS[op.operationId];
      // A resource's group (dnsSettings.zone, dnsSettings.account) has a tag of its own.
      const group = info?.method?.includes(".") ? `.${info.method.split(".")[0]}` : "";
      const resource = info?.resource ? `${info.resource}${group}` : "(raw only)";
      expect(tagOf.get(resource) ?? tags[0], op.operationId).toBe(tags[0]);
      tagOf.set(resource, tags[0]!);
    }
    // No tag holds two resources' operations.
    expect(new Set(tagOf.values()).size).toBe(tagOf.size);
    expect(tagOf.size).toBeGreaterThan(1);
  });
});
