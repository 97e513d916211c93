/**
 * `npm run sim`: the swarm simulator's scenarios at N = 10, 100 and 1,000 (SIM_N="10,100" for
 * fewer, SIM_SCENARIOS="homogeneous,churn" for some, SIM_BIG_SCENARIOS for those run at N = 1,000), the cross-check against bench:swarm's
 * browser workload, and the report: test/bench/results/sim.{json,md,svg}. SIM_SEED picks the
 * random seed (default 1): the same seed gives the same figures, on any machine.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { machine, measuredCommit, RESULTS_DIR } from '../bench/lib/report.ts';
import { SCENARIO_NAMES, scenario, type ScenarioName } from './scenarios.ts';
import { simulate, type SimResult } from './sim-swarm.ts';
import { crossCheckScenario, writeSimReport, summarise, type ChurnSeedRow, type CrossCheckRow } from './sim-report.ts';

const ns = (process.env.SIM_N ?? '10,100,1000').split(',').map(Number);
const names = (process.env.SIM_SCENARIOS ?? SCENARIO_NAMES.join(',')).split(',') as ScenarioName[];
const seed = Number(process.env.SIM_SEED ?? 1);
/** Scenarios run at N ≥ 1,000 (default: all of them): each takes minutes of wall time there. */
const bigNames = (process.env.SIM_BIG_SCENARIOS ?? names.join(',')).split(',') as ScenarioName[];
for (const n of names) if (!SCENARIO_NAMES.includes(n)) throw new Error(`unknown scenario "${n}": the scenarios are ${SCENARIO_NAMES.join(', ')}`);

const log = (line: string) => process.stdout.write(`${line}\n`);
// The code this run executes: taken now, since a long run may end after the checkout has moved on.
const commit = measuredCommit();
const runs: ReturnType<typeof summarise>[] = [];
const byKey = new Map<string, SimResult>();
const measured = JSON.parse(readFileSync(join(RESULTS_DIR, 'swarm.json'), 'utf8')) as { machine: { date: string }; swarm: Array<{ system: string; N: number; seconds: { median: number }; cpuBusyPct: { median: number } }> };
const crossCheck: CrossCheckRow[] = [];
const started = machine();
// The report is written after every run, so a long run stopped part way keeps what it measured.
const churnSeeds: ChurnSeedRow[] = [];
const write = () => writeSimReport({ machine: started, commit, seed, runs, crossCheck, measuredAt: measured.machine.date, churnSeeds });
/** How many random seeds the churn scenario runs under (below N = 1,000): one run of it is one draw. */
const CHURN_SEEDS = Number(process.env.SIM_CHURN_SEEDS ?? 3);

// The browser benchmark's workload first (seconds of wall time): N = 1, 2, 4, 8, F = 16 MiB, everyone at 1 MiB/s, loopback.
for (const N of [1, 2, 4, 8]) {
  const r = await simulate(crossCheckScenario(N, seed));
  const row = measured.swarm.find((m) => m.system === 'tabswarm' && m.N === N);
  crossCheck.push({ N, simulatedSeconds: r.seconds, measuredSeconds: row?.seconds.median ?? null, measuredCpuBusyPct: row?.cpuBusyPct.median ?? null, dP2p: r.dP2p });
  log(`cross-check N=${N}: simulated ${r.seconds.toFixed(2)} s, measured ${row?.seconds.median ?? '–'} s`);
}

for (const N of ns) {
  for (const name of names) {
    if (N >= 1000 && !bigNames.includes(name)) continue;
    // Each run starts from a collected heap, so its peak memory is its own as far as V8 can tell.
    (globalThis as { gc?: () => void }).gc?.();
    const r = await simulate(scenario(name, N, seed));
    byKey.set(`${name}/${N}`, r);
    const s = summarise(r, name === 'free-riders' ? byKey.get(`homogeneous/${N}`) ?? null : null);
    runs.push(s);
    log(`${name} N=${N}: ${s.seconds.toFixed(1)} s = ${s.ratioToP2p.toFixed(2)} × D_p2p (${s.dP2p.toFixed(1)} s); ${s.finished}/${N} finished; wall ${s.wallSeconds.toFixed(1)} s, RSS ${s.rssMiB.toFixed(0)} MiB (buffers ${s.buffersMiB.toFixed(0)} MiB)`);
    write();
    if (name !== 'churn' || N >= 1000) continue;
    const churnRow = (runSeed: number, r: ReturnType<typeof summarise>): ChurnSeedRow => ({ N, seed: runSeed, finished: r.finished, stuck: r.unfinished, seconds: r.seconds });
    churnSeeds.push(churnRow(seed, s));
    for (let k = 1; k < CHURN_SEEDS; k++) {
      const other = summarise(await simulate(scenario('churn', N, seed + k)), null);
      churnSeeds.push(churnRow(seed + k, other));
      log(`churn N=${N} under seed ${seed + k}: ${other.finished}/${N} finished`);
      write();
    }
  }
}
