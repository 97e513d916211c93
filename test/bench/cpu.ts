/**
 * `npm run bench:cpu` — where the CPU goes when tabs move data, Tabswarm and WebTorrent on the
 * same workload in one run:
 *  - the raw rate of one RTCDataChannel between two contexts (64 KiB messages, buffer kept full):
 *    what this machine's browser can move at all;
 *  - a swarm of 1 seeder + N leechers (N = 8, F = 16 MiB, every upload limited to 1 MiB/s) per
 *    system: CPU seconds of every Chromium thread per MiB delivered to the leechers, split by
 *    process and thread (/proc/<pid>/task/<tid>/stat: the page's main thread, WebRTC's threads,
 *    workers, the browser process, …), the JavaScript time on the pages' main threads (CDP
 *    Performance.getMetrics ScriptDuration), the machine's CPU use, and the time against D_p2p.
 * Each figure: min/median/max of BENCH_RUNS (default 3) runs. The report: cpu.json + cpu.md.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CDPSession, Page } from '@playwright/test';
import { uniformCurves } from '../../shared/theory.ts';
import { startBrowserSwarmLab, type System } from './lib/browser-swarm.ts';
import { byCategory, chromiumThreadCpu, cpuBetween, type ThreadCpu } from './lib/process-cpu.ts';
import { RESULTS_DIR, machine, spread, writeResults } from './lib/report.ts';
import { cpuMarkdown, type CpuResult, type CpuRun } from './lib/cpu-report.ts';
import { selfTimeBySource, type CpuProfile, type SourceShare } from './lib/js-profile.ts';

const MiB = 1024 * 1024;
const F = Number(process.env.BENCH_SWARM_MIB ?? 16) * MiB;
const U = MiB;
const N = Number(process.env.BENCH_CPU_N ?? 8);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const RAW_MIB = Number(process.env.BENCH_LINK_MIB ?? 128);
const SYSTEMS = (process.env.BENCH_SYSTEMS ?? 'tabswarm,webtorrent-rarest').split(',') as System[];

const DIST = fileURLToPath(new URL('../../dist', import.meta.url));
/** Sampling interval of the one leecher profiled in each system's first run (µs). */
const PROFILE_SAMPLING_US = 1000;
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
const previousPath = join(RESULTS_DIR, 'cpu.json');
const previous: CpuResult | null = existsSync(previousPath) ? (JSON.parse(readFileSync(previousPath, 'utf8')) as CpuResult) : null;

/** JavaScript seconds so far on a page's main thread (CDP's ScriptDuration). */
async function scriptSeconds(session: CDPSession): Promise<number> {
  const { metrics } = (await session.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> };
  return metrics.find((m) => m.name === 'ScriptDuration')?.value ?? 0;
}

const lab = await startBrowserSwarmLab();
const { dP2p } = uniformCurves(F, U, U);

