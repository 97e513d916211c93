/**
 * `npm run bench:tracker` — our tracker against bittorrent-tracker's server, same machine, same run.
 * Each server runs in a child process of its own (so its RSS is its own); this process is the load.
 *  - concurrent peers: 10,000 sockets × 1 peer, and 50,000 peers as 10,000 sockets × 5 peer ids
 *    (one process here may hold at most 20,000 file descriptors and the limit cannot be raised, so
 *    50,000 one-peer sockets cannot exist on this machine; the protocol lets one socket announce
 *    several peers, which both servers accept) — time to connect and announce all, RSS, RSS per peer;
 *  - announce throughput and p50/p99 latency: 1,000 sockets re-announcing in a closed loop;
 *  - offers relayed per second: 1,000 sockets in 100 swarms, each announce carrying one offer.
 * Throughput figures are min/median/max of 3 runs.
 * Then our tracker on Redis (a redis-server of its own, started here), with 1 and with 2 processes
 * behind it: 10,000 sockets split across the processes (every peer then visible through either
 * process), and the announce loop with its sockets split the same way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openRawWs, textFrame, type RawWs } from './lib/raw-ws.ts';
import { machine, spread, writeResults, type Spread } from './lib/report.ts';
import { startRedis } from '../helpers/redis.ts';
import { processRssKiB } from './lib/proc-memory.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SWARMS = 100;
const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 10_000);
const PEERS_PER_SOCKET_50K = 5;
const LOOP_SOCKETS = 1_000;
const LOOP_SECONDS = Number(process.env.BENCH_LOOP_SECONDS ?? 8);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CONNECT_CONCURRENCY = 200;
// A realistic whole-SDP offer (one host candidate) is about 500 bytes.
const SDP = `v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\na=msid-semantic: WMS\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=candidate:1 1 udp 2113937151 127.0.0.1 50000 typ host\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\na=fingerprint:sha-256 ${'AB:'.repeat(31)}AB\r\na=setup:actpass\r\na=mid:0\r\na=sctp-port:5000\r\n`;

type System = 'tabswarm' | 'bittorrentTracker';

interface Server {
  child: ChildProcess;
  port: number;
}

function startServer(system: System, extraEnv: Record<string, string> = {}): Promise<Server> {
  const env = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    // Capacity is what we measure: the per-socket and per-IP abuse limits are lifted for the load.
    MAX_SOCKETS_PER_IP: '0',
    ANNOUNCES_PER_SECOND: '1000000',
    ANNOUNCE_BURST: '1000000',
    MAX_SWARMS_PER_SOCKET: '1000',
    ...extraEnv,
  };
  // Our server runs as `npm start` runs it: one Node process, the built lib/serve.js.
  const args = system === 'tabswarm' ? ['lib/serve.js'] : ['test/bench/bt-tracker-server.mjs'];
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (c: Buffer) => {
      buf += c.toString();
      const m = /"event":"listening"[^\n]*"port":(\d+)/.exec(buf);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.on('exit', (code) => reject(new Error(`${system} server exited (${code})`)));
  });
}

async function stopServer(s: Server): Promise<void> {
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGKILL');
  await exited;
}

/** CPU seconds (user + system) the process has used: the server's own cost, whatever the load could drive. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of /proc/PID/stat, in clock ticks (100 per second here).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const rssMiB = (pid: number): number => processRssKiB(pid).now / 1024;

const binId = (prefix: string, n: number) => (prefix + n.toString(36)).padEnd(20, '.').slice(0, 20);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function closeAll(sockets: RawWs[]): Promise<void> {
  for (const ws of sockets) ws.close();
  await sleep(500);
}

/** Connects `sockets` sockets (socket i to server i mod n), each announcing `peersPerSocket` peers, and waits for every reply. */
async function connectPeers(servers: Server[], sockets: number, peersPerSocket: number): Promise<{ open: RawWs[]; connectSeconds: number }> {
  const open: RawWs[] = [];
  const start = performance.now();
  let next = 0;
  async function worker() {
    while (next < sockets) {
      const i = next++;
      let replies = 0;
      let done!: () => void;
      const allReplied = new Promise<void>((r) => (done = r));
      const ws = await openRawWs(servers[i % servers.length]!.port, '/announce', () => {
        if (++replies === peersPerSocket) done();
      });
      open.push(ws);
      for (let p = 0; p < peersPerSocket; p++) {
        const peer = binId('p', i * peersPerSocket + p);
        ws.send(textFrame(JSON.stringify({ action: 'announce', info_hash: binId('swarm', (i * peersPerSocket + p) % SWARMS), peer_id: peer, numwant: 0, uploaded: 0, downloaded: 0, left: p % 3 === 0 ? 0 : 1000, event: 'started', offers: [] })));
      }
      await allReplied;
    }
  }
  await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, worker));
  return { open, connectSeconds: (performance.now() - start) / 1000 };
}

