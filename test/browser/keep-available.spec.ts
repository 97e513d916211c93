/**
 * The server as the seed of last resort, in the app: the sharer ticks "Keep available after I close
 * this tab", the tab uploads the file to the server (which verifies every piece), the share link
 * gains the server as web seed and exact source, and the link then completes in another browser
 * after the sharing tab has closed — nobody online but the server; reopened from "My files", the
 * file's link still names the server.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';

test.describe.configure({ timeout: 180_000 });

test('a file kept on the server: its link completes byte-exact after the sharing tab closed', async ({ browser }) => {
  // Bytes of this test's own: no page left open by another test holds them.
  const original = randomBytes(3 * 256 * 1024 + 4_321);
  const sharerContext = await browser.newContext();
  const sharer = await sharerContext.newPage();
  await sharer.goto('/');
  await sharer.getByTestId('share-input').setInputFiles({ name: 'kept-lecture.bin', mimeType: 'application/octet-stream', buffer: original });
  const before = await sharer.getByTestId('share-link').inputValue();
  expect(before).not.toMatch(/ws=/);

  await sharer.getByLabel('Keep available after I close this tab').check();
  await expect(sharer.getByTestId('keep-status')).toContainText('Kept on the server until', { timeout: 60_000 });
  const link = await sharer.getByTestId('share-link').inputValue();
  const magnet = decodeURIComponent(link.slice(link.indexOf('#') + 1));
  expect(magnet).toMatch(/&ws=http:\/\/localhost:\d+\/files\/[0-9a-f]{40}\/kept-lecture\.bin&xs=http:\/\/localhost:\d+\/store\/[0-9a-f]{40}\/torrent$/);
  await sharerContext.close();

  const downloaderContext = await browser.newContext({ acceptDownloads: true });
  const downloader = await downloaderContext.newPage();
  await downloader.goto(link);
  const saveButton = downloader.getByTestId('save');
  await expect(saveButton).toBeVisible({ timeout: 120_000 });
  const [download] = await Promise.all([downloader.waitForEvent('download'), saveButton.click()]);
  const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
  expect(sha(readFileSync(await download.path()))).toBe(sha(original));
  // It came from the server's store, not from a peer (none was online).
  const fromOrigin = await downloader.evaluate(async () => {
    const client = await (window as any).tabswarm;
    const [session] = [...client.sessions.values()];
    return session.torrent.stats().originDownloaded as number;
  });
  expect(fromOrigin).toBe(original.length);

  // Reopened later from "My files" (a bare info hash), the file keeps the server that holds it: the
  // link shared from there names it again.
  const infoHash = /btih:([0-9a-f]{40})/.exec(magnet)![1]!;
  const named = (m: string) => { const q = new URLSearchParams(m.slice(m.indexOf('?') + 1)); return { ws: q.getAll('ws'), xs: q.getAll('xs') }; };
  await downloader.goto('/');
  await downloader.goto(`/#${infoHash}`);
  await downloader.waitForFunction(() => (window as any).tabswarm !== undefined);
  await expect
    .poll(async () => named(await downloader.evaluate(async (h) => { const c = await (window as any).tabswarm; return c.sessions.has(h) ? (c.magnet(h) as string) : '?'; }, infoHash)), { timeout: 30_000 })
    .toEqual(named(magnet));
  await downloaderContext.close();
});
