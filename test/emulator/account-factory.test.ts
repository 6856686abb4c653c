/**
 * The account resources are made by one factory (accountResource) from their
 * collection and rules; what the spec says of them (operationIds, the id
 * parameter, the record's schema) is read from the operations table, never
 * written in the resource's file.
 */
import { describe, expect, it } from "vitest";
import { OPERATIONS } from "../../generated/operations.js";
import { ACCOUNT_COLLECTIONS, type AccountCollection } from "../../src/emulator/collections.js";
import { accountResource } from "../../src/emulator/handlers/account.js";
import { aclResource } from "../../src/emulator/handlers/acls.js";
import { peerResource } from "../../src/emulator/handlers/peers.js";
import { ACCOUNT_HANDLERS } from "../../src/emulator/handlers/state.js";
import { tsigResource } from "../../src/emulator/handlers/tsigs.js";

/** The operationIds the operations table gives a resource. */
const idsOf = (resource: string) =>
  Object.entries(OPERATIONS)
    .filter(([, info]) => info.resource === resource)
    .map(([id]) => id);

describe("accountResource", () => {
  it.each([
    { name: "peers", resource: peerResource, idParam: "peer_id", schema: "Peer" },
    { name: "tsigs", resource: tsigResource, idParam: "tsig_id", schema: "Tsig" },
    { name: "acls", resource: aclResource, idParam: "acl_id", schema: "Acl" },
  ])("$name: the id parameter, schema and list operation come from the spec", (row) => {
    expect(row.resource).toMatchObject({ idParam: row.idParam, schema: row.schema });
    const list = OPERATIONS[row.resource.listOperation];
    expect(list).toMatchObject({ resource: row.resource.collection, method: "list" });
  });

  it("names the methods the spec lacks for a collection", () => {
    const unknown = "widgets" as AccountCollection;
    expect(() => accountResource(unknown, { what: "Widget", build: (id) => ({ id }) })).toThrow(
      "the spec has no widgets.list, widgets.create, widgets.get, widgets.update, widgets.delete",
    );
  });

  it("handles every operation of every account resource, and no other", () => {
    const expected = ACCOUNT_COLLECTIONS.flatMap(idsOf).sort();
    expect(expected).toHaveLength(5 * ACCOUNT_COLLECTIONS.length);
    expect(Object.keys(ACCOUNT_HANDLERS).sort()).toEqual(expected);
  });
});