/** One server, `sockets` sockets × `peersPerSocket` peers: time to connect, RSS. */
async function concurrent(system: System, sockets: number, peersPerSocket: number) {
  const server = await startServer(system);
  await sleep(500);
  const idleRss = rssMiB(server.child.pid!);
  const { open, connectSeconds } = await connectPeers([server], sockets, peersPerSocket);
  await sleep(1000);
  const rss = rssMiB(server.child.pid!);
  await closeAll(open);
  await stopServer(server);
  const peers = sockets * peersPerSocket;
  return { sockets, peers, connectSeconds: round(connectSeconds), rssMiB: round(rss), idleRssMiB: round(idleRss), kiBPerPeer: round(((rss - idleRss) * 1024) / peers) };
}

/** Closed loop: each socket has one announce in flight; measures replies/s and latency. */
async function announceLoop(servers: Server[], withOffers: boolean, extraCpuPids: number[] = []) {
  const latencies: number[] = [];
  let replies = 0;
  let offersReceived = 0;
  let running = false;
  const sockets: RawWs[] = [];
  const kicks: Array<() => void> = [];
  for (let i = 0; i < LOOP_SOCKETS; i++) {
    const infoHash = binId('loop', i % SWARMS);
    const peerId = binId(withOffers ? 'o' : 'l', i);
    let sentAt = 0;
    // One frame, reused: the same offer_id again from the same offerer is a fresh offer to both servers.
    const frame = textFrame(
      JSON.stringify({
        action: 'announce',
        info_hash: infoHash,
        peer_id: peerId,
        numwant: withOffers ? 1 : 0,
        uploaded: 0,
        downloaded: 0,
        left: 1000,
        offers: withOffers ? [{ offer: { type: 'offer', sdp: SDP }, offer_id: binId(`${i}-`, 0) }] : [],
      }),
    );
    const ws: RawWs = await openRawWs(servers[i % servers.length]!.port, '/announce', (payload) => {
      // Offers delivered to this socket are counted; the reply to our own announce drives the loop.
      if (payload.includes('"offer"')) {
        offersReceived++;
        return;
      }
      if (!payload.includes('"interval"')) return;
      if (sentAt > 0) {
        latencies.push(performance.now() - sentAt);
        replies++;
      }
      if (running) {
        sentAt = performance.now();
        ws.send(frame);
      }
    });
    sockets.push(ws);
    // Join the swarm first (not timed); the loop starts once every socket is in.
    ws.send(textFrame(JSON.stringify({ action: 'announce', info_hash: infoHash, peer_id: peerId, numwant: 0, left: 1000, event: 'started', offers: [] })));
    kicks.push(() => {
      sentAt = performance.now();
      ws.send(frame);
    });
  }
  await sleep(500);
  running = true;
  for (const kick of kicks) kick();
  await sleep(1000);
  replies = 0;
  offersReceived = 0;
  latencies.length = 0;
  const pids = servers.map((s) => s.child.pid!);
  const cpuOf = (list: number[]) => list.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const start = performance.now();
  const cpuStart = cpuOf(pids);
  const extraStart = cpuOf(extraCpuPids);
  await sleep(LOOP_SECONDS * 1000);
  const seconds = (performance.now() - start) / 1000;
  const cpu = cpuOf(pids) - cpuStart;
  const extraCpu = cpuOf(extraCpuPids) - extraStart;
  const counted = replies;
  const offers = offersReceived;
  const sorted = latencies.slice().sort((a, b) => a - b);
  running = false;
  await closeAll(sockets);
  return {
    cpuMicrosPerAnnounce: (cpu * 1e6) / counted,
    /** CPU of the processes in `extraCpuPids` (Redis) per announce. */
    extraCpuMicrosPerAnnounce: (extraCpu * 1e6) / counted,
    perSecond: counted / seconds,
    offersPerSecond: offers / seconds,
    p50: sorted[Math.floor(sorted.length * 0.5)] ?? NaN,
    p99: sorted[Math.floor(sorted.length * 0.99)] ?? NaN,
  };
}

