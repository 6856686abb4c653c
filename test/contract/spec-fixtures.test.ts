/**
 * Every fixture against the spec (checks 1 and 2 of issue 4), and drift: a
 * fixture changed in memory must be caught (check 4).
 */
import { describe, expect, it } from "vitest";
import { operations, validatorAt } from "../support/spec.js";
import {
  coverageGaps,
  loadFixtures,
  requestProblems,
  responseProblems,
  type Fixture,
} from "./fixtures.js";

const all = loadFixtures();
const byFile = (file: string): Fixture => {
  const found = all.find((f) => f.file.endsWith(file));
  if (!found) throw new Error(`no fixture ${file}`);
  return structuredClone(found.fixture);
};
const GET_CONFIGURED = "primary-zone-configuration-details/configured.json";
const CREATE_CREATED = "create-primary-zone-configuration/created.json";

describe("the fixtures", () => {
  it("are many, one exchange per file, filed under their operation and scenario", () => {
    expect(all.length).toBeGreaterThanOrEqual(8 * 8);
    for (const { file, fixture } of all) {
      expect(file).toBe(`${fixture.operationId}/${fixture.scenario}.json`);
      expect(fixture.description.length, file).toBeGreaterThan(0);
      expect(fixture.source.length, file).toBeGreaterThan(0);
    }
  });

  it.each(all.map(({ file, fixture }) => [file, fixture] as const))(
    "%s: the request is the spec's",
    (_file, fixture) => {
      expect(requestProblems(fixture)).toEqual([]);
    },
  );

  const onSpec = all.filter(({ fixture }) => !fixture.offSpec);
  it.each(onSpec.map(({ file, fixture }) => [file, fixture] as const))(
    "%s: the response is the spec's",
    (_file, fixture) => {
      expect(responseProblems(fixture)).toEqual([]);
    },
  );

  // A fixture marked offSpec records what the API sends although the spec cannot
  // say it. It must fail its declared schema, and be a valid failure envelope.
  const offSpec = all.filter(({ fixture }) => fixture.offSpec);
  it.each(offSpec.map(({ file, fixture }) => [file, fixture] as const))(
    "%s: off the spec as it says, a failure envelope",
    (_file, fixture) => {
      expect(responseProblems(fixture)).not.toEqual([]);
      const failure = validatorAt("#/components/schemas/FailureEnvelope");
      expect(failure(fixture.response.body), JSON.stringify(failure.errors)).toBe(true);
    },
  );

  it("cover every scenario the issue names", () => {
    const seen = (id: string, status: number, code?: number) =>
      all.some(
        ({ fixture: f }) =>
          f.operationId.endsWith(id) &&
          f.response.status === status &&
          (code === undefined ||
            (f.response.body as { errors?: { code: number }[] })?.errors?.some(
              (e) => e.code === code,
            )),
      );
    const ids = operations().map((o) => o.operationId);
    for (const id of ids) expect(seen(id, 200), `${id} success`).toBe(true);
    expect(seen("primary-zone-configuration-details", 404), "GET with no configuration").toBe(true);
    expect(seen("create-primary-zone-configuration", 409), "create when one exists").toBe(true);
    expect(seen("update-primary-zone-configuration", 404), "update when none exists").toBe(true);
    expect(seen("delete-primary-zone-configuration", 404), "delete when none exists").toBe(true);
    expect(seen("", 400, 7003)).toBe(true);
    expect(seen("", 401, 10000)).toBe(true);
    expect(seen("", 403, 9109)).toBe(true);
    expect(
      all.some(
        ({ fixture: f }) =>
          f.response.status === 401 &&
          JSON.stringify(f.response.body).includes(
            "Not authorized to setup outgoing zone transfers",
          ),
      ),
    ).toBe(true);
    expect(
      all.some(
        ({ fixture: f }) =>
          f.response.status === 429 &&
          f.response.headers["retry-after"] &&
          JSON.stringify(f.response.body).includes("971"),
      ),
    ).toBe(true);
    expect(
      all.some(
        ({ fixture: f }) => f.response.status === 502 && String(f.response.body).includes("<html>"),
      ),
    ).toBe(true);
    expect(all.some(({ fixture: f }) => f.response.status === 503 && f.response.body === "")).toBe(
      true,
    );
    expect(
      all.some(
        ({ fixture: f }) =>
          f.response.status === 200 && (f.response.body as { success?: unknown }).success === false,
      ),
    ).toBe(true);
    expect(
      all.some(
        ({ fixture: f }) =>
          ((f.response.body as { messages?: unknown[] }).messages?.length ?? 0) > 0,
      ),
    ).toBe(true);
  });
});

