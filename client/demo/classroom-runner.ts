/**
 * Classroom mode's engine, free of DOM: one seeder and N leechers inside this page, each a full
 * peer with its own peer id, tracker socket and WebRTC connections (through the page's tracker),
 * uploads shaped by the engine's limiter. A run times the distribution: from the leechers' start
 * until the last one holds the whole file, verified. A client-server run is the same with leechers
 * that never re-share, so only the seeder uploads.
 */
import { createTorrent } from '../../shared/metainfo/index.ts';
import { defaultSha1 } from '../../shared/sha1.ts';
import { dClientServer, dPeerToPeer, uniform } from '../../shared/theory.ts';
import { SwarmSession } from '../engine/session.ts';
import { MemoryStore } from '../engine/storage.ts';
import { browserConnector, browserOpenSocket, browserPeerId } from '../browser/peer-env.ts';
import { demoBytes } from './settings.ts';
import { cpuVerdict, startLagMeter, type CpuVerdict, type LagSummary } from './loop-lag.ts';

export type RunMode = 'p2p' | 'client-server';

export interface RunSettings {
  /** File size, bytes. */
  F: number;
  /** The seeder's upload limit, bytes/s. */
  us: number;
  /** Each leecher's upload limit, bytes/s. */
  ui: number;
  N: number;
  mode: RunMode;
  /** Initial seeding (BEP 16-style) on the seeder. */
  superSeed: boolean;
  tracker: string;
  iceServers?: RTCIceServer[];
}

export interface RunResult extends Omit<RunSettings, 'tracker' | 'iceServers'> {
  seconds: number;
  dP2p: number;
  dCs: number;
  /** Bytes the seeder uploaded during the run: N·F at least in a client-server run. */
  seederUploaded: number;
  /** Bytes the leechers uploaded to each other, all together: none in a client-server run. */
  leechersUploaded: number;
  /** How late the page's timers ran during the run (loop-lag.ts). */
  lag: LagSummary;
  /** Whether the run was bound by this computer's CPU rather than the upload limits, and by how much. */
  cpu: CpuVerdict;
}

/** Each run gets fresh bytes, so a new swarm, untouched by the previous run's peers. */
let runCounter = 0;

export const MAX_CLASSROOM_PEERS = 16;

export async function runDistribution(s: RunSettings, onProgress?: (done: number, total: number) => void): Promise<RunResult> {
  if (!Number.isInteger(s.N) || s.N < 1 || s.N > MAX_CLASSROOM_PEERS) throw new RangeError(`N must be 1 to ${MAX_CLASSROOM_PEERS}.`);
  const data = demoBytes(s.F, Date.now() + ++runCounter);
  const sha1 = defaultSha1();
  const { metainfo } = await createTorrent({ name: `classroom-${runCounter}.bin`, multiFile: false, sha1, files: [{ path: ['classroom.bin'], length: data.length, stream: async function* () { yield data; } }] });
  const connector = browserConnector(s.iceServers);
  const peer = (store: MemoryStore, engine: ConstructorParameters<typeof SwarmSession>[2]['engine']) =>
    new SwarmSession({ metainfo }, { peerId: browserPeerId(), sha1, openStore: async () => store }, {
      trackers: [s.tracker],
      connector,
      openSocket: browserOpenSocket,
      // Everyone may reach everyone: a classroom swarm is small.
      maxPeers: MAX_CLASSROOM_PEERS + 1,
      engine,
    });
  // A server serves every client at once, sharing u_s (the chapter's client-server model); BitTorrent's
  // seeder unchokes 4 at a time, which would leave the others waiting for the optimistic unchoke.
  const seederSlots = s.mode === 'client-server' ? { unchokeSlots: s.N } : {};
  const seeder = peer(MemoryStore.filled(metainfo, data), { uploadLimit: s.us, superSeed: s.superSeed, ...seederSlots });
  const leechers = Array.from({ length: s.N }, () => peer(new MemoryStore(), { uploadLimit: s.ui, reshare: s.mode === 'p2p' }));
  try {
    await seeder.start();
    let done = 0;
    const finished = leechers.map((l) => new Promise<void>((resolve) => l.on('done', () => {
      onProgress?.(++done, s.N);
      resolve();
    })));
    const start = performance.now();
    const meter = startLagMeter();
    await Promise.all(leechers.map((l) => l.start()));
    await Promise.all(finished);
    const seconds = (performance.now() - start) / 1000;
    const lag = meter.stop();
    const dist = uniform(s.F, s.us, s.ui, s.N);
    const seederUploaded = seeder.torrent.stats().uploaded;
    const leechersUploaded = leechers.reduce((sum, l) => sum + l.torrent.stats().uploaded, 0);
    const cpu = cpuVerdict(lag, seederUploaded / (s.us * seconds));
    return { F: s.F, us: s.us, ui: s.ui, N: s.N, mode: s.mode, superSeed: s.superSeed, seconds, dP2p: dPeerToPeer(dist), dCs: dClientServer(dist), seederUploaded, leechersUploaded, lag, cpu };
  } finally {
    await Promise.all([seeder, ...leechers].map((p) => p.stop().catch(() => {})));
  }
}
