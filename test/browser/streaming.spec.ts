/**
 * Play while downloading, with real media made by Debian's ffmpeg in the test: the seeder's upload
 * is limited so the whole download takes at least 20 s, and the video plays (its currentTime
 * advances) long before the download completes; a seek to 75 % plays; an MP4 with its moov atom at
 * the end plays; a video inside a three-file torrent plays; viewers streaming together upload to
 * each other.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { peerPage, stats } from './helpers.ts';
import { TEST_PORT } from '../../playwright.config.ts';
import { startOtherSite, type OtherSite } from './other-site.ts';

test.describe.configure({ timeout: 240_000 });

const dir = mkdtempSync(join(tmpdir(), 'tabswarm-media-'));
const SECONDS = 30;
/** The whole download takes at least this long at the seeder's limit. */
const MIN_DOWNLOAD_S = 20;

function ffmpeg(out: string, video: string[], audio: string[]): string {
  const path = join(dir, out);
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=duration=${SECONDS}:size=480x270:rate=25`, '-f', 'lavfi', '-i', `sine=frequency=440:duration=${SECONDS}`, ...video, '-b:v', '1M', '-minrate', '1M', '-maxrate', '1M', '-bufsize', '1M', ...audio, '-shortest', path]);
  return path;
}

/** Every context a test opens is closed after it: a finished viewer of one test must not seed the next test's file. */
const contexts: BrowserContext[] = [];
async function context(browser: Browser): Promise<BrowserContext> {
  const c = await browser.newContext();
  contexts.push(c);
  return c;
}
test.afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});

let webm: string;
let mp4: string;
let fragmentedMp4: string;
let mp3: string;
test.beforeAll(() => {
  webm = ffmpeg('lecture.webm', ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8'], ['-c:a', 'libopus']);
  // ffmpeg writes the moov atom at the end unless told -movflags +faststart: the hard case for streaming.
  mp4 = ffmpeg('lecture.mp4', ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8'], ['-c:a', 'libopus']);
  // Fragmented, as recorders and DASH packagers write it: an empty moov, then a moof + mdat per keyframe (each second).
  // An MP3 as LAME writes it through ffmpeg: an ID3v2 tag, an Info frame, then constant-bitrate
  // frames; four times the video's length, so at 128 kbit/s it still spans several pieces.
  mp3 = join(dir, 'lecture.mp3');
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=440:duration=${4 * SECONDS}`, '-metadata', 'title=Lecture', '-c:a', 'libmp3lame', '-b:a', '128k', mp3]);
  fragmentedMp4 = ffmpeg('lecture-fragmented.mp4', ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-g', '25'], ['-c:a', 'libopus', '-movflags', 'frag_keyframe+empty_moov+default_base_moof']);
});

/** Shares files from the app, its upload limited so the download lasts MIN_DOWNLOAD_S; returns the link and info hash. */
async function share(page: Page, paths: string[]): Promise<{ link: string; infoHash: string }> {
  await page.getByTestId('share-input').setInputFiles(paths);
  const link = await page.getByTestId('share-link').inputValue();
  const infoHash = /btih:([0-9a-f]{40})/.exec(link)![1]!;
  const bytes = paths.reduce((n, p) => n + statSync(p).size, 0);
  await page.evaluate(async ({ infoHash, limit }) => (await (window as any).tabswarm).sessions.get(infoHash).torrent.setLimits({ uploadLimit: limit }), { infoHash, limit: Math.floor(bytes / MIN_DOWNLOAD_S) });
  return { link, infoHash };
}

async function appPage(page: Page): Promise<Page> {
  await page.goto('/');
  await page.waitForFunction(() => (window as any).tabswarm !== undefined);
  return page;
}

/** Starts playback (muted, as autoplay rules allow) and waits until the media's clock passes `seconds`. */
async function playsPast(page: Page, seconds: number): Promise<void> {
  const media = page.getByTestId('stream-media');
  await expect(media).toBeVisible({ timeout: 60_000 });
  await media.evaluate((m: HTMLMediaElement) => {
    m.muted = true;
    void m.play();
  });
  await expect.poll(() => media.evaluate((m: HTMLMediaElement) => m.currentTime), { timeout: 120_000 }).toBeGreaterThan(seconds);
}

