/**
 * One swarm with WebTorrent: its browser bundle (from the reference-peer folder) in a tab of its
 * own, on our tracker. Both directions, compared byte for byte; WebTorrent using our server's
 * store as a BEP 19 web seed, alone and beside a Tabswarm peer; and WebTorrent carrying a private
 * share's ciphertext (its relay link) for key-holders, without being able to read it.
 */
import { expect, test, type Page } from '@playwright/test';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { join, peerPage, savedSha256, seedGenerated } from './helpers.ts';
import { bencodeBytes } from '../../shared/bencode.ts';
import { concatBytes, utf8 } from '../../shared/bytes.ts';
import { parseTorrent } from '../../shared/metainfo/parse.ts';

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

/** The .torrent the server's store holds, with the store as its web seed (url-list) and our tracker: what a WebTorrent user would be handed. */
async function storedTorrentWithWebSeed(page: Page, infoHash: string, tracker: string): Promise<number[]> {
  const origin = new URL(page.url()).origin;
  const status = (await (await fetch(`${origin}/store/${infoHash}`)).json()) as { webSeed: string; complete: boolean };
  expect(status.complete).toBe(true);
  const stored = parseTorrent(new Uint8Array(await (await fetch(`${origin}/store/${infoHash}/torrent`)).arrayBuffer()));
  // Keys in bencode order: announce, info, url-list; the info dictionary byte for byte as stored.
  return [...concatBytes([utf8('d'), bencodeBytes('announce'), bencodeBytes(tracker), bencodeBytes('info'), stored.infoBytes, bencodeBytes('url-list'), bencodeBytes(status.webSeed), utf8('e')])];
}

/** Downloads in the WebTorrent tab; returns the SHA-256 and the bytes that came from web seeds and from peers. */
async function webTorrentDownload(page: Page, torrent: number[]): Promise<{ sha256: string; fromWebSeed: number; fromPeers: number }> {
  return page.evaluate(
    async (torrent) =>
      new Promise((resolve, reject) => {
        const wt = (window as any).wt;
        wt.on('error', (e: Error) => reject(e));
        wt.add(new Uint8Array(torrent), {}, (t: any) => {
          t.on('done', async () => {
            // Each connection's own count (bittorrent-protocol's wire.downloaded), by kind.
            let fromWebSeed = 0;
            let fromPeers = 0;
            for (const wire of t.wires) {
              if (wire.type === 'webSeed') fromWebSeed += wire.downloaded;
              else fromPeers += wire.downloaded;
            }
            const blob: Blob = await t.files[0].blob();
            const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
            resolve({ sha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join(''), fromWebSeed, fromPeers });
          });
        });
      }),
    torrent,
  );
}

test("a WebTorrent tab downloads from our server's web seed alone (the sharer's tab closed), byte-exact", async ({ browser }) => {
  const sharer = await peerPage(browser);
  const { sha256, infoHash } = await seedGenerated(sharer, 3, `kept-for-webtorrent-${Date.now()}.bin`);
  await sharer.evaluate(async (h) => (await (window as any).tabswarm).keepOnServer(h), infoHash);
  await sharer.context().close();
  const wtPage = await peerPage(browser);
  await webTorrentPage(wtPage);
  const tracker = `ws://localhost:${new URL(wtPage.url()).port}/announce`;
  const got = await webTorrentDownload(wtPage, await storedTorrentWithWebSeed(wtPage, infoHash, tracker));
  expect(got.sha256).toBe(sha256);
  expect(got.fromPeers).toBe(0);
  expect(got.fromWebSeed).toBeGreaterThanOrEqual(3 * 1024 * 1024);
});

test("a WebTorrent tab downloads from our server's web seed and a Tabswarm peer together, byte-exact", async ({ browser }) => {
  const sharer = await peerPage(browser);
  const { sha256, infoHash } = await seedGenerated(sharer, 8, `kept-and-shared-${Date.now()}.bin`);
  await sharer.evaluate(async (h) => (await (window as any).tabswarm).keepOnServer(h), infoHash);
  const wtPage = await peerPage(browser);
  await webTorrentPage(wtPage);
  const tracker = `ws://localhost:${new URL(wtPage.url()).port}/announce`;
  const got = await webTorrentDownload(wtPage, await storedTorrentWithWebSeed(wtPage, infoHash, tracker));
  expect(got.sha256).toBe(sha256);
  // Both kinds of source gave it something: the Tabswarm tab is a peer of the same swarm as the web seed.
  expect(got.fromWebSeed).toBeGreaterThan(0);
  expect(got.fromPeers).toBeGreaterThan(0);
});

