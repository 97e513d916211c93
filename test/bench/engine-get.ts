/**
 * bench:engine, part three: one `tabswarm get` downloading a 4 GiB file (16,384 pieces) from one
 * `tabswarm seed` over real WebRTC (@roamhq/wrtc), with the get command's peak resident memory
 * (VmHWM from /proc, of the command and the worker it supervises together) — the headless peer
 * must not hold a download in memory. The file is a pattern
 * torrent's content (lib/pattern-torrent.ts) written to disk; the get verifies every piece's SHA-1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../helpers/cli.ts';
import { spawnServer, waitForLine } from '../helpers/process.ts';
import { patternTorrent, writePatternFile } from './lib/pattern-torrent.ts';
import { descendants } from './lib/process-cpu.ts';
import { processRssKiB } from './lib/proc-memory.ts';

const MiB = 1024 * 1024;
const RUN_TIMEOUT_MS = 30 * 60_000;

export interface GetRun {
  pieces: number;
  GiB: number;
  seconds: number;
  MiBps: number;
  /** Peak resident set of the get command: its worker's peak plus the supervising process's, MiB. */
  peakRssMiB: number;
}

/** Peak (a sum of each process's own peak: an upper bound) and current resident set of a process and its descendants, KiB. */
function treeRssKiB(root: number): { peak: number; now: number } {
  let peak = 0;
  let now = 0;
  for (const pid of descendants(root)) {
    try {
      const r = processRssKiB(pid);
      peak += r.peak;
      now += r.now;
    } catch {
      // gone between the listing and the read
    }
  }
  return { peak, now };
}

export async function measureGet(pieceCount: number, log: (line: string) => void): Promise<GetRun> {
  const work = mkdtempSync(join(tmpdir(), 'tabswarm-bench-get-'));
  const server = await spawnServer();
  const tracker = `ws://127.0.0.1:${server.port}`;
  const children: ChildProcess[] = [];
  try {
    const t = patternTorrent(pieceCount, 'big.bin');
    const src = join(work, 'src');
    mkdirSync(src);
    log(`  writing ${(t.meta.length / 2 ** 30).toFixed(1)} GiB to disk…`);
    await writePatternFile(t, join(src, 'big.bin'));
    writeFileSync(join(work, 'big.torrent'), t.torrentBytes);
    const seed = spawn(process.execPath, [CLI, 'seed', join(src, 'big.bin'), '--torrent', join(work, 'big.torrent'), '--tracker', tracker], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(seed);
    log('  seeder checking its copy…');
    const magnet = (await waitForLine(seed, /^magnet:/, 'seed')).line;
    const out = join(work, 'out');
    mkdirSync(out);
    const t0 = performance.now();
    const get = spawn(process.execPath, [CLI, 'get', magnet, '-o', out, '--tracker', tracker, '--seed', '--timeout', '120'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(get);
    let peakSeen = 0;
    const sampler = setInterval(() => {
      try {
        peakSeen = Math.max(peakSeen, treeRssKiB(get.pid!).now);
      } catch {
        // exited: the final read below says so
      }
    }, 500);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`4 GiB get not done within ${RUN_TIMEOUT_MS} ms`)), RUN_TIMEOUT_MS)));
    await Promise.race([waitForLine(get, /^saved /, 'get'), timeout]);
    clearTimeout(timer);
    clearInterval(sampler);
    const seconds = (performance.now() - t0) / 1000;
    // Still running (--seed): the kernel's high-water mark covers the whole download.
    const peakRssMiB = Math.max(treeRssKiB(get.pid!).peak, peakSeen) / 1024;
    const size = statSync(join(out, 'big.bin')).size;
    if (size !== t.meta.length) throw new Error(`saved ${size} bytes, expected ${t.meta.length}`);
    return { pieces: pieceCount, GiB: t.meta.length / 2 ** 30, seconds, MiBps: t.meta.length / MiB / seconds, peakRssMiB };
  } finally {
    for (const c of children) c.kill('SIGKILL');
    server.child.kill('SIGKILL');
    await server.exited;
    rmSync(work, { recursive: true, force: true });
  }
}
