/**
 * Background tabs: Chromium throttles a hidden page's timers to about once a second, which would
 * stretch the engine's 10 s rechoke, 30 s optimistic unchoke and request timeouts. The engine runs
 * on worker timers instead. Playwright keeps its pages visible, so the hidden tab here is a real
 * background tab of a Chromium driven over CDP directly (test/helpers/cdp.ts).
 */
import { expect, test } from '@playwright/test';
import { CdpBrowser } from '../helpers/cdp.ts';
import { peerPage, seedGenerated } from './helpers.ts';

test.describe.configure({ timeout: 90_000 });

const RECHOKE_MS = 250;
const WINDOW_MS = 3_000;

test('a hidden tab keeps the engine’s rhythm (while its own timers are throttled) and downloads byte-exact', async ({ browser, baseURL }) => {
  const cdp = await CdpBrowser.launch();
  try {
    const tab = await cdp.openTab(`${baseURL}/`);
    await expect.poll(() => tab.evaluate<boolean>('window.TabswarmClient !== undefined'), { timeout: 15_000 }).toBe(true);
    // A client with a fast rechoke, seeding a small file so its torrent's clocks run.
    await tab.evaluate(`(async () => {
      const client = await window.TabswarmClient.create({ engine: { rechokeIntervalMs: ${RECHOKE_MS} } });
      window.hiddenClient = client;
      const session = await client.seed([new File([new Uint8Array(100000).fill(1)], 'tick.bin')]);
      const torrent = session.torrent;
      window.rechokes = 0;
      torrent.on('rechoke', (e) => { if (e.scheduled) window.rechokes++; });
    })()`);

    // Another tab comes to the front: ours is now a background tab.
    const front = await cdp.openTab('about:blank');
    await front.activate();
    await expect.poll(() => tab.evaluate<string>('document.visibilityState')).toBe('hidden');

    const counts = await tab.evaluate<{ page: number; rechokes: number; elapsedMs: number }>(`(async () => {
      const clock = window.hiddenClient.clock;
      let page = 0;
      const pageTimer = setInterval(() => page++, ${RECHOKE_MS});
      const start = Date.now();
      const before = window.rechokes;
      await new Promise((r) => clock.setTimeout(r, ${WINDOW_MS}));
      clearInterval(pageTimer);
      return { page, rechokes: window.rechokes - before, elapsedMs: Date.now() - start };
    })()`);
    const expected = counts.elapsedMs / RECHOKE_MS;
    // The control: the page's own timer really is throttled in this tab (about 1 per second, not 4).
    expect(counts.page).toBeLessThanOrEqual(WINDOW_MS / 1000 + 2);
    // The engine's rechoke kept its interval.
    expect(counts.rechokes).toBeGreaterThanOrEqual(Math.floor(expected * 0.8));
    expect(counts.rechokes).toBeLessThanOrEqual(Math.ceil(expected) + 1);

    // And a hidden tab downloads from a (Playwright) seeder, byte-exact.
    const seeder = await peerPage(browser);
    const { magnet, sha256 } = await seedGenerated(seeder, 4);
    const digest = await tab.evaluate<string>(`(async () => {
      const client = window.hiddenClient;
      const session = await client.add(${JSON.stringify(magnet)});
      if (!session.torrent.done) await new Promise((r) => session.on('done', r));
      const { blob } = await client.file(session.torrent.infoHash);
      const d = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
      return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
    })()`);
    expect(digest).toBe(sha256);
    expect(await tab.evaluate<string>('document.visibilityState')).toBe('hidden');
  } finally {
    await cdp.close();
  }
});

test('a tab hidden during a transfer says so in its title, warns when it comes back, and takes the wake lock again', async ({ browser, baseURL }) => {
  // A seeder that shares nothing keeps the download running for as long as the test needs.
  const seeder = await peerPage(browser);
  const { magnet } = await seedGenerated(seeder, 1, 'hidden-warning.bin');
  await seeder.evaluate(async () => (await (window as any).tabswarm).applySharing({ uploadLimit: 0, downloadLimit: 0, share: false }));
  const cdp = await CdpBrowser.launch();
  try {
    const tab = await cdp.openTab(`${baseURL}/`);
    await expect.poll(() => tab.evaluate<boolean>('window.tabswarmWakeLock !== undefined'), { timeout: 15_000 }).toBe(true);
    await tab.evaluate(`(async () => { await (await window.tabswarm).add(${JSON.stringify(magnet)}); })()`);
    await expect.poll(() => tab.evaluate<boolean>('window.tabswarmWakeLock.held'), { timeout: 15_000 }).toBe(true);
    const title = await tab.evaluate<string>('document.title');
    const notice = `document.querySelector('tabswarm-app').shadowRoot.querySelector('[data-testid=background-notice]')?.textContent ?? ''`;
    expect(await tab.evaluate<string>(notice)).toBe('');

    const front = await cdp.openTab('about:blank');
    await front.activate();
    await expect.poll(() => tab.evaluate<string>('document.visibilityState')).toBe('hidden');
    await expect.poll(() => tab.evaluate<string>('document.title')).toBe(`⚠ Transferring — keep this tab open · ${title}`);
    // The browser lets go of a hidden page's wake lock.
    await expect.poll(() => tab.evaluate<boolean>('window.tabswarmWakeLock.held')).toBe(false);

    await tab.activate();
    await expect.poll(() => tab.evaluate<string>('document.visibilityState')).toBe('visible');
    await expect.poll(() => tab.evaluate<string>('document.title')).toBe(title);
    expect(await tab.evaluate<string>(notice)).toContain('This tab went to the background during a transfer');
    await expect.poll(() => tab.evaluate<boolean>('window.tabswarmWakeLock.held'), { timeout: 15_000 }).toBe(true);
  } finally {
    await cdp.close();
  }
});
