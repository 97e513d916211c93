/** The served page in real Chromium: it loads, and hashes a real file with the shared code. */
import { expect, test } from '@playwright/test';
import { loadVectors, vectorPath } from '../helpers/vectors.ts';

test('the front page loads from the signal server', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Tabswarm' })).toBeVisible();
  await expect(page.getByTestId('share-input')).toBeVisible();
  expect(errors).toEqual([]);
});

for (const v of loadVectors().filter((x) => x.files === null)) {
  test(`hashing ${v.content} in the browser gives mktorrent's info hash`, async ({ page }) => {
    await page.goto('/');
    await page.getByTestId('share-input').setInputFiles(vectorPath(v.content));
    await expect(page.getByTestId('info-hash')).toHaveText(v.infoHash);
    await expect(page.getByTestId('magnet')).toContainText(`xt=urn:btih:${v.infoHash}`);
  });
}
