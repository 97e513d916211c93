/**
 * `npm run bench:webseed` — how much an origin (a BEP 19 web seed) must send when N people download
 * together, and how long it takes, in one run:
 *  - the origin: Debian's nginx behind a shaped uplink of u_s = 1 MiB/s for all its connections
 *    together (lib/shaped-proxy.ts, which also counts the bytes it sent);
 *  - N = 1, 2, 4, 8 downloaders starting together, each in its own Chromium context, uploads limited
 *    to u_i = 1 MiB/s (each system's own limiter, as in bench:swarm), downloads unlimited, F = 16 MiB,
 *    no seeding peer: the origin is the only source;
 *  - systems: "tabswarm" (a magnet link with ws= and xs=, the app's engine), "webtorrent" (WebTorrent
 *    2.x in a tab, the same .torrent with the web seed in url-list, on our tracker; both of its piece
 *    strategies are run and each is reported), and "http" (each tab fetches the file).
 * Reported per system and N: origin bytes / F and the time to the last byte-exact finish, against
 * D_p2p = max(F/u_s, F/d_min, N·F/(u_s+Σu_i)) with the origin as the server (and D_cs for http).
 * Each figure: min/median/max of BENCH_RUNS (default 3) runs; every run has content of its own.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { buildMagnet } from '../../shared/magnet.ts';
import { createTorrent } from '../../shared/metainfo/index.ts';
import { uniformCurves } from '../../shared/theory.ts';
import { nodeSha1 } from '../../client/node/sha1.ts';
import { startNginx } from '../helpers/nginx.ts';
import { cpuTimes, startBrowserSwarmLab } from './lib/browser-swarm.ts';
import { machine, measuredCommit, spread, writeResults, type Spread } from './lib/report.ts';
import { startShapedProxy } from './lib/shaped-proxy.ts';
import { createHash } from 'node:crypto';

const COMMIT = measuredCommit();

const MiB = 1024 * 1024;
const F = Number(process.env.BENCH_WEBSEED_MIB ?? 16) * MiB;
const US = MiB;
const UI = MiB;
const NS = (process.env.BENCH_NS ?? '1,2,4,8').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
type WebSeedSystem = 'tabswarm' | 'webtorrent-default' | 'webtorrent-rarest' | 'http';
const SYSTEMS = (process.env.BENCH_SYSTEMS ?? 'tabswarm,webtorrent-default,webtorrent-rarest,http').split(',') as WebSeedSystem[];

const site = mkdtempSync(join(tmpdir(), 'tabswarm-bench-webseed-'));
mkdirSync(join(site, 'site'));
const nginx = await startNginx([{ path: '/site/', root: join(site, 'site'), cors: true }]);
const proxy = await startShapedProxy(Number(new URL(nginx.url).port), US);
const lab = await startBrowserSwarmLab();
const { dP2p, dCs } = uniformCurves(F, US, UI);

interface Run {
  seconds: number;
  originBytes: number;
  /** What the downloaders themselves counted as coming from the origin (Tabswarm's stats), if they can tell. */
  originCounted: number | null;
  cpuBusyPct: number;
}

let contentCount = 0;
/** New content for every run (no tab of an earlier run holds it), its .torrent beside it on the origin. */
async function publish(): Promise<{ fileUrl: string; torrentUrl: string; magnet: string; sha256: string }> {
  const name = `talk-${++contentCount}.bin`;
  const data = new Uint8Array(randomBytes(F));
  writeFileSync(join(site, 'site', name), data);
  const fileUrl = `${proxy.url}/site/${name}`;
  const torrentUrl = `${proxy.url}/site/${name}.torrent`;
  const { torrentBytes, metainfo } = await createTorrent({ name, multiFile: false, sha1: nodeSha1, announce: [lab.tracker], urlList: [fileUrl], files: [{ path: [name], length: F, stream: async function* () { yield data; } }] });
  writeFileSync(join(site, 'site', `${name}.torrent`), torrentBytes);
  return { fileUrl, torrentUrl, magnet: buildMagnet({ infoHash: metainfo.infoHash, name, trackers: [lab.tracker], webSeeds: [fileUrl], sources: [torrentUrl] }), sha256: createHash('sha256').update(data).digest('hex') };
}

