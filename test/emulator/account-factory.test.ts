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
import * as acls from "../../src/emulator/handlers/acls.js";
import * as peers from "../../src/emulator/handlers/peers.js";
import * as tsigs from "../../src/emulator/handlers/tsigs.js";

/** The operationIds the operations table gives a resource. */
const idsOf = (resource: string) =>
  Object.entries(OPERATIONS)
    .filter(([, info]) => info.resource === resource)
    .map(([id]) => id);

describe("accountResource", () => {
  it.each([
    { name: "peers", resource: peers.peerResource, idParam: "peer_id", schema: "Peer" },
    { name: "tsigs", resource: tsigs.tsigResource, idParam: "tsig_id", schema: "Tsig" },
    { name: "acls", resource: acls.aclResource, idParam: "acl_id", schema: "Acl" },
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

  it.each([
    { name: "peers", handlers: peers.peerHandlers },
    { name: "tsigs", handlers: tsigs.tsigHandlers },
    { name: "acls", handlers: acls.aclHandlers },
  ])(
    "$name: its handlers answer each operation of the resource, and no other",
    ({ name, handlers }) => {
      const expected = idsOf(name).sort();
      expect(expected).toHaveLength(5);
      expect(Object.keys(handlers).sort()).toEqual(expected);
    },
  );

  it("every account collection is one of these", () => {
    expect([...ACCOUNT_COLLECTIONS].sort()).toEqual(["acls", "peers", "tsigs"]);
  });
});
