/**
 * `npm run bench:stream` — play while downloading, Tabswarm against WebTorrent 2.8.5, in one run:
 *  - a video of about 64 MiB made by Debian's ffmpeg (VP8 + Opus WebM, 8 Mbit/s of noise so it does
 *    not compress away: about 1 MiB of file per second of playback);
 *  - one seeder with its upload limited to u_s = 2 MiB/s, and 1 or 4 viewers starting together,
 *    each in its own Chromium context on loopback, their uploads unlimited;
 *  - Tabswarm: each viewer opens a page of the Tabswarm server holding `<tabswarm-file autoplay
 *    muted>` (the widget on the server's own origin streams through the service worker, the same
 *    path as the download page's player); WebTorrent: a page that registers WebTorrent's service
 *    worker (sw.min.js), calls `createServer({ controller })` and `file.streamTo(video)` — its
 *    documented way to stream in a browser, with its default (sequential) strategy, which favours
 *    playback. Both on our tracker; WebTorrent's seeder uses 256 KiB pieces as ours does.
 * Measured per viewer: the first frame (the video's first `playing`, from the start of navigation),
 * seek latency to 25 %, 50 % and 90 % (setting currentTime until `seeked`, each after 1 to 1.5 s of
 * playback: see playBeforeSeek), stalls per minute (`waiting` once playing, outside seeks); per run: the swarm's
 * distribution time while every viewer streams (and seeks), and while every viewer only downloads
 * (Tabswarm's app engine; WebTorrent with its rarest-first strategy, its best for whole downloads
 * in bench:swarm), against D_p2p = max(F/u_s, F/d_min, N·F/(u_s + Σu_i)) = F/u_s here.
 * Tabswarm also streams the same video shared privately (tabswarm-private: sealed in the seeder's
 * tab, decrypted record by record in each viewer's service worker), against its clear figures: the
 * cost of end-to-end encryption (issue 21's goal: ≤ 5 % slower).
 * BENCH_RUNS (default 3) runs per figure; BENCH_VIEWERS (1,4); BENCH_SYSTEMS; BENCH_OUT.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { cpuTimes, startBrowserSwarmLab } from './lib/browser-swarm.ts';
import { machine, measuredCommit, spread, writeResults, type Spread } from './lib/report.ts';
import { privateCosts, streamGoals, streamReport, type StreamResults, type StreamRow } from './lib/stream-report.ts';

const COMMIT = measuredCommit();
const MiB = 1024 * 1024;
const US = 2 * MiB;
const VIEWERS = (process.env.BENCH_VIEWERS ?? '1,4').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
type StreamSystem = StreamRow['system'];
const SYSTEMS = (process.env.BENCH_SYSTEMS ?? 'tabswarm,tabswarm-private,webtorrent').split(',') as StreamSystem[];
/** The results' name: a run of some systems only can be kept beside the full one (e.g. BENCH_OUT=stream-private). */
const OUT = process.env.BENCH_OUT ?? 'stream';
/** Seconds of video: at 8 Mbit/s about 64 MiB. */
const VIDEO_SECONDS = Number(process.env.BENCH_STREAM_SECONDS ?? 67);
const SEEKS = [0.25, 0.5, 0.9];
/**
 * Seconds of playback before seek k of run r: 1 s and a part of half a second that differs from seek
 * to seek and run to run (the golden-ratio sequence), the same for every system. A seek's time
 * depends on where the media stack is in its reading when it comes: a seek after exactly 1 s lands
 * at nearly the same moment of the download in every run, so 3 runs measured one moment 3 times, and
 * a change that moved the delivery by a few milliseconds flipped a seek between 0.4 s and 1.3 s.
 */
function playBeforeSeek(run: number, k: number): number {
  const GOLDEN = 0.6180339887;
  return 1 + 0.5 * (((run * SEEKS.length + k + 1) * GOLDEN) % 1);
}
const RUN_TIMEOUT_MS = 600_000;
const WT_DIST = fileURLToPath(new URL('../reference-peers/node_modules/webtorrent/dist/', import.meta.url));