describe("fixture coverage of the spec", () => {
  const fixtures = all.map((f) => f.fixture);

  it("has a fixture for every operation and every status it declares", () => {
    const missing = coverageGaps(fixtures).map((gap) => {
      const [operationId, status] = gap.split(" ");
      return `operation ${operationId} has no fixture answering ${status}: add test/fixtures/${operationId}/<scenario>.json (test/fixtures/README.md)`;
    });
    expect(missing).toEqual([]);
  });

  it("names the gap when the only fixture of a pair is gone", () => {
    const lone = fixtures.filter(
      (f) => f.operationId.endsWith("force-dns-notify") && f.response.status === 403,
    );
    expect(lone).toHaveLength(1);
    const fewer = fixtures.filter((f) => !lone.includes(f));
    expect(coverageGaps(fewer)).toEqual(["secondary-dns-(-primary-zone)-force-dns-notify 403"]);
  });

  it("names the gap when the spec gains a status no fixture has", () => {
    const ops = operations().map((op) =>
      op.operationId.endsWith("status")
        ? {
            ...op,
            operation: { ...op.operation, responses: { ...op.operation.responses, "409": {} } },
          }
        : op,
    );
    expect(coverageGaps(fixtures, ops)).toEqual([
      "secondary-dns-(-primary-zone)-get-outgoing-zone-transfer-status 409",
    ]);
  });
});

describe("drift from the spec is caught", () => {
  it("a soa_serial sent as a string", () => {
    const fixture = byFile(GET_CONFIGURED);
    expect(responseProblems(fixture)).toEqual([]);
    (fixture.response.body as { result: { soa_serial: unknown } }).result.soa_serial = "2019102400";
    expect(responseProblems(fixture).join()).toMatch(/soa_serial/);
  });

  it("an envelope without success", () => {
    const fixture = byFile(GET_CONFIGURED);
    delete (fixture.response.body as { success?: unknown }).success;
    expect(responseProblems(fixture).join()).toMatch(/success/);
  });

  it("a status the spec does not declare", () => {
    const fixture = byFile(GET_CONFIGURED);
    fixture.response.status = 302;
    expect(responseProblems(fixture)).toEqual([
      `status 302 is not declared for ${fixture.operationId}`,
    ]);
  });

  it("a timestamp without its offset, and a peer id in capitals", () => {
    const fixture = byFile(GET_CONFIGURED);
    const result = (fixture.response.body as { result: Record<string, unknown> }).result;
    result.checked_time = "2019-10-24 17:09:42";
    result.peers = ["23FF594956F20C2A721606E94745A8AA"];
    const problems = responseProblems(fixture).join();
    expect(problems).toMatch(/checked_time/);
    expect(problems).toMatch(/peers/);
  });

  it("a 429 without Retry-After, and an HTML body where only JSON is declared", () => {
    const limited = byFile("primary-zone-configuration-details/rate-limited.json");
    delete limited.response.headers["retry-after"];
    expect(responseProblems(limited)).toContain("missing required header Retry-After");
    const html = byFile("primary-zone-configuration-details/not-configured.json");
    html.response.headers["content-type"] = "text/html";
    html.response.body = "<html></html>";
    expect(responseProblems(html)).toEqual(["404 declares no text/html content"]);
  });

  it("a request body with the read-only id, and a body sent to an action", () => {
    const created = byFile(CREATE_CREATED);
    (created.request.body as Record<string, unknown>).id = "269d8f4853475ca241c4e730be286b20";
    expect(requestProblems(created).join()).toMatch(/request body/);
    const enabled = byFile("enable-outgoing-zone-transfers/enabled.json");
    enabled.request.body = {};
    expect(requestProblems(enabled)).toEqual(["a body was sent, but the operation takes none"]);
  });

  it("a request to the wrong path or with the wrong method", () => {
    const fixture = byFile(CREATE_CREATED);
    fixture.request.method = "PATCH";
    // A path Cloudflare has no operation at (incoming is a real one, and the spec will gain it).
    fixture.request.path = fixture.request.path.replace("/outgoing", "/not_an_operation");
    expect(requestProblems(fixture)).toHaveLength(2);
  });
});
