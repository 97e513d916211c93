/**
 * `npm run bench:private` — what a private share costs against the same share in the clear, in one
 * run: one seeder and N leechers in their own Chromium contexts, F = 16 MiB, uploads limited to
 * 1 MiB/s, as bench:swarm runs them; the clear and the private share alternate run by run, so both
 * see the same machine. Each leecher's time runs to its file ready to save: the clear one assembled
 * from storage, the private one also decrypted (every record opened and authenticated); the seeder
 * seals before the clock starts, as both hash before it. Also: sealing and opening throughput of the record format alone
 * (WebCrypto AES-256-GCM in Node, 64 MiB). Goal (issue 21): private ≤ 1.05 × clear.
 * BENCH_RUNS (default 3) runs per figure; BENCH_NS (default 1,2,4).
 */
import { uniformCurves } from '../../shared/theory.ts';
import { deriveKeys, newLinkKey, PrivateShare, sealShare, type PrivateManifest } from '../../shared/private/index.ts';
import { startBrowserSwarmLab, type SwarmRun, type System } from './lib/browser-swarm.ts';
import { machine, measuredCommit, spread, writeResults, type Spread } from './lib/report.ts';

const COMMIT = measuredCommit();
const MiB = 1024 * 1024;
const F = Number(process.env.BENCH_SWARM_MIB ?? 16) * MiB;
const U = MiB;
const NS = (process.env.BENCH_NS ?? '1,2,4').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CRYPTO_MIB = 64;
/** Above this share of CPU over a run, its time says more about the machine than the limits. */
const CPU_BOUND_PCT = 90;
const GOAL_RATIO = 1.05;

interface Row {
  N: number;
  clear: Spread;
  private: Spread;
  ratio: number;
  dP2p: number;
  cpuBusyPct: { clear: Spread; private: Spread };
}

async function cryptoThroughput(): Promise<{ sealMiBps: number; openMiBps: number }> {
  const keys = await deriveKeys(newLinkKey());
  const data = new Uint8Array(CRYPTO_MIB * MiB);
  for (let i = 0; i < data.length; i += 65_536) crypto.getRandomValues(data.subarray(i, i + 65_536));
  const manifest: PrivateManifest = { name: 'bench.bin', multiFile: false, files: [{ path: ['bench.bin'], length: data.length }] };
  let t = performance.now();
  const parts: Uint8Array[] = [];
  for await (const r of sealShare({ manifest, content: keys.content, contents: [async function* () { yield data; }] })) parts.push(r);
  const sealS = (performance.now() - t) / 1000;
  const sealed = Buffer.concat(parts);
  const share = await PrivateShare.open({ length: sealed.length, read: async (o, l) => sealed.subarray(o, o + l) }, keys.content);
  t = performance.now();
  let n = 0;
  for await (const c of share.fileChunks(0)) n += c.length;
  const openS = (performance.now() - t) / 1000;
  if (n !== data.length) throw new Error('opened a different length than sealed');
  return { sealMiBps: Math.round((CRYPTO_MIB / sealS) * 10) / 10, openMiBps: Math.round((CRYPTO_MIB / openS) * 10) / 10 };
}

const crypto64 = await cryptoThroughput();
process.stdout.write(`record format in Node: seal ${crypto64.sealMiBps} MiB/s, open ${crypto64.openMiBps} MiB/s\n`);

const lab = await startBrowserSwarmLab();
const { dP2p } = uniformCurves(F, U, U);
const rows: Row[] = [];
try {
  for (const n of NS) {
    const runs: Record<'clear' | 'private', SwarmRun[]> = { clear: [], private: [] };
    for (let run = 0; run < RUNS; run++) {
      // Alternating, and in a different order each run: neither kind always goes first.
      const order: Array<['clear' | 'private', System]> = run % 2 === 0 ? [['clear', 'tabswarm'], ['private', 'tabswarm-private']] : [['private', 'tabswarm-private'], ['clear', 'tabswarm']];
      for (const [kind, system] of order) {
        const r = await lab.swarmRun(system, n, F, U, { untilFile: true });
        runs[kind].push(r);
        process.stdout.write(`${kind} N=${n} run ${run + 1}: ${r.seconds.toFixed(2)} s (D_p2p ${dP2p(n).toFixed(1)} s), CPU ${r.cpuBusyPct.toFixed(0)} %\n`);
      }
    }
    const clear = spread(runs.clear.map((r) => r.seconds));
    const priv = spread(runs.private.map((r) => r.seconds));
    rows.push({ N: n, clear, private: priv, ratio: Math.round((priv.median / clear.median) * 1000) / 1000, dP2p: dP2p(n), cpuBusyPct: { clear: spread(runs.clear.map((r) => r.cpuBusyPct)), private: spread(runs.private.map((r) => r.cpuBusyPct)) } });
  }
} finally {
  await lab.close();
}

const m = machine();
const f = (s: Spread, d = 2) => `${s.median.toFixed(d)} (${s.min.toFixed(d)}–${s.max.toFixed(d)})`;
const md = [
  '# Private shares: cost against the same share in the clear',
  '',
  `Measured by \`npm run bench:private\` at commit ${COMMIT}, ${m.date}, on ${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.chromium ?? 'Chromium ?'}.`,
  `Every figure: median (min–max) of ${RUNS} runs. F = ${F / MiB} MiB, one seeder and N leechers, every upload limited to ${U / MiB} MiB/s, each peer in its own Chromium context on loopback; clear and private runs alternate.`,
  'Each leecher finishes when its file is ready to save: assembled from storage, and for the private share also decrypted (every record opened and authenticated). Sealing (like hashing) happens before the clock starts.',
  '',
  '| N | clear (s) | private (s) | private ÷ clear | D_p2p (s) | CPU busy, clear / private (%) |',
  '| --- | --- | --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.N} | ${f(r.clear)} | ${f(r.private)} | ${r.ratio.toFixed(3)}${r.ratio <= GOAL_RATIO ? '' : ' (over the goal)'} | ${r.dP2p.toFixed(1)} | ${f(r.cpuBusyPct.clear, 0)} / ${f(r.cpuBusyPct.private, 0)}${Math.max(r.cpuBusyPct.clear.median, r.cpuBusyPct.private.median) > CPU_BOUND_PCT ? ' — CPU-bound' : ''} |`),
  '',
  `Record format alone (WebCrypto AES-256-GCM in Node ${m.node}, ${CRYPTO_MIB} MiB, one record at a time): seal ${crypto64.sealMiBps} MiB/s, open ${crypto64.openMiBps} MiB/s.`,
  '',
  `Goal (issue 21): private ≤ ${GOAL_RATIO} × clear. ${rows.every((r) => r.ratio <= GOAL_RATIO) ? 'Met at every N measured.' : `Not met at N = ${rows.filter((r) => r.ratio > GOAL_RATIO).map((r) => r.N).join(', ')}.`} bench:stream with a private share is not measured yet.`,
].join('\n');
writeResults('private', { commit: COMMIT, machine: m, fileBytes: F, uploadBytesPerS: U, runs: RUNS, swarm: rows, recordFormatNode: { mib: CRYPTO_MIB, ...crypto64 }, goalRatio: GOAL_RATIO }, md);
process.exit(0);
