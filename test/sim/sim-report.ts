/** The simulator's report: each run summarised, the goals checked, sim.json + sim.md + sim.svg written. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { swarmPlot } from '../../shared/distribution-plot.ts';
import { uniformCurves } from '../../shared/theory.ts';
import { RESULTS_DIR, runNoteLines, writeResults, type machine } from '../bench/lib/report.ts';
import { freeRiderCeiling } from './free-rider-bound.ts';
import { scenario } from './scenarios.ts';
import type { Scenario, SimResult } from './sim-swarm.ts';

const MiB = 1024 * 1024;

export interface RunSummary {
  scenario: string;
  N: number;
  fileMiB: number;
  /** From the seeder's start to the last staying peer's finish. */
  seconds: number;
  dP2p: number;
  dCs: number;
  ratioToP2p: number;
  /** Whether D_p2p bounds this run (everyone present from the start, nobody leaving). */
  boundApplies: boolean;
  finished: number;
  /** Peers that stayed to the end but did not finish (the file was lost to the swarm, or time ran out). */
  unfinished: number;
  seedUtilisation: number | null;
  allPiecesOutSeconds: number | null;
  peerUtilisation: number;
  /** Median seconds from arrival to finish: contributors, free-riders. */
  medianDownloadSeconds: { contributors: number | null; freeRiders: number | null };
  /** Contributors' median download time against the same N's homogeneous run (no free-riders): +0.03 = 3 % slower. */
  contributorsLossVsNoFreeRiders: number | null;
  /** Piece copies among peers over time (min / median / max), thinned to at most 40 samples. */
  copies: SimResult['copies'];
  events: number;
  wallSeconds: number;
  rssMiB: number;
  buffersMiB: number;
  /** The whole swarm's upload utilisation, per 5 s of virtual time. */
  utilisation: number[];
}

export interface CrossCheckRow {
  N: number;
  simulatedSeconds: number;
  measuredSeconds: number | null;
  measuredCpuBusyPct: number | null;
  dP2p: number;
}

export interface SimReport {
  machine: ReturnType<typeof machine>;
  commit: string;
  seed: number;
  runs: RunSummary[];
  crossCheck: CrossCheckRow[];
  /** When bench:swarm's compared figures were measured. */
  measuredAt: string;
  /** The churn scenario again under other random seeds (the first is the table's). */
  churnSeeds?: ChurnSeedRow[];
  /** What the person who ran it knows of its conditions (added to sim.json by hand, then `npm run sim:report`). */
  runNote?: string;
}

/** One churn swarm under one random seed: how many of its peers finished. */
export interface ChurnSeedRow {
  N: number;
  seed: number;
  finished: number;
  /** Peers still there, unfinished, when nothing more could move (a piece lost with the seed). */
  stuck: number;
  seconds: number;
}

