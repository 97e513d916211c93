/**
 * bench:engine, part one: CPU time per MiB moved by the engine alone, for torrents of 64, 4,096
 * and 16,384 pieces (16 MiB, 1 GiB, 4 GiB). One seeder and three leechers in this process over
 * in-memory transports, all connected, no limits, default choking, SHA-1 from node:crypto; the
 * content is a pattern torrent (lib/pattern-torrent.ts) so 4 GiB needs no 4 GiB of memory. CPU is
 * the process's (user + system) from the leechers' start until the last is done, divided by the
 * MiB the leechers received between them. If per-block and per-piece work do not grow with the
 * piece count, the three figures are alike.
 */
import { createHash } from 'node:crypto';
import type { Sha1 } from '../../shared/sha1.ts';
import { Torrent } from '../../client/engine/torrent.ts';
import { connectAll, peerId } from '../helpers/swarm.ts';
import { PatternStore, patternTorrent } from './lib/pattern-torrent.ts';
import { spread, type Spread } from './lib/report.ts';

const MiB = 1024 * 1024;
const LEECHERS = 3;
const sha1: Sha1 = async (bytes) => new Uint8Array(createHash('sha1').update(bytes).digest());

export interface CpuRun {
  pieces: number;
  mibMoved: number;
  cpuSeconds: number;
  wallSeconds: number;
  cpuMsPerMiB: number;
}

async function runOnce(pieceCount: number): Promise<CpuRun> {
  const t = patternTorrent(pieceCount);
  const make = async (complete: boolean) => {
    const store = new PatternStore(t, complete);
    const torrent = new Torrent({ metainfo: t.meta }, { peerId: peerId(), sha1, openStore: async () => store });
    await torrent.start();
    return { torrent, store };
  };
  const seeder = await make(true);
  const leechers = await Promise.all(Array.from({ length: LEECHERS }, () => make(false)));
  const all = [seeder.torrent, ...leechers.map((l) => l.torrent)];
  try {
    const finished = leechers.map((l) => new Promise<void>((r) => (l.torrent.done ? r() : l.torrent.once('done', r))));
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    connectAll(all);
    await Promise.all(finished);
    const cpu = process.cpuUsage(cpu0);
    const wallSeconds = (performance.now() - wall0) / 1000;
    for (const l of leechers) if (l.store.writes !== pieceCount) throw new Error(`a leecher stored ${l.store.writes} of ${pieceCount} pieces`);
    const mibMoved = leechers.reduce((s, l) => s + l.torrent.stats().downloaded, 0) / MiB;
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    return { pieces: pieceCount, mibMoved, cpuSeconds, wallSeconds, cpuMsPerMiB: (cpuSeconds * 1000) / mibMoved };
  } finally {
    for (const torrent of all) await torrent.destroy();
  }
}

export interface CpuResult {
  pieces: number;
  cpuMsPerMiB: Spread;
  runs: CpuRun[];
}

export async function measureCpu(pieceCounts: number[], runs: number, log: (line: string) => void): Promise<CpuResult[]> {
  const out: CpuResult[] = [];
  // Untimed: the first swarm in a process pays for compiling the engine's hot paths.
  await runOnce(64);
  for (const pieces of pieceCounts) {
    const done: CpuRun[] = [];
    for (let r = 0; r < runs; r++) {
      const run = await runOnce(pieces);
      log(`  ${pieces} pieces, run ${r + 1}: ${run.mibMoved.toFixed(0)} MiB moved in ${run.wallSeconds.toFixed(1)} s, CPU ${run.cpuSeconds.toFixed(2)} s = ${run.cpuMsPerMiB.toFixed(2)} ms/MiB`);
      done.push(run);
    }
    out.push({ pieces, cpuMsPerMiB: spread(done.map((d) => d.cpuMsPerMiB)), runs: done });
  }
  return out;
}
