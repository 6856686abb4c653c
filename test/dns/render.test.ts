import { describe, expect, it } from "vitest";
import {
  SetupError,
  renderKeyStanza,
  renderKnotConfig,
  renderNsdConfig,
} from "../../src/dns/render.js";
import { TsigKeyError } from "../../src/dns/tsig.js";

const SECRET = Buffer.from("render-test-secret-0123456789abc").toString("base64");
const setup = {
  zone: "Example.Test.",
  primary: { host: "127.0.0.1", port: 5353 },
  tsig: { name: "xfr-key.", algorithm: "hmac-sha512.", secret: SECRET },
};

describe("secondary configuration renderers", () => {
  it("Knot: key, remote, notify ACL and zone, the algorithm without its trailing dot", () => {
    expect(renderKnotConfig(setup)).toBe(
      [
        "# Knot DNS: secondary for example.test, transferring from 127.0.0.1@5353",
        "key:",
        "  - id: xfr-key.",
        "    algorithm: hmac-sha512",
        `    secret: ${SECRET}`,
        "",
        "remote:",
        "  - id: cf-primary-example.test",
        "    address: 127.0.0.1@5353",
        "    key: xfr-key.",
        "",
        "acl:",
        "  - id: cf-primary-example.test-notify",
        "    address: [127.0.0.1]",
        "    key: xfr-key.",
        "    action: notify",
        "",
        "zone:",
        "  - domain: example.test",
        "    master: cf-primary-example.test",
        "    acl: cf-primary-example.test-notify",
        "",
      ].join("\n"),
    );
  });

  it("NSD: key and zone clauses; NOKEY without a TSIG; NOTIFY sources given apart", () => {
    const nsd = renderNsdConfig(setup);
    expect(nsd).toContain('key:\n    name: "xfr-key."\n    algorithm: hmac-sha512\n');
    expect(nsd).toContain(
      "    request-xfr: AXFR 127.0.0.1@5353 xfr-key.\n    allow-notify: 127.0.0.1 xfr-key.\n",
    );
    const open = renderNsdConfig({
      zone: "example.test",
      primary: { host: "::1", port: 53 },
      notifyFrom: ["::1", "127.0.0.2"],
    });
    expect(open).not.toContain("key:");
    expect(open).toContain(
      "request-xfr: AXFR ::1@53 NOKEY\n    allow-notify: ::1 NOKEY\n    allow-notify: 127.0.0.2 NOKEY\n",
    );
    expect(
      renderKnotConfig({ zone: "example.test", primary: { host: "127.0.0.1", port: 53 } }),
    ).not.toMatch(/key/);
  });

  it("a generic key stanza in named.conf form", () => {
    expect(renderKeyStanza(setup.tsig)).toBe(
      `key "xfr-key." {\n    algorithm hmac-sha512;\n    secret "${SECRET}";\n};\n`,
    );
  });

  it("refuses values that could not be written safely, without echoing the secret", () => {
    const bad = [
      { ...setup, zone: 'x"; include "/etc/passwd' },
      { ...setup, primary: { host: "primary.example", port: 53 } },
      { ...setup, primary: { host: "127.0.0.1", port: 70000 } },
      { ...setup, notifyFrom: ["127.0.0.1\n  key: other"] },
    ];
    for (const input of bad) expect(() => renderKnotConfig(input)).toThrow(SetupError);
    expect(() =>
      renderNsdConfig({ ...setup, tsig: { ...setup.tsig, algorithm: "hmac-md5." } }),
    ).toThrow(TsigKeyError);
    const broken = { ...setup, tsig: { ...setup.tsig, secret: `${SECRET}\n  secret: x` } };
    try {
      renderNsdConfig(broken);
      throw new Error("rendered");
    } catch (error) {
      expect(error).toBeInstanceOf(TsigKeyError);
      expect(String(error)).not.toContain(SECRET);
    }
  });
});
