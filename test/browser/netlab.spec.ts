/**
 * Tabs behind NATs (test/netlab/lab.ts): each peer is a Chromium in a network namespace of its own
 * behind its own router; the server and coturn are on a "public" host. Peers behind full-cone NATs
 * (and a symmetric one towards a full-cone one) connect directly through STUN; two behind symmetric
 * NATs can only meet through TURN, with the credentials our server hands out; without a relay, a
 * tab says why it cannot connect instead of stalling.
 */
import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import type { ChildProcess } from 'node:child_process';
import { CHROMIUM_ARGS } from '../helpers/chromium.ts';
import { startCoturn, type Coturn } from '../helpers/coturn.ts';
import { NetLab, PUBLIC_HOST_ADDRESS, type LabHost, type NatKind } from '../netlab/lab.ts';
import { savedSha256, seedGenerated } from './helpers.ts';

const WITH_TURN = `http://${PUBLIC_HOST_ADDRESS}:8080`;
const WITHOUT_TURN = `http://${PUBLIC_HOST_ADDRESS}:8081`;
const TURN_PORT = 3478;
/** Connections, gathering through a relay and two NATs on a busy machine: generous, the outcome is what is asserted. */
const SWARM_TIMEOUT_MS = 150_000;

test.describe.configure({ mode: 'serial' });

let lab: NetLab;
let coturn: Coturn;
const servers: ChildProcess[] = [];
const browsers: Browser[] = [];

