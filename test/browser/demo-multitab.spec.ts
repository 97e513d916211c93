/**
 * The teaching demo's multi-tab mode: a seeder tab and three peer tabs (one browser context each)
 * join a demo swarm on the fast clock with upload limits set. Each tab shows the bounds for the
 * limits in force, everyone finishes, and the choker runs on the configured intervals.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import { dClientServer, dPeerToPeer } from '../../shared/theory.ts';

test.describe.configure({ timeout: 120_000 });

const KiB = 1024;
const MiB = 1024 * KiB;

async function tab(browser: Browser, url: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  await page.goto(url);
  return page;
}


test('4 tabs with upload limits: each shows the formula’s bounds, all finish, and choking runs on the fast clock', async ({ browser }) => {
  const seeder = await tab(browser, '/demo');
  await seeder.getByTestId('demo-size').fill('4');
  await expect(seeder.getByTestId('fast-clock')).toBeChecked();
  await seeder.getByTestId('create-swarm').click();
  const link = seeder.getByTestId('join-link');
  await expect(link).toBeVisible({ timeout: 30_000 });
  await expect(seeder.getByTestId('role')).toContainText('seeder');
  const uploads = { seeder: 1024, peers: [512, 256, 768] };
  await seeder.getByTestId('up-limit').fill(String(uploads.seeder));
  const url = await link.inputValue();
  expect(url).toMatch(/\/demo#swarm=magnet%3A.*&fast=1$/);

  const peers = await Promise.all(uploads.peers.map(() => tab(browser, url)));
  for (const [i, p] of peers.entries()) {
    await expect(p.getByTestId('role')).toHaveText('a peer', { timeout: 30_000 });
    await p.getByTestId('up-limit').fill(String(uploads.peers[i]));
  }

  // The chapter's formulas for the limits in force: F = 4 MiB, u_s = 1 MiB/s, u_i as set, downloads unlimited.
  const dist = { F: 4 * MiB, us: uploads.seeder * KiB, ui: uploads.peers.map((k) => k * KiB), dMin: Infinity };
  const expected = { n: '3', dCs: dClientServer(dist), dP2p: dPeerToPeer(dist) };
  expect(expected.dCs).toBe(12);
  expect(expected.dP2p).toBeCloseTo(4.8, 9);
  for (const page of [seeder, ...peers]) {
    await expect.poll(async () => ({
      n: await page.getByTestId('n').textContent(),
      dCs: Number(await page.getByTestId('d-cs').getAttribute('data-seconds')),
      dP2p: Number(await page.getByTestId('d-p2p').getAttribute('data-seconds')),
    }), { timeout: 20_000 }).toEqual(expected);
  }

  for (const p of peers) await expect(p.getByTestId('done')).toBeVisible({ timeout: 60_000 });
  // Every peer holds the whole file (verified piece by piece by the engine).
  for (const p of peers) expect(await p.evaluate(() => (document.querySelector('tabswarm-demo') as any).shadowRoot.querySelector('tabswarm-demo-swarm').stats.piecesHave)).toBe(16);

  // The choker runs on the fast clock in every tab: a scheduled rechoke every 1 s, the optimistic
  // unchoke moving at every third of them (3 s). Counted in rechokes, not timed: a busy machine
  // delays timers but cannot reorder them.
  const demoSwarm = (page: Page) => page.evaluate(() => {
    const view = (document.querySelector('tabswarm-demo') as any).shadowRoot.querySelector('tabswarm-demo-swarm');
    return { events: view.rechokes.map((e: any) => ({ scheduled: e.scheduled, rotated: e.rotated })), choker: view.stats.choker };
  });
  for (const page of [seeder, ...peers]) {
    await expect.poll(async () => (await demoSwarm(page)).events.filter((e: any) => e.scheduled).length, { timeout: 60_000 }).toBeGreaterThanOrEqual(7);
    const { events, choker } = await demoSwarm(page);
    const scheduled = events.filter((e: any) => e.scheduled);
    expect(scheduled.map((e: any) => e.rotated)).toEqual(scheduled.map((_: unknown, i: number) => i % 3 === 0));
    // Only scheduled runs move the optimistic unchoke.
    expect(events.filter((e: any) => !e.scheduled && e.rotated)).toEqual([]);
    // The schedule the tab shows: the next rechoke one interval after the last, the next rotation at most three.
    expect(choker.nextMs - choker.lastMs).toBe(1_000);
    expect([0, 1_000, 2_000]).toContain(choker.nextOptimisticMs - choker.nextMs);
    // The countdowns count down from those intervals.
    expect(Number((await page.getByTestId('next-rechoke').textContent())!.replace(' s', ''))).toBeLessThanOrEqual(1);
    expect(Number((await page.getByTestId('next-optimistic').textContent())!.replace(' s', ''))).toBeLessThanOrEqual(3);
  }
  // The seeder's tab lists its three neighbours, each with what it gives them.
  await expect(seeder.getByTestId('neighbour')).toHaveCount(3);
  await expect(seeder.getByTestId('histogram')).toBeVisible();
});
