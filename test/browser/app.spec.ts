/** The app as a person uses it, in real Chromium. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import jsQR from 'jsqr';
import { loadVectors, vectorPath } from '../helpers/vectors.ts';

test('the front page loads from the signal server, with no errors', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Tabswarm' })).toBeVisible();
  await expect(page.getByTestId('share-input')).toBeAttached();
  expect(errors).toEqual([]);
});

for (const v of loadVectors().filter((x) => x.files === null)) {
  test(`sharing ${v.content} in the browser gives mktorrent's info hash`, async ({ page }) => {
    await page.goto('/');
    await page.getByTestId('share-input').setInputFiles(vectorPath(v.content));
    await expect(page.getByTestId('share-link')).toHaveValue(new RegExp(`#magnet:\\?xt=urn:btih:${v.infoHash}`));
  });
}

test('a file chosen before the tab has heard from the server is shared once it has, not dropped', async ({ page }) => {
  // The server's settings (/config) are held back until the file is chosen, as a busy machine does.
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let asked = false;
  await page.route('**/config', async (route) => {
    asked = true;
    await held;
    await route.continue();
  });
  await page.goto('/');
  await expect.poll(() => asked).toBe(true);
  await page.getByTestId('share-input').setInputFiles(vectorPath('content/three-pieces-and-change.bin'));
  await expect(page.getByTestId('share-starting')).toBeVisible();
  release();
  await expect(page.getByTestId('share-link')).toHaveValue(/#magnet:\?xt=urn:btih:[0-9a-f]{40}/);
});

test('a person shares a file in one browser and saves it in another, byte-exact', async ({ browser }) => {
  const a = await (await browser.newContext()).newPage();
  await a.goto('/');
  const original = vectorPath('content/three-pieces-and-change.bin');
  await a.getByTestId('share-input').setInputFiles(original);
  const link = await a.getByTestId('share-link').inputValue();
  expect(link).toMatch(/^http:\/\/localhost:\d+\/#magnet:\?xt=urn:btih:[0-9a-f]{40}/);
  // The QR code beside it carries the same link (decoded from its pixels).
  const qr = await a.getByTestId('share-qr').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
    return { width: d.width, height: d.height, pixels: Array.from(d.data) };
  });
  expect(jsQR(Uint8ClampedArray.from(qr.pixels), qr.width, qr.height)?.data).toBe(link);

  const b = await (await browser.newContext({ acceptDownloads: true })).newPage();
  await b.goto(link);
  await expect(b.getByTestId('progress')).toBeVisible();
  const saveButton = b.getByTestId('save');
  await expect(saveButton).toBeVisible({ timeout: 30_000 });
  const [download] = await Promise.all([b.waitForEvent('download'), saveButton.click()]);
  expect(download.suggestedFilename()).toBe('three-pieces-and-change.bin');
  const saved = readFileSync(await download.path());
  const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
  expect(sha(saved)).toBe(sha(readFileSync(original)));
  // The progress bar ends full.
  const value = await b.getByTestId('progress').evaluate((p: HTMLProgressElement) => [p.value, p.max]);
  expect(value[0]).toBe(value[1]);
});

test('a bad link shows an error a person can act on', async ({ page }) => {
  await page.goto('/#not-a-link');
  await expect(page.getByTestId('error')).toContainText('not a Tabswarm share link');
  await page.goto('/#magnet:?xt=urn:btih:1234');
  await expect(page.getByTestId('error')).toContainText('Invalid magnet link');
});
