/**
 * `npm run bench:network` — Tabswarm, WebTorrent 2.8.5 and a raw data channel where the network is
 * real-ish: every peer is a Chromium in a network namespace of its own behind its own full-cone NAT,
 * its access link given delay, loss and rate by the lab (test/netlab/), the tracker and coturn on a
 * public host. In one run, each figure min/median/max of BENCH_RUNS (default 3):
 * - single link: one seeder, one downloader, 16 MiB, links unshaped in rate, at RTT 0, 20, 50, 100
 *   and 200 ms and at 50 ms with 1 % loss on the path. MB/s (10^6 B/s) at steady state, the same
 *   way for all three: from the first piece (the raw channel: the first message) to the last, so
 *   connection set-up (tracker, ICE, metadata: several round trips) is timed apart, as `setupSeconds`;
 * - a swarm of 1 seeder + 4 leechers at RTT 50 ms with every upload kernel-shaped (tbf) to 1 MiB/s,
 *   F = 8 MiB, Tabswarm and WebTorrent; seconds to the last leecher done, against D_p2p;
 * - joining through TURN: two peers behind symmetric NATs (no direct route), RTT 50 ms through the
 *   relay; seconds from opening the link to the first verified piece.
 * WebTorrent runs in its best configuration: rarest-first, no upload limit, the same STUN server.
 * - beyond one channel (part `channels`, written to network-channels.{json,md} by any run that
 *   includes it): raw data channels at RTT 100 and 200 ms in several shapes — one channel with
 *   16, 64 or 256 KiB messages, four channels on one connection (one SCTP association, so one
 *   congestion window), four connections (four associations) — to see what lifts one channel's cap.
 * BENCH_PARTS=single,lossy,swarm,join,channels picks parts (a run without all of single, lossy,
 * swarm and join prints those, and writes no network.{json,md}); BENCH_RTTS the single-link RTTs,
 * BENCH_CHANNEL_RTTS the channel shapes' RTTs.
 * Needs root (namespaces), Debian's chromium and coturn, and the WebTorrent reference build.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from '@playwright/test';
import { uniformCurves } from '../../shared/theory.ts';
import { CHROMIUM_ARGS } from '../helpers/chromium.ts';
import { startCoturn } from '../helpers/coturn.ts';
import { dropPct, NetLab, PUBLIC_HOST_ADDRESS, type LabHost, type LinkSpec, type NatKind } from '../netlab/lab.ts';
import { downloadIn, ONE_RAW_CHANNEL, openBenchPage, rawChannelBetween, seedIn, type PageKind, type RawShape } from './lib/bench-pages.ts';
import { machine, measuredCommit, spread, writeResults, type Spread } from './lib/report.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const COMMIT = measuredCommit();
const MiB = 1024 * 1024;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SINGLE_BYTES = 16 * MiB;
const SWARM_BYTES = 8 * MiB;
const SWARM_N = 4;
/** 1 MiB/s in tc's kbit (1000 bit/s). */
const UPLOAD_KBIT = Math.round((MiB * 8) / 1000);
const RTTS_MS = (process.env.BENCH_RTTS ?? '0,20,50,100,200').split(',').map(Number);
const LOSSY = { rttMs: 50, lossPct: 1 };
const CHANNEL_RTTS_MS = (process.env.BENCH_CHANNEL_RTTS ?? '100,200').split(',').map(Number);
const CHANNEL_BYTES = 8 * MiB;
const KiB = 1024;
/** The raw shapes compared beyond one channel; the second is the single-link baseline. */
const RAW_SHAPES: RawShape[] = [
  { connections: 1, channelsPerConnection: 1, messageBytes: 16 * KiB },
  ONE_RAW_CHANNEL,
  { connections: 1, channelsPerConnection: 1, messageBytes: 256 * KiB },
  { connections: 1, channelsPerConnection: 4, messageBytes: 64 * KiB },
  { connections: 4, channelsPerConnection: 1, messageBytes: 64 * KiB },
];
const ORIGIN = `http://${PUBLIC_HOST_ADDRESS}:8080`;
const TRACKER = `ws://${PUBLIC_HOST_ADDRESS}:8080/announce`;
const STUN: RTCIceServer[] = [{ urls: `stun:${PUBLIC_HOST_ADDRESS}:3478` }];
const GOALS = { singleOfRaw: 0.9, swarmOfDp2p: 1.15, joinTurnSeconds: 1.5 };

