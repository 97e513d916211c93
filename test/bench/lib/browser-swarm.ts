/**
 * The browser side of the swarm benchmarks (bench:swarm, bench:cpu): our server and
 * bittorrent-tracker's, one Chromium, every peer in its own context, and the operations the
 * benchmarks time — seeding generated content, downloading it byte-exact, a raw RTCDataChannel
 * blast, join latency. Each swarm run records the connections each leecher held when it finished
 * and the machine's CPU use over the run (from /proc/stat), and can call hooks around the timed part.
 */
import { readFileSync } from 'node:fs';
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../helpers/chromium.ts';
import { freePort, waitForLine } from '../../helpers/process.ts';
import { downloadIn, openBenchPage, rawChannelBetween, seedIn, seederUploaded, type DownloadResult, type PageKind } from './bench-pages.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const MiB = 1024 * 1024;

export type System = 'tabswarm' | 'tabswarm-no-initial-seeding' | 'tabswarm-private' | 'webtorrent-rarest' | 'webtorrent-default' | 'webtorrent-rarest@bittorrent-tracker';
export const isTabswarm = (s: System) => s.startsWith('tabswarm');

/** Busy and total jiffies of all CPUs so far (/proc/stat's first line). */
export function cpuTimes(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3]! + (f[4] ?? 0);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

export interface SwarmRun {
  seconds: number;
  seederMBps: number;
  /** Mean connections a leecher held when it finished (of N possible: the seeder and N − 1 others). */
  connections: number;
  /** The machine's CPU use over the run, % of all cores. */
  cpuBusyPct: number;
  /** RTCPeerConnections a leecher created from opening the link to its finish, mean over the leechers (N would be one each). */
  connectionsCreated: number;
}

/** Called with every page once the run's pages exist and just before the leechers start, and again when the last one finished. */
export interface RunHooks {
  beforeStart?(pages: Page[]): Promise<void>;
  afterDone?(pages: Page[]): Promise<void>;
  /** A leecher finishes when its file is ready to save (assembled from storage; a private share's decrypted), not when its last piece is verified. */
  untilFile?: boolean;
}

export type BrowserSwarmLab = Awaited<ReturnType<typeof startBrowserSwarmLab>>;

