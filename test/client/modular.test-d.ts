import { describe, expectTypeOf, it } from "vitest";
import {
  createSecondaryDnsClient,
  createSecondaryDnsCore,
  outgoingGet,
  outgoingStatus,
  peersDelete,
  tsigsUpdate,
  type Deleted,
  type OutgoingZone,
  type SecondaryDnsCore,
  type Tsig,
} from "../../src/index.js";

const core = createSecondaryDnsCore({ apiToken: "t" });
const zone = "023e105f4ecef8ad9ca31a8372d0c353";

describe("the modular form's types are the client's", () => {
  it("resolves to the same named types", () => {
    expectTypeOf(outgoingGet(core, zone)).resolves.toEqualTypeOf<OutgoingZone>();
    expectTypeOf(outgoingStatus(core, zone)).resolves.toEqualTypeOf<"Enabled" | "Disabled">();
    expectTypeOf(peersDelete(core, zone)).resolves.toEqualTypeOf<Deleted>();
    expectTypeOf(
      tsigsUpdate(core, zone, { name: "k.", algo: "hmac-sha256.", secret: "s" }),
    ).resolves.toEqualTypeOf<Tsig>();
  });

  it("takes a core or a client first, then the client method's arguments", () => {
    expectTypeOf(createSecondaryDnsClient({ apiToken: "t" })).toMatchTypeOf<SecondaryDnsCore>();
    // @ts-expect-error the core comes first
    void outgoingGet(zone);
    // @ts-expect-error a plain object is not a core
    void outgoingGet({}, zone);
    // @ts-expect-error the account goes in options
    void peersDelete(core, zone, "01a7362d577a6c3019a474fd6f485823");
  });
});