test('a WebM plays while it downloads, seeks to 75 %, and two viewers trade while they watch', async ({ browser }) => {
  const sharer = await appPage(await (await context(browser)).newPage());
  const { link, infoHash } = await share(sharer, [webm]);
  const viewers = await Promise.all([1, 2].map(async () => (await context(browser)).newPage()));
  await Promise.all(viewers.map((v) => v.goto(link)));
  await Promise.all(viewers.map((v) => playsPast(v, 1)));
  // Playing, with most of the file still to come.
  for (const v of viewers) {
    const s = await stats(v, infoHash);
    expect(s.done).toBe(false);
  }
  // The piece map marks what the player holds: the file's first pieces, where it plays.
  await expect(viewers[0]!.getByTestId('piece-map')).toHaveAttribute('aria-label', /the player has buffered pieces? 1\b.* and is playing piece \d+$/);
  const media = viewers[0]!.getByTestId('stream-media');
  const target = await media.evaluate((m: HTMLMediaElement) => {
    m.currentTime = m.duration * 0.75;
    return m.currentTime;
  });
  await expect.poll(() => media.evaluate((m: HTMLMediaElement) => m.currentTime), { timeout: 120_000 }).toBeGreaterThan(target + 0.5);
  // Streaming viewers still share: their bytes up are above zero while watching.
  await expect.poll(async () => (await Promise.all(viewers.map((v) => v.evaluate(async (h) => (await (window as any).tabswarm).stats(h).uploaded as number, infoHash)))).reduce((a, b) => a + b, 0), { timeout: 120_000 }).toBeGreaterThan(0);
});

test('an MP4 with its moov atom at the end plays while it downloads', async ({ browser }) => {
  const sharer = await appPage(await (await context(browser)).newPage());
  const { link, infoHash } = await share(sharer, [mp4]);
  const viewer = await (await context(browser)).newPage();
  await viewer.goto(link);
  await playsPast(viewer, 1);
  expect((await stats(viewer, infoHash)).done).toBe(false);
});

test('a video inside a three-file torrent plays while it downloads', async ({ browser }) => {
  const sharer = await appPage(await (await context(browser)).newPage());
  const notes = join(dir, 'notes.txt');
  const slides = join(dir, 'slides.txt');
  execFileSync('bash', ['-c', `head -c 200000 /dev/urandom | base64 > '${notes}'; head -c 100000 /dev/urandom | base64 > '${slides}'`]);
  const { link, infoHash } = await share(sharer, [notes, webm, slides]);
  const viewer = await (await context(browser)).newPage();
  await viewer.goto(link);
  await playsPast(viewer, 1);
  expect((await stats(viewer, infoHash)).done).toBe(false);
});

