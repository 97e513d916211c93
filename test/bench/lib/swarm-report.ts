/**
 * bench:swarm's report: swarm.json → swarm.md and swarm.svg. Apart from the measuring, so that
 * `npm run bench:swarm:plot` redraws both from a committed run without measuring again.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { swarmPlot } from '../../../shared/distribution-plot.ts';
import { uniformCurves } from '../../../shared/theory.ts';
import { RESULTS_DIR, runNoteLines, writeResults, type Spread, type machine } from './report.ts';

const MiB = 1024 * 1024;

export interface SwarmRow {
  system: string;
  N: number;
  fileBytes: number;
  us: number;
  ui: number;
  seconds: Spread;
  dP2p: number;
  dCs: number;
  ratioToP2p: number;
  seederMBps: Spread;
  /** Peer connections open or being opened when a leecher finished, mean over the leechers (absent in runs before 2026-12-02). */
  connections?: Spread;
  /** The machine's CPU use over each run, % of all cores (absent in runs before 2026-12-02). */
  cpuBusyPct?: Spread;
  /** RTCPeerConnections a leecher created from opening the link to its finish, mean over the leechers (absent before 2026-12-02). */
  connectionsCreated?: Spread;
}

export interface SwarmResult {
  machine: ReturnType<typeof machine>;
  /** The code measured (taken as the run starts; "+changes" if the tree differed). Runs before 2026-12-07 lack it. */
  commit?: string;
  swarm: SwarmRow[];
  singleLink: { fileBytes: number; tabswarm: { MBps: Spread }; webtorrent: { MBps: Spread }; raw: { MBps: Spread } };
  joinSeconds: Spread;
  /** What the person who ran it knows about the run's conditions that the figures cannot show (added to the JSON by hand, rendered as theirs). */
  runNote?: string;
}

/** The goals issue 9 sets, checked against a run. */
export const GOALS = { ratioToP2p: 1.1, ofWebTorrent: 0.4, ofRawLink: 0.85, joinSeconds: 1.5 };

/** A run whose cores were this busy (median) was bound by the CPU, not by the upload limits D_p2p assumes. */
export const CPU_BOUND_PCT = 90;

export function writeSwarmReport(result: SwarmResult): void {
  const rows = result.swarm.filter((r) => r.system !== 'webtorrent' && !r.system.includes('@'));
  const { fileBytes: F, us, ui } = rows[0]!;
  writeFileSync(join(RESULTS_DIR, 'swarm.svg'), swarmPlot(rows, uniformCurves(F, us, ui)));
  writeResults('swarm', result, swarmMarkdown(result));
}

function fmt(s: Spread, digits = 1): string {
  return `${s.min.toFixed(digits)} / ${s.median.toFixed(digits)} / ${s.max.toFixed(digits)}`;
}

const verdict = (met: boolean) => (met ? 'met' : 'not met');

