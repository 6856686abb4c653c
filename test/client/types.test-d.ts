import { describe, expectTypeOf, it } from "vitest";
import {
  createSecondaryDnsClient,
  type Acl,
  type AclInput,
  type Deleted,
  type Peer,
  type PeerInput,
  type Tsig,
  type TsigInput,
  type components,
  type OutgoingZone,
  type OutgoingZoneInput,
  type operations,
  type paths,
} from "../../src/index.js";
import type { TsigAlgorithm } from "../../generated/constants.js";
import type { OperationId } from "../../generated/operations.js";
import { rawClient } from "../../src/raw.js";

const client = createSecondaryDnsClient({ apiToken: "t" });
const zone = "023e105f4ecef8ad9ca31a8372d0c353";
const body: OutgoingZoneInput = { name: "example.com.", peers: [] };

describe("result types come from the generated spec", () => {
  it("config methods resolve to OutgoingZone", () => {
    expectTypeOf(client.outgoing.get(zone)).resolves.toEqualTypeOf<OutgoingZone>();
    expectTypeOf(client.outgoing.create(zone, body)).resolves.toEqualTypeOf<OutgoingZone>();
    expectTypeOf(client.outgoing.update(zone, body)).resolves.toEqualTypeOf<OutgoingZone>();
    expectTypeOf<OutgoingZone>().toEqualTypeOf<components["schemas"]["OutgoingZone"]>();
  });

  it("OutgoingZone has precise fields", () => {
    expectTypeOf<OutgoingZone["id"]>().toEqualTypeOf<string>();
    expectTypeOf<OutgoingZone["peers"]>().toEqualTypeOf<string[]>();
    expectTypeOf<OutgoingZone["soa_serial"]>().toEqualTypeOf<number>();
    expectTypeOf<OutgoingZone["checked_time"]>().toEqualTypeOf<string>();
  });

  it("delete resolves to { id }, the actions to strings, status to Enabled or Disabled", () => {
    expectTypeOf(client.outgoing.delete(zone)).resolves.toEqualTypeOf<{ id: string }>();
    expectTypeOf(client.outgoing.enable(zone)).resolves.toEqualTypeOf<string>();
    expectTypeOf(client.outgoing.disable(zone)).resolves.toEqualTypeOf<string>();
    expectTypeOf(client.outgoing.forceNotify(zone)).resolves.toEqualTypeOf<string>();
    expectTypeOf(client.outgoing.status(zone)).resolves.toEqualTypeOf<"Enabled" | "Disabled">();
  });

  it("the input is name and peers, without id", () => {
    expectTypeOf<OutgoingZoneInput>().toEqualTypeOf<{ name: string; peers: string[] }>();
    expectTypeOf<OutgoingZoneInput>().not.toHaveProperty("id");
  });

  it("the generated types are exported", () => {
    expectTypeOf<paths>().toHaveProperty("/zones/{zone_id}/secondary_dns/outgoing/status");
    // openapi-typescript's operations and the operations table name the same operationIds.
    expectTypeOf<keyof operations>().toEqualTypeOf<OperationId>();
  });
});

