import { afterEach, describe, expect, it, vi } from "vitest";
import { createSecondaryDnsClient, ValidationError } from "../../src/index.js";
import { envelope, ZONE, serverForTests } from "../support/server.js";

const server = serverForTests(() => ({ body: envelope("Enabled") }));
afterEach(() => vi.unstubAllEnvs());

function clearEnv() {
  for (const name of [
    "CLOUDFLARE_API_TOKEN",
    "CLOUDFLARE_EMAIL",
    "CLOUDFLARE_API_KEY",
    "CLOUDFLARE_BASE_URL",
  ])
    vi.stubEnv(name, "");
}

function refusal(options: Parameters<typeof createSecondaryDnsClient>[0]): ValidationError {
  try {
    createSecondaryDnsClient(options);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error("expected createSecondaryDnsClient to refuse these options");
}

describe("credentials", () => {
  it("both kinds given explicitly is an error", () => {
    clearEnv();
    const error = refusal({ apiToken: "tok-1234", apiEmail: "a@example.com", apiKey: "key-1234" });
    expect(error.message).toContain("not both");
  });

  it("none anywhere is an error that names the options and the variables", () => {
    clearEnv();
    const error = refusal({ baseUrl: server.baseUrl });
    expect(error.message).toMatch(
      /apiToken.*CLOUDFLARE_API_TOKEN.*CLOUDFLARE_EMAIL.*CLOUDFLARE_API_KEY/,
    );
  });

  it("an email without a key (or the reverse) is an error", () => {
    clearEnv();
    expect(refusal({ apiEmail: "a@example.com" }).field).toBe("apiKey");
    expect(refusal({ apiKey: "key-1234" }).field).toBe("apiEmail");
  });

  it("CLOUDFLARE_API_TOKEN is used when no option is given", async () => {
    clearEnv();
    vi.stubEnv("CLOUDFLARE_API_TOKEN", "env-token-1234");
    await createSecondaryDnsClient({ baseUrl: server.baseUrl }).outgoing.status(ZONE);
    expect(server.requests.at(-1)!.headers.authorization).toBe("Bearer env-token-1234");
  });

  it("CLOUDFLARE_EMAIL with CLOUDFLARE_API_KEY is used when there is no token", async () => {
    clearEnv();
    vi.stubEnv("CLOUDFLARE_EMAIL", "env@example.com");
    vi.stubEnv("CLOUDFLARE_API_KEY", "env-key-1234");
    await createSecondaryDnsClient({ baseUrl: server.baseUrl }).outgoing.status(ZONE);
    expect(server.requests.at(-1)!.headers["x-auth-email"]).toBe("env@example.com");
    expect(server.requests.at(-1)!.headers["x-auth-key"]).toBe("env-key-1234");
  });

  it("CLOUDFLARE_EMAIL alone is an error naming CLOUDFLARE_API_KEY", () => {
    clearEnv();
    vi.stubEnv("CLOUDFLARE_EMAIL", "env@example.com");
    expect(refusal({}).field).toBe("CLOUDFLARE_API_KEY");
  });

  it("explicit options win over the environment", async () => {
    clearEnv();
    vi.stubEnv("CLOUDFLARE_API_TOKEN", "env-token-1234");
    await createSecondaryDnsClient({
      apiEmail: "o@example.com",
      apiKey: "opt-key-1234",
      baseUrl: server.baseUrl,
    }).outgoing.status(ZONE);
    expect(server.requests.at(-1)!.headers.authorization).toBeUndefined();
    expect(server.requests.at(-1)!.headers["x-auth-key"]).toBe("opt-key-1234");
  });

  it("a credential with a line break or space is refused before it reaches a header", () => {
    expect(refusal({ apiToken: "abc\r\nX-Injected: 1" }).field).toBe("apiToken");
    expect(refusal({ apiEmail: "a b@example.com", apiKey: "k-1234" }).field).toBe("apiEmail");
  });
});

describe("baseUrl", () => {
  it("defaults to CLOUDFLARE_BASE_URL", async () => {
    clearEnv();
    vi.stubEnv("CLOUDFLARE_BASE_URL", server.baseUrl);
    await expect(
      createSecondaryDnsClient({ apiToken: "tok-1234" }).outgoing.status(ZONE),
    ).resolves.toBe("Enabled");
  });

  it("defaults to the real API otherwise", async () => {
    clearEnv();
    const seen: string[] = [];
    const client = createSecondaryDnsClient({
      apiToken: "tok-1234",
      fetch: async (request: Request) => {
        seen.push(request.url);
        return new Response(JSON.stringify(envelope("Enabled")));
      },
    });
    await client.outgoing.status(ZONE);
    expect(seen).toEqual([
      `https://api.cloudflare.com/client/v4/zones/${ZONE}/secondary_dns/outgoing/status`,
    ]);
  });

  it.each([
    "http://localhost:8787/client/v4",
    "http://127.0.0.1:1/x",
    "http://127.8.9.10/",
    "http://[::1]:9/",
    "https://api.example.net/v4/",
  ])("accepts %s", (baseUrl) => {
    expect(() => createSecondaryDnsClient({ apiToken: "tok-1234", baseUrl })).not.toThrow();
  });

  it.each([
    ["http://api.cloudflare.com/client/v4", /clear text/],
    ["http://10.0.0.1/client/v4", /clear text/],
    ["http://localhost.evil.example/", /clear text/],
    ["ftp://example.com/", /https/],
    ["not a url", /not a URL/],
    ["https://user:pass@api.cloudflare.com/client/v4", /credentials/],
    ["https://api.cloudflare.com/client/v4?x=1", /query/],
  ])("refuses %s", (baseUrl, reason) => {
    expect(refusal({ apiToken: "tok-1234", baseUrl }).reason).toMatch(reason);
  });
});

describe("other options", () => {
  it.each([
    [{ timeoutMs: 0 }, "timeoutMs"],
    [{ timeoutMs: Infinity }, "timeoutMs"],
    [{ maxRetries: -1 }, "maxRetries"],
    [{ maxRetries: 11 }, "maxRetries"],
    [{ fetch: "fetch" as never }, "fetch"],
    [{ logger: { debug() {} } as never }, "logger"],
    [{ userAgent: "bad\nagent" }, "userAgent"],
  ])("refuses %o", (options, field) => {
    expect(refusal({ apiToken: "tok-1234", ...options }).field).toBe(field);
  });

  it("looks up globalThis.fetch at call time, not when the client is made", async () => {
    const client = createSecondaryDnsClient({
      apiToken: "tok-1234",
      baseUrl: "https://api.example.net/v4",
    });
    const stub = vi.fn(async () => new Response(JSON.stringify(envelope("Disabled"))));
    vi.stubGlobal("fetch", stub);
    try {
      await expect(client.outgoing.status(ZONE)).resolves.toBe("Disabled");
      expect(stub).toHaveBeenCalledTimes(1);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
