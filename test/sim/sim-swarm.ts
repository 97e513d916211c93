/**
 * One simulated swarm: the engine's real Torrent (picker, choker, requester, uploader, wire codec)
 * for every peer, on the simulator's clock and links, with the content held once (PatternStore).
 * Peers find each other the way our tracker client does it: an announce on arrival carries
 * MAX_OFFERS_PER_ANNOUNCE offers to random peers in the swarm (one already connected, or full,
 * drops it), and a peer short of connections asks again after 5, 10, 20… s (the session's seek
 * schedule, capped at the announce interval), and 5 s after losing a peer.
 */
import { createHash } from 'node:crypto';
import { readUint32BE } from '../../shared/bytes.ts';
import { ANNOUNCE_INTERVAL_S, PIECE_LENGTH_BYTES } from '../../shared/constants.ts';
import { pieceHash } from '../../shared/metainfo/types.ts';
import type { Sha1 } from '../../shared/sha1.ts';
import { dClientServer, dPeerToPeer } from '../../shared/theory.ts';
import type { EngineOptions } from '../../client/engine/options.ts';
import { DEFAULT_MAX_PEERS, SEEK_PEERS_FIRST_MS } from '../../client/engine/session.ts';
import { Torrent } from '../../client/engine/torrent.ts';
import { MAX_OFFERS_PER_ANNOUNCE, MIN_ANNOUNCE_INTERVAL_MS } from '../../client/engine/tracker-client.ts';
import { DISTINCT_PIECES, PatternStore, patternTorrent, type PatternTorrent } from '../bench/lib/pattern-torrent.ts';
import { SimClock } from './sim-clock.ts';
import { SimNetwork, type LinkSpec } from './sim-network.ts';

export interface SimPeerSpec extends LinkSpec {
  /** Joins this long after the seeder (ms). */
  arrivalMs: number;
  /** Uploads nothing (a free-rider). */
  freeRider: boolean;
  /** Leaves when this much of the file is verified (0..1), or never before finishing (null). */
  leavesAt: number | null;
}

export interface Scenario {
  name: string;
  fileBytes: number;
  seed: LinkSpec;
  peers: SimPeerSpec[];
  /** Whether a peer that finished leaves the swarm (otherwise it seeds on). */
  leaveWhenDone: boolean;
  /** The seeder leaves once it has uploaded this many bytes (null: it stays). */
  seedLeavesAfterBytes: number | null;
  /** Seed of every random choice: the same value gives the same run. */
  randomSeed: number;
  maxPeers?: number;
  /** Initial seeding on the seeder, as a new share from a tab or `tabswarm seed` has it (default true). */
  initialSeeding?: boolean;
  /** Engine options for the seeder alone, over `engine`. */
  seedEngine?: Partial<EngineOptions>;
  engine?: Partial<EngineOptions>;
  /** Gives up at this much virtual time (ms). */
  limitMs?: number;
}

export interface PeerOutcome {
  finishedMs: number | null;
  freeRider: boolean;
  uploaded: number;
  upBps: number;
  /** Joined at (ms) and left at (ms, or null if it stayed to the end). */
  arrivalMs: number;
  leftMs: number | null;
}

export interface SimResult {
  name: string;
  N: number;
  fileBytes: number;
  /** From the seeder's start to the last staying peer's finish, seconds. */
  seconds: number;
  dP2p: number;
  dCs: number;
  seedUploaded: number;
  /** When every piece had reached some peer, each first copy from the seeder (ms), or null. */
  allPiecesOutMs: number | null;
  /** The seeder's bytes sent until then over what its upload could have sent: its upload utilisation while it alone held pieces the swarm lacked. */
  seedUtilisation: number | null;
  /** Bytes the peers sent over what their uploads could have sent while they were in the swarm (free-riders' capacity counted as 0). */
  peerUtilisation: number;
  peers: PeerOutcome[];
  /** Per-piece copies among the peers every COPIES_EVERY_MS: min, median, max. */
  copies: Array<{ atMs: number; min: number; median: number; max: number }>;
  /** Every COPIES_EVERY_MS: the bytes all peers and the seed sent in the interval over what their uploads could have sent (free-riders' counted as 0). */
  utilisation: Array<{ atMs: number; all: number }>;
  events: number;
  wallSeconds: number;
  /** Peak resident memory of the simulating process (sampled every 5 s of virtual time). */
  rssMiB: number;
  /** Peak memory in ArrayBuffers: piece bytes in flight, being assembled, queued on links. */
  buffersMiB: number;
}

