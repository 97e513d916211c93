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

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const BUNDLE = fileURLToPath(new URL('../../reference-peers/node_modules/webtorrent/dist/webtorrent.min.js', import.meta.url));
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

  async function newPage(kind: 'tabswarm' | 'webtorrent', uploadLimit: number): Promise<Page> {
    const context = await browser.newContext();
    // Counts the RTCPeerConnections the page creates: each costs a DTLS certificate, ICE and a
    // handshake, so a swarm that churns connections pays for it in CPU.
    await context.addInitScript(() => {
      const Native = window.RTCPeerConnection;
      (window as any).peerConnectionsCreated = 0;
      window.RTCPeerConnection = new Proxy(Native, {
        construct(target, args) {
          (window as any).peerConnectionsCreated++;
          return Reflect.construct(target, args);
        },
      });
    });
    const page = await context.newPage();
    await page.route('**/__reference/webtorrent.min.js', (route) => route.fulfill({ path: BUNDLE, contentType: 'text/javascript' }));
    await page.goto(origin);
    if (kind === 'tabswarm') {
      await page.waitForFunction(() => (window as any).tabswarm !== undefined);
      await page.evaluate(() => (window as any).tabswarm);
    } else {
      await page.evaluate(async (uploadLimit) => {
        const { default: WebTorrent } = await import('/__reference/webtorrent.min.js' as string);
        (window as any).wt = new WebTorrent({ uploadLimit: uploadLimit > 0 ? uploadLimit : -1, tracker: { rtcConfig: { iceServers: [] } } });
      }, uploadLimit);
    }
    return page;
  }

  /** Generates `bytes` of content in the page and seeds it; returns the magnet link and SHA-256. */
  async function seed(page: Page, kind: 'tabswarm' | 'webtorrent', bytes: number, uploadLimit: number, opts: { initialSeeding?: boolean; tracker?: string; private?: boolean } = {}): Promise<{ magnet: string; sha256: string }> {
    return page.evaluate(
      async ({ kind, bytes, uploadLimit, tracker, initialSeeding, isPrivate }) => {
        const data = new Uint8Array(bytes);
        for (let i = 0; i < data.length; i += 65_536) crypto.getRandomValues(data.subarray(i, i + 65_536));
        const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
        const sha256 = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
        const file = new File([data], 'bench.bin');
        if (kind === 'tabswarm') {
          const client = await (window as any).tabswarm;
          const session = await client.seed([file], undefined, { initialSeeding, private: isPrivate });
          session.torrent.setLimits({ uploadLimit });
          return { magnet: client.magnet(session.torrent.infoHash), sha256 };
        }
        const magnet = await new Promise<string>((resolve) => (window as any).wt.seed(file, { announce: [tracker] }, (t: any) => resolve(t.magnetURI)));
        return { magnet, sha256 };
      },
      { kind, bytes, uploadLimit, tracker: opts.tracker ?? tracker, initialSeeding: opts.initialSeeding ?? true, isPrivate: opts.private ?? false },
    );
  }

  /** Starts a download; resolves with the SHA-256 of the result once complete, and when that was (ms, page clock). */
  function download(page: Page, system: System, magnet: string, uploadLimit: number, untilFile = false): Promise<{ sha256: string; doneAt: number; uploaded: number; connections: number; created: number }> {
    return page.evaluate(
      async ({ system, magnet, uploadLimit, tracker, untilFile }) => {
        // (No named helper functions in here: tsx would wrap them with a helper the page lacks.)
        let blob: Blob;
        let doneAt: number;
        let uploaded: number;
        let connections: number;
        if (system.startsWith('tabswarm')) {
          const client = await (window as any).tabswarm;
          const session = await client.add(magnet);
          session.torrent.setLimits({ uploadLimit });
          if (!session.torrent.done) await new Promise<void>((r) => session.on('done', r));
          doneAt = Date.now();
          connections = session.torrent.peerCount;
          blob = (await client.file(session.torrent.infoHash)).blob;
          if (untilFile) doneAt = Date.now();
          uploaded = session.torrent.stats().uploaded;
        } else {
          const wt = (window as any).wt;
          const torrent: any = await new Promise((resolve) => wt.add(magnet, { announce: [tracker], strategy: system.startsWith('webtorrent-rarest') ? 'rarest' : 'sequential' }, resolve));
          if (!torrent.done) await new Promise<void>((r) => torrent.on('done', r));
          doneAt = Date.now();
          connections = torrent.numPeers;
          blob = await torrent.files[0].blob();
          uploaded = torrent.uploaded;
        }
        const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
        return { sha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join(''), doneAt, uploaded, connections, created: (window as any).peerConnectionsCreated as number };
      },
      { system, magnet, uploadLimit, tracker: trackerFor(system), untilFile },
    );
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
    const seederUploaded = await seeder.evaluate(async (kind) => {
      if (kind === 'tabswarm') {
        const c = await (window as any).tabswarm;
        return [...c.sessions.values()][0].torrent.stats().uploaded as number;
      }
      return (window as any).wt.torrents[0].uploaded as number;
    }, kind);
    await closeAll([seeder, ...leechers]);
    return { seconds, seederMBps: seederUploaded / seconds / MiB, connections, cpuBusyPct, connectionsCreated };
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
    const offer = await a.evaluate(async () => {
      const pc = new RTCPeerConnection({ iceServers: [] });
      const ch = pc.createDataChannel('raw', { ordered: true });
      ch.binaryType = 'arraybuffer';
      (window as any).raw = { pc, ch };
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise<void>((r) => (pc.iceGatheringState === 'complete' ? r() : pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r())));
      return pc.localDescription!.toJSON();
    });
    const answer = await b.evaluate(async (offer) => {
      const pc = new RTCPeerConnection({ iceServers: [] });
      (window as any).received = new Promise<number>((resolve) =>
        pc.addEventListener('datachannel', (e) => {
          let bytes = 0;
          let start = 0;
          e.channel.binaryType = 'arraybuffer';
          e.channel.onmessage = (m) => {
            if (start === 0) start = performance.now();
            bytes += (m.data as ArrayBuffer).byteLength;
            if (m.data.byteLength === 1) resolve(bytes / 1e6 / ((performance.now() - start) / 1000));
          };
        }),
      );
      await pc.setRemoteDescription(offer);
      await pc.setLocalDescription(await pc.createAnswer());
      await new Promise<void>((r) => (pc.iceGatheringState === 'complete' ? r() : pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r())));
      (window as any).pcB = pc;
      return pc.localDescription!.toJSON();
    }, offer);
    await a.evaluate(async ({ answer, total }) => {
      const { pc, ch } = (window as any).raw;
      await pc.setRemoteDescription(answer);
      if (ch.readyState !== 'open') await new Promise((r) => (ch.onopen = r));
      const chunk = new Uint8Array(65_536);
      ch.bufferedAmountLowThreshold = 2 << 20;
      for (let sent = 0; sent < total; sent += chunk.length) {
        if (ch.bufferedAmount > 8 << 20) await new Promise((r) => (ch.onbufferedamountlow = r));
        ch.send(chunk);
      }
      ch.send(new Uint8Array(1));
    }, { answer, total: bytes });
    const mbps = await b.evaluate(() => (window as any).received as Promise<number>);
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