/** Every churn swarm's fate, by N: finished counts per seed and their mean. */
export function churnSeedLines(rows: readonly ChurnSeedRow[]): string[] {
  const byN = new Map<number, ChurnSeedRow[]>();
  for (const r of rows) byN.set(r.N, [...(byN.get(r.N) ?? []), r]);
  return [...byN].sort(([a], [b]) => a - b).map(([N, rs]) => {
    const mean = rs.reduce((sum, r) => sum + r.finished, 0) / rs.length;
    return `- N = ${N}: ${rs.map((r) => `${r.finished}${r.stuck ? ` (${r.stuck} stuck)` : ''}`).join(', ')} of ${N} finished under seeds ${rs.map((r) => r.seed).join(', ')}; mean ${mean.toFixed(1)}`;
  });
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

export function summarise(r: SimResult, noFreeRiders: SimResult | null): RunSummary {
  const times = (free: boolean) => r.peers.filter((p) => p.freeRider === free && p.finishedMs !== null).map((p) => (p.finishedMs! - p.arrivalMs) / 1000);
  const contributors = median(times(false));
  const baseline = noFreeRiders ? median(noFreeRiders.peers.filter((p) => p.finishedMs !== null).map((p) => (p.finishedMs! - p.arrivalMs) / 1000)) : null;
  const step = Math.max(1, Math.ceil(r.copies.length / 40));
  const boundApplies = r.peers.every((p) => p.arrivalMs === 0) && r.peers.every((p) => p.leftMs === null || p.finishedMs !== null);
  return {
    scenario: r.name,
    N: r.N,
    fileMiB: r.fileBytes / MiB,
    seconds: round(r.seconds),
    dP2p: round(r.dP2p),
    dCs: round(r.dCs),
    ratioToP2p: round(r.seconds / r.dP2p),
    boundApplies,
    finished: r.peers.filter((p) => p.finishedMs !== null).length,
    unfinished: r.peers.filter((p) => p.finishedMs === null && p.leftMs === null).length,
    seedUtilisation: r.seedUtilisation === null ? null : round(r.seedUtilisation),
    allPiecesOutSeconds: r.allPiecesOutMs === null ? null : round(r.allPiecesOutMs / 1000),
    peerUtilisation: round(r.peerUtilisation),
    medianDownloadSeconds: { contributors: contributors === null ? null : round(contributors), freeRiders: median(times(true)) === null ? null : round(median(times(true))!) },
    contributorsLossVsNoFreeRiders: contributors !== null && baseline !== null && r.peers.some((p) => p.freeRider) ? round(contributors / baseline - 1) : null,
    copies: r.copies.filter((_, i) => i % step === 0),
    events: r.events,
    wallSeconds: round(r.wallSeconds, 1),
    rssMiB: Math.round(r.rssMiB),
    buffersMiB: Math.round(r.buffersMiB),
    utilisation: r.utilisation.map((u) => round(u.all, 2)),
  };
}

/** bench:swarm's workload as the simulator sees it: loopback latency, downloads unlimited by the limiter. */
export function crossCheckScenario(N: number, randomSeed: number): Scenario {
  const link = { upBps: 1 * MiB, downBps: 1000 * MiB, latencyMs: 0.5 };
  return {
    name: `cross-check-${N}`,
    fileBytes: 16 * MiB,
    seed: link,
    peers: Array.from({ length: N }, () => ({ ...link, arrivalMs: 0, freeRider: false, leavesAt: null })),
    leaveWhenDone: false,
    seedLeavesAfterBytes: null,
    randomSeed,
  };
}

const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(0)} %`);
const num = (x: number | null, d = 1) => (x === null ? '–' : x.toFixed(d));

function goals(report: SimReport): string[] {
  const run = (s: string, n: number) => report.runs.find((r) => r.scenario === s && r.N === n);
  const maxN = Math.max(...report.runs.map((r) => r.N));
  const lines: string[] = [];
  const say = (goal: string, met: boolean | null, detail: string) => lines.push(`- ${goal}: ${met === null ? 'not run' : met ? '**met**' : '**not met**'} (${detail})`);
  const homo = run('homogeneous', 1000);
  say('Homogeneous, N = 1,000: ≤ 1.10 × D_p2p', homo ? homo.ratioToP2p <= 1.1 : null, homo ? `${homo.ratioToP2p.toFixed(2)} ×` : `largest N run: ${maxN}`);
  const het = run('heterogeneous', 1000);
  say('Heterogeneous, N = 1,000: ≤ 1.20 × D_p2p', het ? het.ratioToP2p <= 1.2 : null, het ? `${het.ratioToP2p.toFixed(2)} ×` : `largest N run: ${maxN}`);
  const seeds = report.runs.filter((r) => r.boundApplies && r.seedUtilisation !== null);
  const worstSeed = seeds.length ? Math.min(...seeds.map((r) => r.seedUtilisation!)) : null;
  say('Seed upload utilisation ≥ 95 % until every piece is out (flash-crowd runs)', worstSeed === null ? null : worstSeed >= 0.95, `lowest ${pct(worstSeed)}`);
  for (const fr of report.runs.filter((r) => r.scenario === 'free-riders')) {
    const later = fr.medianDownloadSeconds.freeRiders !== null && fr.medianDownloadSeconds.contributors !== null ? fr.medianDownloadSeconds.freeRiders / fr.medianDownloadSeconds.contributors : null;
    const loss = fr.contributorsLossVsNoFreeRiders;
    const ceiling = freeRiderCeiling(scenario('free-riders', fr.N));
    const attainable = ceiling ? `; with no upload left idle, at most ${ceiling.ratio.toFixed(2)} × is possible in this scenario (free-rider-bound.ts)` : '';
    say(`Free-riders, N = ${fr.N}: they finish ≥ 1.5 × later (median) while contributors lose ≤ 5 %`, later !== null && loss !== null ? later >= 1.5 && loss <= 0.05 : null, `free-riders ${num(later, 2)} × later, contributors ${loss === null ? '–' : `${(loss * 100).toFixed(1)} %`} slower than with none${attainable}`);
  }
  const big = report.runs.filter((r) => r.N === 1000);
  const worstWall = big.length ? Math.max(...big.map((r) => r.wallSeconds)) : null;
  const worstRss = big.length ? Math.max(...big.map((r) => r.rssMiB)) : null;
  say('N = 1,000 simulates in ≤ 10 min wall time, ≤ 4 GiB RSS', worstWall === null ? null : worstWall <= 600 && worstRss! <= 4096, worstWall === null ? `largest N run: ${maxN}` : `slowest ${num(worstWall)} s, largest RSS ${worstRss} MiB`);
  return lines;
}

export function simMarkdown(report: SimReport): string {
  const m = report.machine;
  const lines = [
    '# The swarm simulator (`npm run sim`)',
    '',
    `${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.date}, commit ${report.commit}, random seed ${report.seed}. Every figure below is from this run; times are virtual (the simulated swarm's clock), except "wall", the time the simulation itself took.`,
    '',
    ...runNoteLines(report.runNote),
    "Each peer is the engine's real Torrent (picker, choker, requester, uploader and wire codec) on a virtual clock, over simulated links: every peer's upload and download capacity shared max-min fairly among the connections with bytes waiting (what one end cannot take goes to the others), 50 ms round trips, 10 ms steps (test/sim/). Peers meet as our tracker client makes them: five offers per announce to random peers, again after 5, 10, 20… s while short of peers. F = 64 MiB in 256 KiB pieces; the seeder uses initial seeding, as a new share does.",
    '',
    '| scenario | N | seconds | × D_p2p | D_p2p | finished | seed utilisation (until every piece out) | peers\' utilisation | median download s (contributors / free-riders) | events | wall s | peak RSS MiB (of it buffers) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...report.runs.map((r) => `| ${r.scenario} | ${r.N} | ${num(r.seconds)} | ${r.boundApplies ? r.ratioToP2p.toFixed(2) : `(${r.ratioToP2p.toFixed(2)})`} | ${num(r.dP2p)} | ${r.finished}${r.unfinished ? ` (${r.unfinished} stuck)` : ''} | ${pct(r.seedUtilisation)} | ${pct(r.peerUtilisation)} | ${num(r.medianDownloadSeconds.contributors)} / ${num(r.medianDownloadSeconds.freeRiders)} | ${r.events} | ${num(r.wallSeconds)} | ${r.rssMiB} (${r.buffersMiB}) |`),
    '',
    'Peak RSS is the simulating process\'s, sampled every 5 s of virtual time (the heap is collected before each run, but a process keeps some memory it once used); buffers are the ArrayBuffers among it: blocks queued on links, pieces being assembled.',
    '',
    'A ratio in brackets is for a run D_p2p does not bound (arrivals spread over time, or peers leaving before they finish): it compares with the flash-crowd bound only for scale.',
    '',
    '![simulated distribution time against N, with the bounds](sim.svg)',
    '',
    '## Goals',
    '',
    ...goals(report),
    '',
    '## Piece copies over time (does rarest-first keep them even?)',
    '',
    ...report.runs.filter((r) => r.scenario === 'homogeneous').map((r) => `- N = ${r.N}: ${r.copies.map((c) => `${(c.atMs / 1000).toFixed(0)} s ${c.min}/${c.median}/${c.max}`).join(', ')} (min / median / max copies of a piece among the peers)`),
    '',
    `## Cross-check against the browsers (bench:swarm, measured ${report.measuredAt})`,
    '',
    '| N | simulated s | measured s (median) | difference | machine CPU busy in the browser run |',
    '| ---: | ---: | ---: | ---: | ---: |',
    ...report.crossCheck.map((c) => `| ${c.N} | ${c.simulatedSeconds.toFixed(2)} | ${num(c.measuredSeconds, 2)} | ${c.measuredSeconds === null ? '–' : `${(((c.measuredSeconds - c.simulatedSeconds) / c.simulatedSeconds) * 100).toFixed(0)} %`} | ${c.measuredCpuBusyPct === null ? '–' : `${c.measuredCpuBusyPct.toFixed(0)} %`} |`),
    '',
    'Where the browsers ran CPU-bound (busy ≥ 90 %), the measured time is the CPU\'s, which the simulator does not model (it gives every step all the CPU it needs); the difference there is how much the CPU cost, not an error of the model.',
    ...(report.churnSeeds?.length
      ? [
          '',
          '## Churn under several random seeds',
          '',
          'Peers leave once done and the seed after uploading 1.5 × F, so a churn swarm lives or dies by whether every piece is still among the peers when the seed goes: one run is one draw. The same scenario under other seeds (times virtual; "stuck": still there, unfinished, with a piece nobody left holds):',
          '',
          ...churnSeedLines(report.churnSeeds),
        ]
      : []),
  ];
  return lines.join('\n');
}