// ── the video ───────────────────────────────────────────────────────────────────────────────
const dir = mkdtempSync(join(tmpdir(), 'tabswarm-bench-stream-'));
const video = join(dir, 'lecture.webm');
execFileSync('bash', ['scripts/ensure-ffmpeg.sh'], { stdio: 'inherit' });
execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=duration=${VIDEO_SECONDS}:size=640x360:rate=25`, '-f', 'lavfi', '-i', `sine=frequency=440:duration=${VIDEO_SECONDS}`, '-vf', 'noise=alls=60:allf=t+u', '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '8M', '-minrate', '8M', '-maxrate', '8M', '-bufsize', '2M', '-g', '50', '-c:a', 'libopus', '-shortest', video]);
const F = statSync(video).size;
const D_P2P = F / US;

// ── what each viewer page records (both systems alike), and the pages ───────────────────────
const RECORDER = `
window.bench = { firstFrame: null, waits: 0, endedAt: null, doneAt: null, seeking: false, lastTarget: 0, marks: {} };
window.mark = function (name) { if (!(name in bench.marks)) bench.marks[name] = performance.now(); };
window.watch = function (v) {
  window.benchVideo = v;
  mark('src');
  v.addEventListener('loadedmetadata', function () { mark('loadedmetadata'); });
  v.addEventListener('canplay', function () { mark('canplay'); });
  v.addEventListener('playing', function () { if (bench.firstFrame === null) bench.firstFrame = performance.now(); });
  v.addEventListener('seeking', function () { bench.seeking = true; });
  v.addEventListener('seeked', function () { bench.seeking = false; });
  v.addEventListener('waiting', function () { if (bench.firstFrame !== null && !bench.seeking) bench.waits++; });
  v.addEventListener('ended', function () { if (bench.endedAt === null) bench.endedAt = performance.now(); });
};`;

/** Tabswarm's viewer: the widget, autoplay muted, on a page of the Tabswarm server (scripts from files: the server's CSP allows no inline script). */
const TABSWARM_VIEWER_HTML = `<!doctype html><title>Lecture</title><script src="/bench-recorder.js"></script><script type="module" src="/tabswarm-file.js"></script><script src="/bench-tabswarm-viewer.js"></script>`;
const TABSWARM_VIEWER_JS = `
const el = document.createElement('tabswarm-file');
el.setAttribute('autoplay', '');
el.setAttribute('muted', '');
el.addEventListener('progress', function (e) { if (e.detail.done && bench.doneAt === null) bench.doneAt = Date.now(); });
el.setAttribute('magnet', new URLSearchParams(location.search).get('magnet'));
document.documentElement.append(el);
(function find() {
  if (el.stats) mark('session');
  if (el.stats && el.stats.pieceCount !== null) mark('metadata');
  const v = el.shadowRoot && el.shadowRoot.querySelector('video[src]');
  if (v) watch(v); else setTimeout(find, 5);
})();`;

/** WebTorrent's viewer: its service worker, createServer and streamTo. */
const WEBTORRENT_VIEWER_HTML = `<!doctype html><title>Lecture</title><script src="/bench-recorder.js"></script>
<video muted autoplay playsinline style="width:640px"></video>
<script type="module">
  import WebTorrent from '/webtorrent.min.js';
  const params = new URLSearchParams(location.search);
  const v = document.querySelector('video');
  watch(v);
  const wt = (window.wt = new WebTorrent({ tracker: { rtcConfig: { iceServers: [] } } }));
  const reg = await navigator.serviceWorker.register('/sw.min.js', { scope: '/' });
  const worker = reg.active || reg.waiting || reg.installing;
  if (worker.state !== 'activated') await new Promise((r) => worker.addEventListener('statechange', () => worker.state === 'activated' && r()));
  if (!navigator.serviceWorker.controller) await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
  wt.createServer({ controller: reg });
  wt.add(params.get('magnet'), { announce: [params.get('tracker')] }, (torrent) => {
    mark('metadata');
    torrent.on('done', () => { if (bench.doneAt === null) bench.doneAt = Date.now(); });
    torrent.files[0].streamTo(v);
  });
