/**
 * One swarm with WebTorrent: its browser bundle (from the reference-peer folder) in a tab of its
 * own, on our tracker. Both directions, compared byte for byte.
 */
import { expect, test, type Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { join, peerPage, savedSha256, seedGenerated } from './helpers.ts';

test.describe.configure({ timeout: 120_000 });

const BUNDLE = fileURLToPath(new URL('../reference-peers/node_modules/webtorrent/dist/webtorrent.min.js', import.meta.url));

/** A tab running WebTorrent 2.x, its module served from the reference folder. */
async function webTorrentPage(page: Page): Promise<void> {
  await page.route('**/__reference/webtorrent.min.js', (route) => route.fulfill({ path: BUNDLE, contentType: 'text/javascript' }));
  await page.evaluate(async () => {
    const { default: WebTorrent } = await import('/__reference/webtorrent.min.js' as string);
    (window as any).wt = new WebTorrent({ tracker: { rtcConfig: { iceServers: [] } } });
  });
}

test('a WebTorrent tab downloads from a Tabswarm seeder, byte-exact', async ({ browser }) => {
  const seeder = await peerPage(browser);
  const { magnet, sha256 } = await seedGenerated(seeder, 8);
  const wtPage = await peerPage(browser);
  await webTorrentPage(wtPage);
  const tracker = `ws://localhost:${new URL(wtPage.url()).port}/announce`;
  const got = await wtPage.evaluate(
    async ({ magnet, tracker }) =>
      new Promise<string>((resolve, reject) => {
        const wt = (window as any).wt;
        wt.on('error', (e: Error) => reject(e));
        wt.add(magnet, { announce: [tracker] }, (torrent: any) => {
          torrent.on('done', async () => {
            const blob: Blob = await torrent.files[0].blob();
            const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
            resolve(Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join(''));
          });
        });
      }),
    { magnet, tracker },
  );
  expect(got).toBe(sha256);
});

test('a Tabswarm tab downloads from a WebTorrent seeder, byte-exact', async ({ browser }) => {
  const wtPage = await peerPage(browser);
  await webTorrentPage(wtPage);
  const tracker = `ws://localhost:${new URL(wtPage.url()).port}/announce`;
  const { magnet, sha256 } = await wtPage.evaluate(async (tracker) => {
    const bytes = new Uint8Array(8 * 1024 * 1024);
    crypto.getRandomValues(bytes.subarray(0, 65_536));
    for (let i = 65_536; i < bytes.length; i++) bytes[i] = (bytes[i - 65_536]! * 31 + i) & 0xff;
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    const magnet = await new Promise<string>((resolve) => (window as any).wt.seed(new File([bytes], 'from-webtorrent.bin'), { announce: [tracker] }, (t: any) => resolve(t.magnetURI)));
    return { magnet, sha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('') };
  }, tracker);
  const leecher = await peerPage(browser);
  const infoHash = await join(leecher, magnet);
  expect(await savedSha256(leecher, infoHash)).toBe(sha256);
});