/** Where the classroom view reads the simulated curve from (generated here, committed with the results). */
export const DEMO_CURVE_FILE = fileURLToPath(new URL('../../client/demo/simulated-swarm.ts', import.meta.url));

/** The demo's copy of the homogeneous runs: time over D_p2p at each N, with where it came from. */
export function demoCurveModule(report: SimReport): string {
  const homo = report.runs.filter((r) => r.scenario === 'homogeneous' && r.finished === r.N).sort((a, b) => a.N - b.N);
  const data = { commit: report.commit, date: report.machine.date, fileMiB: homo[0]?.fileMiB ?? 0, points: homo.map((r) => ({ N: r.N, ratioToP2p: r.ratioToP2p })) };
  return [
    '/**',
    ' * Generated by `npm run sim` (test/sim/sim-report.ts): do not edit. The simulator\'s homogeneous',
    ' * swarms (every upload equal, 50 ms round trips), as distribution time over D_p2p at each N, for',
    ' * the classroom view to draw beside its real-browser runs, labelled as simulated.',
    ' */',
    `export const SIMULATED_SWARM: { commit: string; date: string; fileMiB: number; points: Array<{ N: number; ratioToP2p: number }> } = ${JSON.stringify(data, null, 2)};`,
    '',
  ].join('\n');
}

export function writeSimReport(report: SimReport): void {
  writeResults('sim', report, simMarkdown(report));
  const homo = report.runs.filter((r) => r.scenario === 'homogeneous');
  if (homo.length === 0) return;
  writeFileSync(DEMO_CURVE_FILE, demoCurveModule(report));
  const F = homo[0]!.fileMiB * MiB;
  const rows = homo.map((r) => ({ system: 'simulated (homogeneous)', N: r.N, seconds: { min: r.seconds, median: r.seconds, max: r.seconds } }));
  const maxSeconds = Math.max(...homo.map((r) => r.seconds)) * 2;
  writeFileSync(join(RESULTS_DIR, 'sim.svg'), swarmPlot(rows, uniformCurves(F, MiB, MiB), { logN: true, maxSeconds }));
}