export async function startBrowserSwarmLab() {
  execFileSync(process.execPath, ['scripts/ensure-built.mjs'], { cwd: ROOT, stdio: 'inherit' });
  execFileSync('bash', ['scripts/ensure-reference-peers.sh'], { cwd: ROOT, stdio: 'inherit' });
  const port = await freePort();
  const server = spawn(process.execPath, ['lib/serve.js'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', MAX_SOCKETS_PER_IP: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const origin = `http://localhost:${port}`;
  // Ready when /healthz answers (the server logs nothing at LOG_LEVEL=warn).
  for (let tries = 0; ; tries++) {
    const ok = await fetch(`${origin}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (tries > 200) throw new Error('the Tabswarm server did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  const tracker = `ws://localhost:${port}/announce`;
  // bittorrent-tracker's server, what WebTorrent's public trackers run.
  const btServer = spawn(process.execPath, [fileURLToPath(new URL('../bt-tracker-server.mjs', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
  const btPort = Number(/"port":(\d+)/.exec((await waitForLine(btServer, /"port":\d+/, 'bittorrent-tracker server')).line)![1]);
  const btTracker = `ws://127.0.0.1:${btPort}`;
  const trackerFor = (system: System) => (system.endsWith('@bittorrent-tracker') ? btTracker : tracker);
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });

  const setup = { origin };
  const newPage = (kind: PageKind, uploadLimit: number): Promise<Page> => openBenchPage(browser, setup, kind, uploadLimit);

  /** Generates `bytes` of content in the page and seeds it; returns the magnet link and SHA-256. */
  function seed(page: Page, kind: PageKind, bytes: number, uploadLimit: number, opts: { initialSeeding?: boolean; tracker?: string; private?: boolean } = {}): Promise<{ magnet: string; sha256: string }> {
    return seedIn(page, kind, bytes, uploadLimit, { ...opts, tracker: opts.tracker ?? tracker });
  }

  /** Starts a download; resolves with the SHA-256 of the result once complete, and when that was (ms, page clock). */
  function download(page: Page, system: System, magnet: string, uploadLimit: number, untilFile = false): Promise<DownloadResult> {
    return downloadIn(page, isTabswarm(system) ? 'tabswarm' : 'webtorrent', magnet, uploadLimit, { tracker: trackerFor(system), strategy: system.startsWith('webtorrent-rarest') ? 'rarest' : 'sequential', untilFile });
  }

  async function closeAll(pages: Page[]): Promise<void> {
    await Promise.all(pages.map((p) => p.context().close()));
  }

  /** One seeder and n leechers of `bytes` of content, every upload limited to `upload` bytes/s. */
  async function swarmRun(system: System, n: number, bytes: number, upload: number, hooks: RunHooks = {}): Promise<SwarmRun> {
    const kind = isTabswarm(system) ? 'tabswarm' : 'webtorrent';
    const seeder = await newPage(kind, upload);
    const { magnet, sha256 } = await seed(seeder, kind, bytes, upload, { initialSeeding: system !== 'tabswarm-no-initial-seeding', tracker: trackerFor(system), private: system === 'tabswarm-private' });
    const leechers = await Promise.all(Array.from({ length: n }, () => newPage(kind, upload)));
    await hooks.beforeStart?.([seeder, ...leechers]);
    const cpu0 = cpuTimes();
    const start = Date.now();
    const results = await Promise.all(leechers.map((l) => download(l, system, magnet, upload, hooks.untilFile)));
    const seconds = (Math.max(...results.map((r) => r.doneAt)) - start) / 1000;
    const cpu1 = cpuTimes();
    await hooks.afterDone?.([seeder, ...leechers]);
    const cpuBusyPct = (100 * (cpu1.busy - cpu0.busy)) / Math.max(1, cpu1.total - cpu0.total);
    const connections = results.reduce((s, r) => s + r.connections, 0) / results.length;
    const connectionsCreated = results.reduce((s, r) => s + r.created, 0) / results.length;
    for (const r of results) if (r.sha256 !== sha256) throw new Error(`${system} N=${n}: a leecher's file does not match`);
    const uploaded = await seederUploaded(seeder, kind);
    await closeAll([seeder, ...leechers]);
    return { seconds, seederMBps: uploaded / seconds / MiB, connections, cpuBusyPct, connectionsCreated };
  }

  async function singleLink(system: 'tabswarm' | 'webtorrent', bytes: number): Promise<number> {
    const seeder = await newPage(system, 0);
    const { magnet, sha256 } = await seed(seeder, system, bytes, 0);
    const leecher = await newPage(system, 0);
    const start = Date.now();
    const r = await download(leecher, system === 'tabswarm' ? 'tabswarm' : 'webtorrent-rarest', magnet, 0);
    const seconds = (r.doneAt - start) / 1000;
    if (r.sha256 !== sha256) throw new Error(`${system} single link: file does not match`);
    await closeAll([seeder, leecher]);
    return bytes / 1e6 / seconds;
  }

  /** The physical limit here: one RTCDataChannel between two contexts, 64 KiB messages, buffer kept full. */
  async function rawChannel(bytes: number): Promise<number> {
    const a = await newPage('tabswarm', 0);
    const b = await newPage('tabswarm', 0);
    const mbps = await rawChannelBetween(a, b, bytes);
    await closeAll([a, b]);
    return mbps;
  }

  async function joinLatency(): Promise<number> {
    const seeder = await newPage('tabswarm', 0);
    const { magnet } = await seed(seeder, 'tabswarm', 4 * MiB, 0);
    const leecher = await newPage('tabswarm', 0);
    const seconds = await leecher.evaluate(async (magnet) => {
      const client = await (window as any).tabswarm;
      const start = performance.now();
      const session = await client.add(magnet);
      await new Promise<void>((r) => session.torrent.once('piece', () => r()));
      return (performance.now() - start) / 1000;
    }, magnet);
    await closeAll([seeder, leecher]);
    return seconds;
  }


  return {
    browser,
    origin,
    tracker,
    btTracker,
    newPage,
    seed,
    download,
    closeAll,
    swarmRun,
    singleLink,
    rawChannel,
    joinLatency,
    async close(): Promise<void> {
      await browser.close();
      server.kill('SIGTERM');
      btServer.kill('SIGTERM');
    },
  };
}