const round = (x: number) => Math.round(x * 100) / 100;

async function measure(system: System) {
  process.stdout.write(`\n== ${system}\n`);
  const c10k = await concurrent(system, SOCKETS, 1);
  process.stdout.write(`10k: ${JSON.stringify(c10k)}\n`);
  const c50k = await concurrent(system, SOCKETS, PEERS_PER_SOCKET_50K);
  process.stdout.write(`50k: ${JSON.stringify(c50k)}\n`);
  const announces: number[] = [];
  const p50: number[] = [];
  const p99: number[] = [];
  const offers: number[] = [];
  const cpuUs: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const server = await startServer(system);
    const a = await announceLoop([server], false);
    const o = await announceLoop([server], true);
    await stopServer(server);
    announces.push(a.perSecond);
    p50.push(a.p50);
    p99.push(a.p99);
    offers.push(o.offersPerSecond);
    cpuUs.push(a.cpuMicrosPerAnnounce);
    process.stdout.write(`run ${run + 1}: ${a.cpuMicrosPerAnnounce.toFixed(1)} server CPU µs/announce, ${a.perSecond.toFixed(0)} announces/s p50 ${a.p50.toFixed(2)} ms p99 ${a.p99.toFixed(2)} ms; ${o.offersPerSecond.toFixed(0)} offers/s\n`);
  }
  return { c10k, c50k, announces: spread(announces), cpuMicrosPerAnnounce: spread(cpuUs), p50: spread(p50), p99: spread(p99), offers: spread(offers) };
}

/** Peers every server can see: a scrape of all the swarms through each, summed. */
async function visiblePeers(servers: Server[]): Promise<number[]> {
  const hashes = Array.from({ length: SWARMS }, (_, i) => binId('swarm', i));
  return Promise.all(servers.map(async (server) => {
    let resolve!: (n: number) => void;
    const counted = new Promise<number>((r) => (resolve = r));
    const ws = await openRawWs(server.port, '/announce', (payload) => {
      const files = (JSON.parse(payload.toString()) as { files: Record<string, { complete: number; incomplete: number }> }).files;
      resolve(Object.values(files).reduce((sum, f) => sum + f.complete + f.incomplete, 0));
    });
    ws.send(textFrame(JSON.stringify({ action: 'scrape', info_hash: hashes })));
    const n = await counted;
    ws.close();
    return n;
  }));
}

/** Our tracker on Redis with 1 and with 2 processes: connected peers, and the announce loop split across the processes. */
async function measureRedis() {
  const redis = await startRedis();
  const redisPid = redis.pid()!;
  const configs = [];
  for (const processes of [1, 2]) {
    process.stdout.write(`\n== tabswarm on Redis, ${processes} process${processes > 1 ? 'es' : ''}\n`);
    // A fresh key prefix per measurement, so each starts from an empty directory.
    const start = (tag: string) => Promise.all(Array.from({ length: processes }, () => startServer('tabswarm', { REDIS_URL: redis.url, REDIS_PREFIX: `bench-${processes}-${tag}:` })));
    let servers = await start('connect');
    await sleep(1000);
    const { open, connectSeconds } = await connectPeers(servers, SOCKETS, 1);
    await sleep(1000);
    const rss = servers.map((s) => round(rssMiB(s.child.pid!)));
    const visible = await visiblePeers(servers);
    await closeAll(open);
    await Promise.all(servers.map(stopServer));
    process.stdout.write(`${SOCKETS} peers: connect ${connectSeconds.toFixed(2)} s, RSS ${rss.join(' + ')} MiB, visible through each process ${visible.join(', ')}\n`);
    const announces: number[] = [];
    const p99: number[] = [];
    const offers: number[] = [];
    const cpuUs: number[] = [];
    const redisCpuUs: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      servers = await start(`loop${run}`);
      await sleep(1000);
      const a = await announceLoop(servers, false, [redisPid]);
      const o = await announceLoop(servers, true, [redisPid]);
      await Promise.all(servers.map(stopServer));
      announces.push(a.perSecond);
      p99.push(a.p99);
      offers.push(o.offersPerSecond);
      cpuUs.push(a.cpuMicrosPerAnnounce);
      redisCpuUs.push(a.extraCpuMicrosPerAnnounce);
      process.stdout.write(`run ${run + 1}: ${a.perSecond.toFixed(0)} announces/s p99 ${a.p99.toFixed(2)} ms, tracker CPU ${a.cpuMicrosPerAnnounce.toFixed(1)} µs + Redis CPU ${a.extraCpuMicrosPerAnnounce.toFixed(1)} µs per announce; ${o.offersPerSecond.toFixed(0)} offers/s\n`);
    }
    configs.push({
      processes,
      peers: SOCKETS,
      connectSeconds: round(connectSeconds),
      rssMiB: rss,
      visiblePeersPerProcess: visible,
      announcesPerSec: spread(announces),
      p99ms: spread(p99),
      offersPerSec: spread(offers),
      trackerCpuMicrosPerAnnounce: spread(cpuUs),
      redisCpuMicrosPerAnnounce: spread(redisCpuUs),
    });
  }
  await redis.stop();
  return configs;
}