test("a WebTorrent tab carries a private share's ciphertext from its relay link, holding no plaintext; a key-holder completes from it alone with the sharer gone, byte-exact", async ({ browser }) => {
  // Text and random bytes: a plaintext window would be easy to find in either.
  const plain = Buffer.concat([Buffer.from('Minutes of the harbour committee, not for the press. '.repeat(20_000)), randomBytes(1_200_000)]);
  const file = joinPath(mkdtempSync(joinPath(tmpdir(), 'tabswarm-wt-private-')), 'minutes.txt');
  writeFileSync(file, plain);

  const sharer = await peerPage(browser);
  await sharer.getByTestId('share-private').check();
  await sharer.getByTestId('share-allow-relays').check();
  await sharer.getByTestId('share-input').setInputFiles([file]);
  const link = await sharer.getByTestId('share-link').inputValue();
  const relayLink = await sharer.getByTestId('relay-link').inputValue();
  expect(link).toMatch(/&x\.tsr=1&x\.tsk=[A-Za-z0-9_-]{43}$/);
  expect(relayLink).toMatch(/#magnet:\?xt=urn:btih:[0-9a-f]{40}&tr=[^&]+&x\.tsr=1$/);
  expect(relayLink.split('#')[1]).toBe(link.split('#')[1]!.replace(/&x\.tsk=[^&]+$/, ''));

  // WebTorrent joins with the relay link's magnet: it has no key, and the sharer lets it in.
  const wtPage = await peerPage(browser);
  await webTorrentPage(wtPage);
  const windows: number[][] = [];
  for (let at = 0; at + 64 <= plain.length; at += 8_192) windows.push([...plain.subarray(at, at + 64)]);
  const carried = await wtPage.evaluate(
    async ({ magnet, windows }) =>
      new Promise<{ length: number; name: string; found: number; seeding: boolean }>((resolve, reject) => {
        const wt = (window as any).wt;
        wt.on('error', (e: Error) => reject(e));
        wt.add(magnet, {}, (t: any) => {
          t.on('done', async () => {
            const bytes = new Uint8Array(await (await t.files[0].blob()).arrayBuffer());
            const text = Array.from(bytes, (b) => String.fromCharCode(b)).join('');
            resolve({ length: bytes.length, name: t.files[0].name, found: windows.filter((w) => text.includes(String.fromCharCode(...w))).length, seeding: !t.paused && !t.destroyed });
          });
        });
      }),
    { magnet: relayLink.split('#')[1]!, windows },
  );
  expect(carried.name).toMatch(/^tabswarm-private-[0-9a-f]{16}$/);
  expect(carried.length).toBeGreaterThan(plain.length);
  expect(windows.length).toBeGreaterThan(200);
  expect(carried.found).toBe(0);
  expect(carried.seeding).toBe(true);
  // A Tabswarm tab given the relay link says what it is doing: carrying pieces it cannot open.
  const relayTab = await peerPage(browser);
  await relayTab.goto(relayLink);
  await expect(relayTab.getByTestId('relay-badge')).toHaveText(/You are relaying a private share: these are its encrypted pieces, which this link cannot open/);
  await relayTab.context().close();

  // The sharer leaves; the WebTorrent tab is the only source, and the key-holder opens what it carried.
  await sharer.context().close();
  const holder = await browser.newContext({ acceptDownloads: true });
  const viewer = await holder.newPage();
  await viewer.goto(link);
  await expect(viewer.getByTestId('private-badge')).toBeVisible();
  const save = viewer.getByTestId('save');
  await expect(save).toHaveText('Save minutes.txt', { timeout: 90_000 });
  const [download] = await Promise.all([viewer.waitForEvent('download'), save.click()]);
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  expect(sha(readFileSync(await download.path()))).toBe(sha(plain));
  const uploaded = await wtPage.evaluate(() => (window as any).wt.torrents[0].uploaded as number);
  expect(uploaded).toBeGreaterThanOrEqual(plain.length);
  await holder.close();
});
