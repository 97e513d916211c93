/**
 * The teaching demo's classroom mode: N = 1, 2, 4, 8 peers in one page over real WebRTC, P2P and
 * client-server runs, against the chapter's bounds. The plot's screenshot is kept as an artifact
 * (and committed as test/browser/screenshots/demo-classroom.png).
 */
import { expect, test } from '@playwright/test';

test.describe.configure({ timeout: 300_000 });

interface Row { mode: string; n: number; seconds: number; dP2p: number; dCs: number }

test('classroom runs for N = 1, 2, 4, 8 with u_s = u_i: P2P stays within 1.5× D_p2p, client-server grows with N', async ({ page }, testInfo) => {
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  await page.goto('/demo');
  await page.getByTestId('file-mib').fill('8');
  await page.getByTestId('us-kib').fill('2048');
  await page.getByTestId('ui-kib').fill('2048');
  await page.getByTestId('peer-counts').fill('1, 2, 4, 8');
  await page.getByTestId('file-mib').press('Tab');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('status')).toHaveText('Done.', { timeout: 280_000 });
  const rows: Row[] = await page.getByTestId('result').evaluateAll((els) => els.map((e) => ({
    mode: e.getAttribute('data-mode')!, n: Number(e.getAttribute('data-n')), seconds: Number(e.getAttribute('data-seconds')), dP2p: Number(e.getAttribute('data-dp2p')), dCs: Number(e.getAttribute('data-dcs')),
  })));
  console.log(rows.map((r) => `${r.mode} N=${r.n}: ${r.seconds.toFixed(2)} s (D_p2p ${r.dP2p}, D_cs ${r.dCs})`).join('\n'));
  const p2p = rows.filter((r) => r.mode === 'p2p');
  const cs = rows.filter((r) => r.mode === 'client-server');
  expect(p2p.map((r) => r.n)).toEqual([1, 2, 4, 8]);
  expect(cs.map((r) => r.n)).toEqual([1, 2, 4, 8]);
  // The bounds the page uses are the chapter's: F = 8 MiB at 2 MiB/s.
  for (const r of p2p) expect(r.dP2p).toBe(4);
  for (const r of cs) expect(r.dCs).toBe(4 * r.n);
  for (const r of p2p) expect(r.seconds, `P2P N=${r.n}`).toBeLessThanOrEqual(1.5 * r.dP2p);
  // Client-server: no faster than its bound (the seeder sends N copies), and roughly linear in N.
  for (const r of cs) expect(r.seconds, `client-server N=${r.n}`).toBeGreaterThanOrEqual(0.9 * r.dCs);
  for (let i = 1; i < cs.length; i++) expect(cs[i]!.seconds).toBeGreaterThan(cs[i - 1]!.seconds * 1.5);
  const slope = cs[3]!.seconds / cs[0]!.seconds;
  expect(slope).toBeGreaterThan(5);
  expect(slope).toBeLessThan(12);
  await page.getByTestId('plot').locator('svg').screenshot({ path: testInfo.outputPath('demo-classroom.png') });
});
