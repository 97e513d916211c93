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

  // The choker ran on the fast clock in every tab: rechokes 1 s apart, optimistic rotations 3 s apart.
  await seeder.waitForTimeout(7_000);
  for (const page of [seeder, ...peers]) {
    const events = await page.evaluate(() => (document.querySelector('tabswarm-demo') as any).shadowRoot.querySelector('tabswarm-demo-swarm').rechokes.map((e: any) => ({ at: e.atMs, scheduled: e.scheduled, rotated: e.rotated })));
    const gaps = (ts: number[]) => ts.slice(1).map((t, i) => t - ts[i]!);
    const rechokeGaps = gaps(events.filter((e: any) => e.scheduled).map((e: any) => e.at));
    const rotationGaps = gaps(events.filter((e: any) => e.rotated).map((e: any) => e.at));
    expect(rechokeGaps.length).toBeGreaterThanOrEqual(6);
    expect(rotationGaps.length).toBeGreaterThanOrEqual(2);
    for (const g of rechokeGaps) expect(g).toBeGreaterThanOrEqual(800), expect(g).toBeLessThanOrEqual(1_300);
    for (const g of rotationGaps) expect(g).toBeGreaterThanOrEqual(2_800), expect(g).toBeLessThanOrEqual(3_300);
    // The countdowns count down from those intervals.
    expect(Number((await page.getByTestId('next-rechoke').textContent())!.replace(' s', ''))).toBeLessThanOrEqual(1);
    expect(Number((await page.getByTestId('next-optimistic').textContent())!.replace(' s', ''))).toBeLessThanOrEqual(3);
  }
  // The seeder's tab lists its three neighbours, each with what it gives them.
  await expect(seeder.getByTestId('neighbour')).toHaveCount(3);
  await expect(seeder.getByTestId('histogram')).toBeVisible();
});
