/**
 * `npm run bench:heap` — one tab downloading 512 MiB: the peak JS heap of that tab (CDP
 * Runtime.getHeapUsage, sampled every 250 ms) while pieces stream into IndexedDB. The seeder is
 * the headless Node peer (`tabswarm seed`). Goal: ≤ 64 MiB. Three runs, each in a fresh context.
 * Then one tab downloads a 4 GiB file (16,384 pieces) and saves it through the app's own save path
 * (client.saveToFolder, here into the origin-private file system, as a picked folder would be),
 * sampled the same way through both phases: neither may hold the file in memory.
 * BENCH_HEAP_BIG_MIB (default 4096, 0 to skip) sets the large file's size.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { openSync, writeSync, closeSync, mkdtempSync, rmSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type CDPSession } from '@playwright/test';
import { machine, spread, writeResults } from './lib/report.ts';
import { freePort, waitForLine } from '../helpers/process.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../helpers/chromium.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DOWNLOAD_MIB = Number(process.env.BENCH_HEAP_MIB ?? 512);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const GOAL_MIB = 64;
const SAMPLE_MS = 250;
const BIG_MIB = Number(process.env.BENCH_HEAP_BIG_MIB ?? 4096);
/** The large run samples less often: each sample forces two GCs, which would slow a 4 GiB download for nothing. */
const BIG_SAMPLE_MS = 1_000;


execFileSync(process.execPath, ['scripts/ensure-built.mjs'], { cwd: ROOT, stdio: 'inherit' });
const dir = mkdtempSync(join(tmpdir(), 'tabswarm-bench-heap-'));
const port = await freePort();
const server = spawn(process.execPath, ['lib/serve.js'], { cwd: ROOT, env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'inherit'] });
await waitForLine(server, /"event":"listening"/, 'server');

/**
 * Samples a tab's JS heap every `everyMs` until stopped. After a GC, what is left is what the tab
 * really holds; ArrayBuffers are freed by a sweeper that runs after the GC, so collect, give it a
 * moment, and collect again before reading. `phase()` returns the peak since the last call.
 */