/** Our server on the public host; resolves once it listens (it says so on stdout). */
function startServerIn(host: LabHost, port: number, env: Record<string, string>): Promise<void> {
  const child = lab.spawn(host, process.execPath, ['lib/serve.js'], {
    env: { ...process.env, PORT: String(port), HOST: PUBLIC_HOST_ADDRESS, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  servers.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (c: Buffer) => {
      out += c.toString();
      if (out.includes('"listening"')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${out}`)));
  });
}

test.beforeAll(async () => {
  const can = NetLab.available();
  if (!can.ok) throw new Error(`${can.why}; run the browser tests as root (CI does).`);
  lab = new NetLab();
  coturn = await startCoturn({ ip: PUBLIC_HOST_ADDRESS, port: TURN_PORT, prefix: ['ip', 'netns', 'exec', lab.pub.ns] });
  const stun = JSON.stringify([{ urls: `stun:${PUBLIC_HOST_ADDRESS}:${TURN_PORT}` }]);
  await Promise.all([
    startServerIn(lab.pub, 8080, { ICE_SERVERS: stun, TURN_URLS: `turn:${PUBLIC_HOST_ADDRESS}:${TURN_PORT}?transport=udp`, TURN_SECRET: coturn.secret }),
    startServerIn(lab.pub, 8081, { ICE_SERVERS: stun }),
  ]);
});

test.afterAll(async () => {
  await Promise.all(browsers.splice(0).map((b) => b.close().catch(() => {})));
  for (const s of servers) s.kill('SIGKILL');
  await coturn?.stop();
  lab?.destroy();
});

/** A tab in a browser of its own, inside a host behind a NAT of this kind. */
async function tabBehind(name: string, nat: NatKind, origin: string): Promise<{ host: LabHost; browser: Browser; page: Page }> {
  const host = lab.addHost(name, nat);
  const browser = await chromium.launch({
    executablePath: lab.chromiumIn(host),
    // The lab's server is plain http on a non-local address: let it count as secure (WebCrypto, workers) as https would.
    args: [...CHROMIUM_ARGS, `--unsafely-treat-insecure-origin-as-secure=${WITH_TURN},${WITHOUT_TURN}`],
  });
  browsers.push(browser);
  const page = await (await browser.newContext({ baseURL: origin })).newPage();
  page.on('pageerror', (e) => console.error(`[${name} page error] ${e.message}`));
  await page.goto('/');
  await page.waitForFunction(() => (window as unknown as { tabswarm?: unknown }).tabswarm !== undefined);
  return { host, browser, page };
}

/** This tab's peer id and, for each connection it has in the swarm, the peer's id and the route. */
async function connections(page: Page, infoHash: string): Promise<{ self: string; peers: Array<{ id: string | null; route: string | null }> }> {
  return page.evaluate(async (infoHash) => {
    const client = await (window as any).tabswarm;
    const peers = (client.stats(infoHash).peers as Array<{ id: string | null; route: string | null }>).map((p) => ({ id: p.id, route: p.route }));
    return { self: client.peerIdHex as string, peers };
  }, infoHash);
}

/** Opens the app's link in the tab (the download view), and waits until its session exists. */
async function openLink(page: Page, magnet: string, infoHash: string): Promise<void> {
  await page.goto(`/#${magnet}`);
  await expect.poll(() => page.evaluate(async (h) => (await (window as any).tabswarm).sessions.has(h) as boolean, infoHash), { timeout: 30_000 }).toBe(true);
}

async function routeBetween(from: Page, to: Page, infoHash: string): Promise<string | null | undefined> {
  const target = (await connections(to, infoHash)).self;
  return (await connections(from, infoHash)).peers.find((p) => p.id === target)?.route;
}

test('four tabs behind mixed NATs: full-cone pairs connect directly, two symmetric NATs meet through TURN, all byte-exact', async () => {
  test.setTimeout(4 * SWARM_TIMEOUT_MS);
  const a = await tabBehind('a', 'full-cone', WITH_TURN);
  const seed = await seedGenerated(a.page, 2, 'behind-nat.bin');

  // b (full-cone) and c (symmetric) download from a: both can reach a's full-cone NAT directly.
  const b = await tabBehind('b', 'full-cone', WITH_TURN);
  const c = await tabBehind('c', 'symmetric', WITH_TURN);
  for (const t of [b, c]) await openLink(t.page, seed.magnet, seed.infoHash);
  for (const t of [b, c]) expect(await savedSha256(t.page, seed.infoHash)).toBe(seed.sha256);
  await expect.poll(() => routeBetween(b.page, a.page, seed.infoHash), { timeout: 20_000, message: 'full-cone to full-cone' }).toBe('direct');
  await expect.poll(() => routeBetween(c.page, a.page, seed.infoHash), { timeout: 20_000, message: 'symmetric to full-cone' }).toBe('direct');

  // Now only c (symmetric) has the file: d (symmetric too) can get it only through the relay.
  for (const t of [a, b]) await t.browser.close();
  const d = await tabBehind('d', 'symmetric', WITH_TURN);
  await openLink(d.page, seed.magnet, seed.infoHash);
  expect(await savedSha256(d.page, seed.infoHash)).toBe(seed.sha256);
  await expect.poll(() => routeBetween(d.page, c.page, seed.infoHash), { timeout: 20_000, message: 'symmetric to symmetric' }).toBe('relayed');
  // The download view lists the connection as relayed.
  await d.page.getByTestId('peer-list').locator('summary').click();
  await expect(d.page.getByTestId('peer-list')).toContainText('relayed (TURN)');
  await expect(d.page.getByTestId('peer-list').locator('summary')).toContainText('1 through a relay');
  // coturn relayed data for it.
  expect(coturn.log()).toMatch(/ALLOCATE processed, success/);
});

test('two tabs behind symmetric NATs on a server with no TURN: the downloader is told why it cannot connect', async () => {
  test.setTimeout(SWARM_TIMEOUT_MS);
  const e = await tabBehind('e', 'symmetric', WITHOUT_TURN);
  const seed = await seedGenerated(e.page, 1, 'unreachable.bin');
  const f = await tabBehind('f', 'symmetric', WITHOUT_TURN);
  await openLink(f.page, seed.magnet, seed.infoHash);
  await expect(f.page.getByTestId('notice')).toContainText('offers no TURN relay', { timeout: SWARM_TIMEOUT_MS - 30_000 });
  expect((await connections(f.page, seed.infoHash)).peers).toEqual([]);
});
