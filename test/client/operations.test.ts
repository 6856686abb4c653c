// The operations table (generated/operations.ts) against the spec it is written
// from, and the filling of path parameters every facade call goes through.
import { describe, expect, it } from "vitest";
import { idempotentOf, OPERATIONS } from "../../generated/operations.js";
import { checkBody } from "../../src/client/body.js";
import { fillPath } from "../../src/client/call.js";
import { createSecondaryDnsClient, ValidationError } from "../../src/index.js";
import { operations } from "../support/spec.js";

const ACCOUNT = "01a7362d577a6c3019a474fd6f485823";
const PEER = "23ff594956f20c2a721606e94745a8aa";
const PEER_PATH = "/accounts/{account_id}/secondary_dns/peers/{peer_id}";

describe("the operations table", () => {
  it("holds every operation of the spec, with its method and path", () => {
    const fromSpec = operations().map((o) => [o.operationId, o.method.toUpperCase(), o.path]);
    const fromTable = Object.entries(OPERATIONS).map(([id, { operation }]) => [
      id,
      operation.method,
      operation.path,
    ]);
    expect(fromTable.sort()).toEqual(fromSpec.sort());
  });

  it("counts a POST as not idempotent unless the spec says x-idempotent: true", () => {
    for (const o of operations()) {
      const { operation } = OPERATIONS[o.operationId]!;
      const said = (o.operation as { "x-idempotent"?: boolean })["x-idempotent"];
      expect(idempotentOf(operation), o.operationId).toBe(said ?? o.method !== "post");
    }
    const create = Object.values(OPERATIONS).find((i) => i.method === "create")!.operation;
    expect(idempotentOf(create)).toBe(false);
    expect(
      idempotentOf({
        method: "POST",
        path: "/zones/{zone_id}/secondary_dns/outgoing",
        result: "OutgoingZone",
      }),
    ).toBe(false);
  });

  it("names a facade method for every operation, once", () => {
    const names = Object.values(OPERATIONS).map((i) => `${i.resource}.${i.method}`);
    // "resource.method", or "resource.group.method" (dnsSettings.zone.get).
    expect(names.every((n) => /^[a-z]\w*(\.[a-z]\w*){1,2}$/.test(n))).toBe(true);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe("path parameters", () => {
  it("are filled by camelCase name, the account from the fallback", () => {
    expect(fillPath(PEER_PATH, { peerId: PEER }, ACCOUNT)).toBe(
      `/accounts/${ACCOUNT}/secondary_dns/peers/${PEER}`,
    );
    expect(fillPath(PEER_PATH, { peerId: PEER, accountId: PEER }, ACCOUNT)).toBe(
      `/accounts/${PEER}/secondary_dns/peers/${PEER}`,
    );
  });

  it.each([
    ["a missing account", { peerId: PEER }, undefined, "accountId", /required/],
    ["a bad account", { peerId: PEER }, "../x", "accountId", /32 lowercase hex/],
    ["a missing peer id", {}, ACCOUNT, "peerId", /must be a string/],
    ["a peer id with a slash", { peerId: "a/b" }, ACCOUNT, "peerId", /32 lowercase hex/],
    ["an uppercase peer id", { peerId: PEER.toUpperCase() }, ACCOUNT, "peerId", /lowercase/],
  ])(
    "refuse %s with a ValidationError naming the parameter",
    (_, params, account, field, reason) => {
      let error: unknown;
      try {
        fillPath(PEER_PATH, params, account);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(field);
      expect((error as ValidationError).reason).toMatch(reason);
    },
  );

  it("accountId: the client option is checked at once, the environment's when a call needs it", () => {
    expect(() =>
      createSecondaryDnsClient({ apiToken: "tok-accounts-01", accountId: "nope" }),
    ).toThrow(expect.objectContaining({ field: "accountId" }));
    expect(() =>
      createSecondaryDnsClient({ apiToken: "tok-accounts-01", accountId: ACCOUNT }),
    ).not.toThrow();
  });
});

describe("the body check, from the spec's schema", () => {
  const schema = {
    type: "object",
    required: ["name", "port"],
    additionalProperties: false,
    properties: {
      name: { type: "string", minLength: 1, maxLength: 5, pattern: "^[a-z]+$" },
      port: { type: "integer", minimum: 1, maximum: 65535 },
      ixfr: { type: "boolean" },
      algo: { enum: ["a", "b"] },
      ids: { type: "array", maxItems: 2, uniqueItems: true, items: { ref: "Identifier" } },
    },
  } as const;
  const refused = (body: unknown): [string, string] => {
    try {
      checkBody(schema, body);
    } catch (error) {
      if (error instanceof ValidationError) return [error.field, error.reason];
      throw error;
    }
    throw new Error("accepted");
  };

  it("copies a good body", () => {
    const body = { name: "ab", port: 53, ixfr: true, algo: "a", ids: [PEER] };
    const copy = checkBody(schema, body) as typeof body;
    expect(copy).toEqual(body);
    expect(copy).not.toBe(body);
    expect(copy.ids).not.toBe(body.ids);
  });

  it.each([
    [null, "body", /must be an object/],
    [{ name: "ab" }, "body.port", /required/],
    [{ name: "ab", port: 1, __proto__x: 1 }, "body.__proto__x", /not a field/],
    [{ name: "", port: 1 }, "body.name", /non-empty/],
    [{ name: "abcdef", port: 1 }, "body.name", /from 1 to 5 characters/],
    [{ name: "AB", port: 1 }, "body.name", /must match/],
    [{ name: "ab", port: 1.5 }, "body.port", /integer/],
    [{ name: "ab", port: 70000 }, "body.port", /from 1 to 65535/],
    [{ name: "ab", port: 1, ixfr: "yes" }, "body.ixfr", /true or false/],
    [{ name: "ab", port: 1, algo: "c" }, "body.algo", /one of "a", "b"/],
    [{ name: "ab", port: 1, ids: [PEER, PEER] }, "body.ids[1]", /repeats/],
    [{ name: "ab", port: 1, ids: [PEER, ACCOUNT, PEER] }, "body.ids", /at most 2/],
    [{ name: "ab", port: 1, ids: ["x"] }, "body.ids[0]", /32 lowercase hex/],
  ])("refuses %j at %s", (body, field, reason) => {
    const [at, why] = refused(body);
    expect(at).toBe(field);
    expect(why).toMatch(reason);
  });

  it("does not let __proto__ in a body reach the copy's prototype", () => {
    const body = JSON.parse('{"name":"ab","port":1,"__proto__":{"polluted":true}}');
    expect(() => checkBody(schema, body)).toThrow(ValidationError);
    const open = { ...schema, additionalProperties: true };
    const copy = checkBody(open, body) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
