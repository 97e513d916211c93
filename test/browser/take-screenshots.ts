/**
 * `npm run screenshots`: regenerates test/browser/screenshots/ — the share view, a download
 * mid-way, the widget on another site, and a peer tab of the teaching demo's multi-tab swarm.
 * Pictures for people (README, reviews), not assertions. (The classroom plot comes from
 * demo-classroom.spec.ts, which runs the whole classroom.)
 */
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { freePort } from '../helpers/process.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../helpers/chromium.ts';
import { TINY_PNG } from '../helpers/fixtures.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const OUT = fileURLToPath(new URL('./screenshots/', import.meta.url));

execFileSync(process.execPath, ['scripts/ensure-built.mjs'], { cwd: ROOT, stdio: 'inherit' });
const port = await freePort();
const server = spawn(process.execPath, ['lib/serve.js'], { cwd: ROOT, env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise((r) => server.stdout!.once('data', r));
const origin = `http://localhost:${port}`;
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
const viewport = { width: 900, height: 700 };
try {
  const a = await (await browser.newContext({ viewport })).newPage();
  await a.goto(origin);
  const big = Buffer.alloc(24 * 1024 * 1024);
  for (let i = 0; i < big.length; i += 4096) big[i] = i & 0xff;
  await a.getByTestId('share-input').setInputFiles({ name: 'lecture-recording.mp4', mimeType: 'video/mp4', buffer: big });
  const link = await a.getByTestId('share-link').inputValue();
  // Slow the seeder so the download is caught mid-way.
  await a.evaluate(async () => {
    const c = await (window as any).tabswarm;
    for (const s of c.sessions.values()) s.torrent.setLimits({ uploadLimit: 3 * 1024 * 1024 });
  });
  await a.screenshot({ path: `${OUT}share-view.png` });

  const b = await (await browser.newContext({ viewport })).newPage();
  await b.goto(link);
  await b.waitForFunction(() => {
    const bar = document.querySelector('tabswarm-app')?.shadowRoot?.querySelector('tabswarm-download-view')?.shadowRoot?.querySelector('tabswarm-swarm-summary')?.shadowRoot?.querySelector('progress') as HTMLProgressElement | null;
    return bar !== null && bar.value / bar.max > 0.35;
  }, undefined, { timeout: 60_000 });
  await b.screenshot({ path: `${OUT}download-midway.png` });

  await a.goto(origin);
  await a.getByTestId('share-input').setInputFiles({ name: 'holiday.png', mimeType: 'image/png', buffer: TINY_PNG });
  const imageLink = await a.getByTestId('share-link').inputValue();
  const magnet = decodeURIComponent(imageLink.slice(imageLink.indexOf('#') + 1));
  const site = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!doctype html><title>A blog</title><body style="font-family:Georgia,serif;max-width:40rem;margin:2rem auto">
      <h1>Our holiday</h1><p>The photo below comes peer to peer from whoever has it open.</p>
      <tabswarm-file style="--tabswarm-accent:#b5442c" magnet="${magnet.replace(/"/g, '&quot;')}"></tabswarm-file>
      <script type="module" src="${origin}/tabswarm-file.js"></script>`);
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  const c = await (await browser.newContext({ viewport })).newPage();
  await c.goto(`http://127.0.0.1:${(site.address() as AddressInfo).port}/`);
  await c.locator('tabswarm-file').getByTestId('preview-image').waitFor({ timeout: 30_000 });
  await c.screenshot({ path: `${OUT}widget.png` });
  site.close();

  // The demo: a seeder tab and three peers on the fast clock, one peer caught mid-download.
  const seederTab = await (await browser.newContext({ viewport })).newPage();
  await seederTab.goto(`${origin}/demo`);
  await seederTab.getByTestId('demo-size').fill('16');
  await seederTab.getByTestId('create-swarm').click();
  const joinUrl = await seederTab.getByTestId('join-link').inputValue({ timeout: 30_000 });
  await seederTab.getByTestId('up-limit').fill('1024');
  const peerTabs = [];
  for (const up of [512, 768, 1024]) {
    const p = await (await browser.newContext({ viewport: { width: 1100, height: 1500 } })).newPage();
    await p.goto(joinUrl);
    await p.getByTestId('up-limit').fill(String(up), { timeout: 30_000 });
    peerTabs.push(p);
  }
  await peerTabs[0]!.waitForTimeout(6_000);
  await peerTabs[0]!.screenshot({ path: `${OUT}demo-swarm.png`, fullPage: true });
  process.stdout.write(`wrote ${OUT}{share-view,download-midway,widget,demo-swarm}.png\n`);
} finally {
  await browser.close();
  server.kill('SIGTERM');
}
process.exit(0);