const ours = await measure('tabswarm');
const theirs = await measure('bittorrentTracker');
const onRedis = await measureRedis();

const summary = (m: Awaited<ReturnType<typeof measure>>) => ({
  peers: m.c50k.peers,
  connectSeconds: m.c50k.connectSeconds,
  rssMiB: m.c50k.rssMiB,
  announcesPerSec: round(m.announces.median),
  serverCpuMicrosPerAnnounce: round(m.cpuMicrosPerAnnounce.median),
  p50ms: round(m.p50.median),
  p99ms: round(m.p99.median),
  offersPerSec: round(m.offers.median),
  kiBPerPeer: m.c50k.kiBPerPeer,
  detail: m,
});
const result = {
  machine: machine(),
  note: `50,000 peers = ${SOCKETS} sockets × ${PEERS_PER_SOCKET_50K} peer ids (fd limit 20,000 per process here); 10,000-peer figures are one peer per socket. Throughput: ${LOOP_SOCKETS} sockets in a closed loop for ${LOOP_SECONDS} s, ${RUNS} runs.`,
  tabswarm: summary(ours),
  bittorrentTracker: summary(theirs),
  redis: onRedis,
  ratios: {
    announcesPerSec: round(ours.announces.median / theirs.announces.median),
    /** Announces one server CPU-second buys, ours over theirs: capacity, independent of what the load could drive. */
    announcesPerCpuSecond: round(theirs.cpuMicrosPerAnnounce.median / ours.cpuMicrosPerAnnounce.median),
    memoryPerPeer50k: round(ours.c50k.kiBPerPeer / theirs.c50k.kiBPerPeer),
    memoryPerPeer10k: round(ours.c10k.kiBPerPeer / theirs.c10k.kiBPerPeer),
    offersPerSec: round(ours.offers.median / theirs.offers.median),
  },
};
/** What the Redis table says, in words computed from it. */
function scaleOutSummary(configs: Awaited<ReturnType<typeof measureRedis>>, inMemory: Spread): string {
  const [one, two] = configs;
  const gain = round(two!.announcesPerSec.median / one!.announcesPerSec.median);
  const redisUs = one!.redisCpuMicrosPerAnnounce.median;
  return [
    `Two processes on Redis handled ${gain}× the announces/s of one (${Math.round(two!.announcesPerSec.median)} vs ${Math.round(one!.announcesPerSec.median)}); one process in memory did ${Math.round(inMemory.median)}.`,
    `Sharing state costs each announce a Redis round trip: tracker CPU per announce rises from ${ours.cpuMicrosPerAnnounce.median.toFixed(1)} µs in memory to ${one!.trackerCpuMicrosPerAnnounce.median.toFixed(1)} µs (the Redis client's encoding and promise), plus ${redisUs.toFixed(1)} µs in Redis itself.`,
    `All of it shares 2 cores with the load generator here; on separate machines capacity grows with processes until Redis, single-threaded, is the limit — about ${Math.round(1e6 / redisUs / 1000)}k announces/s per Redis core at the Redis CPU per announce measured here.`,
    `Every peer was visible through every process (${two!.visiblePeersPerProcess.join(', ')} of ${two!.peers}).`,
  ].join(' ');
}

