/**
 * The built API reference (dist/docs, from `npm run docs`) in a real browser, used
 * as a reader would, with no network: any request to a host other than
 * 127.0.0.1 fails the test that caused it.
 */
import { mkdirSync, readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { OPERATIONS } from "../../generated/operations.js";
import { CHROMIUM_PATH, chromiumInstalled, launchChromium } from "./chromium.js";
import {
  openDocs,
  operationMenuLabels,
  openOperation,
  sectionOfUrl,
  showSample,
  TAGS,
  tidy,
  type DocsPage,
} from "./docs-page.js";
import {
  codeSamples,
  firstExample,
  operations,
  parameters,
  requestProperties,
  spec,
} from "./spec-info.js";
import { serveFolder, type StaticServer } from "./static-server.js";

const docsFolder = fileURLToPath(new URL("../../dist/docs/", import.meta.url));
const artifacts = fileURLToPath(new URL("../../test-results/", import.meta.url));
const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};
const underCi = process.env.CI === "true";
const missing = `Chromium is not installed at ${CHROMIUM_PATH} (apt-get install -y chromium)`;

// Registered only when it must fail, so a normal run shows no skipped test.
if (!chromiumInstalled && underCi) {
  describe("the API reference in a browser, under CI", () => {
    it("needs Chromium, which CI installs", () => {
      throw new Error(`${missing}; under CI=true the browser test must run`);
    });
  });
}

if (!chromiumInstalled && !underCi)
  console.warn(`Skipping the browser test of the docs: ${missing}.`);

// Generous limits: a 2.5 MB page of script on a busy two-core machine takes seconds to start.
const slow = { timeout: 180_000 };