type SingleSystem = 'tabswarm' | 'webtorrent' | 'raw';
interface SingleRow {
  system: SingleSystem;
  rttMs: number;
  lossPct: number;
  MBps: Spread;
  setupSeconds: Spread | null;
  /** Tabswarm's connection in each run, as its stats read it (direct, or relayed through TURN). */
  routes?: Array<string | null>;
}
interface SwarmRow {
  system: 'tabswarm' | 'webtorrent';
  rttMs: number;
  N: number;
  seconds: Spread;
  dP2p: number;
  /** Of the packets the seeder's uplink was offered in a run, the share its full queue (tbf) dropped, %; and the most any leecher's did. */
  seederUplinkDropPct: Spread;
  leecherUplinkDropPct: Spread;
}

execFileSync(process.execPath, ['scripts/ensure-built.mjs'], { cwd: ROOT, stdio: 'inherit' });
execFileSync('bash', ['scripts/ensure-reference-peers.sh'], { cwd: ROOT, stdio: 'inherit' });
execFileSync('bash', ['scripts/ensure-coturn.sh'], { cwd: ROOT, stdio: 'inherit' });
const can = NetLab.available();
if (!can.ok) throw new Error(can.why);

const lab = new NetLab();
const browsers: Browser[] = [];
const servers: ChildProcess[] = [];
const coturn = await startCoturn({ ip: PUBLIC_HOST_ADDRESS, port: 3478, prefix: ['ip', 'netns', 'exec', lab.pub.ns] });

async function startServer(): Promise<void> {
  const child = lab.spawn(lab.pub, process.execPath, ['lib/serve.js'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '8080', HOST: PUBLIC_HOST_ADDRESS, LOG_LEVEL: 'info', MAX_SOCKETS_PER_IP: '0', ICE_SERVERS: JSON.stringify(STUN), TURN_URLS: `turn:${PUBLIC_HOST_ADDRESS}:3478?transport=udp`, TURN_SECRET: coturn.secret },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  servers.push(child);
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()).includes('"listening"') && resolve());
    child.on('exit', (code) => reject(new Error(`the server exited (${code})`)));
  });
}

let hostCount = 0;
async function browserBehind(nat: NatKind, link: LinkSpec): Promise<{ host: LabHost; browser: Browser }> {
  const host = lab.addHost(`h${++hostCount}`, nat, link);
  await lab.linksReady();
  const browser = await chromium.launch({ executablePath: lab.chromiumIn(host), args: [...CHROMIUM_ARGS, `--unsafely-treat-insecure-origin-as-secure=${ORIGIN}`] });
  browsers.push(browser);
  return { host, browser };
}

/** A browser just started in a new host may still see its network settle (ERR_NETWORK_CHANGED on the first load): tried again then. */
const PAGE_ATTEMPTS = 3;
async function page(browser: Browser, kind: PageKind): Promise<Page> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await openBenchPage(browser, { origin: ORIGIN, iceServers: STUN }, kind, 0);
    } catch (err) {
      if (attempt >= PAGE_ATTEMPTS || !String(err).includes('ERR_NETWORK_CHANGED')) throw err;
      process.stdout.write(`(the page saw ERR_NETWORK_CHANGED; loading it again, attempt ${attempt + 1})\n`);
    }
  }
}
const closePages = (pages: Page[]) => Promise.all(pages.map((p) => p.context().close()));

/** A download timed in the page: when it was asked for, when its first piece was verified, when it was done. */
function timedDownload(p: Page, kind: PageKind, magnet: string): Promise<{ askedAt: number; firstAt: number; doneAt: number; bytes: number; pieceBytes: number; sha256: string; route: string | null }> {
  return p.evaluate(
    async ({ kind, magnet, tracker }) => {
      const askedAt = performance.now();
      let firstAt = 0;
      let blob: Blob;
      let pieceBytes: number;
      if (kind === 'tabswarm') {
        const client = await (window as any).tabswarm;
        const session = await client.add(magnet);
        session.torrent.once('piece', () => (firstAt = performance.now()));
        if (!session.torrent.done) await new Promise<void>((r) => session.on('done', r));
        pieceBytes = session.torrent.meta.pieceLength;
        const doneAt = performance.now();
        const route = ((session.torrent.stats().peers as Array<{ route: string | null }>)[0]?.route ?? null) as string | null;
        blob = (await client.file(session.torrent.infoHash)).blob;
        const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
        return { askedAt, firstAt, doneAt, bytes: blob.size, pieceBytes, sha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join(''), route };
      }
      const wt = (window as any).wt;
      const torrent = wt.add(magnet, { announce: [tracker], strategy: 'rarest' });
      torrent.once('verified', () => (firstAt = performance.now()));
      if (!torrent.done) await new Promise<void>((r) => torrent.on('done', r));
      const doneAt = performance.now();
      pieceBytes = torrent.pieceLength;
      blob = await torrent.files[0].blob();
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
      return { askedAt, firstAt, doneAt, bytes: blob.size, pieceBytes, sha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join(''), route: null };
    },
    { kind, magnet, tracker: TRACKER },
  );
}

