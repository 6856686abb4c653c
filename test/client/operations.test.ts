// The operations table (generated/operations.ts) against the spec it is written
// from, and the filling of path parameters every facade call goes through.
import { describe, expect, it } from "vitest";
import { idempotentOf, OPERATIONS } from "../../generated/operations.js";
import { fillPath } from "../../src/call.js";
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
    expect(names.every((n) => /^[a-z]\w*\.[a-z]\w*$/.test(n))).toBe(true);
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