const fmt = (s: Spread, digits = 0) => `${s.min.toFixed(digits)} / ${s.median.toFixed(digits)} / ${s.max.toFixed(digits)}`;
const m = result.machine;
const md = [
  '# Tracker benchmark (`npm run bench:tracker`)',
  '',
  `${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.date}. Both servers in one run, each in its own process; the load from a third.`,
  '',
  result.note,
  '',
  '| figure | Tabswarm | bittorrent-tracker | ratio |',
  '| --- | ---: | ---: | ---: |',
  `| 10,000 sockets × 1 peer: connect + announce (s) | ${ours.c10k.connectSeconds} | ${theirs.c10k.connectSeconds} | |`,
  `| 10,000 peers: server RSS (MiB) | ${ours.c10k.rssMiB} | ${theirs.c10k.rssMiB} | |`,
  `| 10,000 peers: KiB per peer | ${ours.c10k.kiBPerPeer} | ${theirs.c10k.kiBPerPeer} | ${result.ratios.memoryPerPeer10k} |`,
  `| 50,000 peers (10,000 sockets): connect + announce (s) | ${ours.c50k.connectSeconds} | ${theirs.c50k.connectSeconds} | |`,
  `| 50,000 peers: server RSS (MiB) | ${ours.c50k.rssMiB} | ${theirs.c50k.rssMiB} | |`,
  `| 50,000 peers: KiB per peer | ${ours.c50k.kiBPerPeer} | ${theirs.c50k.kiBPerPeer} | ${result.ratios.memoryPerPeer50k} |`,
  `| announces/s, min / median / max | ${fmt(ours.announces)} | ${fmt(theirs.announces)} | ${result.ratios.announcesPerSec} |`,
  `| server CPU per announce (µs) | ${fmt(ours.cpuMicrosPerAnnounce, 1)} | ${fmt(theirs.cpuMicrosPerAnnounce, 1)} | ${result.ratios.announcesPerCpuSecond}× fewer |`,
  `| announce latency p50 (ms) | ${fmt(ours.p50, 2)} | ${fmt(theirs.p50, 2)} | |`,
  `| announce latency p99 (ms) | ${fmt(ours.p99, 2)} | ${fmt(theirs.p99, 2)} | |`,
  `| offers relayed/s | ${fmt(ours.offers)} | ${fmt(theirs.offers)} | ${result.ratios.offersPerSec} |`,
  '',
  'The load comes from one process on the same 2 cores, and costs about as much kernel time per message as the server does, so closed-loop announces/s is bounded by the load as much as by the server; server CPU per announce measures the server alone.',
  '',
  `Goals: announces/s ≥ 2× — ${result.ratios.announcesPerSec >= 2 ? 'met' : 'not met'} (${result.ratios.announcesPerSec}× measured closed-loop; ${result.ratios.announcesPerCpuSecond}× announces per server CPU-second); memory per announced peer ≤ ½ — ${result.ratios.memoryPerPeer50k <= 0.5 ? 'met' : 'not met'} (${result.ratios.memoryPerPeer50k}× at 50,000 peers, ${result.ratios.memoryPerPeer10k}× at 10,000); 50,000 concurrent peers in one process — held (${ours.c50k.peers} peers, ${ours.c50k.rssMiB} MiB).`,
  '',
  '## Scale-out on Redis',
  '',
  `Our tracker with \`REDIS_URL\` set, one redis-server, same machine, same run. Peers: ${SOCKETS} sockets × 1 peer split evenly across the processes; "visible" is what a scrape of all ${SWARMS} swarms through each process counts. Announce loop as above, its ${LOOP_SOCKETS} sockets split across the processes.`,
  '',
  '| processes | connect + announce (s) | RSS per process (MiB) | peers visible through each | announces/s, min / median / max | p99 (ms) | tracker + Redis CPU per announce (µs) | offers relayed/s |',
  '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...onRedis.map((c) => `| ${c.processes} | ${c.connectSeconds} | ${c.rssMiB.join(' + ')} | ${c.visiblePeersPerProcess.join(', ')} | ${fmt(c.announcesPerSec)} | ${c.p99ms.median.toFixed(2)} | ${c.trackerCpuMicrosPerAnnounce.median.toFixed(1)} + ${c.redisCpuMicrosPerAnnounce.median.toFixed(1)} | ${fmt(c.offersPerSec)} |`),
  '',
  scaleOutSummary(onRedis, ours.announces),
];
writeResults('tracker', result, md.join('\n'));
process.exit(0);
