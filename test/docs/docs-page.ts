/**
 * The built API reference opened in a browser page, with every request it makes
 * and every error it throws or logs recorded, and the few moves a reader makes:
 * open the menu, open an operation, pick a code sample's language, search.
 */
import type { Browser, Locator, Page } from "playwright-core";
import { expect } from "vitest";
import { isLocal } from "./chromium.js";
import { operations } from "./spec-info.js";

export interface DocsPage {
  page: Page;
  /** Every URL the page requested, in order. */
  requests: string[];
  /** Requested URLs on a host other than 127.0.0.1, with how they ended. */
  foreign: string[];
  /** Uncaught exceptions and console errors (a CSP violation logs one). */
  errors: string[];
}

export async function openDocs(browser: Browser, url: string): Promise<DocsPage> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const docs: DocsPage = { page, requests: [], foreign: [], errors: [] };
  page.on("request", (request) => {
    docs.requests.push(request.url());
    if (!isLocal(request.url())) docs.foreign.push(`${request.method()} ${request.url()}`);
  });
  page.on("requestfailed", (request) => {
    if (!isLocal(request.url()))
      docs.foreign.push(`failed (${request.failure()?.errorText}) ${request.url()}`);
  });
  page.on("pageerror", (error) => docs.errors.push(`uncaught: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") docs.errors.push(`console: ${message.text()}`);
  });
  await page.goto(url);
  await page.getByTestId("menu-item-label").first().waitFor();
  return docs;
}

/**
 * The menu labels of the operations, e.g. "Force DNS NOTIFY POST", gathered tag by
 * tag (opening one tag's group may close another's).
 */
export async function operationMenuLabels(page: Page): Promise<string[]> {
  const labels = new Set<string>();
  for (const op of firstOfEachTag()) {
    await expandMenu(page, op.operation.summary);
    for (const text of await page.getByTestId("menu-item-label").allInnerTexts()) {
      const lines = text
        .split("\n")
        .map((line) => line.trim())
        .filter(Boolean);
      if (/^(GET|POST|PUT|PATCH|DELETE)$/.test(lines.at(-1) ?? "")) labels.add(lines.join(" "));
    }
  }
  return [...labels];
}

/** One operation of each tag of the spec. */
function firstOfEachTag() {
  const seen = new Map<string, ReturnType<typeof operations>[number]>();
  for (const op of operations()) {
    const tag = op.operation.tags[0] as string;
    if (!seen.has(tag)) seen.set(tag, op);
  }
  return [...seen.values()];
}

/** Opens the menu group of the tag an operation is under, until the operation shows. */
async function expandMenu(page: Page, summary: string) {
  const op = operations().find((o) => o.operation.summary === summary);
  const tag = page
    .getByTestId("menu-item-label")
    .filter({ has: page.getByText(op?.operation.tags[0] ?? "", { exact: true }) });
  const anOperation = page
    .getByTestId("menu-item-label")
    .filter({ has: page.getByText(summary, { exact: true }) });
  if (!(await anOperation.isVisible())) await tag.click();
  await anOperation.waitFor();
}

/** Opens an operation from the menu, as a reader would; returns its section. */
export async function openOperation(page: Page, summary: string): Promise<Locator> {
  await expandMenu(page, summary);
  const before = page.url();
  await page
    .getByTestId("menu-item-label")
    .filter({ has: page.getByText(summary, { exact: true }) })
    .click();
  await expect.poll(() => page.url()).not.toBe(before);
  return sectionOfUrl(page, summary);
}

/** The operation section the page's URL points at, checked by its heading. */
export async function sectionOfUrl(page: Page, summary: string): Promise<Locator> {
  const hash = decodeURIComponent(new URL(page.url()).hash.slice(1));
  const section = page.locator(`[data-section-id="${hash.replace(/"/g, '\\"')}"]`);
  await expect.poll(() => section.locator("h2").first().innerText()).toBe(summary);
  return section;
}

/** Picks a code sample's label in an operation's language menu; returns the code block. */
export async function showSample(page: Page, section: Locator, label: string): Promise<Locator> {
  const menu = section
    .getByTestId("dropdown")
    .filter({ hasText: /^\s*(TypeScript|CLI|curl|Payload)\s*$/ });
  await menu.getByRole("button").click();
  // A DOM click: the menu can open partly outside the viewport, where a mouse click misses.
  await page.getByRole("menuitem", { name: label, exact: true }).dispatchEvent("click");
  await expect.poll(() => menu.innerText()).toContain(label);
  return section.getByTestId("source-code").first();
}

/** Text with trailing blanks and surrounding blank lines dropped, to compare code. */
export const tidy = (text: string) => text.replace(/[ \t]+$/gm, "").trim();