/** One seeder and one downloader of 16 MiB: steady-state MB/s and set-up seconds. */
async function singleRun(system: SingleSystem, a: Browser, b: Browser): Promise<{ MBps: number; setupSeconds: number | null; route?: string | null }> {
  if (system === 'raw') {
    const [pa, pb] = [await page(a, 'tabswarm'), await page(b, 'tabswarm')];
    const MBps = await rawChannelBetween(pa, pb, SINGLE_BYTES, STUN);
    await closePages([pa, pb]);
    return { MBps, setupSeconds: null };
  }
  const seeder = await page(a, system);
  const { magnet, sha256 } = await seedIn(seeder, system, SINGLE_BYTES, 0, { tracker: TRACKER, initialSeeding: INITIAL_SEEDING });
  const leecher = await page(b, system);
  const r = await timedDownload(leecher, system, magnet);
  await closePages([seeder, leecher]);
  if (r.sha256 !== sha256) throw new Error(`${system}: the downloaded file does not match`);
  return { MBps: (r.bytes - r.pieceBytes) / 1e6 / ((r.doneAt - r.firstAt) / 1000), setupSeconds: (r.firstAt - r.askedAt) / 1000, route: r.route };
}

const single: SingleRow[] = [];
const swarm: SwarmRow[] = [];
const joins: number[] = [];
/** Which parts to run (default all): a partial run writes network-partial.{json,md}, never the committed results. */
const PARTS = new Set((process.env.BENCH_PARTS ?? 'single,lossy,swarm,join,channels').split(','));
const shapes: Array<{ rttMs: number; shape: RawShape; MBps: Spread }> = [];
/** Which systems the single link compares (default all three); a subset makes the run partial. */
const SYSTEMS = (process.env.BENCH_SYSTEMS ?? 'raw,tabswarm,webtorrent').split(',') as SingleSystem[];
/** Tabswarm seeds with initial seeding (its default) unless BENCH_INITIAL_SEEDING=0. */
const INITIAL_SEEDING = process.env.BENCH_INITIAL_SEEDING !== '0';
const shapeName = (s: RawShape) => `${s.connections} connection${s.connections === 1 ? '' : 's'} × ${s.channelsPerConnection} channel${s.channelsPerConnection === 1 ? '' : 's'}, ${s.messageBytes / 1024} KiB messages`;
const PARTIAL = SYSTEMS.length < 3 || !INITIAL_SEEDING || !['single', 'lossy', 'swarm', 'join'].every((p) => PARTS.has(p));
const conditions = [...(PARTS.has('single') ? RTTS_MS.map((rttMs) => ({ rttMs, lossPct: 0 })) : []), ...(PARTS.has('lossy') ? [LOSSY] : [])];

