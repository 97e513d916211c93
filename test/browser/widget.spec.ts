/** The <tabswarm-file> widget on another site (another origin): one script tag, an image shared from the app. */
import { expect, test } from '@playwright/test';
import { TEST_PORT } from '../../playwright.config.ts';
import { TINY_PNG } from '../helpers/fixtures.ts';
import { startOtherSite, type OtherSite } from './other-site.ts';


let site: OtherSite;
test.beforeAll(async () => {
  // "Another site": a plain page on its own port that only loads our script.
  site = await startOtherSite(
    (magnet) => `<!doctype html><title>Someone else's blog</title><h1>My holiday</h1>
      <tabswarm-file magnet="${magnet}"></tabswarm-file>
      <script>window.events = []; document.addEventListener('DOMContentLoaded', () => { const el = document.querySelector('tabswarm-file'); for (const t of ['progress', 'done', 'error']) el.addEventListener(t, (e) => window.events.push(t)); });</script>
      <script type="module" src="http://localhost:${TEST_PORT}/tabswarm-file.js"></script>`,
  );
});
test.afterAll(() => site.close());

test('the widget on another origin downloads and renders an image shared in the app, and fires done', async ({ browser }) => {
  const a = await (await browser.newContext()).newPage();
  await a.goto('/');
  await a.getByTestId('share-input').setInputFiles({ name: 'holiday.png', mimeType: 'image/png', buffer: TINY_PNG });
  const link = await a.getByTestId('share-link').inputValue();
  const magnet = decodeURIComponent(link.slice(link.indexOf('#') + 1));

  const b = await (await browser.newContext()).newPage();
  await b.goto(`${site.url}/?magnet=${encodeURIComponent(magnet)}`);
  expect(new URL(b.url()).origin).not.toBe(new URL(a.url()).origin);
  const img = b.locator('tabswarm-file').getByTestId('preview-image');
  await expect(img).toBeVisible({ timeout: 30_000 });
  // The image really decoded: 16×16 pixels.
  expect(await img.evaluate((el: HTMLImageElement) => [el.naturalWidth, el.naturalHeight])).toEqual([16, 16]);
  await expect(b.locator('tabswarm-file').getByText('Download holiday.png')).toBeVisible();
  const events = await b.evaluate(() => (window as any).events as string[]);
  expect(events).toContain('progress');
  expect(events).toContain('done');
  expect(events).not.toContain('error');
});
