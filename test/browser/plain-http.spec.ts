/**
 * Served over plain http on a LAN name (not localhost), the page is not a secure context: no
 * crypto.subtle, in the page or its workers. Sharing and downloading must still work (the
 * @noble/hashes SHA-1 fallback). The name maps to loopback inside Chromium only.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../helpers/chromium.ts';
import { TEST_PORT } from '../../playwright.config.ts';
import { vectorPath } from '../helpers/vectors.ts';

const LAN_ORIGIN = `http://tabswarm-lan.test:${TEST_PORT}`;
test.use({ launchOptions: { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP tabswarm-lan.test 127.0.0.1'] } });

test('share and download over plain http without crypto.subtle, byte-exact', async ({ browser }) => {
  const a = await (await browser.newContext()).newPage();
  await a.goto(`${LAN_ORIGIN}/`);
  expect(await a.evaluate(() => [window.isSecureContext, typeof crypto.subtle])).toEqual([false, 'undefined']);
  const original = vectorPath('content/piece-plus-one.bin');
  await a.getByTestId('share-input').setInputFiles(original);
  const link = await a.getByTestId('share-link').inputValue();
  // The same info hash mktorrent gives, computed without WebCrypto.
  expect(link).toContain('xt=urn:btih:a08cbb8bd0f8d71ce4cdfcc57016d6e6d3226556');
  expect(link.startsWith(`${LAN_ORIGIN}/#magnet:`)).toBe(true);

  const b = await (await browser.newContext({ acceptDownloads: true })).newPage();
  await b.goto(link);
  const save = b.getByTestId('save');
  await expect(save).toBeVisible({ timeout: 30_000 });
  const [download] = await Promise.all([b.waitForEvent('download'), save.click()]);
  const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
  expect(sha(readFileSync(await download.path()))).toBe(sha(readFileSync(original)));
});
