/**
 * `npm run bench:swarm` — distribution time against the P2P bound, Tabswarm and WebTorrent in the
 * same run, every peer in its own Chromium context, our tracker (and, for WebTorrent at N = 8,
 * bittorrent-tracker's own server too, so its figures do not depend on our tracker):
 *  - one seeder and N leechers, F = 16 MiB, uploads shaped to u_s = u_i = 1 MiB/s (each system's
 *    own limiter), downloads unlimited, N = 1, 2, 4, 8: time from the leechers' start to the last
 *    byte-exact finish, with D_p2p = max(F/u_s, F/d_min, N·F/(u_s+Σu_i)) and D_cs = max(N·F/u_s, F/d_min);
 *  - a single unthrottled link (128 MiB): ours, WebTorrent's, and a raw RTCDataChannel blast;
 *  - join latency: opening a magnet to the first verified piece.
 * Each swarm run also records the connections each leecher held when it finished and the machine's
 * CPU use over the run (from /proc/stat), so a CPU-bound run says so.
 * Each figure: min/median/max of BENCH_RUNS (default 3) runs.
 */
import { uniformCurves } from '../../shared/theory.ts';
import { startBrowserSwarmLab, type SwarmRun, type System } from './lib/browser-swarm.ts';
import { machine, measuredCommit, spread } from './lib/report.ts';
import { writeSwarmReport, type SwarmResult, type SwarmRow } from './lib/swarm-report.ts';

const MiB = 1024 * 1024;
// The code this run executes: taken now, since a long run may end after the checkout has moved on.
const COMMIT = measuredCommit();
const F = Number(process.env.BENCH_SWARM_MIB ?? 16) * MiB;
const U = MiB;
const NS = (process.env.BENCH_NS ?? '1,2,4,8').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const LINK_MIB = Number(process.env.BENCH_LINK_MIB ?? 128);
const SYSTEMS = (process.env.BENCH_SYSTEMS ?? 'tabswarm,tabswarm-no-initial-seeding,webtorrent-rarest,webtorrent-default,webtorrent-rarest@bittorrent-tracker').split(',');
/** Peer counts for the runs on bittorrent-tracker's server (they only check the tracker's part). */
const BT_NS = (process.env.BENCH_BT_NS ?? '8').split(',').map(Number);

const lab = await startBrowserSwarmLab();

const { dP2p, dCs } = uniformCurves(F, U, U);

try {
  const swarm: SwarmRow[] = [];
  for (const system of SYSTEMS as System[]) {
    for (const n of system.endsWith('@bittorrent-tracker') ? BT_NS : NS) {
      const runs: SwarmRun[] = [];
      for (let run = 0; run < RUNS; run++) {
        const r = await lab.swarmRun(system, n, F, U);
        runs.push(r);
        process.stdout.write(`${system} N=${n} run ${run + 1}: ${r.seconds.toFixed(1)} s (D_p2p ${dP2p(n).toFixed(1)} s), seeder ${r.seederMBps.toFixed(2)} MiB/s, ${r.connections.toFixed(1)} connections per leecher (${r.connectionsCreated.toFixed(1)} created), CPU ${r.cpuBusyPct.toFixed(0)} %\n`);
      }
      const s = spread(runs.map((r) => r.seconds));
      swarm.push({
        system, N: n, fileBytes: F, us: U, ui: U, seconds: s, dP2p: dP2p(n), dCs: dCs(n), ratioToP2p: Math.round((s.median / dP2p(n)) * 100) / 100,
        seederMBps: spread(runs.map((r) => r.seederMBps)), connections: spread(runs.map((r) => r.connections)), cpuBusyPct: spread(runs.map((r) => r.cpuBusyPct)), connectionsCreated: spread(runs.map((r) => r.connectionsCreated)),
      });
    }
  }
  // "webtorrent" is the faster of its two strategies at each N, on our tracker.
  for (const n of NS) {
    const wt = swarm.filter((r) => r.N === n && (r.system === 'webtorrent-rarest' || r.system === 'webtorrent-default')).sort((a, b) => a.seconds.median - b.seconds.median)[0];
    if (wt) swarm.push({ ...wt, system: 'webtorrent' });
  }

  const link = { tabswarm: [] as number[], webtorrent: [] as number[], raw: [] as number[] };
  const join: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    link.raw.push(await lab.rawChannel(LINK_MIB * MiB));
    link.tabswarm.push(await lab.singleLink('tabswarm', LINK_MIB * MiB));
    link.webtorrent.push(await lab.singleLink('webtorrent', LINK_MIB * MiB));
    join.push(await lab.joinLatency());
    process.stdout.write(`single link run ${run + 1}: ours ${link.tabswarm.at(-1)!.toFixed(1)} MB/s, WebTorrent ${link.webtorrent.at(-1)!.toFixed(1)} MB/s, raw ${link.raw.at(-1)!.toFixed(1)} MB/s; join ${join.at(-1)!.toFixed(2)} s\n`);
  }

  const result: SwarmResult = {
    machine: machine(),
    commit: COMMIT,
    swarm,
    singleLink: { fileBytes: LINK_MIB * MiB, tabswarm: { MBps: spread(link.tabswarm) }, webtorrent: { MBps: spread(link.webtorrent) }, raw: { MBps: spread(link.raw) } },
    joinSeconds: spread(join),
  };
  writeSwarmReport(result);
} finally {
  await lab.close();
}
process.exit(0);