try {
  const raw: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    raw.push((await lab.rawChannel(RAW_MIB * MiB)) / (MiB / 1e6));
    process.stdout.write(`raw data channel run ${run + 1}: ${raw.at(-1)!.toFixed(1)} MiB/s\n`);
  }

  const runs: CpuRun[] = [];
  for (const system of SYSTEMS) {
    const perRun: Array<{ seconds: number; cpuBusyPct: number; threads: ThreadCpu[]; script: number; seederMBps: number; connectionsCreated: number }> = [];
    let profile: SourceShare[] = [];
    for (let run = 0; run < RUNS; run++) {
      // The first run also samples one leecher's JavaScript (CDP Profiler), to split it by source file.
      const profiled = run === 0;
      let before = new Map<string, ThreadCpu>();
      let sessions: CDPSession[] = [];
      let script0 = 0;
      let measured: { threads: ThreadCpu[]; script: number } | null = null;
      const r = await lab.swarmRun(system, N, F, U, {
        async beforeStart(pages: Page[]) {
          sessions = await Promise.all(pages.map((p) => p.context().newCDPSession(p)));
          await Promise.all(sessions.map((s) => s.send('Performance.enable')));
          if (profiled) {
            await sessions[1]!.send('Profiler.enable');
            await sessions[1]!.send('Profiler.setSamplingInterval', { interval: PROFILE_SAMPLING_US });
            await sessions[1]!.send('Profiler.start');
          }
          script0 = (await Promise.all(sessions.map(scriptSeconds))).reduce((a, b) => a + b, 0);
          before = chromiumThreadCpu(process.pid);
        },
        async afterDone() {
          const after = chromiumThreadCpu(process.pid);
          if (profiled) {
            const raw = ((await sessions[1]!.send('Profiler.stop')) as { profile: CpuProfile }).profile;
            // BENCH_CPU_PROFILE_DIR keeps the raw profile (open it in Chromium's DevTools) and the per-thread figures.
            if (process.env.BENCH_CPU_PROFILE_DIR) writeFileSync(join(process.env.BENCH_CPU_PROFILE_DIR, `${system}.cpuprofile`), JSON.stringify(raw));
            profile = selfTimeBySource(raw, DIST);
          }
          const script1 = (await Promise.all(sessions.map(scriptSeconds))).reduce((a, b) => a + b, 0);
          measured = { threads: cpuBetween(before, after), script: script1 - script0 };
          if (process.env.BENCH_CPU_PROFILE_DIR && profiled) writeFileSync(join(process.env.BENCH_CPU_PROFILE_DIR, `${system}.threads.json`), JSON.stringify(measured.threads));
        },
      });
      const m = measured as { threads: ThreadCpu[]; script: number } | null;
      if (!m) throw new Error('the run ended without its CPU measurement');
      perRun.push({ seconds: r.seconds, cpuBusyPct: r.cpuBusyPct, seederMBps: r.seederMBps, connectionsCreated: r.connectionsCreated, ...m });
      const total = m.threads.reduce((s, t) => s + t.seconds, 0);
      process.stdout.write(`${system} N=${N} run ${run + 1}: ${r.seconds.toFixed(1)} s (D_p2p ${dP2p(N).toFixed(1)} s), CPU ${r.cpuBusyPct.toFixed(0)} %, Chromium ${total.toFixed(1)} CPU s = ${(total / ((N * F) / MiB)).toFixed(3)} s/MiB delivered, page JS ${m.script.toFixed(1)} s, ${r.connectionsCreated.toFixed(1)} peer connections created per leecher\n`);
    }
    const deliveredMiB = (N * F) / MiB;
    const categories = new Map<string, number[]>();
    for (const pr of perRun) for (const c of byCategory(pr.threads)) categories.set(c.category, [...(categories.get(c.category) ?? []), c.seconds / deliveredMiB]);
    runs.push({
      system: system.startsWith('webtorrent') ? 'webtorrent' : 'tabswarm',
      variant: system,
      N,
      fileBytes: F,
      uploadBytesPerSecond: U,
      cpuSecondsPerMiB: spread(perRun.map((pr) => pr.threads.reduce((s, t) => s + t.seconds, 0) / deliveredMiB)),
      pageScriptSecondsPerMiB: spread(perRun.map((pr) => pr.script / deliveredMiB)),
      byCategorySecondsPerMiB: [...categories].map(([category, v]) => ({ category, secondsPerMiB: spread(v) })).sort((a, b) => b.secondsPerMiB.median - a.secondsPerMiB.median),
      cpuSaturatedPct: spread(perRun.map((pr) => pr.cpuBusyPct)).median,
      cpuBusyPct: spread(perRun.map((pr) => pr.cpuBusyPct)),
      seederMBps: spread(perRun.map((pr) => pr.seederMBps)),
      connectionsCreatedPerLeecher: spread(perRun.map((pr) => pr.connectionsCreated)),
      seconds: spread(perRun.map((pr) => pr.seconds)),
      dP2p: dP2p(N),
      leecherJsBySourceSecondsPerMiB: profile.slice(0, 15).map((s) => ({ source: s.source, secondsPerMiB: Math.round((s.seconds / (F / MiB)) * 10_000) / 10_000 })),
    });
  }

  const result: CpuResult = { machine: { ...machine(), commit: dirty ? `${commit} + uncommitted changes` : commit }, raw: { MiBps: spread(raw).median, spread: spread(raw) }, runs };
  writeResults('cpu', result, cpuMarkdown(result, previous));
} finally {
  await lab.close();
}
process.exit(0);
