/**
 * Every view passes axe-core (WCAG 2.1 A and AA rules) with no serious or critical violation:
 * share (empty and with a share made), download (during and after), my files, the widget on
 * another site, and the demo.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { TEST_PORT } from '../../playwright.config.ts';
import { TINY_PNG } from '../helpers/fixtures.ts';
import { startOtherSite, type OtherSite } from './other-site.ts';

const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Serious and critical violations, each as "rule: target (summary)" so a failure names what to fix. */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} (${n.failureSummary?.split('\n').slice(1).join('; ')})`));
}

let site: OtherSite;
test.beforeAll(async () => {
  site = await startOtherSite(
    (magnet) => `<!doctype html><html lang="en"><title>Someone else's blog</title><main><h1>My holiday</h1>
      <tabswarm-file magnet="${magnet}"></tabswarm-file></main>
      <script type="module" src="http://localhost:${TEST_PORT}/tabswarm-file.js"></script>`,
  );
});
test.afterAll(() => site.close());

test('share, download, my files, the widget and the demo have no serious or critical axe violations', async ({ browser }) => {
  // Every view is checked before any assertion, so one run names every problem.
  const found: Record<string, string[]> = {};
  const check = async (page: Page, view: string) => {
    const v = await seriousViolations(page);
    if (v.length > 0) found[view] = v;
  };
  const sharer = await (await browser.newContext()).newPage();
  await sharer.goto('/');
  await expect(sharer.getByTestId('share-input')).toBeAttached();
  await check(sharer, 'share view, empty');

  await sharer.getByTestId('share-input').setInputFiles({ name: 'holiday.png', mimeType: 'image/png', buffer: TINY_PNG });
  const link = await sharer.getByTestId('share-link').inputValue();
  await sharer.getByText('Sharing settings').click();
  await check(sharer, 'share view with a share, the sharing settings open, and my files');

  const getter = await (await browser.newContext()).newPage();
  await getter.goto(link);
  await check(getter, 'download view, starting');
  await expect(getter.getByTestId('preview-image')).toBeVisible({ timeout: 30_000 });
  await check(getter, 'download view, done');

  const magnet = decodeURIComponent(link.slice(link.indexOf('#') + 1));
  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto(`${site.url}/?magnet=${encodeURIComponent(magnet)}`);
  await expect(visitor.locator('tabswarm-file').getByTestId('preview-image')).toBeVisible({ timeout: 30_000 });
  await check(visitor, 'widget');

  const teacher = await (await browser.newContext()).newPage();
  await teacher.goto('/demo');
  await expect(teacher.locator('tabswarm-demo, demo-page, main').first()).toBeAttached();
  await check(teacher, 'demo');
  expect(found).toEqual({});
});