</script>`;

const SEEDER_PAGE = `<!doctype html><title>Seeder</title><input type="file" data-testid="file">
<script type="module">import WebTorrent from '/webtorrent.min.js'; window.WebTorrent = WebTorrent;</script>`;

// ── a plain origin for WebTorrent's pages and its service worker ─────────────────────────────
const wtPages: Record<string, string> = { '/seeder.html': SEEDER_PAGE, '/viewer.html': WEBTORRENT_VIEWER_HTML };
const wtSite = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (path === '/webtorrent.min.js' || path === '/sw.min.js') {
    res.writeHead(200, { 'content-type': 'text/javascript' });
    res.end(readFileSync(join(WT_DIST, path.slice(1))));
  } else if (path === '/bench-recorder.js') {
    res.writeHead(200, { 'content-type': 'text/javascript' });
    res.end(RECORDER);
  } else {
    res.writeHead(wtPages[path] ? 200 : 404, { 'content-type': 'text/html' });
    res.end(wtPages[path] ?? 'not found');
  }
});
await new Promise<void>((r) => wtSite.listen(0, '127.0.0.1', r));
const WT_ORIGIN = `http://localhost:${(wtSite.address() as AddressInfo).port}`;

// The Tabswarm server serves a copy of the built app with the viewer page beside it (STATIC_DIR).
execFileSync(process.execPath, ['scripts/ensure-built.mjs'], { stdio: 'inherit' });
const staticDir = join(dir, 'static');
cpSync('dist', staticDir, { recursive: true });
writeFileSync(join(staticDir, 'bench-viewer.html'), TABSWARM_VIEWER_HTML);
writeFileSync(join(staticDir, 'bench-recorder.js'), RECORDER);
writeFileSync(join(staticDir, 'bench-tabswarm-viewer.js'), TABSWARM_VIEWER_JS);
process.env.STATIC_DIR = staticDir;
const lab = await startBrowserSwarmLab();

async function freshPage(): Promise<Page> {
  return (await lab.browser.newContext()).newPage();
}

/** A seeder of the video, its upload limited to u_s; returns its page and the magnet link. */
async function seeder(system: StreamSystem): Promise<{ page: Page; magnet: string }> {
  if (system !== 'webtorrent') {
    const page = await lab.newPage('tabswarm', US);
    if (system === 'tabswarm-private') await page.getByTestId('share-private').check();
    await page.getByTestId('share-input').setInputFiles(video);
    const link = await page.getByTestId('share-link').inputValue({ timeout: 120_000 });
    const magnet = decodeURIComponent(link.slice(link.indexOf('#') + 1));
    const infoHash = /btih:([0-9a-f]{40})/.exec(magnet)![1]!;
    await page.evaluate(async ({ infoHash, limit }) => (await (window as any).tabswarm).sessions.get(infoHash).torrent.setLimits({ uploadLimit: limit }), { infoHash, limit: US });
    return { page, magnet };
  }
  const page = await freshPage();
  await page.goto(`${WT_ORIGIN}/seeder.html`);
  await page.waitForFunction(() => (window as any).WebTorrent !== undefined);
  await page.getByTestId('file').setInputFiles(video);
  const magnet = await page.evaluate(
    ({ tracker, limit }) =>
      new Promise<string>((resolve) => {
        const wt = ((window as any).wt = new (window as any).WebTorrent({ uploadLimit: limit, tracker: { rtcConfig: { iceServers: [] } } }));
        const file = (document.querySelector('input') as HTMLInputElement).files![0]!;
        wt.seed(file, { announce: [tracker], pieceLength: 256 * 1024 }, (t: any) => resolve(t.magnetURI));
      }),
    { tracker: lab.tracker, limit: US },
  );
  return { page, magnet };
}