describe.skipIf(!chromiumInstalled)(
  `the API reference in Chromium (skipped when ${CHROMIUM_PATH} is absent)`,
  slow,
  () => {
    let browser: Browser;
    let server: StaticServer;
    let docs: DocsPage | undefined;

    beforeAll(async () => {
      statSync(`${docsFolder}index.html`); // built by `npm run docs`; a clear ENOENT if not
      server = await serveFolder(docsFolder);
      browser = await launchChromium();
    });

    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    afterEach(async () => {
      if (!docs) return;
      const { foreign, errors } = docs;
      await docs.page.close();
      docs = undefined;
      expect(foreign, "requests to another host").toEqual([]);
      expect(errors, "errors in the page").toEqual([]);
    });

    it("names the package version and the spec version it describes", async () => {
      docs = await openDocs(browser, server.url);
      expect(await docs.page.locator("#package-version").innerText()).toBe(pkg.version);
      expect(await docs.page.locator("#spec-version").innerText()).toBe(spec.info.version);
      expect(await docs.page.locator("#versions").isVisible()).toBe(true);
      // The recorder works: it saw the page itself, from the local server.
      expect(docs.requests).toContain(server.url);
    });

    it("lists every operation of the table in the menu, under its tag", async () => {
      docs = await openDocs(browser, server.url);
      const expected = operations().map(
        (op) => `${op.operation.summary} ${op.method.toUpperCase()}`,
      );
      expect(expected).toHaveLength(Object.keys(OPERATIONS).length);
      expect((await operationMenuLabels(docs.page)).sort()).toEqual(expected.sort());
      const groups = await docs.page.getByTestId("menu-item-label").allInnerTexts();
      expect(TAGS).toEqual(
        expect.arrayContaining([
          "Secondary DNS (Peer)",
          "Secondary DNS (TSIG)",
          "Secondary DNS (ACL)",
          "Secondary DNS (Secondary Zone)",
          "DNS Settings for a Zone",
          "DNS Settings for an Account",
        ]),
      );
      for (const tag of TAGS) expect(groups.map((g) => g.trim())).toContain(tag);
    });

    it("shows Cloudflare as secondary and the DNS settings: the refresh's bounds, force AXFR, the settings' ranges", async () => {
      docs = await openDocs(browser, server.url);
      const cases = [
        ["Create Secondary Zone Configuration", ["zone_id", "auto_refresh_seconds", "4294967295"]],
        ["Force AXFR", ["force_axfr", "OK"]],
        ["Update Zone DNS Settings", ["multi_provider", "ns_ttl", "86400", "cloudflare.standard"]],
        ["Update Account DNS Settings", ["account_id", "zone_defaults"]],
      ] as const;
      for (const [summary, words] of cases) {
        const section = await openOperation(docs.page, summary);
        const text = await section.innerText();
        const op = operations().find((o) => o.operation.summary === summary)!;
        expect(text).toContain(op.path);
        for (const word of words) expect(text, `${summary}: ${word}`).toContain(word);
      }
    });

    it("shows the account resources: a TSIG's secret marked as a password, an ACL's range, a peer's port range", async () => {
      docs = await openDocs(browser, server.url);
      const cases = [
        ["Create TSIG", ["account_id", "name", "algo", "secret", "password", "hmac-sha256."]],
        ["Update ACL", ["acl_id", "ip_range", "/24", "/64"]],
        ["Create Peer", ["account_id", "ip", "port", "65535", "ixfr_enable", "tsig_id"]],
      ] as const;
      for (const [summary, words] of cases) {
        const section = await openOperation(docs.page, summary);
        const text = await section.innerText();
        const op = operations().find((o) => o.operation.summary === summary)!;
        expect(text).toContain(op.path);
        for (const word of words) expect(text, `${summary}: ${word}`).toContain(word);
      }
    });

    it("shows an operation's path, parameters, body, and a success and an error response with examples", async () => {
      docs = await openDocs(browser, server.url);
      const op = operations().find((o) => o.method === "post" && o.operation.requestBody)!;
      const section = await openOperation(docs.page, op.operation.summary);
      const screenshot = `${artifacts}docs-operation.png`;
      mkdirSync(artifacts, { recursive: true });
      await docs.page.screenshot({ path: screenshot });
      expect(statSync(screenshot).size).toBeGreaterThan(10_000);

      const text = await section.innerText();
      expect(text).toContain(op.path);
      expect(text).toMatch(/\bPath\b/);
      for (const parameter of parameters(op)) expect(text).toContain(parameter.name);
      expect(text).toMatch(/Body\s*application\/json/);
      const properties = requestProperties(op);
      expect(properties.length).toBeGreaterThan(0);
      for (const property of properties) expect(text).toContain(property);

      const statusTabs = await section
        .getByRole("tablist", { name: "Response status" })
        .getByRole("tab")
        .allInnerTexts();
      expect(statusTabs).toEqual(expect.arrayContaining(["200", "400"]));

      const viewer = section.getByTestId("json-viewer");
      const ok = firstExample(op, "200");
      await expect.poll(() => viewer.innerText()).toContain('"success": true');
      expect(await viewer.innerText()).toContain(ok.result.id);

      const bad = firstExample(op, "400");
      const responsePanel = section.locator('[data-component-name="Panel/Panel"]', {
        hasText: "Response",
      });
      await responsePanel.getByRole("button", { name: "400", exact: true }).click();
      await expect.poll(() => viewer.innerText()).toContain('"success": false');
      await viewer.getByTestId("expand-all").click(); // the errors array starts folded
      expect(await viewer.innerText()).toContain(bad.errors[0].message);
      expect(await viewer.innerText()).toContain(String(bad.errors[0].code));
    });

    it("shows the TypeScript, CLI and curl samples of every operation, as the spec has them", async () => {
      docs = await openDocs(browser, server.url);
      let shown = 0;
      for (const op of operations()) {
        const section = await openOperation(docs.page, op.operation.summary);
        const samples = codeSamples(op);
        expect(samples.map((s) => s.label)).toEqual(["TypeScript", "CLI", "curl"]);
        for (const sample of samples) {
          const code = await showSample(docs.page, section, sample.label);
          await expect.poll(async () => tidy(await code.innerText())).toBe(tidy(sample.source));
          shown += 1;
        }
      }
      expect(shown).toBe(3 * Object.keys(OPERATIONS).length);
    }, 400_000);

    it("has an Authentication section and the README's guides in the menu, each with its content", async () => {
      docs = await openDocs(browser, server.url);
      const labels = (await docs.page.getByTestId("menu-item-label").allInnerTexts()).map((l) =>
        l.trim(),
      );
      const sections = {
        Authentication: ["Authorization: Bearer", "X-Auth-Email", "X-Auth-Key", "Global API Key"],
        "Guide: Cloudflare as primary": ["tsigs.create", "outgoing setup", "--peer-ip"],
        "Guide: Cloudflare as secondary": ["incoming.create", "force_axfr", "multi_provider"],
        "Guide: Doctor": ["outgoing doctor", "runDoctor", "in sync"],
        "Guide: Emulator": ["startEmulator", "stateFile"],
        "Guide: The emulator as a DNS primary": ["dnsPort", "kill -HUP", "NOTIFY"],
      };
      for (const [title, words] of Object.entries(sections)) {
        expect(labels, title).toContain(title);
        const before = docs.page.url();
        await docs.page
          .getByTestId("menu-item-label")
          .filter({ has: docs.page.getByText(title, { exact: true }) })
          .first()
          .click();
        await expect.poll(() => docs!.page.url()).not.toBe(before);
        // The guide's own section and its subsections ("<id>/with-the-cli", …).
        const id = decodeURIComponent(new URL(docs.page.url()).hash.slice(1));
        const parts = docs.page.locator(`[data-section-id="${id}"], [data-section-id^="${id}/"]`);
        await expect.poll(() => parts.count()).toBeGreaterThan(0);
        const text = (await parts.allInnerTexts()).join("\n");
        for (const word of words) expect(text, `${title}: ${word}`).toContain(word);
      }
    });

    it("wraps a long code sample at the panel's edge instead of cutting it off", async () => {
      docs = await openDocs(browser, server.url);
      const section = await openOperation(docs.page, "Create Peer");
      const code = await showSample(docs.page, section, "curl");
      const sample = codeSamples(
        operations().find((o) => o.operation.summary === "Create Peer")!,
      ).find((s) => s.label === "curl")!;
      expect(Math.max(...sample.source.split("\n").map((line) => line.length))).toBeGreaterThan(90);
      const boxes = await code.evaluate((element) =>
        [element, ...element.querySelectorAll("pre, code")].map((node) => ({
          whiteSpace: getComputedStyle(node).whiteSpace,
          cut: node.scrollWidth > node.clientWidth + 1,
        })),
      );
      const pre = await code.evaluate(
        (element) => element.closest("pre") ?? element.querySelector("pre"),
      );
      expect(pre).not.toBeNull();
      expect(boxes.filter((box) => box.cut)).toEqual([]);
      expect(boxes.some((box) => box.whiteSpace === "pre-wrap")).toBe(true);
    });

    it('finds "Create TSIG" when searching for "tsig"', async () => {
      docs = await openDocs(browser, server.url);
      await docs.page.getByTestId("search-trigger").click();
      const dialog = docs.page.getByTestId("search-dialog");
      await dialog.getByRole("textbox").fill("tsig");
      const hit = dialog.locator('[data-component-name="Search/SearchItem"]', {
        hasText: "Create TSIG",
      });
      await hit.first().waitFor();
      await hit.first().click();
      await sectionOfUrl(docs.page, "Create TSIG");
    });

    it('finds "Force DNS NOTIFY" when searching for "notify"', async () => {
      docs = await openDocs(browser, server.url);
      await docs.page.getByTestId("search-trigger").click();
      const dialog = docs.page.getByTestId("search-dialog");
      await dialog.getByRole("textbox").fill("notify");
      const hit = dialog.locator('[data-component-name="Search/SearchItem"]', {
        hasText: "Force DNS NOTIFY",
      });
      await hit.first().waitFor();
      await hit.first().click();
      await sectionOfUrl(docs.page, "Force DNS NOTIFY");
      expect(new URL(docs.page.url()).hash).toMatch(/force-dns-notify$/);
    });
  },
);
