/**
 * The connection budget: a tab with several swarms never holds more RTCPeerConnections than its
 * budget — counted by wrapping the browser's own RTCPeerConnection — and unanswered offers are
 * closed, giving their slots back.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import { peerPage } from './helpers.ts';

test.describe.configure({ timeout: 120_000 });

/** A page whose RTCPeerConnections are counted: live now, and the most ever live at once. */
async function countingPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    const w = window as any;
    w.pcs = { live: 0, peak: 0, made: 0 };
    window.RTCPeerConnection = class extends Native {
      constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
        super(...args);
        w.pcs.made++;
        w.pcs.live++;
        w.pcs.peak = Math.max(w.pcs.peak, w.pcs.live);
        let open = true;
        const end = () => {
          if (open) {
            open = false;
            w.pcs.live--;
          }
        };
        const close = this.close.bind(this);
        this.close = () => {
          end();
          close();
        };
        this.addEventListener('connectionstatechange', () => this.connectionState === 'closed' && end());
      }
    };
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  await page.goto('/');
  await page.waitForFunction(() => (window as any).TabswarmClient !== undefined);
  return page;
}

const pcs = (page: Page): Promise<{ live: number; peak: number; made: number }> => page.evaluate(() => ({ ...(window as any).pcs }));

test('offers are made only up to the free budget across swarms, and closed when nobody answers', async ({ browser }) => {
  const page = await countingPage(browser);
  const BUDGET = 3;
  await page.evaluate(async (budget) => {
    const w = window as any;
    w.budgetClient = await w.TabswarmClient.create({ maxConnectionsPerTab: budget, offerTimeoutMs: 3_000 });
    // Two swarms nobody else is in: every offer stays unanswered.
    for (const hash of ['1'.repeat(40), '2'.repeat(40)]) await w.budgetClient.add(hash);
  }, BUDGET);
  // Both swarms announced; together they made offers up to the tab's budget and no further.
  await expect.poll(async () => (await pcs(page)).live, { timeout: 10_000 }).toBe(BUDGET);
  expect(await page.evaluate(() => (window as any).budgetClient.connectionCount())).toBe(BUDGET);
  // Unanswered offers are closed when their time is up, and their slots count as free again.
  await expect.poll(async () => (await pcs(page)).live, { timeout: 10_000 }).toBe(0);
  expect(await page.evaluate(() => (window as any).budgetClient.connectionCount())).toBe(0);
  expect((await pcs(page)).peak).toBe(BUDGET);
});

test('a tab in two swarms with more peers than its budget never exceeds it, and finishes both downloads', async ({ browser }) => {
  // Two seeder tabs, each seeding both files: four peers on offer, a budget of three.
  const seeders = await Promise.all([peerPage(browser), peerPage(browser)]);
  const files = [{ name: 'one.bin', mib: 3, seed: 1 }, { name: 'two.bin', mib: 2, seed: 2 }];
  const magnets: string[] = [];
  for (const [i, seeder] of seeders.entries()) {
    const made = await seeder.evaluate(async (files) => {
      const client = await (window as any).tabswarm;
      const out: string[] = [];
      for (const f of files) {
        const bytes = new Uint8Array(f.mib * 1024 * 1024).map((_, i) => (i * f.seed + (i >> 10)) & 0xff);
        // The same bytes and name in both tabs: one torrent, two seeders.
        const session = await client.seed([new File([bytes], f.name, { lastModified: 0 })]);
        out.push(client.magnet(session.torrent.infoHash));
      }
      return out;
    }, files);
    if (i === 0) magnets.push(...made);
    else expect(made.map((m) => m.split('&')[0])).toEqual(magnets.map((m) => m.split('&')[0]));
  }

  const page = await countingPage(browser);
  const BUDGET = 3;
  const peaks = await page.evaluate(async ({ budget, magnets }) => {
    const w = window as any;
    const client = await w.TabswarmClient.create({ maxConnectionsPerTab: budget, maxPeersPerSwarm: 2 });
    let peakCount = 0;
    const sampler = setInterval(() => (peakCount = Math.max(peakCount, client.connectionCount())), 20);
    const sessions = await Promise.all(magnets.map((m: string) => client.add(m)));
    await Promise.all(sessions.map((s: any) => (s.torrent.done ? null : new Promise((r) => s.on('done', r)))));
    clearInterval(sampler);
    return { peakCount, peers: sessions.map((s: any) => s.torrent.peerCount) };
  }, { budget: BUDGET, magnets });
  const counted = await pcs(page);
  expect(counted.peak).toBeLessThanOrEqual(BUDGET);
  expect(peaks.peakCount).toBeLessThanOrEqual(BUDGET);
  // The budget was used, not just respected: the two swarms together held it full.
  expect(counted.peak).toBe(BUDGET);
  expect(peaks.peers.every((n: number) => n >= 1)).toBe(true);
});
