/** The recorder's scrubber, offline: no credential or account identifier survives it. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadScrub } from "./scripts.js";

const { createScrubber, PLACEHOLDERS, REDACTED } = await loadScrub();

const TOKEN = "Xk3vP9qLm2Rt8Wz1Yb6Nc4Hd7Jf0Gs5Ae2Ui8Oo";
const API_KEY = "c2547eb745079dac9320b638f5e225cf483cc";
const EMAIL = "ops.lead@acme-corp.example.net";
const ACCOUNT = "9a7806061c88ada191ed06f989cc3dac";
const ZONE = "d56084adb405e0b7e32c52321bf07be6";
const CONFIG = "5d0e0b41f0c6e4d5a7b1c2e3f4a5b6c7";
const PEER = "aa11bb22cc33dd44ee55ff6600112233";
const NAME = "acme-corp.net.";
const known = {
  secrets: [TOKEN, API_KEY],
  emails: [EMAIL],
  accountIds: [ACCOUNT],
  zoneIds: [ZONE],
  configIds: [CONFIG],
  peerIds: [PEER],
  zoneNames: [NAME],
};
const everything = [TOKEN, API_KEY, EMAIL, ACCOUNT, ZONE, CONFIG, PEER, "acme-corp.net"];

/** An exchange that carries every secret in every place a recording can. */
const dirty = {
  operationId: "secondary-dns-(-primary-zone)-create-primary-zone-configuration",
  request: {
    method: "POST",
    path: `/client/v4/zones/${ZONE}/secondary_dns/outgoing`,
    headers: {
      Authorization: `Bearer ${TOKEN}`,
      "X-Auth-Email": EMAIL,
      "X-Auth-Key": API_KEY,
      Cookie: "__cfruid=abc123",
    },
    body: { name: NAME, peers: [PEER] },
  },
  response: {
    status: 400,
    headers: {
      "cf-ray": "8c1f3b2e9d4a51f2-LHR",
      "set-cookie": "__cf_bm=xyz; path=/",
      "content-type": "application/json",
    },
    body: {
      success: false,
      errors: [
        {
          code: 7003,
          message: `Could not route to /accounts/${ACCOUNT.toUpperCase()}/zones/${ZONE}, token ${TOKEN} of ${EMAIL}`,
          source: { pointer: `/zones/${ZONE}` },
        },
      ],
      messages: [
        {
          code: 1000,
          message: `echo: Authorization: Bearer ${TOKEN}`,
          meta: { nested: [{ deeper: { api_key: "anything", who: EMAIL } }] },
        },
      ],
      result: { id: CONFIG, name: `www.${NAME}`, peers: [PEER], [ZONE]: "a key that is an id" },
    },
  },
};

describe("the scrubber", () => {
  const scrubber = createScrubber(known);
  const clean = scrubber.exchange(dirty);
  const json = JSON.stringify(clean);

  it("leaves no known credential or identifier, in any case, anywhere", () => {
    for (const secret of everything) expect(json.toLowerCase()).not.toContain(secret.toLowerCase());
    expect(scrubber.leaks(clean)).toEqual([]);
    expect(scrubber.leaks(dirty).length).toBeGreaterThanOrEqual(everything.length - 1);
  });

  it("keeps the Authorization scheme, and redacts credential headers whatever their value", () => {
    expect(clean.request.headers).toEqual({
      Authorization: `Bearer ${REDACTED}`,
      "X-Auth-Email": PLACEHOLDERS.email,
      "X-Auth-Key": REDACTED,
      Cookie: REDACTED,
    });
    expect(clean.response.headers["set-cookie"]).toBe(REDACTED);
    expect(clean.response.headers["cf-ray"]).toBe("8c1f3b2e9d4a51f2-LHR");
  });

  it("puts fixed placeholders where ids, emails and the zone name were, in nested bodies and keys", () => {
    expect(clean.request.path).toBe(
      `/client/v4/zones/${PLACEHOLDERS.zoneId}/secondary_dns/outgoing`,
    );
    expect(clean.request.body).toEqual({
      name: PLACEHOLDERS.zoneName,
      peers: [PLACEHOLDERS.peerIds[0]],
    });
    const body = clean.response.body;
    expect(body.errors[0]?.message).toBe(
      `Could not route to /accounts/${PLACEHOLDERS.accountId}/zones/${PLACEHOLDERS.zoneId}, token ${REDACTED} of ${PLACEHOLDERS.email}`,
    );
    expect(body.messages[0]?.message).toBe(`echo: Authorization: Bearer ${REDACTED}`);
    expect(body.messages[0]?.meta.nested[0]?.deeper).toEqual({
      api_key: REDACTED,
      who: PLACEHOLDERS.email,
    });
    expect(body.result).toEqual({
      id: PLACEHOLDERS.configId,
      name: `www.${PLACEHOLDERS.zoneName}`,
      peers: [PLACEHOLDERS.peerIds[0]],
      [PLACEHOLDERS.zoneId]: "a key that is an id",
    });
  });

  it("leaves the input as it was", () => {
    expect(dirty.request.headers.Authorization).toBe(`Bearer ${TOKEN}`);
    expect(JSON.stringify(dirty)).toContain(EMAIL);
  });

  it("gives each of several ids its own placeholder, the same each time", () => {
    const other = "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f";
    const twice = createScrubber({ zoneIds: [ZONE, other] });
    const a = twice.text(`${ZONE} ${other}`);
    expect(a).toBe(createScrubber({ zoneIds: [ZONE, other] }).text(`${ZONE} ${other}`));
    const [first, second] = a.split(" ");
    expect(first).toBe(PLACEHOLDERS.zoneId);
    expect(second).toMatch(/^[0-9a-f]{32}$/);
    expect(second).not.toBe(first);
  });

  it("redacts unknown bearer tokens and emails by their shape", () => {
    const blind = createScrubber({});
    expect(blind.text("Authorization: Bearer abc.DEF-123_xyz, mail someone@else.org")).toBe(
      `Authorization: Bearer ${REDACTED}, mail ${PLACEHOLDERS.email}`,
    );
    expect(blind.leaks({ h: "Bearer abcdef" })).toEqual(["Bearer abcdef"]);
  });

  it("lets no token survive, wherever in a random body it is put", () => {
    const token = fc.stringMatching(/^[A-Za-z0-9_-]{40}$/);
    fc.assert(
      fc.property(
        token,
        fc.jsonValue(),
        fc.string(),
        fc.string(),
        (secret, json, before, after) => {
          const scrub = createScrubber({ secrets: [secret] });
          const body = { json, where: [{ deep: `${before}${secret}${after}` }], [secret]: 1 };
          const out = scrub.value(body);
          expect(JSON.stringify(out)).not.toContain(secret);
          expect(scrub.leaks(out)).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });
});
