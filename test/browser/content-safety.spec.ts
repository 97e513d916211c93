/** Content from a torrent never runs as script: HTML and SVG with scripts are shown as text, and the app has a CSP. */
import { expect, test } from '@playwright/test';

const HTML = '<!doctype html><p>hi</p><script>window.__pwned = "html"; parent.__pwned = "html";</script><img src=x onerror="window.__pwned=\'img\'">';
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" onload="window.__pwned=\'svg\'"><script>window.__pwned="svg-script"</script></svg>';

for (const [name, body] of [
  ['evil.html', HTML],
  ['evil.svg', SVG],
] as const) {
  test(`a shared ${name} with scripts is shown as text and runs nothing`, async ({ browser }) => {
    const a = await (await browser.newContext()).newPage();
    const response = await a.goto('/');
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await a.getByTestId('share-input').setInputFiles({ name, mimeType: 'text/html', buffer: Buffer.from(body) });
    const link = await a.getByTestId('share-link').inputValue();

    const b = await (await browser.newContext()).newPage();
    const dialogs: string[] = [];
    b.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await b.goto(link);
    const preview = b.getByTestId('preview-text');
    await expect(preview).toBeVisible({ timeout: 30_000 });
    // The markup is there as characters…
    await expect(preview).toContainText(name.endsWith('.html') ? '<script>window.__pwned' : 'onload=');
    // …and nothing ran, in either page.
    await b.waitForTimeout(300);
    expect(await b.evaluate(() => (window as any).__pwned)).toBeUndefined();
    expect(await a.evaluate(() => (window as any).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
  });
}