describe("peers, TSIGs and ACLs", () => {
  const id = "23ff594956f20c2a721606e94745a8aa";
  const peer: PeerInput = { name: "ns1" };
  const tsig: TsigInput = { name: "k.", algo: "hmac-sha256.", secret: "s" };
  const acl: AclInput = { name: "a", ip_range: "127.0.0.1/32" };

  it("each method resolves to its named type; lists to arrays", () => {
    expectTypeOf(client.peers.list()).resolves.toEqualTypeOf<Peer[]>();
    expectTypeOf(client.peers.get(id)).resolves.toEqualTypeOf<Peer>();
    expectTypeOf(client.peers.create(peer)).resolves.toEqualTypeOf<Peer>();
    expectTypeOf(client.peers.update(id, peer)).resolves.toEqualTypeOf<Peer>();
    expectTypeOf(client.peers.delete(id)).resolves.toEqualTypeOf<Deleted>();
    expectTypeOf(client.tsigs.list()).resolves.toEqualTypeOf<Tsig[]>();
    expectTypeOf(client.tsigs.get(id)).resolves.toEqualTypeOf<Tsig>();
    expectTypeOf(client.tsigs.create(tsig)).resolves.toEqualTypeOf<Tsig>();
    expectTypeOf(client.tsigs.update(id, tsig)).resolves.toEqualTypeOf<Tsig>();
    expectTypeOf(client.tsigs.delete(id)).resolves.toEqualTypeOf<Deleted>();
    expectTypeOf(client.acls.list()).resolves.toEqualTypeOf<Acl[]>();
    expectTypeOf(client.acls.get(id)).resolves.toEqualTypeOf<Acl>();
    expectTypeOf(client.acls.create(acl)).resolves.toEqualTypeOf<Acl>();
    expectTypeOf(client.acls.update(id, acl)).resolves.toEqualTypeOf<Acl>();
    expectTypeOf(client.acls.delete(id)).resolves.toEqualTypeOf<Deleted>();
    expectTypeOf<Deleted>().toEqualTypeOf<{ id: string }>();
  });

  it("the types are the spec's schemas, with precise fields", () => {
    expectTypeOf<Peer>().toEqualTypeOf<components["schemas"]["Peer"]>();
    expectTypeOf<PeerInput>().toEqualTypeOf<components["schemas"]["PeerInput"]>();
    expectTypeOf<Tsig>().toEqualTypeOf<components["schemas"]["Tsig"]>();
    expectTypeOf<TsigInput>().toEqualTypeOf<components["schemas"]["TsigInput"]>();
    expectTypeOf<Acl>().toEqualTypeOf<components["schemas"]["Acl"]>();
    expectTypeOf<AclInput>().toEqualTypeOf<components["schemas"]["AclInput"]>();
    expectTypeOf<Peer["port"]>().toEqualTypeOf<number | undefined>();
    expectTypeOf<Peer["ixfr_enable"]>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<Tsig["secret"]>().toEqualTypeOf<string>();
    expectTypeOf<Tsig["algo"]>().toEqualTypeOf<TsigAlgorithm>();
    expectTypeOf<PeerInput>().not.toHaveProperty("id");
    expectTypeOf<TsigInput>().not.toHaveProperty("id");
    expectTypeOf<AclInput>().not.toHaveProperty("id");
  });

  it("wrong calls do not compile", () => {
    // @ts-expect-error name is required
    void client.peers.create({ ip: "127.0.0.2" });
    // @ts-expect-error port is a number
    void client.peers.create({ name: "n", port: "53" });
    // @ts-expect-error an algorithm without its dot is not one of the names
    void client.tsigs.create({ name: "k.", algo: "hmac-sha256", secret: "s" });
    // @ts-expect-error the secret is required
    void client.tsigs.create({ name: "k.", algo: "hmac-sha256." });
    // @ts-expect-error ip_range is required
    void client.acls.create({ name: "a" });
    // @ts-expect-error update takes the id first
    void client.acls.update(acl);
    // @ts-expect-error delete takes no body
    void client.peers.delete(id, {}, {});
    // @ts-expect-error the account goes in options, not as an argument
    void client.tsigs.list("01a7362d577a6c3019a474fd6f485823");
    void client.tsigs.list({ accountId: "01a7362d577a6c3019a474fd6f485823" });
  });
});

describe("wrong calls do not compile", () => {
  it("wrong params", () => {
    // @ts-expect-error the zone id is a string
    void client.outgoing.get(123);
    // @ts-expect-error create needs a body
    void client.outgoing.create(zone);
    // @ts-expect-error peers is an array
    void client.outgoing.create(zone, { name: "a.", peers: "x" });
    // @ts-expect-error name is required
    void client.outgoing.update(zone, { peers: [] });
    // @ts-expect-error enable takes no body
    void client.outgoing.enable(zone, { name: "a.", peers: [] });
    // @ts-expect-error timeoutMs is a number
    void client.outgoing.get(zone, { timeoutMs: "5s" });
    // @ts-expect-error there is no list method
    void client.outgoing.list();
  });

  it("unknown fields", () => {
    // @ts-expect-error id is read-only and not part of the body
    void client.outgoing.create(zone, { name: "a.", peers: [], id: zone });
    // @ts-expect-error a misspelt option
    void client.outgoing.get(zone, { timeout: 5 });
    // @ts-expect-error a misspelt client option
    createSecondaryDnsClient({ apiTokn: "t" });
  });

  it("raw is typed by path and params", () => {
    const raw = rawClient(client);
    // @ts-expect-error a path Cloudflare has no operation at
    void raw.GET("/zones/{zone_id}/secondary_dns/not_an_operation", {
      params: { path: { zone_id: zone } },
    });
    // @ts-expect-error the path parameter is required
    void raw.GET("/zones/{zone_id}/secondary_dns/outgoing/status", { params: { path: {} } });
  });
});

describe("the call's types come from (path, method)", () => {
  it("derives the result of a path and method from the spec", () => {
    type Get = import("../../src/client/types.js").ResultAt<
      "/zones/{zone_id}/secondary_dns/outgoing",
      "GET"
    >;
    type Status = import("../../src/client/types.js").ResultAt<
      "/zones/{zone_id}/secondary_dns/outgoing/status",
      "GET"
    >;
    expectTypeOf<Get>().toEqualTypeOf<OutgoingZone>();
    expectTypeOf<Status>().toEqualTypeOf<"Enabled" | "Disabled">();
  });

  it("asks for every path parameter by camelCase name; accountId may come from elsewhere", () => {
    type Params<P extends string> = import("../../src/client/types.js").PathParams<P>;
    expectTypeOf<Params<"/zones/{zone_id}/x">>().toEqualTypeOf<
      { zoneId: string } & { accountId?: string }
    >();
    expectTypeOf<Params<"/accounts/{account_id}/secondary_dns/peers/{peer_id}">>().toEqualTypeOf<
      { peerId: string } & { accountId?: string }
    >();
  });

  it("per-call options take an accountId", () => {
    expectTypeOf(client.outgoing.get).toBeCallableWith(zone, {
      accountId: "01a7362d577a6c3019a474fd6f485823",
    });
  });
});
