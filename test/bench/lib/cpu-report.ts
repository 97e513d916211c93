/**
 * bench:cpu's report: cpu.json → cpu.md, every sentence computed from the run it describes; an
 * earlier run (the cpu.json this one replaces) is quoted with its commit and date.
 */
import { CPU_BOUND_PCT } from './swarm-report.ts';
import type { Spread, machine } from './report.ts';

export interface CpuRun {
  system: 'tabswarm' | 'webtorrent';
  /** The exact configuration (e.g. webtorrent-rarest: WebTorrent with its rarest-first strategy). */
  variant: string;
  N: number;
  fileBytes: number;
  uploadBytesPerSecond: number;
  /** CPU seconds of every Chromium thread per MiB delivered to the leechers (N·F). */
  cpuSecondsPerMiB: Spread;
  /** JavaScript on the pages' main threads (CDP ScriptDuration), per MiB delivered. */
  pageScriptSecondsPerMiB: Spread;
  byCategorySecondsPerMiB: Array<{ category: string; secondsPerMiB: Spread }>;
  /** The machine's CPU use over the run, % of all cores (median of the runs). */
  cpuSaturatedPct: number;
  cpuBusyPct: Spread;
  seederMBps: Spread;
  /** RTCPeerConnections each leecher created (mean over the leechers); N would be one per other peer. */
  connectionsCreatedPerLeecher: Spread;
  seconds: Spread;
  dP2p: number;
  /** One leecher of the first run, its page's JavaScript by source file (CDP Profiler self time), per MiB it downloaded. */
  leecherJsBySourceSecondsPerMiB: Array<{ source: string; secondsPerMiB: number }>;
}

export interface CpuResult {
  machine: ReturnType<typeof machine> & { commit: string };
  raw: { MiBps: number; spread: Spread };
  runs: CpuRun[];
}

/** Goals of issue 22. */
export const CPU_GOALS = { ratioToP2p: 1.25, ofWebTorrent: 0.5 };

const f3 = (s: Spread) => `${s.min.toFixed(3)} / ${s.median.toFixed(3)} / ${s.max.toFixed(3)}`;
const f1 = (s: Spread) => `${s.min.toFixed(1)} / ${s.median.toFixed(1)} / ${s.max.toFixed(1)}`;
const ms = (secondsPerMiB: number) => `${(secondsPerMiB * 1000).toFixed(0)} ms`;

export function cpuBound(run: Pick<CpuRun, 'cpuSaturatedPct'>): boolean {
  return run.cpuSaturatedPct >= CPU_BOUND_PCT;
}

