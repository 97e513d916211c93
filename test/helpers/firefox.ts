/**
 * Debian's firefox-esr for tests, driven over WebDriver BiDi by puppeteer-core (Playwright drives
 * only its own patched Firefox, which cannot be had here). One browser; a context per peer, as
 * with Chromium, so peers do not share IndexedDB.
 */
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const FIREFOX_PATH = '/usr/bin/firefox-esr';

export function launchFirefox(): Promise<Browser> {
  return puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX_PATH, headless: true });
}

/** A tab in a context of its own at `url`, once the app's client is up. */
export async function firefoxPeerPage(firefox: Browser, url: string): Promise<Page> {
  const page = await (await firefox.createBrowserContext()).newPage();
  page.on('pageerror', (e) => console.error(`[firefox page error] ${String(e)}`));
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { tabswarm?: unknown }).tabswarm !== undefined);
  return page;
}