/** A small fast PRNG (mulberry32): deterministic for a seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** node:crypto's SHA-1, resolved at once (no thread pool): the simulator's steps stay in one macrotask. */
const syncSha1: Sha1 = async (data) => new Uint8Array(createHash('sha1').update(data).digest());

/**
 * SHA-1 for a pattern torrent's pieces, which repeat DISTINCT_PIECES patterns: bytes equal to a
 * pattern have that pattern's hash, so a piece is compared with the pattern its first four bytes
 * point to (a memory compare, ten times cheaper than hashing) and anything else is hashed. The
 * digest is the same as syncSha1's for every input; at N = 1,000 the peers verify 64 GiB.
 */
function patternSha1(content: PatternTorrent): Sha1 {
  const asBuffer = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  const known = new Map<number, { bytes: Buffer; digest: Uint8Array }>();
  for (let i = 0; i < Math.min(DISTINCT_PIECES, content.meta.pieceCount); i++) {
    known.set(readUint32BE(content.piece(i), 0), { bytes: asBuffer(content.piece(i)), digest: pieceHash(content.meta, i) });
  }
  return async (data) => {
    const match = data.byteLength >= 4 ? known.get(readUint32BE(data, 0)) : undefined;
    if (match && asBuffer(data).equals(match.bytes)) return match.digest.slice();
    return syncSha1(data);
  };
}

const COPIES_EVERY_MS = 5_000;
/** With the seeder gone, this long without a piece arriving anywhere means the file is lost to the swarm. */
export const STUCK_AFTER_MS = 120_000;

