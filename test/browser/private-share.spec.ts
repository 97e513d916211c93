/**
 * Private links in the app, with real media made by Debian's ffmpeg: a video shared privately is
 * streamed (plays while it downloads, seeks) and saved byte-exact by a viewer with the link, while
 * what the viewer's browser stored — what it would upload to anyone — is ciphertext only; a link with
 * a wrong key or none gets a message that says so.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { stats } from './helpers.ts';
import { TEST_PORT } from '../../playwright.config.ts';
import { startOtherSite } from './other-site.ts';

test.describe.configure({ timeout: 240_000 });

const dir = mkdtempSync(join(tmpdir(), 'tabswarm-private-media-'));
const SECONDS = 30;
/** The whole download takes at least this long at the seeder's limit: playback must start well before. */
const MIN_DOWNLOAD_S = 20;
let video: string;

const contexts: BrowserContext[] = [];
async function page(browser: Browser): Promise<Page> {
  const c = await browser.newContext({ acceptDownloads: true });
  contexts.push(c);
  const p = await c.newPage();
  p.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  return p;
}
test.afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});

test.beforeAll(() => {
  video = join(dir, 'holiday.webm');
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=duration=${SECONDS}:size=480x270:rate=25`, '-f', 'lavfi', '-i', `sine=frequency=440:duration=${SECONDS}`, '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '1M', '-minrate', '1M', '-maxrate', '1M', '-bufsize', '1M', '-c:a', 'libopus', '-shortest', video]);
});

/** Shares `path` privately from the app; returns the link and info hash. */
async function sharePrivately(sharer: Page, path: string): Promise<{ link: string; infoHash: string }> {
  await sharer.goto('/');
  await sharer.getByTestId('share-private').check();
  await sharer.getByTestId('share-input').setInputFiles([path]);
  const link = await sharer.getByTestId('share-link').inputValue();
  await expect(sharer.getByTestId('private-badge')).toBeVisible();
  return { link, infoHash: /btih:([0-9a-f]{40})/.exec(link)![1]! };
}

test('a private video streams while it downloads, seeks, and saves byte-exact; the viewer stores only ciphertext', async ({ browser }) => {
  const sharer = await page(browser);
  const { link, infoHash } = await sharePrivately(sharer, video);
  expect(link).toMatch(/#magnet:\?xt=urn:btih:[0-9a-f]{40}&tr=[^&]+&x\.tsk=[A-Za-z0-9_-]{43}$/);
  expect(link).not.toMatch(/holiday|dn=/);
  await sharer.evaluate(async ({ infoHash, limit }) => (await (window as any).tabswarm).sessions.get(infoHash).torrent.setLimits({ uploadLimit: limit }), { infoHash, limit: Math.floor(statSync(video).size / MIN_DOWNLOAD_S) });

  const viewer = await page(browser);
  await viewer.goto(link);
  await expect(viewer.getByTestId('private-badge')).toBeVisible();
  // The real name, from the sealed contents list (in the torrent's info dictionary).
  await expect(viewer.getByRole('heading', { name: 'holiday.webm' })).toBeVisible({ timeout: 60_000 });
  const media = viewer.getByTestId('stream-media');
  await expect(media).toBeVisible({ timeout: 60_000 });
  await media.evaluate((m: HTMLMediaElement) => {
    m.muted = true;
    void m.play();
  });
  await expect.poll(() => media.evaluate((m: HTMLMediaElement) => m.currentTime), { timeout: 120_000 }).toBeGreaterThan(1);
  expect((await stats(viewer, infoHash)).done).toBe(false); // playing, with the file still coming
  const target = await media.evaluate((m: HTMLMediaElement) => {
    m.currentTime = m.duration * 0.75;
    return m.currentTime;
  });
  await expect.poll(() => media.evaluate((m: HTMLMediaElement) => m.currentTime), { timeout: 120_000 }).toBeGreaterThan(target + 0.5);

  const save = viewer.getByTestId('save');
  await expect(save).toHaveText('Save holiday.webm', { timeout: 120_000 });
  const [download] = await Promise.all([viewer.waitForEvent('download'), save.click()]);
  expect(download.suggestedFilename()).toBe('holiday.webm');
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  expect(sha(readFileSync(await download.path()))).toBe(sha(readFileSync(video)));

  // What the viewer stored (and serves to peers): no 64-byte window of the video, sampled every 16 KiB.
  const plain = readFileSync(video);
  const windows: number[][] = [];
  for (let at = 0; at + 64 <= plain.length; at += 16_384) windows.push([...plain.subarray(at, at + 64)]);
  const found = await viewer.evaluate(async ({ infoHash, windows }) => {
    const torrent = (await (window as any).tabswarm).sessions.get(infoHash).torrent;
    const meta = torrent.meta;
    const parts: Uint8Array<ArrayBuffer>[] = [];
    for (let i = 0; i < meta.pieceCount; i++) parts.push(await torrent.readPiece(i, 0, Math.min(meta.pieceLength, meta.length - i * meta.pieceLength)));
    const all = new Uint8Array(await new Blob(parts).arrayBuffer());
    const text = Array.from(all, (b) => String.fromCharCode(b)).join('');
    return windows.filter((w) => text.includes(String.fromCharCode(...w))).length;
  }, { infoHash, windows });
  expect(windows.length).toBeGreaterThan(50);
  expect(found).toBe(0);
});

test("a viewer reads a private share's real name with its metadata, before any piece has come", async ({ browser }) => {
  const sharer = await page(browser);
  const { link, infoHash } = await sharePrivately(sharer, video);
  // The sharer sends no piece (every peer stays choked); the metadata still goes out (BEP 9).
  await sharer.evaluate(async (h) => (await (window as any).tabswarm).sessions.get(h).torrent.setSharing(false), infoHash);
  const viewer = await page(browser);
  await viewer.goto(link);
  // Its contents list travels sealed in the info dictionary: the name shows, and the player is offered, with no piece here.
  await expect(viewer.getByRole('heading', { name: 'holiday.webm' })).toBeVisible({ timeout: 60_000 });
  await expect(viewer.getByTestId('stream-media')).toBeVisible();
  expect((await stats(viewer, infoHash)).piecesHave).toBe(0);
  await sharer.evaluate(async (h) => (await (window as any).tabswarm).sessions.get(h).torrent.setSharing(true), infoHash);
  await expect.poll(async () => (await stats(viewer, infoHash)).piecesHave, { timeout: 60_000 }).toBeGreaterThan(0);
});

test("a private link's swarm starts without waiting for this browser to store the key, and the key is stored", async ({ browser }) => {
  const sharer = await page(browser);
  const { link, infoHash } = await sharePrivately(sharer, video);
  const viewer = await page(browser);
  // This browser's writes of link sources (the key among them) do not finish until released: the
  // transaction that stores them is kept open with reads, as a busy disk keeps it waiting.
  await viewer.addInitScript(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      const request = put.apply(this, args);
      if (this.name === 'links') {
        const spin = () => {
          if (!(window as any).releaseLinkWrites) this.get('').onsuccess = spin;
        };
        spin();
      }
      return request;
    };
  });
  await viewer.goto(link);
  await expect(viewer.getByRole('heading', { name: 'holiday.webm' })).toBeVisible({ timeout: 60_000 });
  await expect.poll(async () => (await stats(viewer, infoHash)).piecesHave, { timeout: 60_000 }).toBeGreaterThan(0);
  await viewer.evaluate(() => ((window as any).releaseLinkWrites = true));
  // Nothing is lost: the key is remembered once the write goes through.
  const key = /x\.tsk=([A-Za-z0-9_-]+)/.exec(link)![1];
  await expect
    .poll(() =>
      viewer.evaluate(
        (h) =>
          new Promise<string | undefined>((resolve, reject) => {
            const open = indexedDB.open('tabswarm-links');
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
              const get = open.result.transaction('links').objectStore('links').get(h);
              get.onsuccess = () => resolve((get.result as { privateKey?: string } | undefined)?.privateKey);
            };
          }),
        infoHash,
      ),
    )
    .toBe(key);
});

test('a link whose key is wrong, or missing, says so', async ({ browser }) => {
  const sharer = await page(browser);
  const small = join(dir, 'notes.txt');
  execFileSync('bash', ['-c', `head -c 300000 /dev/urandom | base64 > '${small}'`]);
  const { link } = await sharePrivately(sharer, small);

  const wrong = await page(browser);
  const otherKey = Buffer.from(Array.from({ length: 32 }, (_, i) => i)).toString('base64url');
  await wrong.goto(link.replace(/x\.tsk=[A-Za-z0-9_-]+/, `x.tsk=${otherKey}`));
  await expect(wrong.getByTestId('notice')).toHaveText(/not signed with this link's key\. Either the peer's key and ours differ \(one of the links is not whole\)/, { timeout: 60_000 });
  await expect(wrong.getByTestId('save')).toHaveCount(0);

  const keyless = await page(browser);
  await keyless.goto(link.replace(/&x\.tsk=[^&]+/, ''));
  await expect(keyless.getByTestId('error')).toHaveText(/This is a private share, and the link you opened lacks its key/, { timeout: 60_000 });
});

test('a private link can expire: the link carries it, the sharer stops then, and the link opened later says it expired', async ({ browser }) => {
  const sharer = await page(browser);
  const small = join(dir, 'memo.txt');
  execFileSync('bash', ['-c', `head -c 100000 /dev/urandom | base64 > '${small}'`]);
  await sharer.goto('/');
  await sharer.getByTestId('share-private').check();
  await sharer.getByTestId('share-expires').selectOption({ label: 'in 1 hour' });
  const before = Date.now();
  await sharer.getByTestId('share-input').setInputFiles([small]);
  const link = await sharer.getByTestId('share-link').inputValue();
  const at = Number(/x\.tse=(\d+)/.exec(link)![1]) * 1000;
  expect(at).toBeGreaterThanOrEqual(before + 3_600_000 - 1000);
  expect(at).toBeLessThanOrEqual(Date.now() + 3_600_000);
  await expect(sharer.getByTestId('private-badge')).toHaveText(/the link expires/);

  // A link that expires in a few seconds, made through the page's client.
  const short = await sharer.evaluate(async () => {
    const client = await (window as any).tabswarm;
    (window as any).expired = [];
    client.on('error', (_h: string, e: { code: string }) => (window as any).expired.push(e.code));
    const session = await client.seed([new File([new Uint8Array(300_000).fill(7)], 'brief.bin')], undefined, { private: true, expiresAt: Date.now() + 20_000 });
    return `${location.origin}/#${client.magnet(session.torrent.infoHash)}`;
  });
  await sharer.waitForFunction(() => ((window as any).expired as string[]).includes('LINK_EXPIRED'), undefined, { timeout: 60_000 });
  const late = await page(browser);
  await late.goto(short);
  await expect(late.getByTestId('error')).toHaveText(/This link expired at .*: its sharer set it to stop being shared then/, { timeout: 30_000 });
});