/** One downloader: returns when it finished (its clock), the SHA-256 of what it holds, and what it counted from the origin. */
function download(page: Page, system: WebSeedSystem, c: { magnet: string; torrentUrl: string; fileUrl: string }): Promise<{ doneAt: number; sha256: string; fromOrigin: number | null }> {
  return page.evaluate(
    async ({ system, c, upload, tracker }) => {
      let blob: Blob;
      let fromOrigin: number | null = null;
      if (system === 'tabswarm') {
        const client = await (window as any).tabswarm;
        const session = await client.add(c.magnet);
        session.torrent.setLimits({ uploadLimit: upload });
        if (!session.torrent.done) await new Promise<void>((r) => session.on('done', r));
        fromOrigin = session.torrent.stats().originDownloaded;
        blob = (await client.file(session.torrent.infoHash)).blob;
      } else if (system === 'http') {
        blob = await (await fetch(c.fileUrl)).blob();
      } else {
        const torrentBytes = new Uint8Array(await (await fetch(c.torrentUrl)).arrayBuffer());
        const wt = (window as any).wt;
        const torrent: any = await new Promise((resolve) => wt.add(torrentBytes, { announce: [tracker], strategy: system === 'webtorrent-rarest' ? 'rarest' : 'sequential' }, resolve));
        if (!torrent.done) await new Promise<void>((r) => torrent.on('done', r));
        blob = await torrent.files[0].blob();
      }
      const doneAt = Date.now();
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
      return { doneAt, sha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join(''), fromOrigin };
    },
    { system, c, upload: UI, tracker: lab.tracker },
  );
}

async function run(system: WebSeedSystem, n: number): Promise<Run> {
  const content = await publish();
  const pages = await Promise.all(Array.from({ length: n }, () => lab.newPage(system.startsWith('webtorrent') ? 'webtorrent' : 'tabswarm', UI)));
  proxy.reset();
  const cpu0 = cpuTimes();
  const start = Date.now();
  const results = await Promise.all(pages.map((p) => download(p, system, content)));
  const seconds = (Math.max(...results.map((r) => r.doneAt)) - start) / 1000;
  const cpu1 = cpuTimes();
  const originBytes = proxy.sentBytes();
  for (const r of results) if (r.sha256 !== content.sha256) throw new Error(`${system} N=${n}: a downloader's file does not match`);
  await lab.closeAll(pages);
  const counted = results.every((r) => r.fromOrigin !== null) ? results.reduce((s, r) => s + r.fromOrigin!, 0) : null;
  return { seconds, originBytes, originCounted: counted, cpuBusyPct: (100 * (cpu1.busy - cpu0.busy)) / Math.max(1, cpu1.total - cpu0.total) };
}

interface Row {
  system: WebSeedSystem | 'webtorrent';
  N: number;
  originBytesPerF: Spread;
  seconds: Spread;
  /** The bound with the origin as the server: D_cs for plain HTTP, D_p2p for the swarms. */
  bound: 'D_p2p' | 'D_cs';
  boundSeconds: number;
  ratioToBound: number;
  originCountedPerF: Spread | null;
  cpuBusyPct: Spread;
}

const rows: Row[] = [];
try {
  for (const system of SYSTEMS) {
    for (const n of NS) {
      const runs: Run[] = [];
      for (let r = 0; r < RUNS; r++) {
        const x = await run(system, n);
        runs.push(x);
        process.stdout.write(`${system} N=${n} run ${r + 1}: ${x.seconds.toFixed(1)} s, origin sent ${(x.originBytes / F).toFixed(3)} × F${x.originCounted === null ? '' : ` (downloaders counted ${(x.originCounted / F).toFixed(3)} × F)`}, CPU ${x.cpuBusyPct.toFixed(0)} %\n`);
      }
      const bound = system === 'http' ? 'D_cs' : 'D_p2p';
      const boundSeconds = bound === 'D_cs' ? dCs(n) : dP2p(n);
      const seconds = spread(runs.map((x) => x.seconds));
      rows.push({
        system, N: n,
        originBytesPerF: spread(runs.map((x) => x.originBytes / F)),
        seconds, bound, boundSeconds, ratioToBound: Math.round((seconds.median / boundSeconds) * 100) / 100,
        originCountedPerF: runs.every((x) => x.originCounted !== null) ? spread(runs.map((x) => x.originCounted! / F)) : null,
        cpuBusyPct: spread(runs.map((x) => x.cpuBusyPct)),
      });
    }
  }
  // "webtorrent": at each N, whichever of its strategies made the origin send less (its best here).
  for (const n of NS) {
    const best = rows.filter((r) => r.N === n && r.system.startsWith('webtorrent-')).sort((a, b) => a.originBytesPerF.median - b.originBytesPerF.median)[0];
    if (best) rows.push({ ...best, system: 'webtorrent' });
  }
  writeWebSeedReport(rows);
} finally {
  await lab.close();
  await proxy.close();
  await nginx.stop();
}
process.exit(0);

