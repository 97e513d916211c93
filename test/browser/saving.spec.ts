/**
 * Saving a multi-file download into a folder through the File System Access API. A headless browser
 * cannot show the picker, so the test stands in for the user's choice with a folder of the
 * origin-private file system (the same FileSystemDirectoryHandle interface); everything after the
 * pick — the app's button, folders created along each path, data written — is the real code.
 * (Saving one file through the browser's download flow is in app.spec.ts.)
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { peerPage } from './helpers.ts';

test.describe.configure({ timeout: 90_000 });

/** A page whose folder picker answers with a folder in its origin-private file system. */
async function pagePickingInOpfs(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    const w = window as any;
    w.showDirectoryPicker = async () => {
      w.pickedFolders = (w.pickedFolders ?? 0) + 1;
      return (await navigator.storage.getDirectory()).getDirectoryHandle('picked', { create: true });
    };
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  await page.goto(url);
  return page;
}

/** SHA-256 (hex) of the file at `path` under the page's origin-private file system root. */
function opfsSha256(page: Page, path: string[]): Promise<string> {
  return page.evaluate(async (path) => {
    let dir = await navigator.storage.getDirectory();
    for (const part of path.slice(0, -1)) dir = await dir.getDirectoryHandle(part);
    const file = await (await dir.getFileHandle(path.at(-1)!)).getFile();
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()));
    return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  }, path);
}

/** Sizes that straddle piece boundaries (256 KiB), a file in a nested folder, and an empty file. */
const LAYOUT = [
  { path: ['readme.txt'], size: 10_000 },
  { path: ['media', 'clip.bin'], size: 600 * 1024 + 3 },
  { path: ['media', 'more', 'tail.bin'], size: 300_001 },
  { path: ['empty.txt'], size: 0 },
];

/** A seeder tab sharing LAYOUT as one folder torrent: its magnet, the folder's name, and each file's SHA-256 by path. */
async function seedLayout(browser: Browser): Promise<{ magnet: string; name: string; digests: Record<string, string> }> {
  const seeder = await peerPage(browser);
  return seeder.evaluate(async (layout) => {
    const hex = (b: ArrayBuffer) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');
    const entries = layout.map(({ path, size }, n) => {
      const bytes = new Uint8Array(size);
      for (let i = 0; i < size; i++) bytes[i] = (i * 31 + n * 7 + (i >> 9)) & 0xff;
      return { file: new File([bytes], path.at(-1)!), path, bytes };
    });
    const client = await (window as any).tabswarm;
    const session = await client.seed(entries.map(({ file, path }) => ({ file, path })));
    const digests: Record<string, string> = {};
    for (const e of entries) digests[e.path.join('/')] = hex(await crypto.subtle.digest('SHA-256', e.bytes));
    return { magnet: client.magnet(session.torrent.infoHash) as string, digests, name: session.torrent.meta.name as string };
  }, LAYOUT);
}

test('a multi-file torrent: "Save all" writes every file into the picked folder, in its layout, byte-exact', async ({ browser }) => {
  const { magnet, digests, name } = await seedLayout(browser);
  const layout = LAYOUT;
  const leecher = await pagePickingInOpfs(browser, `/#${magnet}`);
  const saveAll = leecher.getByTestId('save-all');
  await expect(saveAll).toBeVisible({ timeout: 60_000 });
  await expect(saveAll).toHaveText(`Save all ${layout.length} files to a folder…`);
  await saveAll.click();
  await expect(leecher.getByTestId('saving')).toHaveText('Saved.');
  expect(await leecher.evaluate(() => (window as any).pickedFolders)).toBe(1);
  for (const { path } of layout) {
    expect(await opfsSha256(leecher, ['picked', name, ...path]), path.join('/')).toBe(digests[path.join('/')]);
  }
});

test('a cancelled folder picker saves nothing and shows no error', async ({ browser }) => {
  const seeder = await peerPage(browser);
  const magnet = await seeder.evaluate(async () => {
    const client = await (window as any).tabswarm;
    const files = ['a.txt', 'b.txt'].map((name) => ({ file: new File([new Uint8Array(1000).fill(7)], name), path: [name] }));
    const session = await client.seed(files);
    return client.magnet(session.torrent.infoHash) as string;
  });
  const context = await browser.newContext();
  await context.addInitScript(() => {
    (window as any).showDirectoryPicker = async () => {
      throw new DOMException('The user aborted a request.', 'AbortError');
    };
  });
  const leecher = await context.newPage();
  await leecher.goto(`/#${magnet}`);
  await leecher.getByTestId('save-all').click({ timeout: 60_000 });
  await expect(leecher.getByTestId('saving')).toHaveCount(0);
  await expect(leecher.getByTestId('error')).toHaveCount(0);
});

/** Unzips `zip` with Debian's unzip and returns each file's SHA-256 by its path inside the archive's folder. */
function unzipDigests(zip: Buffer, folder: string): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'tabswarm-unzip-'));
  writeFileSync(join(dir, 'a.zip'), zip);
  execFileSync('unzip', ['-q', join(dir, 'a.zip'), '-d', join(dir, 'out')]);
  const digests: Record<string, string> = {};
  for (const { path } of LAYOUT) digests[path.join('/')] = createHash('sha256').update(readFileSync(join(dir, 'out', folder, ...path))).digest('hex');
  return digests;
}

test('"Save all as .zip" streams the folder into the file the user picked; unzip gives every file byte-exact', async ({ browser }) => {
  const { magnet, digests, name } = await seedLayout(browser);
  const context = await browser.newContext();
  // The save picker answers with a file in the origin-private file system (see the folder test above).
  await context.addInitScript(() => {
    const w = window as any;
    w.showSaveFilePicker = async (opts: { suggestedName: string }) => {
      w.suggestedName = opts.suggestedName;
      return (await navigator.storage.getDirectory()).getFileHandle('picked.zip', { create: true });
    };
  });
  const leecher = await context.newPage();
  await leecher.goto(`/#${magnet}`);
  await leecher.getByTestId('save-zip').click({ timeout: 60_000 });
  await expect(leecher.getByTestId('saving')).toHaveText('Saved.');
  expect(await leecher.evaluate(() => (window as any).suggestedName)).toBe(`${name}.zip`);
  const base64 = await leecher.evaluate(async () => {
    const file = await (await (await navigator.storage.getDirectory()).getFileHandle('picked.zip')).getFile();
    const bytes = new Uint8Array(await file.arrayBuffer());
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  });
  expect(unzipDigests(Buffer.from(base64, 'base64'), name)).toEqual(digests);
});

test('without a save picker, "Save all as .zip" goes through the download flow; unzip gives every file byte-exact', async ({ browser }) => {
  const { magnet, digests, name } = await seedLayout(browser);
  const context = await browser.newContext();
  await context.addInitScript(() => {
    delete (window as any).showSaveFilePicker;
  });
  const leecher = await context.newPage();
  await leecher.goto(`/#${magnet}`);
  const button = leecher.getByTestId('save-zip');
  await expect(button).toBeVisible({ timeout: 60_000 });
  const [download] = await Promise.all([leecher.waitForEvent('download'), button.click()]);
  expect(download.suggestedFilename()).toBe(`${name}.zip`);
  expect(unzipDigests(readFileSync((await download.path())!), name)).toEqual(digests);
});
