/**
 * Debian's Chromium driven by playwright-core (no browser download). The flags
 * keep Chromium from reaching out on its own (updates, sync, safe browsing), so
 * every request seen comes from the page under test.
 */
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM_PATH = "/usr/bin/chromium";

export const chromiumInstalled = existsSync(CHROMIUM_PATH);

export function launchChromium(): Promise<Browser> {
  // playwright-core starts each browser with a fresh, temporary user data dir.
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** True for a URL the page may load: its own server on 127.0.0.1, or inline data. */
export function isLocal(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  if (protocol === "data:" || protocol === "blob:" || protocol === "about:") return true;
  return hostname === "127.0.0.1";
}