try {
  await startServer();
  for (const c of conditions) {
    // Two shaped links on the path: each gets a quarter of the RTT each way, and loss such that the path loses lossPct.
    const perLinkLoss = c.lossPct === 0 ? 0 : 100 * (1 - Math.sqrt(1 - c.lossPct / 100));
    const link: LinkSpec = { oneWayDelayMs: c.rttMs / 4, lossPct: perLinkLoss, seed: 11 };
    const [a, b] = [await browserBehind('full-cone', link), await browserBehind('full-cone', { ...link, seed: 13 })];
    const runs: Record<SingleSystem, Array<{ MBps: number; setupSeconds: number | null; route?: string | null }>> = { tabswarm: [], webtorrent: [], raw: [] };
    for (let run = 0; run < RUNS; run++) {
      // A different order each run, so no system always goes first.
      const order: SingleSystem[] = SYSTEMS.map((_, i, all) => all[(i + run) % all.length]!);
      for (const system of order) {
        const r = await singleRun(system, a.browser, b.browser);
        runs[system].push(r);
        process.stdout.write(`single link RTT ${c.rttMs} ms loss ${c.lossPct} %: ${system} run ${run + 1}: ${r.MBps.toFixed(2)} MB/s${r.setupSeconds === null ? '' : `, set-up ${r.setupSeconds.toFixed(2)} s`}${r.route ? `, ${r.route}` : ''}\n`);
      }
    }
    for (const system of SYSTEMS) {
      const setups = runs[system].map((r) => r.setupSeconds).filter((s): s is number => s !== null);
      single.push({ system, rttMs: c.rttMs, lossPct: c.lossPct, MBps: spread(runs[system].map((r) => r.MBps)), setupSeconds: setups.length ? spread(setups) : null, ...(system === 'tabswarm' ? { routes: runs[system].map((r) => r.route ?? null) } : {}) });
    }
    await Promise.all([a.browser.close(), b.browser.close()]);
  }

  // Beyond one channel: raw channels in several shapes on the same path.
  if (PARTS.has('channels')) {
    for (const rttMs of CHANNEL_RTTS_MS) {
      const link: LinkSpec = { oneWayDelayMs: rttMs / 4, seed: 41 };
      const [a, b] = [await browserBehind('full-cone', link), await browserBehind('full-cone', { ...link, seed: 43 })];
      const got = RAW_SHAPES.map(() => [] as number[]);
      for (let run = 0; run < RUNS; run++) {
        for (let k = 0; k < RAW_SHAPES.length; k++) {
          const i = (k + run) % RAW_SHAPES.length;
          const [pa, pb] = [await page(a.browser, 'tabswarm'), await page(b.browser, 'tabswarm')];
          const MBps = await rawChannelBetween(pa, pb, CHANNEL_BYTES, STUN, RAW_SHAPES[i]);
          await closePages([pa, pb]);
          got[i]!.push(MBps);
          process.stdout.write(`raw at RTT ${rttMs} ms, ${shapeName(RAW_SHAPES[i]!)}: run ${run + 1}: ${MBps.toFixed(2)} MB/s\n`);
        }
      }
      RAW_SHAPES.forEach((shape, i) => shapes.push({ rttMs, shape, MBps: spread(got[i]!) }));
      await Promise.all([a.browser.close(), b.browser.close()]);
    }
  }

  // The swarm: every upload 1 MiB/s (tbf), RTT 50 ms between any two peers.
  if (PARTS.has('swarm')) {
  const swarmLink: LinkSpec = { oneWayDelayMs: 12.5, upKbit: UPLOAD_KBIT };
  const peers = [];
  for (let i = 0; i <= SWARM_N; i++) peers.push(await browserBehind('full-cone', { ...swarmLink, seed: 20 + i }));
  const { dP2p } = uniformCurves(SWARM_BYTES, MiB, MiB);
  const swarmRuns: Record<'tabswarm' | 'webtorrent', number[]> = { tabswarm: [], webtorrent: [] };
  const drops: Record<'tabswarm' | 'webtorrent', { seeder: number[]; leechers: number[] }> = { tabswarm: { seeder: [], leechers: [] }, webtorrent: { seeder: [], leechers: [] } };
  for (let run = 0; run < RUNS; run++) {
    const order: Array<'tabswarm' | 'webtorrent'> = run % 2 === 0 ? ['tabswarm', 'webtorrent'] : ['webtorrent', 'tabswarm'];
    for (const system of order) {
      const seeder = await page(peers[0]!.browser, system);
      const { magnet, sha256 } = await seedIn(seeder, system, SWARM_BYTES, 0, { tracker: TRACKER });
      const leechers = await Promise.all(peers.slice(1).map((p) => page(p.browser, system)));
      const countersBefore = peers.map((p) => lab.uplinkCounters(p.host)!);
      const start = Date.now();
      const results = await Promise.all(leechers.map((l) => downloadIn(l, system, magnet, 0, { tracker: TRACKER, strategy: 'rarest' })));
      const dropped = peers.map((p, i) => dropPct(countersBefore[i]!, lab.uplinkCounters(p.host)!));
      drops[system].seeder.push(dropped[0]!);
      drops[system].leechers.push(Math.max(...dropped.slice(1)));
      const seconds = (Math.max(...results.map((r) => r.doneAt)) - start) / 1000;
      await closePages([seeder, ...leechers]);
      if (results.some((r) => r.sha256 !== sha256)) throw new Error(`${system} swarm: a leecher's file does not match`);
      swarmRuns[system].push(seconds);
      process.stdout.write(`swarm N=${SWARM_N} RTT 50 ms, 1 MiB/s uploads: ${system} run ${run + 1}: ${seconds.toFixed(2)} s (D_p2p ${dP2p(SWARM_N).toFixed(2)} s); uplink queues dropped ${dropped.map((d) => `${d.toFixed(1)} %`).join(' / ')} (seeder first)\n`);
    }
  }
  for (const system of ['tabswarm', 'webtorrent'] as const) swarm.push({ system, rttMs: 50, N: SWARM_N, seconds: spread(swarmRuns[system]), dP2p: dP2p(SWARM_N), seederUplinkDropPct: spread(drops[system].seeder), leecherUplinkDropPct: spread(drops[system].leechers) });
  await Promise.all(peers.map((p) => p.browser.close()));
  }

  // Joining through TURN: both behind symmetric NATs, 12.5 ms each way on each access link (50 ms RTT through the relay).
  if (PARTS.has('join')) {
  const [s, l] = [await browserBehind('symmetric', { oneWayDelayMs: 12.5, seed: 31 }), await browserBehind('symmetric', { oneWayDelayMs: 12.5, seed: 32 })];
  const seeder = await page(s.browser, 'tabswarm');
  const { magnet } = await seedIn(seeder, 'tabswarm', 4 * MiB, 0, { tracker: TRACKER });
  for (let run = 0; run < RUNS; run++) {
    const leecher = await page(l.browser, 'tabswarm');
    const r = await leecher.evaluate(async (magnet) => {
      const client = await (window as any).tabswarm;
      const start = performance.now();
      const session = await client.add(magnet);
      await new Promise<void>((resolve) => session.torrent.once('piece', () => resolve()));
      const seconds = (performance.now() - start) / 1000;
      await new Promise((resolve) => setTimeout(resolve, 500)); // the route is read from stats once the channel opens
      return { seconds, routes: (client.stats(session.torrent.infoHash).peers as Array<{ route: string | null }>).map((p) => p.route) };
    }, magnet);
    if (!r.routes.includes('relayed')) throw new Error(`the join was meant to go through TURN, but the routes were ${JSON.stringify(r.routes)}`);
    joins.push(r.seconds);
    process.stdout.write(`join through TURN at RTT 50 ms, run ${run + 1}: ${r.seconds.toFixed(2)} s to the first piece\n`);
    await closePages([leecher]);
  }
  await closePages([seeder]);
  }
} finally {
  await Promise.all(browsers.map((b) => b.close().catch(() => {})));
  for (const server of servers) server.kill('SIGKILL');
  await coturn.stop();
  lab.destroy();
}