interface ViewerResult {
  firstFrameSeconds: number;
  /** Seconds from navigation to: the swarm started (Tabswarm's widget has its session), the metadata, the video's src, loadedmetadata, canplay (where first-frame time goes). */
  marks: Record<string, number>;
  seekSeconds: number[];
  stallsPerMinute: number;
  doneAt: number;
}

/** One viewer: opens the link, plays, seeks to 25/50/90 % after 1–1.5 s of playback each, and stays until the file is complete. */
async function view(page: Page, url: string, run: number): Promise<ViewerResult> {
  await page.goto(url);
  await page.waitForFunction(() => (window as any).bench.firstFrame !== null, null, { timeout: RUN_TIMEOUT_MS, polling: 50 });
  const seekSeconds: number[] = [];
  for (const [k, p] of SEEKS.entries()) {
    // Playback at the last position first (or the end).
    await page.waitForFunction((play) => { const v = (window as any).benchVideo; return v.ended || v.currentTime > (window as any).bench.lastTarget + play; }, playBeforeSeek(run, k), { timeout: RUN_TIMEOUT_MS, polling: 10 });
    seekSeconds.push(
      await page.evaluate(
        (p) =>
          new Promise<number>((resolve) => {
            const v = (window as any).benchVideo as HTMLVideoElement;
            const t0 = performance.now();
            v.addEventListener('seeked', () => resolve((performance.now() - t0) / 1000), { once: true });
            (window as any).bench.lastTarget = v.duration * p;
            v.currentTime = v.duration * p;
            void v.play().catch(() => {});
          }),
        p,
      ),
    );
  }
  await page.waitForFunction(() => (window as any).bench.doneAt !== null, null, { timeout: RUN_TIMEOUT_MS, polling: 100 });
  const r = await page.evaluate(() => {
    const b = (window as any).bench;
    const until = b.endedAt ?? performance.now();
    return { firstFrame: b.firstFrame as number, waits: b.waits as number, minutes: (until - b.firstFrame) / 60_000, doneAt: b.doneAt as number, marks: b.marks as Record<string, number> };
  });
  const marks = Object.fromEntries(Object.entries(r.marks).map(([k, ms]) => [k, Math.round(ms) / 1000]));
  return { firstFrameSeconds: r.firstFrame / 1000, seekSeconds, stallsPerMinute: r.waits / Math.max(r.minutes, 1 / 60), doneAt: r.doneAt, marks };
}

interface StreamRun {
  viewers: ViewerResult[];
  swarmSeconds: number;
  cpuBusyPct: number;
}

async function streamingRun(system: StreamSystem, n: number, run: number): Promise<StreamRun> {
  const s = await seeder(system);
  const viewers = await Promise.all(Array.from({ length: n }, () => freshPage()));
  const url = system !== 'webtorrent' ? `${lab.origin}/bench-viewer.html?magnet=${encodeURIComponent(s.magnet)}` : `${WT_ORIGIN}/viewer.html?magnet=${encodeURIComponent(s.magnet)}&tracker=${encodeURIComponent(lab.tracker)}`;
  const cpu0 = cpuTimes();
  const start = Date.now();
  const results = await Promise.all(viewers.map((p) => view(p, url, run)));
  const cpu1 = cpuTimes();
  await lab.closeAll([s.page, ...viewers]);
  return { viewers: results, swarmSeconds: (Math.max(...results.map((r) => r.doneAt)) - start) / 1000, cpuBusyPct: (100 * (cpu1.busy - cpu0.busy)) / Math.max(1, cpu1.total - cpu0.total) };
}

async function downloadingRun(system: StreamSystem, n: number): Promise<{ swarmSeconds: number; cpuBusyPct: number }> {
  const s = await seeder(system);
  const kind = system === 'webtorrent' ? 'webtorrent' : 'tabswarm';
  const leechers = await Promise.all(Array.from({ length: n }, () => lab.newPage(kind, 0)));
  const cpu0 = cpuTimes();
  const start = Date.now();
  // A Tabswarm viewer is done when its file is ready to save (a private share's also decrypted), so clear and private end at the same point.
  const results = await Promise.all(leechers.map((l) => lab.download(l, system === 'webtorrent' ? 'webtorrent-rarest' : system, s.magnet, 0, system !== 'webtorrent')));
  const cpu1 = cpuTimes();
  await lab.closeAll([s.page, ...leechers]);
  return { swarmSeconds: (Math.max(...results.map((r) => r.doneAt)) - start) / 1000, cpuBusyPct: (100 * (cpu1.busy - cpu0.busy)) / Math.max(1, cpu1.total - cpu0.total) };
}

