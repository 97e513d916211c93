/** The browser peer: real WebRTC between contexts, IndexedDB storage, saved files compared by SHA-256. */
import { expect, test } from '@playwright/test';
import { join, peerPage, savedSha256, seedGenerated, stats } from './helpers.ts';

// Budgets, not assertions: on a busy 2-core machine (another test suite, a benchmark) these swarms
// have taken several times their usual half-minute, and a budget must not turn slow into red.
test.describe.configure({ timeout: 360_000 });

test('a seeder tab and 3 leecher tabs: every leecher saves the 20 MiB file byte-exact', async ({ browser }) => {
  const seeder = await peerPage(browser);
  const { magnet, sha256, infoHash } = await seedGenerated(seeder, 20);
  const leechers = await Promise.all([1, 2, 3].map(() => peerPage(browser)));
  for (const l of leechers) expect(await join(l, magnet)).toBe(infoHash);
  const results = await Promise.all(leechers.map((l) => savedSha256(l, infoHash)));
  expect(results).toEqual([sha256, sha256, sha256]);
  // Leechers traded with each other, not only with the seeder.
  const uploadedByLeechers = await Promise.all(leechers.map((l) => l.evaluate(async (h) => (await (window as any).tabswarm).stats(h).uploaded, infoHash)));
  expect(uploadedByLeechers.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
});

test('a leecher reloaded at about half resumes from IndexedDB and fetches only the missing pieces', async ({ browser }) => {
  const seeder = await peerPage(browser);
  const { magnet, sha256, infoHash } = await seedGenerated(seeder, 20);
  // Throttle the seeder so the reload lands mid-download.
  await seeder.evaluate(async (h) => {
    const t = (await (window as any).tabswarm).sessions.get(h).torrent;
    t.setLimits({ uploadLimit: 4 * 1024 * 1024 });
  }, infoHash);
  const leecher = await peerPage(browser);
  await join(leecher, magnet);
  await expect.poll(async () => (await stats(leecher, infoHash)).piecesHave, { timeout: 300_000 }).toBeGreaterThanOrEqual(40);
  const before = (await stats(leecher, infoHash)).piecesHave;
  await leecher.reload();
  await leecher.waitForFunction(() => (window as any).tabswarm !== undefined);
  await join(leecher, magnet);
  const resumed = await stats(leecher, infoHash);
  // What was verified before the reload is there at once, with no download yet — except pieces whose
  // IndexedDB writes were still in flight when the page went away: at most the engine's
  // maxPendingWrites (8), which are fetched again.
  expect(resumed.piecesHave).toBeGreaterThanOrEqual(before - 8);
  expect(resumed.downloaded).toBe(0);
  expect(await savedSha256(leecher, infoHash)).toBe(sha256);
  const after = await stats(leecher, infoHash);
  const pieceBytes = 256 * 1024;
  // Only the missing pieces came over the wire (endgame may duplicate a few blocks).
  expect(after.downloaded).toBeLessThanOrEqual((after.pieceCount - resumed.piecesHave) * pieceBytes * 1.1);
});

test('the seeder tab closes mid-swarm: the leechers finish from each other', async ({ browser }) => {
  const seeder = await peerPage(browser);
  const { magnet, sha256, infoHash } = await seedGenerated(seeder, 20);
  const leechers = await Promise.all([1, 2, 3].map(() => peerPage(browser)));
  // A fast seeder and slow leechers: the pieces are all out among the leechers long before each holds them all.
  // The leechers' downloads are limited too, or a seeder still serving at full speed once every piece
  // is out could finish them all before a busy machine's poll notices (seen once in CI under load).
  const limit = (page: typeof seeder, limits: { uploadLimit: number; downloadLimit?: number }) =>
    page.evaluate(async ({ h, limits }) => (await (window as any).tabswarm).sessions.get(h).torrent.setLimits(limits), { h: infoHash, limits });
  await limit(seeder, { uploadLimit: 8 * 1024 * 1024 });
  for (const l of leechers) {
    await join(l, magnet);
    await limit(l, { uploadLimit: 1024 * 1024, downloadLimit: 2 * 1024 * 1024 });
  }
  // Close the seeder as soon as every piece exists among the leechers, while some still lack some.
  const haves = () => Promise.all(leechers.map(async (l) => (await stats(l, infoHash)).have));
  await expect
    .poll(
      async () => {
        const all = await haves();
        return all[0]!.length > 0 && [...all[0]!].every((_, i) => all.some((h) => h[i] === '1'));
      },
      { timeout: 300_000, intervals: [50] },
    )
    .toBe(true);
  await seeder.context().close();
  const atClose = await haves();
  // The close really came mid-swarm: some leecher still lacked pieces.
  expect(atClose.some((h) => h.includes('0'))).toBe(true);
  const results = await Promise.all(leechers.map((l) => savedSha256(l, infoHash)));
  expect(results).toEqual([sha256, sha256, sha256]);
});
