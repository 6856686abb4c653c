/**
 * The built API reference opened in a browser page, with every request it makes
 * and every error it throws or logs recorded, and the few moves a reader makes:
 * open the menu, open an operation, pick a code sample's language, search.
 */
import type { Browser, Locator, Page } from "playwright-core";
import { expect } from "vitest";
import { isLocal } from "./chromium.js";
import { operations, spec } from "./spec-info.js";

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

/** The tags, in the spec's order: each is a group in the menu that starts folded. */
export const TAGS: string[] = ((spec as any).tags ?? []).map((tag: { name: string }) => tag.name);

/** The menu labels of the operations, e.g. "Force DNS NOTIFY POST", after opening every tag. */
export async function operationMenuLabels(page: Page): Promise<string[]> {
  // Opening a group may fold another: read the labels after each.
  const labels = new Set<string>();
  for (const tag of TAGS) {
    await expandMenu(page, tag);
    for (const text of await page.getByTestId("menu-item-label").allInnerTexts()) labels.add(text);
  }
  return [...labels]
    .map((text) =>
      text
        .split("\n")
        .map((line) => line.trim())
        .filter(Boolean),
    )
    .filter((lines) => /^(GET|POST|PUT|PATCH|DELETE)$/.test(lines.at(-1) ?? ""))
    .map((lines) => lines.join(" "));
}

/** Opens a tag's group in the menu, unless its first operation shows already. */
async function expandMenu(page: Page, tag: string) {
  const first = operations().find((op) => (op.operation.tags ?? []).includes(tag));
  if (!first) throw new Error(`no operation has the tag ${tag}`);
  const group = page
    .getByTestId("menu-item-label")
    .filter({ has: page.getByText(tag, { exact: true }) });
  const anOperation = page
    .getByTestId("menu-item-label")
    .filter({ has: page.getByText(first.operation.summary, { exact: true }) });
  if (!(await anOperation.isVisible())) await group.click();
  await anOperation.waitFor();
}

/** The tag an operation is listed under in the menu. */
function tagOf(summary: string): string {
  const op = operations().find((o) => o.operation.summary === summary);
  const tag = op?.operation.tags?.[0];
  if (!tag) throw new Error(`no tagged operation "${summary}"`);
  return tag;
}

/** Opens an operation from the menu, as a reader would; returns its section. */
export async function openOperation(page: Page, summary: string): Promise<Locator> {
  await expandMenu(page, tagOf(summary));
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
