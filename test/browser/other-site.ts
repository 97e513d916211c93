/** "Another site" for widget tests: a plain page on its own origin whose HTML is built from the ?magnet= it is opened with. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OtherSite {
  url: string;
  close(): Promise<void>;
}

/** `page(attribute)` gets the magnet already escaped for an HTML attribute. */
export async function startOtherSite(page: (magnetAttribute: string) => string): Promise<OtherSite> {
  const site = createServer((req, res) => {
    const magnet = new URL(req.url ?? '/', 'http://x').searchParams.get('magnet') ?? '';
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(page(magnet.replace(/&/g, '&amp;').replace(/"/g, '&quot;')));
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(site.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => site.close(() => r())) };
}