export function swarmMarkdown(result: SwarmResult): string {
  const { machine: m, swarm, singleLink: link, joinSeconds } = result;
  const first = swarm[0]!;
  const runs = first.seconds.runs.length;
  const maxN = Math.max(...swarm.map((r) => r.N));
  const ours = swarm.find((r) => r.system === 'tabswarm' && r.N === maxN);
  const wt = swarm.find((r) => r.system === 'webtorrent' && r.N === maxN);
  const row = (r: SwarmRow) =>
    `| ${r.system} | ${r.N} | ${fmt(r.seconds)} | ${r.dP2p.toFixed(1)} | ${r.dCs.toFixed(1)} | ${r.ratioToP2p.toFixed(2)} | ${r.seederMBps.median.toFixed(2)} | ${r.connections ? r.connections.median.toFixed(1) : '–'} | ${r.connectionsCreated ? r.connectionsCreated.median.toFixed(1) : '–'} | ${r.cpuBusyPct ? `${r.cpuBusyPct.median.toFixed(0)}${r.cpuBusyPct.median >= CPU_BOUND_PCT ? ' (CPU-bound)' : ''}` : '–'} |`;
  const linkShare = link.tabswarm.MBps.median / link.raw.MBps.median;
  return [
    '# Swarm benchmark (`npm run bench:swarm`)',
    '',
    `${m.cpu}, ${m.cores} cores, ${m.chromium}, ${m.date}${result.commit ? `, commit ${result.commit}` : ''}. Every peer is a Chromium context of one browser on this machine; our tracker. ${runs} runs per figure (min / median / max).`,
    '',
    ...runNoteLines(result.runNote),
    `F = ${first.fileBytes / MiB} MiB, u_s = u_i = ${first.us / MiB} MiB/s (each system's own upload limiter), downloads unlimited. D_p2p = max(F/u_s, N·F/(u_s+Σu_i)); D_cs = N·F/u_s.`,
    '',
    '| system | N | seconds | D_p2p | D_cs | median / D_p2p | seeder MiB/s | connections per leecher | connections created per leecher | CPU % |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...swarm.map(row),
    '',
    '"tabswarm" seeds initially (the app\'s default for a new share); "tabswarm-no-initial-seeding" is the same engine with it off. "webtorrent" is the faster of WebTorrent\'s two strategies at each N on our tracker; "@bittorrent-tracker" rows ran on bittorrent-tracker\'s own server instead. "seeder MiB/s" is what the seeder uploaded over the whole run, so it falls below the limit where the seeder sat idle or the run ran long. "connections per leecher" is the mean number of peer connections a leecher had open or being opened when it finished (Tabswarm: \`torrent.peerCount\`; WebTorrent: \`torrent.numPeers\`); N is all its neighbours (the seeder and the other leechers), and a second connection between the same two peers counts until it is dropped as a duplicate, so the figure can exceed N. "connections created per leecher" counts the RTCPeerConnections the leecher\'s page constructed from opening the link to its finish (offers, answers, duplicates closed again): N would be one per neighbour. "CPU %" is the whole machine\'s CPU use over the run; at ' + CPU_BOUND_PCT + ' % or more the run is marked CPU-bound: its time measures the CPU, not the upload limits D_p2p assumes.',
    '',
    `Single link, ${link.fileBytes / MiB} MiB unthrottled (MB/s = 10^6 B/s): ours ${fmt(link.tabswarm.MBps)}, WebTorrent ${fmt(link.webtorrent.MBps)}, raw RTCDataChannel ${fmt(link.raw.MBps)}. The raw blast sends 64 KiB messages keeping at most 8 MiB queued (Chromium refuses more than 16 MiB); where it comes out below ours it is not a ceiling, only what that simple loop reaches.`,
    '',
    `Join latency (magnet to first verified piece, loopback): ${fmt(joinSeconds, 2)} s.`,
    '',
    '![distribution time against N](swarm.svg)',
    '',
    ours && wt
      ? `Goals at N = ${maxN}: ours ≤ ${GOALS.ratioToP2p.toFixed(2)} × D_p2p — ${verdict(ours.ratioToP2p <= GOALS.ratioToP2p)} (${ours.ratioToP2p.toFixed(2)}×); ours ≤ ${GOALS.ofWebTorrent} × the faster WebTorrent (${wt.seconds.median.toFixed(1)} s) — ${verdict(ours.seconds.median <= GOALS.ofWebTorrent * wt.seconds.median)} (${(ours.seconds.median / wt.seconds.median).toFixed(2)}×); single link ≥ ${GOALS.ofRawLink * 100} % of raw — ${verdict(linkShare >= GOALS.ofRawLink)} (${Math.round(100 * linkShare)} %); join ≤ ${GOALS.joinSeconds} s — ${verdict(joinSeconds.median <= GOALS.joinSeconds)}.`
      : '',
    '',
    findings(result),
  ].join('\n');
}

