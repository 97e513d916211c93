/** Shared by browser specs: a page per browser context (peers must not share IndexedDB), and in-page helpers. */
import type { Browser, Page } from '@playwright/test';

export async function peerPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  await page.goto('/');
  await page.waitForFunction(() => (window as unknown as { tabswarm?: unknown }).tabswarm !== undefined);
  return page;
}

/** Seeds `mib` MiB of deterministic bytes as `name`; returns its magnet link and SHA-256. */
export async function seedGenerated(page: Page, mib: number, name = 'content.bin'): Promise<{ magnet: string; sha256: string; infoHash: string }> {
  return page.evaluate(
    async ({ mib, name }) => {
      const bytes = new Uint8Array(mib * 1024 * 1024);
      let x = 0x9e3779b9;
      for (let i = 0; i < bytes.length; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        bytes[i] = x & 0xff;
      }
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
      const client = await (window as any).tabswarm;
      const session = await client.seed([new File([bytes], name)]);
      const infoHash = session.torrent.infoHash as string;
      return { magnet: client.magnet(infoHash) as string, infoHash, sha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('') };
    },
    { mib, name },
  );
}

/** Joins a swarm from a magnet link (resolves once the session started). */
export async function join(page: Page, magnet: string): Promise<string> {
  return page.evaluate(async (magnet) => {
    const client = await (window as any).tabswarm;
    const session = await client.add(magnet);
    return session.torrent.infoHash as string;
  }, magnet);
}

/** Waits until the torrent is complete, then returns the SHA-256 of the saved file. */
export async function savedSha256(page: Page, infoHash: string): Promise<string> {
  return page.evaluate(async (infoHash) => {
    const client = await (window as any).tabswarm;
    const session = client.sessions.get(infoHash);
    if (!session.torrent.done) await new Promise<void>((resolve) => session.on('done', resolve));
    const { blob } = await client.file(infoHash);
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
    return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  }, infoHash);
}

export async function stats(page: Page, infoHash: string): Promise<{ piecesHave: number; pieceCount: number; downloaded: number; peers: unknown[]; done: boolean; have: string }> {
  return page.evaluate(async (infoHash) => (await (window as any).tabswarm).stats(infoHash), infoHash);
}