test.describe('the widget on another site', () => {
  let site: OtherSite;
  test.beforeAll(async () => {
    site = await startOtherSite(
      (magnet) => `<!doctype html><title>A course page</title><h1>Lecture 1</h1>
        <tabswarm-file magnet="${magnet}" autoplay muted poster="data:image/gif;base64,R0lGODlhAQABAAAAACw="></tabswarm-file>
        <script>window.events = []; document.addEventListener('DOMContentLoaded', () => { const el = document.querySelector('tabswarm-file'); for (const t of ['play-ready', 'stall', 'done', 'error']) el.addEventListener(t, (e) => window.events.push({ type: t, detail: e.detail && e.detail.mode })); });</script>
        <script type="module" src="http://localhost:${TEST_PORT}/tabswarm-file.js"></script>`,
    );
  });
  test.afterAll(() => site.close());

  test('streams a WebM through MediaSource with autoplay and muted, fires play-ready, says when it stalls, and seeks to 75 %', async ({ browser }) => {
    const sharer = await appPage(await (await context(browser)).newPage());
    const { link, infoHash } = await share(sharer, [webm]);
    const magnet = decodeURIComponent(link.slice(link.indexOf('#') + 1));
    const page = await (await context(browser)).newPage();
    await page.goto(`${site.url}/?magnet=${encodeURIComponent(magnet)}`);
    const media = page.locator('tabswarm-file').getByTestId('stream-media');
    await expect(media).toHaveAttribute('data-mode', 'media-source', { timeout: 60_000 });
    expect(await media.evaluate((m: HTMLMediaElement) => [m.autoplay, m.muted, m.controls, (m as HTMLVideoElement).poster.startsWith('data:image/gif')])).toEqual([true, true, true, true]);
    // autoplay: nobody presses play.
    await expect.poll(() => media.evaluate((m: HTMLMediaElement) => m.currentTime), { timeout: 120_000 }).toBeGreaterThan(1);
    let events = await page.evaluate(() => (window as any).events as Array<{ type: string; detail?: string }>);
    expect(events).toContainEqual({ type: 'play-ready', detail: 'media-source' });
    expect(events.map((e) => e.type)).not.toContain('done'); // playing with most of the file still to come
    expect(events.map((e) => e.type)).not.toContain('error');
    // The only source nearly stops: playback runs out of data, the widget says so and fires stall.
    const limit = (uploadLimit: number) => sharer.evaluate(async ({ infoHash, uploadLimit }) => (await (window as any).tabswarm).sessions.get(infoHash).torrent.setLimits({ uploadLimit }), { infoHash, uploadLimit });
    await limit(1);
    await expect.poll(async () => (await page.evaluate(() => (window as any).events as Array<{ type: string }>)).map((e) => e.type), { timeout: 120_000 }).toContain('stall');
    await expect(page.locator('tabswarm-file').getByTestId('stream-state')).toContainText('Waiting for peers');
    await limit(0);
    const target = await media.evaluate((m: HTMLMediaElement) => (m.currentTime = m.duration * 0.75));
    await expect.poll(() => media.evaluate((m: HTMLMediaElement) => m.currentTime), { timeout: 120_000 }).toBeGreaterThan(target + 0.5);
    events = await page.evaluate(() => (window as any).events);
    expect(events.map((e) => e.type)).not.toContain('error');
  });

  /** A file shared from the app plays on the other site through MediaSource while it downloads, and seeks to 75 %. */
  async function streamsThroughMediaSource(browser: Browser, file: string): Promise<void> {
    const sharer = await appPage(await (await context(browser)).newPage());
    const { link } = await share(sharer, [file]);
    const magnet = decodeURIComponent(link.slice(link.indexOf('#') + 1));
    const page = await (await context(browser)).newPage();
    await page.goto(`${site.url}/?magnet=${encodeURIComponent(magnet)}`);
    const media = page.locator('tabswarm-file').getByTestId('stream-media');
    await expect(media).toHaveAttribute('data-mode', 'media-source', { timeout: 60_000 });
    await expect.poll(() => media.evaluate((m: HTMLMediaElement) => m.currentTime), { timeout: 120_000 }).toBeGreaterThan(1);
    let events = await page.evaluate(() => (window as any).events as Array<{ type: string; detail?: string }>);
    expect(events).toContainEqual({ type: 'play-ready', detail: 'media-source' });
    expect(events.map((e) => e.type)).not.toContain('done'); // playing with most of the file still to come
    // The duration (a fragmented MP4 without one: estimated from its first fragments; an MP3: its
    // Info header's frame count) is the whole file's, so 75 % lies far ahead of what has arrived.
    const duration = await media.evaluate((m: HTMLMediaElement) => m.duration);
    expect(duration).toBeGreaterThan(SECONDS * 0.8);
    const target = await media.evaluate((m: HTMLMediaElement) => (m.currentTime = m.duration * 0.75));
    await expect.poll(() => media.evaluate((m: HTMLMediaElement) => m.currentTime), { timeout: 120_000 }).toBeGreaterThan(target + 0.5);
    events = await page.evaluate(() => (window as any).events);
    expect(events.map((e) => e.type)).not.toContain('error');
  }

  test('streams a fragmented MP4 and an MP3 through MediaSource: each plays while it downloads and seeks to 75 %', async ({ browser }) => {
    // Side by side: each its own sharer and viewer, so the test takes one download's time.
    await Promise.all([streamsThroughMediaSource(browser, fragmentedMp4), streamsThroughMediaSource(browser, mp3)]);
  });
});
