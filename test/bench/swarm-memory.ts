/**
 * `npm run bench:swarm:memory` — bench:swarm's workload on the engine alone: one initial seeder and
 * N leechers in one Node process over in-memory transports (no WebRTC, no tracker, no IndexedDB,
 * SHA-1 from node:crypto), every peer connected to every other, uploads limited to u_s = u_i =
 * 1 MiB/s by the engine's limiter, real time and the default 10 s / 30 s choking. What the swarm
 * takes here is what piece picking, choking and upload order cost on their own; the gap to
 * bench:swarm is what the browser adds. Each figure: min/median/max of BENCH_RUNS (default 3).
 */
import { createHash } from 'node:crypto';
import { uniformCurves } from '../../shared/theory.ts';
import type { Sha1 } from '../../shared/sha1.ts';
import type { Torrent } from '../../client/engine/torrent.ts';
import { connectAll, makeContent, makePeer, makeSeeder, sha256, storedBytes, waitDone } from '../helpers/swarm.ts';
import { machine, spread, writeResults, type Spread } from './lib/report.ts';

const MiB = 1024 * 1024;
const F = Number(process.env.BENCH_SWARM_MIB ?? 16) * MiB;
const U = MiB;
const NS = (process.env.BENCH_NS ?? '1,2,4,8').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** A run that has not finished by then has stalled: the bench reports it rather than wait forever. */
const RUN_TIMEOUT_MS = 30 * (F / U) * 1000;

const sha1: Sha1 = async (bytes) => new Uint8Array(createHash('sha1').update(bytes).digest());
const { dP2p, dCs } = uniformCurves(F, U, U);

interface Run {
  /** Leechers' start to the last one done. */
  seconds: number;
  /** Leechers' start to the moment they held every piece between them (the seeder's first pass). */
  firstPassSeconds: number;
  seederMiB: number;
}

async function run(n: number): Promise<Run> {
  const { data, meta } = await makeContent(F);
  const limit = { uploadLimit: U };
  const seeder = await makeSeeder(meta, data, { ...limit, superSeed: true });
  const leechers = await Promise.all(Array.from({ length: n }, () => makePeer({ metainfo: meta }, limit, undefined, sha1)));
  const all: Torrent[] = [seeder.torrent, ...leechers.map((l) => l.torrent)];
  const start = Date.now();
  let firstPassAt = 0;
  // Pieces held by some leecher, checked as each one is verified.
  const held = new Set<number>();
  for (const l of leechers) {
    l.torrent.on('piece', (i) => {
      held.add(i);
      if (!firstPassAt && held.size === meta.pieceCount) firstPassAt = Date.now();
    });
  }
  connectAll(all);
  // waitDone's timeout message carries the stalled leecher's stats.
  const finished = leechers.map((l) => waitDone(l.torrent, RUN_TIMEOUT_MS).then(() => Date.now()));
  try {
    const doneAt = Math.max(...(await Promise.all(finished)));
    for (const l of leechers) if (sha256(storedBytes(l.store, meta)) !== sha256(data)) throw new Error(`N=${n}: a leecher's bytes do not match`);
    return { seconds: (doneAt - start) / 1000, firstPassSeconds: (firstPassAt - start) / 1000, seederMiB: seeder.torrent.stats().uploaded / MiB };
  } finally {
    for (const t of all) await t.destroy();
  }
}

const rows: Array<{ N: number; fileBytes: number; us: number; ui: number; seconds: Spread; firstPassSeconds: Spread; seederMiB: Spread; dP2p: number; dCs: number; ratioToP2p: number }> = [];
for (const n of NS) {
  const runs: Run[] = [];
  for (let k = 0; k < RUNS; k++) {
    runs.push(await run(n));
    const r = runs.at(-1)!;
    process.stdout.write(`memory N=${n} run ${k + 1}: ${r.seconds.toFixed(2)} s (first pass ${r.firstPassSeconds.toFixed(2)} s, D_p2p ${dP2p(n).toFixed(1)} s), seeder sent ${r.seederMiB.toFixed(1)} MiB\n`);
  }
  const seconds = spread(runs.map((r) => r.seconds));
  rows.push({
    N: n,
    fileBytes: F,
    us: U,
    ui: U,
    seconds,
    firstPassSeconds: spread(runs.map((r) => r.firstPassSeconds)),
    seederMiB: spread(runs.map((r) => r.seederMiB)),
    dP2p: dP2p(n),
    dCs: dCs(n),
    ratioToP2p: Math.round((seconds.median / dP2p(n)) * 1000) / 1000,
  });
}

const m = machine();
const f2 = (s: Spread) => `${s.min.toFixed(2)} / ${s.median.toFixed(2)} / ${s.max.toFixed(2)}`;
writeResults('swarm-memory', { machine: m, swarm: rows }, [
  '# Swarm on the engine alone (`npm run bench:swarm:memory`)',
  '',
  `${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.date}. One initial seeder and N leechers in one process over in-memory transports, every peer connected to every other; no WebRTC, tracker or IndexedDB. ${RUNS} runs per figure (min / median / max).`,
  '',
  `F = ${F / MiB} MiB, u_s = u_i = ${U / MiB} MiB/s (the engine's limiter), downloads unlimited, default choking (10 s rechoke, 30 s optimistic).`,
  '',
  '| N | last leecher done, s | median / D_p2p | leechers hold every piece, s | D_p2p | D_cs | seeder sent, MiB |',
  '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map((r) => `| ${r.N} | ${f2(r.seconds)} | ${r.ratioToP2p.toFixed(2)} | ${f2(r.firstPassSeconds)} | ${r.dP2p.toFixed(1)} | ${r.dCs.toFixed(1)} | ${r.seederMiB.median.toFixed(1)} |`),
  '',
  'The gap between this and `swarm.md` (the same workload in browser tabs) is what the browser adds to each hop; see the findings there.',
].join('\n'));
process.exit(0);
