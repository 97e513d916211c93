/**
 * The whole share and download flow with the keyboard alone: nothing here clicks. Tab moves focus
 * (through shadow roots, as a user's Tab does), Space and Enter act, the file chooser is answered
 * as a person picking a file would, and every control reached shows a visible focus ring.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';

/** The data-testid (or, lacking one, tag and text) of the element focus is on, looking into shadow roots. */
async function focused(page: Page): Promise<{ id: string; outline: string }> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    if (!el || el === document.body) return { id: 'body', outline: 'none' };
    const style = getComputedStyle(el);
    const id = el.getAttribute('data-testid') ?? `${el.tagName.toLowerCase()}:${(el.textContent ?? '').trim().slice(0, 40)}`;
    return { id, outline: `${style.outlineStyle} ${style.outlineWidth}` };
  });
}

/** Presses Tab until focus is on `target` (by the id `focused` reports); fails after `max` presses. */
async function tabTo(page: Page, target: string | RegExp, max = 30): Promise<{ id: string; outline: string }> {
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    seen.push(f.id);
    if (typeof target === 'string' ? f.id === target : target.test(f.id)) return f;
  }
  throw new Error(`Tab never reached ${target}; focus went through: ${seen.join(' → ')}`);
}

test('share and download a file with the keyboard alone, every control showing its focus', async ({ browser }) => {
  const content = randomBytes(700_000);
  const sharer = await (await browser.newContext()).newPage();
  await sharer.goto('/');
  await expect(sharer.getByTestId('share-input')).toBeAttached();

  // Listening before any key is pressed: Playwright turns on file-chooser interception when the
  // first listener arrives, and a chooser opened before that would be the real, invisible one.
  const chooserOpened = sharer.waitForEvent('filechooser');
  await tabTo(sharer, 'share-input');
  await sharer.keyboard.press('Space');
  const chooser = await chooserOpened;
  await chooser.setFiles({ name: 'notes.bin', mimeType: 'application/octet-stream', buffer: content });
  await expect(sharer.getByTestId('share-link')).toHaveValue(/#magnet:/, { timeout: 30_000 });

  const copy = await tabTo(sharer, /^button:Copy link$/);
  expect(copy.outline).toMatch(/^solid [2-9]/);
  await sharer.keyboard.press('Enter');
  await expect(sharer.getByRole('button', { name: 'Copied' })).toBeVisible();
  const link = await sharer.getByTestId('share-link').inputValue();

  const getter = await (await browser.newContext()).newPage();
  await getter.goto(link);
  await expect(getter.getByTestId('save')).toBeVisible({ timeout: 30_000 });
  const save = await tabTo(getter, 'save');
  expect(save.outline).toMatch(/^solid [2-9]/);
  const [download] = await Promise.all([getter.waitForEvent('download'), getter.keyboard.press('Enter')]);
  expect(download.suggestedFilename()).toBe('notes.bin');
  expect(readFileSync((await download.path())!).equals(content)).toBe(true);
});