const m = machine();
if (PARTS.has('channels')) {
  const f = (s: Spread) => `${s.median.toFixed(2)} (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
  const base = (rttMs: number) => shapes.find((r) => r.rttMs === rttMs && r.shape === ONE_RAW_CHANNEL)!.MBps.median;
  writeResults(
    'network-channels',
    { commit: COMMIT, machine: m, runs: RUNS, bytes: CHANNEL_BYTES, shapes: shapes.map((r) => ({ rttMs: r.rttMs, ...r.shape, MBps: r.MBps })) },
    [
      '# Beyond one data channel (`npm run bench:network`, part `channels`)',
      '',
      `Commit ${COMMIT}, ${m.date}; ${m.cpu}, ${m.cores} cores, ${m.chromium ?? 'Chromium'}. Each figure: median (min–max) of ${RUNS} runs, all from this run.`,
      `Raw RTCDataChannels (no BitTorrent) carrying ${CHANNEL_BYTES / MiB} MiB between two Chromiums in the network lab, each behind a full-cone NAT, delay from the lab's delay line, no rate limit or loss; every channel ordered and kept 8 MiB deep. MB/s (10^6 B/s) from the first message received to the last channel's end.`,
      '',
      '| RTT | connections × channels | message | MB/s | × one channel (64 KiB) |',
      '| --- | --- | --- | --- | --- |',
      ...shapes.map((r) => `| ${r.rttMs} ms | ${r.shape.connections} × ${r.shape.channelsPerConnection} | ${r.shape.messageBytes / KiB} KiB | ${f(r.MBps)} | ${(r.MBps.median / base(r.rttMs)).toFixed(2)} |`),
      '',
      'Several channels on one connection share one SCTP association (one congestion window); several connections have one each.',
    ].join('\n'),
  );
}
if (PARTIAL) {
  // A look at some parts only (BENCH_PARTS): printed, never written over the committed results.
  process.stdout.write(`${JSON.stringify({ commit: COMMIT, machine: m, runs: RUNS, parts: [...PARTS], singleLink: single, swarm, joins }, null, 2)}\n`);
  process.exit(0);
}
const joinSecondsTurn = spread(joins);
const f2 = (x: number) => x.toFixed(2);
const fs = (s: Spread) => `${f2(s.median)} (${f2(s.min)}–${f2(s.max)})`;
const row = (system: SingleSystem, rttMs: number, lossPct: number) => single.find((r) => r.system === system && r.rttMs === rttMs && r.lossPct === lossPct)!;
const md: string[] = [
  '# Network benchmark (`npm run bench:network`)',
  '',
  `Commit ${COMMIT}, ${m.date}; ${m.cpu}, ${m.cores} cores, ${m.chromium ?? 'Chromium'}. Each figure: median (min–max) of ${RUNS} runs, all from this run.`,
  'Every peer is a Chromium in its own network namespace behind its own full-cone NAT; delay and loss come from the lab\'s delay line, rates from tbf (test/netlab/). The tracker and coturn (STUN and TURN) are on a public host. WebTorrent 2.8.5 runs in its best configuration (rarest first, no upload limit, the same STUN server).',
  '',
  '## Single link (16 MiB, one seeder, one downloader), MB/s at steady state',
  '',
  'From the first verified piece to the last (the raw channel: first message to last). Set-up (tracker, ICE, metadata) is timed apart.',
  '',
  '| RTT | loss | raw channel | Tabswarm | of raw | WebTorrent | of raw | Tabswarm set-up s | WebTorrent set-up s |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...conditions.map((c) => {
    const [raw, ts, wt] = [row('raw', c.rttMs, c.lossPct), row('tabswarm', c.rttMs, c.lossPct), row('webtorrent', c.rttMs, c.lossPct)];
    return `| ${c.rttMs} ms | ${c.lossPct} % | ${fs(raw.MBps)} | ${fs(ts.MBps)} | ${Math.round((100 * ts.MBps.median) / raw.MBps.median)} % | ${fs(wt.MBps)} | ${Math.round((100 * wt.MBps.median) / raw.MBps.median)} % | ${fs(ts.setupSeconds!)} | ${fs(wt.setupSeconds!)} |`;
  }),
  '',
  `Goal: Tabswarm ≥ ${GOALS.singleOfRaw * 100} % of the raw channel at every RTT.`,
  '',
  `## Swarm: 1 seeder + ${SWARM_N} leechers, F = 8 MiB, every upload 1 MiB/s (tbf), RTT 50 ms`,
  '',
  '| system | seconds | D_p2p | × D_p2p | seeder uplink: packets dropped | leechers\' uplinks: most dropped |',
  '| --- | --- | --- | --- | --- | --- |',
  ...swarm.map((r) => `| ${r.system} | ${fs(r.seconds)} | ${f2(r.dP2p)} | ${f2(r.seconds.median / r.dP2p)} | ${fs(r.seederUplinkDropPct)} % | ${fs(r.leecherUplinkDropPct)} % |`),
  '',
  'Packets dropped: of those each host sent, the share its uplink\'s queue (tbf, 400 ms deep) dropped for being full. Data channels (SCTP) slow down only on loss, so a sender that fills the queue loses packets and waits out retransmissions; 0 % means the uplink was never overfilled.',
  '',
  `Goal: ≤ ${GOALS.swarmOfDp2p} × D_p2p, ahead of WebTorrent.`,
  '',
  '## Joining through TURN (both peers behind symmetric NATs, RTT 50 ms through the relay)',
  '',
  `Seconds from opening the link to the first verified piece: ${fs(joinSecondsTurn)} (goal ≤ ${GOALS.joinTurnSeconds} s). Every run's connection was read back as relayed.`,
];
writeResults('network', { commit: COMMIT, machine: m, runs: RUNS, singleLink: single, swarm, joinSecondsTurn, goals: GOALS }, md.join('\n'));