function writeWebSeedReport(rows: Row[]): void {
  const at = (system: string, n: number) => rows.find((r) => r.system === system && r.N === n);
  const nMax = Math.max(...NS);
  const ours = at('tabswarm', nMax);
  const wt = at('webtorrent', nMax);
  const goals = {
    originBytesAtNmax: ours ? { N: nMax, tabswarm: ours.originBytesPerF.median, goal: 1.25, met: ours.originBytesPerF.median <= 1.25 } : null,
    // Every downloader's file leaves the origin at least once (no seeding peer): 1 × F is the least
    // any system can make it send, so against WebTorrent's figure no run can do better than this.
    versusWebTorrent: ours && wt ? { N: nMax, ratio: Math.round((ours.originBytesPerF.median / wt.originBytesPerF.median) * 100) / 100, goal: 0.5, met: ours.originBytesPerF.median <= 0.5 * wt.originBytesPerF.median, floor: Math.round((1 / wt.originBytesPerF.median) * 100) / 100 } : null,
    timeAtNmax: ours ? { N: nMax, ratioToDp2p: ours.ratioToBound, goal: 1.15, met: ours.ratioToBound <= 1.15, cpuBusyPct: ours.cpuBusyPct.median } : null,
  };
  const json = { machine: machine(), commit: COMMIT, fileBytes: F, us: US, ui: UI, runsPerFigure: RUNS, origin: 'nginx (Debian) behind a shaped uplink of u_s for all connections together', runs: rows, goals };
  const fmt = (s: Spread, d = 2) => `${s.median.toFixed(d)} (${s.min.toFixed(d)}–${s.max.toFixed(d)})`;
  const lines = [
    '# bench:webseed — an origin and N downloaders',
    '',
    `Measured ${json.machine.date} at commit ${COMMIT} on ${json.machine.cpu} (${json.machine.cores} cores), ${json.machine.chromium ?? 'Chromium'}; every figure is this run's: median (min–max) of ${RUNS} runs.`,
    '',
    `F = ${F / MiB} MiB; the origin (nginx) uploads u_s = ${US / MiB} MiB/s in all; each downloader uploads u_i = ${UI / MiB} MiB/s, downloads unlimited; no seeding peer.`,
    `Bounds with the origin as the server: D_p2p = max(F/u_s, N·F/(u_s+Σu_i)), D_cs = N·F/u_s (plain HTTP).`,
    '',
    '| system | N | origin bytes / F | seconds to the last finish | bound (s) | × bound | CPU % |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.system} | ${r.N} | ${fmt(r.originBytesPerF)} | ${fmt(r.seconds, 1)} | ${r.bound} ${r.boundSeconds.toFixed(1)} | ${r.ratioToBound.toFixed(2)} | ${r.cpuBusyPct.median.toFixed(0)} |`),
    '',
    '"webtorrent" is, at each N, whichever of its two piece strategies (default sequential, rarest) made the origin send less; both rows are above. Origin bytes are what the shaped uplink forwarded, HTTP headers and aborted requests included.',
    '',
    '## Goals',
    '',
    goals.originBytesAtNmax ? `- Origin bytes at N = ${nMax}: ${goals.originBytesAtNmax.tabswarm.toFixed(2)} × F (goal ≤ 1.25): ${goals.originBytesAtNmax.met ? 'met' : 'not met'}.` : null,
    goals.versusWebTorrent ? `- Against WebTorrent's origin bytes at N = ${nMax}: ${goals.versusWebTorrent.ratio.toFixed(2)} × (goal ≤ 0.5): ${goals.versusWebTorrent.met ? 'met' : 'not met'}. The least any system can make the origin send is 1.00 × F (each byte leaves it once; no seeding peer), ${goals.versusWebTorrent.floor.toFixed(2)} × WebTorrent's ${wt!.originBytesPerF.median.toFixed(2)} × F in this run${goals.versusWebTorrent.floor > 0.5 ? ': the goal could not be met in it' : ''}.` : null,
    goals.timeAtNmax ? `- Time at N = ${nMax}: ${goals.timeAtNmax.ratioToDp2p.toFixed(2)} × D_p2p (goal ≤ 1.15): ${goals.timeAtNmax.met ? 'met' : 'not met'}; the machine's CPU was ${goals.timeAtNmax.cpuBusyPct.toFixed(0)} % busy over those runs (100 % means CPU-bound: the time then measures the machine, not the policy).` : null,
  ];
  writeResults('webseed', json, lines.filter((l) => l !== null).join('\n'));
}