/** Findings computed from this run's figures: nothing here is fixed prose about numbers. */
export function findings(result: SwarmResult): string {
  const { swarm, singleLink: link } = result;
  const get = (system: string, n: number) => swarm.find((r) => r.system === system && r.N === n);
  const ns = [...new Set(swarm.filter((r) => r.system === 'tabswarm').map((r) => r.N))].sort((a, b) => a - b);
  const out: string[] = ['## Findings from this run', ''];
  const plain = ns.map((n) => [get('tabswarm', n), get('tabswarm-no-initial-seeding', n)] as const).filter(([a, b]) => a && b);
  if (plain.length > 0) {
    out.push(`- **Initial seeding.** ${plain.map(([a, b]) => `N = ${a!.N}: ${a!.seconds.median.toFixed(1)} s with it, ${b!.seconds.median.toFixed(1)} s without (${a!.ratioToP2p.toFixed(2)}× against ${b!.ratioToP2p.toFixed(2)}× D_p2p)`).join('; ')}.`);
  }
  const maxN = ns.at(-1);
  if (maxN !== undefined) {
    const ours = get('tabswarm', maxN);
    const rarest = get('webtorrent-rarest', maxN);
    const seq = get('webtorrent-default', maxN);
    const bt = get('webtorrent-rarest@bittorrent-tracker', maxN);
    const idle = (r: SwarmRow) => Math.max(0, 100 * (1 - r.seederMBps.median / (r.us / MiB)));
    const conns = (r: SwarmRow | undefined) => (r?.connections ? `${r.connections.median.toFixed(1)} (for ${r.N} neighbours)` : 'not recorded');
    if (ours?.connections) out.push(`- **Connections.** At N = ${maxN} a Tabswarm leecher had ${conns(ours)} connections open or opening when it finished${rarest ? `; a WebTorrent leecher (rarest first) ${conns(rarest)}` : ''}${seq ? `, (sequential) ${conns(seq)}` : ''}.`);
    for (const r of [rarest, seq, bt]) {
      if (r) out.push(`- **${r.system} at N = ${maxN}:** ${r.seconds.median.toFixed(1)} s (${r.ratioToP2p.toFixed(2)}× D_p2p); its seeder uploaded ${r.seederMBps.median.toFixed(2)} MiB/s of its ${(r.us / MiB).toFixed(0)} MiB/s over the run, idle about ${idle(r).toFixed(0)} % of the time.`);
    }
    if (rarest && bt) {
      const change = bt.seconds.median / rarest.seconds.median;
      out.push(`- **Our tracker or theirs?** WebTorrent rarest-first at N = ${maxN} took ${rarest.seconds.median.toFixed(1)} s on our tracker and ${bt.seconds.median.toFixed(1)} s on bittorrent-tracker's server (${change.toFixed(2)}×): ${Math.abs(change - 1) <= 0.2 ? 'within 20 %, so its time is WebTorrent\'s own, not our tracker\'s' : change < 1 ? 'faster on its own tracker, so part of its time on ours is the tracker\'s' : 'slower on its own tracker: our tracker does not hold it back'}.`);
    }
    const cpuBound = swarm.filter((r) => r.cpuBusyPct && r.cpuBusyPct.median >= CPU_BOUND_PCT);
    const cpuRecorded = swarm.some((r) => r.cpuBusyPct);
    if (!cpuRecorded) out.push('- CPU use was not recorded in this run.');
    else out.push(cpuBound.length > 0
      ? `- **CPU-bound runs:** ${cpuBound.map((r) => `${r.system} N = ${r.N} (${r.cpuBusyPct!.median.toFixed(0)} %)`).join(', ')}. Their ratio to D_p2p measures this machine's CPU as much as the protocol.`
      : `- **No run was CPU-bound** (every median below ${CPU_BOUND_PCT} % of the machine's CPU), so the times measure the upload limits and the protocol.`);
  }
  out.push(`- **Single link:** ours ${link.tabswarm.MBps.median.toFixed(1)} MB/s is ${Math.round((100 * link.tabswarm.MBps.median) / link.raw.MBps.median)} % of this run's raw data channel (${link.raw.MBps.median.toFixed(1)} MB/s); the raw blast itself ranged ${link.raw.MBps.min.toFixed(1)}–${link.raw.MBps.max.toFixed(1)} MB/s across the runs.`);
  out.push('', HISTORY);
  return out.join('\n');
}

/** Earlier committed runs, quoted with their commits and dates (git log test/bench/results/swarm.json). */
const HISTORY = `## Earlier runs (quoted from git, not measured by this run)

Tabswarm's median at N = 8 against D_p2p in earlier committed runs of this benchmark, on machines of the same kind: 1.53× (commit 56426df, 2026-11-25); 1.27× after initial seeding (230d964, 2026-11-25); 1.06× after one-piece-at-a-time uploads under a limit, more unchoke slots for an initial seeder and seeking peers when under-connected (abf683e, 2026-12-01). The engine-only swarm (\`npm run bench:swarm:memory\`) measured 1.31× at commit 120f26b and 1.07× at 1c48ae4 (both recorded in commit abf683e's swarm.md). The raw data channel carried 20–35 MB/s in those runs; on 2026-12-02 a machine of the same kind carried 10.5–11.7 MiB/s (issue 22), so figures from different days are not comparable: only figures from one run are.`;