function heapSampler(cdp: CDPSession, everyMs: number) {
  let phasePeak = 0;
  let peakWithBuffers = 0;
  let sampling = true;
  const done = (async () => {
    while (sampling) {
      await cdp.send('HeapProfiler.collectGarbage').catch(() => {});
      await new Promise((r) => setTimeout(r, 50));
      await cdp.send('HeapProfiler.collectGarbage').catch(() => {});
      const usage = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number };
      phasePeak = Math.max(phasePeak, usage.usedSize);
      // ArrayBuffer contents live outside the JS heap proper; count them too, to be honest about bytes held.
      peakWithBuffers = Math.max(peakWithBuffers, usage.usedSize + (usage.backingStorageSize ?? 0));
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    /** Peak JS heap (bytes) since the previous call. */
    phase(): number {
      const p = phasePeak;
      phasePeak = 0;
      return p;
    },
    async stop(): Promise<{ peakWithBuffers: number }> {
      sampling = false;
      await done;
      return { peakWithBuffers };
    },
  };
}

const seeders: ChildProcess[] = [];
/** Writes `mib` MiB of random bytes and seeds them with `tabswarm seed`; resolves with the magnet link. */
async function seed(mib: number): Promise<string> {
  const file = join(dir, `bench-${mib}MiB.bin`);
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(16 * 1024 * 1024);
  for (let i = 0; i < mib / 16; i++) writeSync(fd, randomFillSync(chunk));
  closeSync(fd);
  const seeder = spawn(process.execPath, ['bin/tabswarm.js', 'seed', file, '--tracker', `ws://127.0.0.1:${port}`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  seeders.push(seeder);
  seeder.stderr!.resume();
  return (await waitForLine(seeder, /^magnet:\?\S+/, 'seed')).line;
}
const magnet = await seed(DOWNLOAD_MIB);

const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
const peaks: number[] = [];
const peaksWithBuffers: number[] = [];
const seconds: number[] = [];
try {
  for (let run = 0; run < RUNS; run++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await page.goto(`http://localhost:${port}/`);
    await page.waitForFunction(() => (window as any).tabswarm !== undefined);
    await page.evaluate(() => (window as any).tabswarm);
    const sampler = heapSampler(cdp, SAMPLE_MS);
    const start = performance.now();
    await page.evaluate(async (magnet) => {
      const client = await (window as any).tabswarm;
      const session = await client.add(magnet);
      if (!session.torrent.done) await new Promise<void>((resolve) => session.on('done', resolve));
    }, magnet);
    seconds.push((performance.now() - start) / 1000);
    const peak = sampler.phase();
    const { peakWithBuffers } = await sampler.stop();
    peaks.push(peak / 2 ** 20);
    peaksWithBuffers.push(peakWithBuffers / 2 ** 20);
    process.stdout.write(`run ${run + 1}: ${seconds.at(-1)!.toFixed(1)} s, peak JS heap ${peaks.at(-1)!.toFixed(1)} MiB, with ArrayBuffer contents ${peaksWithBuffers.at(-1)!.toFixed(1)} MiB\n`);
    await context.close();
  }
} finally {
  await browser.close();
  for (const s of seeders) s.kill('SIGTERM');
}

interface BigRun { MiB: number; downloadSeconds: number; saveSeconds: number; peakHeapDownloadMiB: number; peakHeapSaveMiB: number; peakWithBuffersMiB: number; savedBytes: number }
let big: BigRun | null = null;
if (BIG_MIB > 0) {
  const bigMagnet = await seed(BIG_MIB);
  // A profile on disk: an off-the-record context keeps IndexedDB in memory with a small quota, and
  // 4 GiB would stop at QUOTA_EXCEEDED. A user's tab stores on disk too.
  const profile = mkdtempSync(join(tmpdir(), 'tabswarm-bench-heap-profile-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await page.goto(`http://localhost:${port}/`);
    await page.waitForFunction(() => (window as any).tabswarm !== undefined);
    const sampler = heapSampler(cdp, BIG_SAMPLE_MS);
    const t0 = performance.now();
    const infoHash = await page.evaluate(async (magnet) => {
      const client = await (window as any).tabswarm;
      const session = await client.add(magnet);
      if (!session.torrent.done) await new Promise<void>((resolve, reject) => {
        session.on('done', resolve);
        session.on('error', (e: Error & { code?: string }) => reject(new Error(`${e.code}: ${e.message}`)));
      });
      return session.torrent.infoHash as string;
    }, bigMagnet);
    const downloadSeconds = (performance.now() - t0) / 1000;
    const peakHeapDownloadMiB = sampler.phase() / 2 ** 20;
    const t1 = performance.now();
    const savedBytes = await page.evaluate(async (infoHash) => {
      const client = await (window as any).tabswarm;
      const folder = await navigator.storage.getDirectory();
      await client.saveToFolder(infoHash, folder);
      const [file] = await client.files(infoHash);
      const saved = await (await folder.getFileHandle(file.path.at(-1))).getFile();
      const size = saved.size;
      await folder.removeEntry(file.path.at(-1));
      await client.remove(infoHash);
      return size as number;
    }, infoHash);
    const saveSeconds = (performance.now() - t1) / 1000;
    const peakHeapSaveMiB = sampler.phase() / 2 ** 20;
    const { peakWithBuffers } = await sampler.stop();
    big = { MiB: BIG_MIB, downloadSeconds, saveSeconds, peakHeapDownloadMiB, peakHeapSaveMiB, peakWithBuffersMiB: peakWithBuffers / 2 ** 20, savedBytes };
    if (savedBytes !== BIG_MIB * 2 ** 20) throw new Error(`saved ${savedBytes} bytes of ${BIG_MIB * 2 ** 20}`);
    process.stdout.write(`${BIG_MIB} MiB: download ${downloadSeconds.toFixed(1)} s (peak JS heap ${big.peakHeapDownloadMiB.toFixed(1)} MiB), save ${saveSeconds.toFixed(1)} s (peak ${big.peakHeapSaveMiB.toFixed(1)} MiB)\n`);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
for (const s of seeders) s.kill('SIGTERM');
server.kill('SIGTERM');
rmSync(dir, { recursive: true, force: true });

const peak = spread(peaks);
const peakBuffers = spread(peaksWithBuffers);
const time = spread(seconds);
const result = { machine: machine(), big, downloadMiB: DOWNLOAD_MIB, peakHeapMiB: peak.median, seconds: time.median, goalMiB: GOAL_MIB, peakHeapWithArrayBuffersMiB: peakBuffers.median, runs: { peakHeapMiB: peak, peakHeapWithArrayBuffersMiB: peakBuffers, seconds: time }, seeder: 'tabswarm seed (Node, @roamhq/wrtc)' };
const m = result.machine;
writeResults(
  'heap',
  result,
  [
    '# Heap benchmark (`npm run bench:heap`)',
    '',
    `${m.cpu}, ${m.cores} cores, ${m.chromium}, Node ${m.node}, ${m.date}.`,
    '',
    `One tab downloads ${DOWNLOAD_MIB} MiB from a headless Node seeder into IndexedDB; the tab's JS heap is sampled every ${SAMPLE_MS} ms through CDP (Runtime.getHeapUsage, after a forced GC so that only live memory counts; the GCs slow the download, so the time here is not a speed figure). ${RUNS} runs, each in a fresh browser context.`,
    '',
    '| figure | min | median | max |',
    '| --- | ---: | ---: | ---: |',
    `| peak JS heap (MiB) | ${peak.min.toFixed(1)} | ${peak.median.toFixed(1)} | ${peak.max.toFixed(1)} |`,
    `| peak JS heap + ArrayBuffer contents (MiB) | ${peakBuffers.min.toFixed(1)} | ${peakBuffers.median.toFixed(1)} | ${peakBuffers.max.toFixed(1)} |`,
    `| download time (s) | ${time.min.toFixed(1)} | ${time.median.toFixed(1)} | ${time.max.toFixed(1)} |`,
    `| rate (MiB/s) | ${(DOWNLOAD_MIB / time.max).toFixed(1)} | ${(DOWNLOAD_MIB / time.median).toFixed(1)} | ${(DOWNLOAD_MIB / time.min).toFixed(1)} |`,
    '',
    `Goal: peak heap ≤ ${GOAL_MIB} MiB — ${peak.max <= GOAL_MIB ? 'met' : peak.median <= GOAL_MIB ? 'met at the median' : 'not met'}.`,
    '',
    '## A 4 GiB file, downloaded and saved',
    '',
    big
      ? [
          `One tab downloads ${big.MiB} MiB (${big.MiB * 4} pieces) into IndexedDB, then saves it with the app's own save path (\`client.saveToFolder\`, into the origin-private file system standing in for a folder the user picked); the saved file has ${big.savedBytes} bytes. One run, sampled the same way every ${BIG_SAMPLE_MS} ms.`,
          '',
          '| phase | seconds | peak JS heap (MiB) |',
          '| --- | ---: | ---: |',
          `| download | ${big.downloadSeconds.toFixed(1)} | ${big.peakHeapDownloadMiB.toFixed(1)} |`,
          `| save | ${big.saveSeconds.toFixed(1)} | ${big.peakHeapSaveMiB.toFixed(1)} |`,
          '',
          `Peak JS heap + ArrayBuffer contents over both phases: ${big.peakWithBuffersMiB.toFixed(1)} MiB. Goal: ≤ ${GOAL_MIB} MiB through both — ${Math.max(big.peakHeapDownloadMiB, big.peakHeapSaveMiB) <= GOAL_MIB ? 'met' : 'not met'}.`,
        ].join('\n')
      : 'Not run this time (BENCH_HEAP_BIG_MIB=0).',
  ].join('\n'),
);
process.exit(0);
