/**
 * `npm run bench:heap` — one tab downloading 512 MiB: the peak JS heap of that tab (CDP
 * Runtime.getHeapUsage, sampled every 100 ms) while pieces stream into IndexedDB. The seeder is
 * the headless Node peer (`tabswarm seed`). Goal: ≤ 64 MiB. Three runs, each in a fresh context.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { openSync, writeSync, closeSync, mkdtempSync, rmSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { machine, spread, writeResults } from './lib/report.ts';
import { freePort } from '../helpers/process.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../helpers/chromium.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DOWNLOAD_MIB = Number(process.env.BENCH_HEAP_MIB ?? 512);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const GOAL_MIB = 64;
const SAMPLE_MS = 250;

function waitForLine(child: ChildProcess, stream: 'stdout' | 'stderr', pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    child[stream]!.on('data', (c: Buffer) => {
      buf += c.toString();
      const m = pattern.exec(buf);
      if (m) resolve(m[0]);
    });
    child.on('exit', (code) => reject(new Error(`process exited (${code}) before printing ${pattern}`)));
  });
}

execFileSync(process.execPath, ['scripts/ensure-built.mjs'], { cwd: ROOT, stdio: 'inherit' });
const dir = mkdtempSync(join(tmpdir(), 'tabswarm-bench-heap-'));
const port = await freePort();
const server = spawn(process.execPath, ['--import', 'tsx', 'signal-server/main.ts'], { cwd: ROOT, env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'inherit'] });
await waitForLine(server, 'stdout', /"event":"listening"/);

const file = join(dir, `bench-${DOWNLOAD_MIB}MiB.bin`);
const fd = openSync(file, 'w');
const chunk = Buffer.alloc(16 * 1024 * 1024);
for (let i = 0; i < DOWNLOAD_MIB / 16; i++) writeSync(fd, randomFillSync(chunk));
closeSync(fd);
const seeder = spawn(process.execPath, ['bin/tabswarm.js', 'seed', file, '--tracker', `ws://127.0.0.1:${port}`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
seeder.stderr!.resume();
const magnet = await waitForLine(seeder, 'stdout', /magnet:\?\S+/);

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
    let peak = 0;
    let peakWithBuffers = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        // After a GC, what is left is what the tab really holds. ArrayBuffers are freed by a sweeper
        // that runs after the GC, so collect, give it a moment, and collect again before reading.
        await cdp.send('HeapProfiler.collectGarbage').catch(() => {});
        await new Promise((r) => setTimeout(r, 50));
        await cdp.send('HeapProfiler.collectGarbage').catch(() => {});
        const usage = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number };
        peak = Math.max(peak, usage.usedSize);
        // ArrayBuffer contents live outside the JS heap proper; count them too, to be honest about bytes held.
        peakWithBuffers = Math.max(peakWithBuffers, usage.usedSize + (usage.backingStorageSize ?? 0));
        await new Promise((r) => setTimeout(r, SAMPLE_MS));
      }
    })();
    const start = performance.now();
    await page.evaluate(async (magnet) => {
      const client = await (window as any).tabswarm;
      const session = await client.add(magnet);
      if (!session.torrent.done) await new Promise<void>((resolve) => session.on('done', resolve));
    }, magnet);
    seconds.push((performance.now() - start) / 1000);
    sampling = false;
    await sampler;
    peaks.push(peak / 2 ** 20);
    peaksWithBuffers.push(peakWithBuffers / 2 ** 20);
    process.stdout.write(`run ${run + 1}: ${seconds.at(-1)!.toFixed(1)} s, peak JS heap ${peaks.at(-1)!.toFixed(1)} MiB, with ArrayBuffer contents ${peaksWithBuffers.at(-1)!.toFixed(1)} MiB\n`);
    await context.close();
  }
} finally {
  await browser.close();
  seeder.kill('SIGTERM');
  server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}

const peak = spread(peaks);
const peakBuffers = spread(peaksWithBuffers);
const time = spread(seconds);
const result = { machine: machine(), downloadMiB: DOWNLOAD_MIB, peakHeapMiB: peak.median, seconds: time.median, goalMiB: GOAL_MIB, peakHeapWithArrayBuffersMiB: peakBuffers.median, runs: { peakHeapMiB: peak, peakHeapWithArrayBuffersMiB: peakBuffers, seconds: time }, seeder: 'tabswarm seed (Node, @roamhq/wrtc)' };
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
  ].join('\n'),
);
process.exit(0);