test('the widget on another site streams a private video through MediaSource, under its real name', async ({ browser }) => {
  const site = await startOtherSite(
    (magnet) => `<!doctype html><title>A private lecture</title>
      <tabswarm-file magnet="${magnet}" autoplay muted></tabswarm-file>
      <script type="module" src="http://localhost:${TEST_PORT}/tabswarm-file.js"></script>`,
  );
  try {
    const sharer = await page(browser);
    const { link, infoHash } = await sharePrivately(sharer, video);
    await sharer.evaluate(async ({ infoHash, limit }) => (await (window as any).tabswarm).sessions.get(infoHash).torrent.setLimits({ uploadLimit: limit }), { infoHash, limit: Math.floor(statSync(video).size / MIN_DOWNLOAD_S) });
    // Playing while the sharer's limit still holds most of the file back: the sharer has sent less than all of it.
    const magnet = decodeURIComponent(link.slice(link.indexOf('#') + 1));
    const viewer = await page(browser);
    await viewer.goto(`${site.url}/?magnet=${encodeURIComponent(magnet)}`);
    const widget = viewer.locator('tabswarm-file');
    await expect(widget.locator('[part="name"]')).toHaveText('holiday.webm', { timeout: 60_000 });
    const media = widget.getByTestId('stream-media');
    await expect(media).toHaveAttribute('data-mode', 'media-source', { timeout: 60_000 });
    await expect.poll(() => media.evaluate((m: HTMLMediaElement) => m.currentTime), { timeout: 120_000 }).toBeGreaterThan(1);
    const sent = await sharer.evaluate(async (h) => (await (window as any).tabswarm).stats(h).uploaded as number, infoHash);
    expect(sent).toBeLessThan(statSync(video).size);
  } finally {
    await site.close();
  }
});