export function cpuMarkdown(result: CpuResult, previous: CpuResult | null): string {
  const { machine: m, raw, runs } = result;
  const nRuns = runs[0]?.seconds.runs.length ?? 0;
  const out: string[] = [];
  out.push('# CPU per byte moved (`npm run bench:cpu`)', '');
  out.push(`${m.cpu}, ${m.cores} cores, ${m.chromium ?? 'Chromium'}, ${m.date}, commit ${m.commit}. ${nRuns} runs each; figures min / median / max.`, '');
  out.push(`Raw RTCDataChannel between two contexts (64 KiB messages, buffer kept full): **${raw.MiBps.toFixed(1)} MiB/s** (${f1(raw.spread)}).`, '');
  const first = runs[0];
  if (first) {
    out.push(`Swarm: 1 seeder + ${first.N} leechers, F = ${first.fileBytes / 2 ** 20} MiB, every upload limited to ${first.uploadBytesPerSecond / 2 ** 20} MiB/s by each system's own limiter, every peer in its own Chromium context. CPU is every Chromium thread's user + system time from /proc between the leechers' start and the last finish, divided by the MiB delivered to the leechers (N·F); the page JavaScript figure is CDP's ScriptDuration summed over the pages: wall time spent running scripts, which on a saturated machine includes time waiting for a core, so it can exceed the CPU figure. WebTorrent runs with its rarest-first strategy, its faster one at N = 8 in bench:swarm.`, '');
    out.push('| system | seconds | × D_p2p | CPU s per MiB delivered | page JS s per MiB (wall) | machine CPU % | seeder MiB/s | peer connections created per leecher | verdict |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
    for (const r of runs) {
      const ratio = r.seconds.median / r.dP2p;
      out.push(`| ${r.variant} | ${f1(r.seconds)} | ${ratio.toFixed(2)} | ${f3(r.cpuSecondsPerMiB)} | ${f3(r.pageScriptSecondsPerMiB)} | ${f1(r.cpuBusyPct)} | ${r.seederMBps.median.toFixed(2)} | ${f1(r.connectionsCreatedPerLeecher)} | ${cpuBound(r) ? `**CPU-bound** (cores ${r.cpuSaturatedPct.toFixed(0)} % busy): the time measures the CPU, not the upload limits D_p2p assumes` : 'limits-bound'} |`);
    }
    out.push('');
    out.push('## Where the CPU went (seconds per MiB delivered, median of the runs)', '');
    const cats = [...new Set(runs.flatMap((r) => r.byCategorySecondsPerMiB.map((c) => c.category)))];
    out.push(`| where | ${runs.map((r) => r.variant).join(' | ')} |`, `| --- | ${runs.map(() => '---:').join(' | ')} |`);
    for (const c of cats) out.push(`| ${c} | ${runs.map((r) => { const x = r.byCategorySecondsPerMiB.find((y) => y.category === c); return x ? x.secondsPerMiB.median.toFixed(3) : '–'; }).join(' | ')} |`);
    out.push('');
    out.push('## One leecher\'s JavaScript by source file', '');
    out.push(`CDP Profiler self time of one leecher page in each system's first run (sampled every ms; the app's hidden source maps name the file; WebTorrent's bundle has no map), seconds per MiB that leecher downloaded.`, '');
    for (const r of runs) {
      out.push(`- ${r.variant}: ${r.leecherJsBySourceSecondsPerMiB.slice(0, 10).map((s) => `${s.source} ${ms(s.secondsPerMiB)}`).join(', ')}`);
    }
    out.push('');
    out.push('## Findings', '');
    for (const r of runs) {
      const top = r.byCategorySecondsPerMiB.slice(0, 3).map((c) => `${c.category} ${ms(c.secondsPerMiB.median)}`).join(', ');
      out.push(`- ${r.variant}: ${ms(r.cpuSecondsPerMiB.median)} of CPU per MiB delivered; most of it in ${top}.`);
    }
    const ours = runs.find((r) => r.system === 'tabswarm');
    const theirs = runs.find((r) => r.system === 'webtorrent');
    if (ours && theirs) {
      const x = ours.cpuSecondsPerMiB.median / theirs.cpuSecondsPerMiB.median;
      out.push(`- Tabswarm used ${x.toFixed(2)} × WebTorrent's CPU per MiB delivered (goal ≤ ${CPU_GOALS.ofWebTorrent}: ${x <= CPU_GOALS.ofWebTorrent ? 'met' : 'not met'}).`);
    }
    if (ours) {
      const ratio = ours.seconds.median / ours.dP2p;
      out.push(`- Tabswarm N = ${ours.N} finished in ${ratio.toFixed(2)} × D_p2p (goal ≤ ${CPU_GOALS.ratioToP2p}: ${ratio <= CPU_GOALS.ratioToP2p ? 'met' : 'not met'})${cpuBound(ours) ? `, and the run was CPU-bound (${ours.cpuSaturatedPct.toFixed(0)} % of the cores busy)` : ''}.`);
      const needed = (ours.N * ours.fileBytes) / 2 ** 20 / ours.dP2p;
      out.push(`- At the bound the swarm would deliver ${needed.toFixed(1)} MiB/s; at ${ms(ours.cpuSecondsPerMiB.median)} per MiB that needs ${(needed * ours.cpuSecondsPerMiB.median).toFixed(2)} cores of the ${m.cores} here.`);
    }
    out.push('');
  }
  if (previous && previous.machine.commit !== m.commit) {
    out.push(`## The run this one replaced (commit ${previous.machine.commit}, ${previous.machine.date})`, '');
    for (const r of previous.runs) out.push(`- ${r.variant}: ${f1(r.seconds)} s (${(r.seconds.median / r.dP2p).toFixed(2)} × D_p2p), ${ms(r.cpuSecondsPerMiB.median)} CPU per MiB delivered, machine CPU ${r.cpuSaturatedPct.toFixed(0)} %.`);
    out.push(`- Raw data channel then: ${previous.raw.MiBps.toFixed(1)} MiB/s.`, '');
  }
  return out.join('\n');
}