export async function simulate(s: Scenario): Promise<SimResult> {
  const wallStart = performance.now();
  const random = prng(s.randomSeed);
  const pieceCount = Math.ceil(s.fileBytes / PIECE_LENGTH_BYTES);
  const content = patternTorrent(pieceCount, `${s.name}.bin`, (n) => {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = (random() * 256) | 0;
    return b;
  });
  const meta = content.meta;
  const sha1 = patternSha1(content);
  const clock = new SimClock();
  const net = new SimNetwork(clock);
  const maxPeers = s.maxPeers ?? DEFAULT_MAX_PEERS;
  const engine: Partial<EngineOptions> = { ...s.engine };

  interface Member {
    index: number; // -1: the seeder
    node: number;
    /** Its peer id in hex, as Torrent.isConnectedTo takes it. */
    idHex: string;
    torrent: Torrent;
    links: number;
    present: boolean;
    seekRound: number;
    announceTimer: unknown;
  }
  const members: Member[] = [];
  const present = () => members.filter((m) => m.present);
  let idCounter = 0;
  const peerId = () => {
    const id = new Uint8Array(20);
    id.set(new TextEncoder().encode(`-SIM001-${String(++idCounter).padStart(12, '0')}`));
    return id;
  };

  const join = async (index: number, spec: LinkSpec, complete: boolean, options: Partial<EngineOptions>): Promise<Member> => {
    const id = peerId();
    const torrent = new Torrent({ metainfo: meta }, { peerId: id, sha1, openStore: async () => new PatternStore(content, complete), clock, random: prng((random() * 2 ** 32) >>> 0) }, options);
    const m: Member = { index, node: net.addNode(spec), idHex: Buffer.from(id).toString('hex'), torrent, links: 0, present: true, seekRound: 0, announceTimer: null };
    members.push(m);
    await torrent.start();
    torrent.on('peer-close', () => {
      m.links--;
      if (m.present && !torrent.done) scheduleAnnounce(m, MIN_ANNOUNCE_INTERVAL_MS);
    });
    return m;
  };

  const connect = (a: Member, b: Member) => {
    const [ta, tb] = net.connect(a.node, b.node);
    if (a.torrent.addPeer(ta) === null) return;
    if (b.torrent.addPeer(tb) === null) return ta.close();
    a.links++;
    b.links++;
  };

  // The tracker's offer fan-out, with offers to peers already held (or full) dropped, as our peers do.
  const announce = (m: Member) => {
    m.announceTimer = null;
    if (!m.present) return;
    const others = present().filter((o) => o !== m);
    for (let k = 0; k < MAX_OFFERS_PER_ANNOUNCE && others.length > 0 && m.links < maxPeers; k++) {
      const o = others.splice(Math.floor(random() * others.length), 1)[0]!;
      if (o.links >= maxPeers || m.torrent.isConnectedTo(o.idHex)) continue;
      connect(m, o);
    }
    // Short of peers: look again after 5, 10, 20… s, never later than the interval.
    if (!m.torrent.done && m.links < Math.min(maxPeers, present().length - 1)) {
      scheduleAnnounce(m, Math.min(ANNOUNCE_INTERVAL_S * 1000, SEEK_PEERS_FIRST_MS * 2 ** m.seekRound++));
    } else {
      m.seekRound = 0;
    }
  };
  const scheduleAnnounce = (m: Member, afterMs: number) => {
    if (m.announceTimer !== null) return;
    m.announceTimer = clock.setTimeout(() => announce(m), afterMs);
  };

  const leave = async (m: Member) => {
    if (!m.present) return;
    m.present = false;
    if (m.announceTimer !== null) clock.clearTimeout(m.announceTimer);
    outcomes.get(m)!.leftMs = clock.now();
    if (m.index >= 0) for (let p = 0; p < pieceCount; p++) if (m.torrent.hasPiece(p)) copiesNow[p]!--;
    await m.torrent.destroy();
  };

  const outcomes = new Map<Member, PeerOutcome>();
  const seeder = await join(-1, s.seed, true, { ...engine, superSeed: s.initialSeeding ?? true, ...s.seedEngine });
  outcomes.set(seeder, { finishedMs: 0, freeRider: false, uploaded: 0, upBps: s.seed.upBps, arrivalMs: 0, leftMs: null });

  let finished = 0;
  const staying = s.peers.filter((p) => p.leavesAt === null).length;
  // Copies of each piece among the peers present; the first copy of a piece can only have come from the seeder.
  const copiesNow = new Array<number>(pieceCount).fill(0);
  const everOut = new Uint8Array(pieceCount);
  let out = 0;
  let allPiecesOutMs: number | null = null;
  let seedSentWhenAllOut = 0;
  let lastPieceMs = 0;
  const leechers: Member[] = [];
  s.peers.forEach((spec, i) => {
    clock.setTimeout(() => {
      void (async () => {
        const m = await join(i, spec, false, { ...engine, ...(spec.freeRider ? { reshare: false } : {}) });
        leechers.push(m);
        const outcome: PeerOutcome = { finishedMs: null, freeRider: spec.freeRider, uploaded: 0, upBps: spec.upBps, arrivalMs: clock.now(), leftMs: null };
        outcomes.set(m, outcome);
        let have = 0;
        m.torrent.on('piece', (p: number) => {
          lastPieceMs = clock.now();
          copiesNow[p]!++;
          have++;
          if (!everOut[p]) {
            everOut[p] = 1;
            if (++out === pieceCount) {
              allPiecesOutMs = clock.now();
              seedSentWhenAllOut = net.sentBytes[seeder.node]!;
            }
          }
          if (spec.leavesAt !== null && have * PIECE_LENGTH_BYTES >= spec.leavesAt * s.fileBytes && !m.torrent.done) void leave(m);
        });
        m.torrent.on('done', () => {
          outcome.finishedMs = clock.now();
          if (spec.leavesAt === null) finished++;
          if (s.leaveWhenDone) void leave(m);
        });
        announce(m);
      })();
    }, spec.arrivalMs);
  });

  // The seed leaves once it has uploaded its share; the copies histogram is sampled meanwhile.
  const copies: SimResult['copies'] = [];
  const utilisation: SimResult['utilisation'] = [];
  let sentBefore = 0;
  let peakRss = 0;
  let peakBuffers = 0;
  const sampler = clock.setInterval(() => {
    const sent = net.sentBytes.reduce((a, b) => a + b, 0);
    const capacity = members.filter((m) => m.present && !(m.index >= 0 && s.peers[m.index]!.freeRider)).reduce((a, m) => a + net.spec(m.node).upBps, 0);
    utilisation.push({ atMs: clock.now(), all: capacity > 0 ? (sent - sentBefore) / ((capacity * COPIES_EVERY_MS) / 1000) : 0 });
    sentBefore = sent;
    const mem = process.memoryUsage();
    if (mem.rss > peakRss) peakRss = mem.rss;
    if (mem.arrayBuffers > peakBuffers) peakBuffers = mem.arrayBuffers;
    if (s.seedLeavesAfterBytes !== null && seeder.present && net.sentBytes[seeder.node]! >= s.seedLeavesAfterBytes) void leave(seeder);
    const sorted = [...copiesNow].sort((a, b) => a - b);
    copies.push({ atMs: clock.now(), min: sorted[0]!, median: sorted[sorted.length >> 1]!, max: sorted[sorted.length - 1]! });
  }, COPIES_EVERY_MS);

  // A swarm whose seeder left before every piece was spread can stay stuck for good: once nothing
  // has arrived for STUCK_AFTER_MS with the seeder gone, the run ends and says who did not finish.
  await clock.run(() => finished >= staying || (!seeder.present && clock.now() - lastPieceMs > STUCK_AFTER_MS), s.limitMs ?? 3_600_000);
  clock.clearInterval(sampler);
  const endMs = clock.now();
  for (const [m, o] of outcomes) o.uploaded = net.sentBytes[m.node]!;
  for (const m of members) if (m.present) await m.torrent.destroy();
  const peers = leechers.map((m) => outcomes.get(m)!);
  const dist = { F: s.fileBytes, us: s.seed.upBps, ui: s.peers.map((p) => (p.freeRider ? 0 : p.upBps)), dMin: Math.min(...s.peers.map((p) => p.downBps)) };
  return {
    name: s.name,
    N: s.peers.length,
    fileBytes: s.fileBytes,
    seconds: endMs / 1000,
    dP2p: dPeerToPeer(dist),
    dCs: dClientServer(dist),
    seedUploaded: outcomes.get(seeder)!.uploaded,
    allPiecesOutMs,
    seedUtilisation: allPiecesOutMs === null ? null : seedSentWhenAllOut / ((s.seed.upBps * allPiecesOutMs) / 1000),
    peerUtilisation: peers.reduce((a, p) => a + p.uploaded, 0) / peers.reduce((a, p) => a + (p.freeRider ? 0 : (p.upBps * ((p.leftMs ?? endMs) - p.arrivalMs)) / 1000), 0),
    peers,
    copies,
    utilisation,
    events: clock.fired,
    wallSeconds: (performance.now() - wallStart) / 1000,
    rssMiB: Math.max(peakRss, process.memoryUsage().rss) / 2 ** 20,
    buffersMiB: peakBuffers / 2 ** 20,
  };
}
