import { describe, expect, it } from "vitest";
import { createSecondaryDnsClient, ValidationError } from "../../src/index.js";
import {
  envelope,
  PEER_A,
  PEER_B,
  sampleZone,
  serverForTests,
  ZONE,
  type Reply,
  type SeenRequest,
} from "../support/server.js";

const server = serverForTests();

const client = () =>
  createSecondaryDnsClient({ apiToken: "tok-bad-input-01", baseUrl: server.baseUrl });
type Client = ReturnType<typeof client>;
const good = { name: "www.example.com.", peers: [PEER_A, PEER_B] };
const peers = (n: number) => Array.from({ length: n }, (_, i) => i.toString(16).padStart(32, "0"));

// [what, the call, the field the error must name, a word its reason must contain]
const table: [string, (c: Client) => Promise<unknown>, string, RegExp][] = [
  ["empty zone id", (c) => c.outgoing.get(""), "zoneId", /32 lowercase hex/],
  ["'..' as zone id", (c) => c.outgoing.get(".."), "zoneId", /32 lowercase hex/],
  ["zone id with a slash", (c) => c.outgoing.delete("a/b"), "zoneId", /32 lowercase hex/],
  [
    "zone id with spaces",
    (c) => c.outgoing.enable(" 023e105f4ecef8ad9ca31a8372d0c35 "),
    "zoneId",
    /32 lowercase hex/,
  ],
  ["uppercase zone id", (c) => c.outgoing.status(ZONE.toUpperCase()), "zoneId", /use lowercase/],
  ["31 characters", (c) => c.outgoing.disable(ZONE.slice(1)), "zoneId", /32 lowercase hex/],
  ["33 characters", (c) => c.outgoing.forceNotify(`${ZONE}0`), "zoneId", /32 lowercase hex/],
  [
    "non-hex letters",
    (c) => c.outgoing.get("zz3e105f4ecef8ad9ca31a8372d0c353"),
    "zoneId",
    /32 lowercase hex/,
  ],
  [
    "a query string smuggled in",
    (c) => c.outgoing.get(`${ZONE}?x=1`),
    "zoneId",
    /32 lowercase hex/,
  ],
  [
    "a percent-encoded traversal",
    (c) => c.outgoing.get("%2e%2e%2f%2e%2e%2fzones0000000000"),
    "zoneId",
    /32 lowercase hex/,
  ],
  ["a number", (c) => c.outgoing.get(123 as never), "zoneId", /must be a string/],
  ["null", (c) => c.outgoing.get(null as never), "zoneId", /must be a string/],
  ["undefined", (c) => c.outgoing.get(undefined as never), "zoneId", /must be a string/],
  ["an object", (c) => c.outgoing.get({ id: ZONE } as never), "zoneId", /must be a string/],
  [
    "a String object",
    (c) => c.outgoing.get(new String(ZONE) as never),
    "zoneId",
    /must be a string/,
  ],
  ["no body", (c) => c.outgoing.create(ZONE, undefined as never), "body", /must be an object/],
  ["an array as body", (c) => c.outgoing.create(ZONE, [] as never), "body", /must be an object/],
  [
    "a string as body",
    (c) => c.outgoing.update(ZONE, JSON.stringify(good) as never),
    "body",
    /must be an object/,
  ],
  [
    "missing name",
    (c) => c.outgoing.create(ZONE, { peers: [PEER_A] } as never),
    "body.name",
    /required/,
  ],
  [
    "missing peers",
    (c) => c.outgoing.create(ZONE, { name: "example.com." } as never),
    "body.peers",
    /required/,
  ],
  [
    "an unknown field",
    (c) => c.outgoing.create(ZONE, { ...good, id: ZONE } as never),
    "body.id",
    /not a field/,
  ],
  [
    "a misspelt field",
    (c) => c.outgoing.update(ZONE, { name: "example.com.", peer: [PEER_A] } as never),
    "body.peer",
    /not a field/,
  ],
  ["an empty name", (c) => c.outgoing.create(ZONE, { ...good, name: "" }), "body.name", /empty/],
  [
    "a name with spaces",
    (c) => c.outgoing.create(ZONE, { ...good, name: "www example.com." }),
    "body.name",
    /DNS name/,
  ],
  [
    "a name with an empty label",
    (c) => c.outgoing.create(ZONE, { ...good, name: "www..example.com." }),
    "body.name",
    /DNS name/,
  ],
  [
    "a name with a leading hyphen label",
    (c) => c.outgoing.update(ZONE, { ...good, name: "-www.example.com." }),
    "body.name",
    /DNS name/,
  ],
  [
    "a label of 64 characters",
    (c) => c.outgoing.create(ZONE, { ...good, name: `${"a".repeat(64)}.com.` }),
    "body.name",
    /DNS name/,
  ],
  [
    "a name of 254 characters",
    (c) => c.outgoing.create(ZONE, { ...good, name: `${"a.".repeat(127)}` }),
    "body.name",
    /at most 253/,
  ],
  [
    "a name that is a number",
    (c) => c.outgoing.create(ZONE, { ...good, name: 42 as never }),
    "body.name",
    /DNS name/,
  ],
  [
    "a URL as name",
    (c) => c.outgoing.create(ZONE, { ...good, name: "https://example.com/" }),
    "body.name",
    /DNS name/,
  ],
  [
    "peers not an array",
    (c) => c.outgoing.create(ZONE, { ...good, peers: PEER_A as never }),
    "body.peers",
    /must be an array/,
  ],
  [
    "peers an object",
    (c) => c.outgoing.update(ZONE, { ...good, peers: { 0: PEER_A } as never }),
    "body.peers",
    /must be an array/,
  ],
  [
    "a duplicate peer",
    (c) => c.outgoing.create(ZONE, { ...good, peers: [PEER_A, PEER_B, PEER_A] }),
    "body.peers[2]",
    /repeats/,
  ],
  [
    "31 peers",
    (c) => c.outgoing.update(ZONE, { ...good, peers: peers(31) }),
    "body.peers",
    /at most 30/,
  ],
  [
    "an uppercase peer",
    (c) => c.outgoing.create(ZONE, { ...good, peers: [PEER_A.toUpperCase()] }),
    "body.peers[0]",
    /lowercase/,
  ],
  [
    "a short peer",
    (c) => c.outgoing.create(ZONE, { ...good, peers: [PEER_A, "abc"] }),
    "body.peers[1]",
    /32 lowercase hex/,
  ],
  [
    "a null peer",
    (c) => c.outgoing.create(ZONE, { ...good, peers: [null as never] }),
    "body.peers[0]",
    /must be a string/,
  ],
  [
    "a peer with '..'",
    (c) => c.outgoing.create(ZONE, { ...good, peers: [".."] }),
    "body.peers[0]",
    /32 lowercase hex/,
  ],
  [
    "a negative timeout",
    (c) => c.outgoing.get(ZONE, { timeoutMs: -1 }),
    "options.timeoutMs",
    /milliseconds/,
  ],
  [
    "a NaN timeout",
    (c) => c.outgoing.get(ZONE, { timeoutMs: Number.NaN }),
    "options.timeoutMs",
    /milliseconds/,
  ],
  [
    "fractional retries",
    (c) => c.outgoing.get(ZONE, { maxRetries: 1.5 }),
    "options.maxRetries",
    /integer/,
  ],
  [
    "a signal that is not an AbortSignal",
    (c) => c.outgoing.get(ZONE, { signal: {} as never }),
    "options.signal",
    /AbortSignal/,
  ],
  ["options not an object", (c) => c.outgoing.get(ZONE, "fast" as never), "options", /object/],
];

