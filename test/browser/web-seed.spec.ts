/**
 * Web seeds in the browser, against a real third-party origin (Debian's nginx): a site hosts a file
 * and its .torrent for the <tabswarm-file> widget, which completes from the site alone with no peer
 * online; and an origin that does not allow cross-origin reads (no CORS) is dropped with a message
 * that says so, while the download finishes from a peer.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { expect, test } from '@playwright/test';
import { TEST_PORT } from '../../playwright.config.ts';
import { runCli } from '../helpers/cli.ts';
import { startNginx, type Origin } from '../helpers/nginx.ts';
import { join, peerPage, savedSha256 } from './helpers.ts';
import { startOtherSite, type OtherSite } from './other-site.ts';

test.describe.configure({ timeout: 180_000 });

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const root = mkdtempSync(joinPath(tmpdir(), 'tabswarm-webseed-browser-'));
const video = randomBytes(5 * 256 * 1024 + 777);
let origin: Origin;
let site: OtherSite;

test.beforeAll(async () => {
  mkdirSync(joinPath(root, 'site'));
  writeFileSync(joinPath(root, 'site', 'talk.bin'), video);
  origin = await startNginx([
    { path: '/site/', root: joinPath(root, 'site'), cors: true },
    { path: '/nocors/', root: joinPath(root, 'site') },
  ]);
  site = await startOtherSite(
    (magnet) => `<!doctype html><title>A site that hosts its own talk</title>
      <tabswarm-file magnet="${magnet}"></tabswarm-file>
      <script type="module" src="http://localhost:${TEST_PORT}/tabswarm-file.js"></script>`,
  );
});
test.afterAll(async () => {
  await origin?.stop();
  await site?.close();
});

test('a site hosts a file for the widget: with no peer online it completes from the site, byte-exact', async ({ browser }) => {
  // What the README tells a site to do: make the .torrent with the file's URL as web seed, publish
  // both, and embed the printed link.
  const torrentPath = joinPath(root, 'site', 'talk.torrent');
  const made = runCli(['create', joinPath(root, 'site', 'talk.bin'), '-o', torrentPath, '-w', `${origin.url}/site/talk.bin`, '--torrent-url', `${origin.url}/site/talk.torrent`, '--json']);
  expect(made.status).toBe(0);
  const magnet = (JSON.parse(made.stdout) as { magnet: string }).magnet;

  const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
  await page.goto(`${site.url}/?magnet=${encodeURIComponent(magnet)}`);
  const button = page.locator('tabswarm-file').getByText('Download talk.bin');
  await expect(button).toBeVisible({ timeout: 60_000 });
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  expect(sha(readFileSync(await download.path()))).toBe(sha(video));
});

test('an origin without CORS is dropped with a message that says so; the download finishes from a peer', async ({ browser }) => {
  // The leecher starts alone: the link's metadata comes from the .torrent on the site (xs=), and its
  // one web seed is an origin without CORS, so nothing can supply it until a peer arrives. Its
  // failure must be named; then a seeder joins and the download finishes from it.
  const torrentPath = joinPath(root, 'site', 'nocors.torrent');
  const made = runCli(['create', joinPath(root, 'site', 'talk.bin'), '-o', torrentPath, '-w', `${origin.url}/nocors/talk.bin`, '--torrent-url', `${origin.url}/site/nocors.torrent`, '--json']);
  expect(made.status).toBe(0);
  const { magnet, infoHash } = JSON.parse(made.stdout) as { magnet: string; infoHash: string };
  const leecher = await peerPage(browser);
  await leecher.evaluate(async () => {
    const client = await (window as any).tabswarm;
    (window as any).warnings = [];
    client.on('warning', (w: Error) => (window as any).warnings.push(w.message));
  });
  expect(await join(leecher, magnet)).toBe(infoHash);
  const corsWarning = new RegExp(`Web seed ${origin.url}/nocors/talk.bin: cannot be reached, or does not allow cross-origin requests \\(CORS\\).*The download carries on from peers`);
  await leecher.waitForFunction((source) => ((window as any).warnings as string[]).some((w) => new RegExp(source).test(w)), corsWarning.source, { timeout: 60_000 });

  const seeder = await peerPage(browser);
  const seeded = await seeder.evaluate(async (bytes) => {
    const client = await (window as any).tabswarm;
    const session = await client.seed([new File([new Uint8Array(bytes)], 'talk.bin')]);
    return session.torrent.infoHash as string;
  }, [...video]);
  expect(seeded).toBe(infoHash); // the same file makes the same torrent in a tab as on the command line
  expect(await savedSha256(leecher, infoHash)).toBe(sha(video));
});
