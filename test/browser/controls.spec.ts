/**
 * The sharing controls in the app: limits and "pause sharing" persist across reloads and reach
 * every torrent; "don't share on metered connections" follows what the browser says; the screen
 * stays awake while files transfer and is let go after.
 */
import { expect, test, type Page } from '@playwright/test';
import { join, peerPage, seedGenerated, savedSha256 } from './helpers.ts';

/** What the engine of this page runs with, for one torrent. */
function engineState(page: Page, infoHash: string): Promise<{ limits: { uploadLimit: number; downloadLimit: number }; sharing: boolean }> {
  return page.evaluate(async (h) => {
    const t = (await (window as any).tabswarm).sessions.get(h).torrent;
    return { limits: t.limits, sharing: t.sharing };
  }, infoHash);
}

test('limits and pause sharing are saved, survive a reload, and apply to the torrents; a paused seeder uploads nothing until resumed', async ({ browser }) => {
  const seeder = await peerPage(browser);
  // A name of its own: its own info hash, so no page left open by another test holds this file.
  const { magnet, infoHash, sha256 } = await seedGenerated(seeder, 1, 'controls-pause.bin');
  await seeder.getByText('Sharing settings').click();
  await seeder.getByTestId('upload-limit').fill('512');
  await seeder.getByTestId('upload-limit').press('Tab');
  await seeder.getByTestId('download-limit').fill('abc');
  await seeder.getByTestId('download-limit').press('Tab');
  await expect(seeder.getByRole('alert')).toContainText('Download limit: give a whole number');
  await seeder.getByTestId('pause-sharing').check();
  await expect(seeder.getByTestId('sharing-state')).toHaveText('Sharing paused: this tab uploads nothing (downloads go on).');
  expect(await engineState(seeder, infoHash)).toEqual({ limits: { uploadLimit: 512 * 1024, downloadLimit: 0 }, sharing: false });

  // A leecher finds the paused seeder but gets nothing from it.
  const leecher = await peerPage(browser);
  await join(leecher, magnet);
  await expect.poll(async () => (await seeder.evaluate(async (h) => (await (window as any).tabswarm).stats(h).peers.length, infoHash)), { timeout: 30_000 }).toBe(1);
  await expect.poll(async () => seeder.evaluate(async (h) => (await (window as any).tabswarm).stats(h).peers[0].peerInterested, infoHash)).toBe(true);
  expect(await seeder.evaluate(async (h) => (await (window as any).tabswarm).stats(h).uploaded, infoHash)).toBe(0);

  // Reloaded, the settings are as left, and the torrent (resumed from IndexedDB) runs with them.
  await seeder.reload();
  await seeder.waitForFunction(() => (window as any).tabswarm !== undefined);
  await seeder.evaluate(async (h) => (await (window as any).tabswarm).add(h), infoHash);
  await seeder.getByText('Sharing settings').click();
  await expect(seeder.getByTestId('upload-limit')).toHaveValue('512');
  await expect(seeder.getByTestId('pause-sharing')).toBeChecked();
  expect(await engineState(seeder, infoHash)).toEqual({ limits: { uploadLimit: 512 * 1024, downloadLimit: 0 }, sharing: false });

  // Resumed: the leecher completes.
  await seeder.getByTestId('pause-sharing').uncheck();
  await expect(seeder.getByTestId('sharing-state')).toHaveText('Sharing: peers can download from this tab.');
  expect((await engineState(seeder, infoHash)).sharing).toBe(true);
  expect(await savedSha256(leecher, infoHash)).toBe(sha256);
});

test('"don\'t share on metered connections" stops sharing while the browser reports data saver, and says so', async ({ browser }) => {
  const context = await browser.newContext();
  // Data saver, as a phone on mobile data reports it (Chromium's Network Information API; the
  // object is the browser's own, only its saveData answer is set).
  await context.addInitScript(() => {
    const connection = (navigator as any).connection;
    Object.defineProperty(connection, 'saveData', { get: () => true });
  });
  const page = await context.newPage();
  await page.goto('/');
  await page.waitForFunction(() => (window as any).tabswarm !== undefined);
  const { infoHash } = await seedGenerated(page, 1, 'controls-metered.bin');
  await page.getByText('Sharing settings').click();
  await expect(page.getByTestId('metered-hint')).toHaveText('This connection is metered (data saver or mobile data).');
  expect((await engineState(page, infoHash)).sharing).toBe(true);
  await page.getByTestId('no-metered').check();
  await expect(page.getByTestId('sharing-state')).toHaveText('Not sharing: this connection is metered (downloads go on).');
  expect((await engineState(page, infoHash)).sharing).toBe(false);
});

test('the screen is kept awake while a download runs and let go once nothing transfers', async ({ browser }) => {
  const seeder = await peerPage(browser);
  const { magnet, infoHash } = await seedGenerated(seeder, 1, 'controls-awake.bin');
  // The seeder shares nothing yet: the download stays under way for as long as the check needs.
  await seeder.evaluate(async () => (await (window as any).tabswarm).applySharing({ uploadLimit: 0, downloadLimit: 0, share: false }));
  const leecher = await peerPage(browser);
  // The tab the user is looking at (a wake lock is for the page in front).
  await leecher.bringToFront();
  expect(await leecher.evaluate(() => window.tabswarmWakeLock!.held)).toBe(false);
  await join(leecher, magnet);
  await expect.poll(() => leecher.evaluate(() => ({ held: window.tabswarmWakeLock!.held, error: window.tabswarmWakeLock!.lastError })), { timeout: 15_000 }).toEqual({ held: true, error: '' });
  await seeder.evaluate(async () => (await (window as any).tabswarm).applySharing({ uploadLimit: 0, downloadLimit: 0, share: true }));
  await savedSha256(leecher, infoHash);
  // Done, and nothing to upload (the only other peer is the seeder): released.
  await expect.poll(() => leecher.evaluate(() => window.tabswarmWakeLock!.held), { timeout: 15_000 }).toBe(false);
});