type Row = StreamRow;

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;
const rows: Row[] = [];
try {
  for (const n of VIEWERS) {
    const streaming = new Map<StreamSystem, StreamRun[]>(SYSTEMS.map((s) => [s, []]));
    const downloading = new Map<StreamSystem, Array<{ swarmSeconds: number; cpuBusyPct: number }>>(SYSTEMS.map((s) => [s, []]));
    for (let run = 0; run < RUNS; run++) {
      // The systems take turns, starting with a different one each run: none always meets a fresh machine first.
      const order = SYSTEMS.map((_, i) => SYSTEMS[(i + run) % SYSTEMS.length]!);
      for (const system of order) {
        const last = await streamingRun(system, n, run);
        const down = await downloadingRun(system, n);
        streaming.get(system)!.push(last);
        downloading.get(system)!.push(down);
        process.stdout.write(`${system} viewers=${n} run ${run + 1}: first frame ${last.viewers.map((v) => `${v.firstFrameSeconds.toFixed(2)} ${JSON.stringify(v.marks)}`).join('/')} s, seeks ${last.viewers.flatMap((v) => v.seekSeconds.map((s) => s.toFixed(2))).join('/')} s, streaming swarm ${last.swarmSeconds.toFixed(1)} s (CPU ${last.cpuBusyPct.toFixed(0)} %), downloading ${down.swarmSeconds.toFixed(1)} s\n`);
      }
    }
    for (const system of SYSTEMS) {
      const runs = streaming.get(system)!;
      const all = runs.flatMap((r) => r.viewers);
      const sStream = spread(runs.map((r) => r.swarmSeconds));
      const sDown = spread(downloading.get(system)!.map((r) => r.swarmSeconds));
      rows.push({
        system,
        viewers: n,
        firstFrameSeconds: spread(all.map((v) => v.firstFrameSeconds)),
        firstFrameSteps: Object.fromEntries(['session', 'metadata', 'src', 'loadedmetadata', 'canplay'].filter((k) => all.every((v) => k in v.marks)).map((k) => [k, spread(all.map((v) => v.marks[k]!)).median])),
        seekSeconds: spread(all.flatMap((v) => v.seekSeconds)),
        stallsPerMinute: round(spread(all.map((v) => v.stallsPerMinute)).median),
        swarmSecondsStreaming: sStream.median,
        swarmSecondsDownloading: sDown.median,
        streamingOverDp2p: round(sStream.median / D_P2P),
        downloadingOverDp2p: round(sDown.median / D_P2P),
        swarmSecondsStreamingRuns: sStream.runs,
        swarmSecondsDownloadingRuns: sDown.runs,
        cpuBusyPctStreaming: round(spread(runs.map((r) => r.cpuBusyPct)).median, 1),
        cpuBusyPctDownloading: round(spread(downloading.get(system)!.map((r) => r.cpuBusyPct)).median, 1),
      });
    }
  }
} finally {
  await lab.close();
  wtSite.close();
}

// ── the report ──────────────────────────────────────────────────────────────────────────────
const json: StreamResults = {
  machine: machine(),
  commit: COMMIT,
  fileBytes: F,
  videoSeconds: VIDEO_SECONDS,
  seederUploadBytesPerSecond: US,
  dP2pSeconds: round(D_P2P),
  runsPerFigure: RUNS,
  runs: rows,
  goals: streamGoals(rows),
  seekAfter: '1–1.5 s, varied by seek and run',
  tabswarmDownloadEnds: 'file ready to save',
  privateOverClear: privateCosts(rows),
};
writeResults(OUT, json, streamReport(json));