/** Answers create and update with the configuration they sent. */
function echoConfiguration(request: SeenRequest): Reply {
  return { body: envelope({ ...sampleZone, ...JSON.parse(request.body) }) };
}

describe("bad input gets a ValidationError and sends nothing", () => {
  it("the table is long enough", () => expect(table.length).toBeGreaterThanOrEqual(30));

  it.each(table)("%s", async (_what, call, field, reason) => {
    const before = server.requests.length;
    let promise: Promise<unknown> | undefined;
    // Never a synchronous throw: the method returns a promise that rejects.
    expect(() => {
      promise = call(client());
    }).not.toThrow();
    const error = await promise!.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).name).toBe("ValidationError");
    expect((error as ValidationError).field).toBe(field);
    expect((error as ValidationError).reason).toMatch(reason);
    expect((error as ValidationError).message).toBe(
      `Invalid ${field}: ${(error as ValidationError).reason}`,
    );
    expect(server.requests.length).toBe(before);
  });

  it("the limits themselves are accepted: 30 peers, a 253-character name, no peers", async () => {
    server.handle(echoConfiguration);
    const name = `${"a".repeat(61)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(63)}`;
    expect(name).toHaveLength(253);
    await expect(client().outgoing.create(ZONE, { name, peers: peers(30) })).resolves.toMatchObject(
      { name },
    );
    await expect(
      client().outgoing.update(ZONE, { name: "example.com", peers: [] }),
    ).resolves.toMatchObject({ peers: [] });
  });

  it("the caller's body is not modified, nor kept", async () => {
    server.handle(echoConfiguration);
    const body = { name: "example.com.", peers: [PEER_A] };
    const frozen = structuredClone(body);
    const result = await client().outgoing.update(ZONE, body);
    expect(body).toEqual(frozen);
    expect(result.peers).not.toBe(body.peers);
  });
});
