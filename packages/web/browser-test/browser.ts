/**
 * Headless Chromium for the browser suite and the benchmark: Debian's `chromium` driven by
 * playwright-core (no browser download), against the page's server.
 */
import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { startServer } from "../src/server.js";

/** Where Debian's `chromium` package installs the browser (`apt-get install -y chromium`); `CHROMIUM` overrides. */
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

/** A running server, a browser and one page on it; `close` ends all three. */
export interface PageSession {
  readonly url: string;
  readonly browser: Browser;
  readonly page: Page;
  /** Console lines and page errors seen so far. */
  readonly log: string[];
  close(): Promise<void>;
}

/** Starts the server (isolated or not), launches Chromium headless and opens the page; waits for the backend. */
export async function openPage(options: { readonly isolated?: boolean } = {}): Promise<PageSession> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM`,
    );
  const server = await startServer({ port: 0, isolated: options.isolated ?? true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
  const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
  const log: string[] = [];
  page.on("console", (m) => log.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => log.push(`pageerror: ${e.message}`));
  await page.goto(server.url);
  await page.waitForFunction(() => "od" in window);
  await page.evaluate(() => (window as unknown as { od: { ready: Promise<unknown> } }).od.ready);
  return {
    url: server.url,
    browser,
    page,
    log,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}
