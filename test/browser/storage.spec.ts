/** IndexedDB storage: listing and deleting torrents, and a full quota that stops one download with a clear error. */
import { expect, test } from '@playwright/test';
import { join, peerPage, savedSha256, seedGenerated } from './helpers.ts';

test.describe.configure({ timeout: 120_000 });

test('stored torrents are listed and deleted one by one', async ({ browser }) => {
  const page = await peerPage(browser);
  const a = await seedGenerated(page, 1, 'a.bin');
  const b = await seedGenerated(page, 1, 'b.bin');
  const listed = () => page.evaluate(async () => (await (await (window as any).tabswarm).list()).map((t: any) => t.name).sort());
  expect(await listed()).toEqual(['a.bin', 'b.bin']);
  await page.evaluate(async (h) => (await (window as any).tabswarm).remove(h), a.infoHash);
  expect(await listed()).toEqual(['b.bin']);
  // b is untouched: still whole and readable.
  expect(await savedSha256(page, b.infoHash)).toBe(b.sha256);
  // Reloading shows the same list: it lives in IndexedDB, not in the page.
  await page.reload();
  expect(await listed()).toEqual(['b.bin']);
});

test('a download over the storage quota stops with a clear error naming the size; other torrents stay intact', async ({ browser }) => {
  const seeder = await peerPage(browser);
  const big = await seedGenerated(seeder, 12, 'big.bin');
  const small = await seedGenerated(seeder, 1, 'small.bin');
  const leecher = await peerPage(browser);
  // Squeeze this origin's quota (CDP, before it stores anything) far below the big file's size.
  const cdp = await leecher.context().newCDPSession(leecher);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(leecher.url()).origin, quotaSize: 6 * 1024 * 1024 });
  // The small one fits.
  expect(await savedSha256(leecher, await join(leecher, small.magnet))).toBe(small.sha256);
  const error = await leecher.evaluate(async (magnet) => {
    const client = await (window as any).tabswarm;
    const stopped = new Promise<{ code: string; message: string }>((resolve) => client.on('error', (_h: string, e: any) => resolve({ code: e.code, message: e.message })));
    await client.add(magnet);
    return stopped;
  }, big.magnet);
  expect(error.code).toBe('QUOTA_EXCEEDED');
  expect(error.message).toMatch(new RegExp(`needs ${12 * 1024 * 1024} bytes`));
  // The other torrent is intact.
  expect(await savedSha256(leecher, small.infoHash)).toBe(small.sha256);
  const names = await leecher.evaluate(async () => (await (await (window as any).tabswarm).list()).map((t: any) => t.name).sort());
  expect(names).toContain('small.bin');
});
