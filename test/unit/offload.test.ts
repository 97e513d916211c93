/**
 * The web-seed offload policy (peers first): the pure decision, the picker's copy ranges, and whole
 * in-memory swarms with an origin served from memory.
 */
import { describe, expect, it } from 'vitest';
import { Bitfield } from '../../shared/bitfield.ts';
import type { Metainfo } from '../../shared/metainfo/types.ts';
import { pieceRanges } from '../../shared/web-seed.ts';
import { Availability } from '../../client/engine/availability.ts';
import { originMode, copiesFor, DEFAULT_OFFLOAD_OPTIONS, ORIGIN_DEADLINE_MS, inShare, originShare, planOrigin } from '../../client/engine/offload.ts';
import { newProgress, nextRequests, type PieceProgress } from '../../client/engine/picker.ts';
import type { Torrent } from '../../client/engine/torrent.ts';
import { webSeedTransport, type FetchLike } from '../../client/engine/web-seed.ts';
import { until } from '../helpers/until.ts';
import { FAST, connect, connectAll, makeSeeder, makeContent, makePeer, sha256, storedBytes, waitDone, trackTorrents } from '../helpers/swarm.ts';
import { deliveredSoFar, rawSeeder } from '../helpers/raw-peer.ts';
import { ManualClock } from '../../client/engine/clock.ts';
import { MemoryStore } from '../../client/engine/storage.ts';
import { portableSha1 } from '../../shared/sha1.ts';
import { nodeSha1 } from '../../client/node/sha1.ts';
import { SimClock } from '../sim/sim-clock.ts';

/** Virtual time an in-memory swarm of a few pieces gets to finish in (it needs well under a second). */
const SWARM_LIMIT_MS = 60_000;

const PIECE = 256 * 1024;
const { track } = trackTorrents();

describe('originMode', () => {
  const o = DEFAULT_OFFLOAD_OPTIONS;
  it('peers first: only pieces no peer has while peers supply us, anything when they do not', () => {
    expect(originMode({ originBytes: 0, elapsedMs: 5_000, peersSupply: true }, o)).toBe('peerless');
    expect(originMode({ originBytes: 0, elapsedMs: 5_000, peersSupply: false }, o)).toBe('any');
  });
  it('preferring the origin, always or for the first seconds', () => {
    expect(originMode({ originBytes: 0, elapsedMs: 5_000, peersSupply: true }, { ...o, preferOrigin: true })).toBe('any');
    expect(originMode({ originBytes: 0, elapsedMs: 1_999, peersSupply: true }, { ...o, preferOriginForMs: 2_000 })).toBe('any');
    expect(originMode({ originBytes: 0, elapsedMs: 2_000, peersSupply: true }, { ...o, preferOriginForMs: 2_000 })).toBe('peerless');
  });
  it('the cap stops the origin, whatever else holds', () => {
    const capped = { ...o, preferOrigin: true, originCapBytes: 1_000 };
    expect(originMode({ originBytes: 999, elapsedMs: 0, peersSupply: false }, capped)).toBe('any');
    expect(originMode({ originBytes: 1_000, elapsedMs: 0, peersSupply: false }, capped)).toBe('none');
  });
});

describe('planOrigin', () => {
  const view = { originBytes: 0, elapsedMs: 5_000, peersSupply: true, selfId: 'b', neighbourIds: ['a', 'c'], headWaitMs: null };
  it('with supplying neighbours: only peerless pieces of our share, two pieces at a time', () => {
    expect(planOrigin(view, DEFAULT_OFFLOAD_OPTIONS)).toMatchObject({ copies: { min: 0, max: 0 }, maxPipelineBlocks: 32, shareOnly: true });
    expect(planOrigin(view, DEFAULT_OFFLOAD_OPTIONS)?.share?.others).toHaveLength(2);
  });
  it('starved: any piece, our share first; alone: a deeper pipeline', () => {
    expect(planOrigin({ ...view, peersSupply: false }, DEFAULT_OFFLOAD_OPTIONS)).toMatchObject({ copies: { min: 0, max: Infinity }, shareOnly: false });
    expect(planOrigin({ ...view, peersSupply: false, neighbourIds: [] }, DEFAULT_OFFLOAD_OPTIONS)).toMatchObject({ maxPipelineBlocks: 128, share: { others: [] } });
  });
  it('preferring the origin drops the shares; a cap leaves a budget, and nothing once reached', () => {
    expect(planOrigin(view, { ...DEFAULT_OFFLOAD_OPTIONS, preferOrigin: true })).toMatchObject({ share: null, shareOnly: false });
    expect(planOrigin({ ...view, originBytes: 600 }, { ...DEFAULT_OFFLOAD_OPTIONS, originCapBytes: 1_000 })?.budgetBytes).toBe(400);
    expect(planOrigin({ ...view, originBytes: 1_000 }, { ...DEFAULT_OFFLOAD_OPTIONS, originCapBytes: 1_000 })).toBeNull();
  });
  it("a stream's playhead piece missing for the deadline or longer lets the origin send urgent pieces whoever has them, within the cap", () => {
    expect(planOrigin(view, DEFAULT_OFFLOAD_OPTIONS)?.urgentAnyCopies).toBe(false);
    expect(planOrigin({ ...view, headWaitMs: ORIGIN_DEADLINE_MS - 1 }, DEFAULT_OFFLOAD_OPTIONS)?.urgentAnyCopies).toBe(false);
    expect(planOrigin({ ...view, headWaitMs: ORIGIN_DEADLINE_MS }, DEFAULT_OFFLOAD_OPTIONS)).toMatchObject({ urgentAnyCopies: true, copies: { min: 0, max: 0 } });
    expect(planOrigin({ ...view, headWaitMs: 500 }, { ...DEFAULT_OFFLOAD_OPTIONS, originDeadlineMs: 400 })?.urgentAnyCopies).toBe(true);
    expect(planOrigin({ ...view, headWaitMs: 60_000, originBytes: 1_000 }, { ...DEFAULT_OFFLOAD_OPTIONS, originCapBytes: 1_000 })).toBeNull();
  });
});

describe('originShare', () => {
  const ids = Array.from({ length: 8 }, (_, k) => `2d5453303130302d${String(k).padStart(24, '0')}`);
  const shareOf = (self: string, view: string[]) => originShare(self, view.filter((x) => x !== self));
  it('neighbours with the same view split the pieces among themselves: every piece in exactly one share, about evenly', () => {
    const shares = ids.map((self) => shareOf(self, ids));
    const owned = new Array(ids.length).fill(0);
    for (let piece = 0; piece < 4096; piece++) {
      const owners = shares.flatMap((s, k) => (inShare(piece, s) ? [k] : []));
      expect(owners).toHaveLength(1);
      owned[owners[0]!]++;
    }
    for (const n of owned) expect(n).toBeGreaterThan(4096 / 8 / 2);
  });
  it('a peer not yet met moves only the pieces it would own (about 1/n), not the whole split', () => {
    const before = shareOf(ids[0]!, ids.slice(0, 7));
    const after = shareOf(ids[0]!, ids);
    let moved = 0;
    for (let piece = 0; piece < 4096; piece++) if (inShare(piece, before) !== inShare(piece, after)) moved++;
    // We owned about 1/7 before and 1/8 after: only the pieces the newcomer takes from us change hands.
    expect(moved).toBeLessThan(4096 / 7 / 4);
  });
  it('alone, every piece is ours', () => {
    const alone = originShare(ids[0]!, []);
    for (let piece = 0; piece < 100; piece++) expect(inShare(piece, alone)).toBe(true);
  });
});

describe('the picker for an origin', () => {
  const pieceCount = 6;
  const all = new Bitfield(pieceCount);
  for (let i = 0; i < pieceCount; i++) all.set(i);
  const snapshot = (counts: number[], inProgress = new Map<number, PieceProgress>()) => {
    const have = new Bitfield(pieceCount);
    return { pieceCount, pieceLength: PIECE, totalLength: PIECE * pieceCount, have, rarity: Availability.withCounts(counts, have, () => 0.5), inProgress };
  };

  it('peerless: starts only pieces no connected peer has, and finishes only those', () => {
    const started = new Map([[1, newProgress(16)], [2, newProgress(16)]]);
    const s = snapshot([0, 0, 3, 1, 0, 2], started);
    const { requests, newPieces } = nextRequests(s, { id: 'origin', has: all, wanted: pieceCount, slots: 100, copies: copiesFor('peerless') }, () => 0.5);
    const pieces = new Set(requests.map((r) => r.index));
    // Piece 1 (started, no copies) is finished first; piece 2 (started, 3 copies) is left to the peers.
    expect(requests[0]!.index).toBe(1);
    expect([...pieces].sort()).toEqual([0, 1, 4]);
    expect(newPieces.sort()).toEqual([0, 4]);
  });

  it('peerless: no endgame duplicates of blocks out to peers', () => {
    const p = newProgress(16);
    p.requested.fill(true);
    for (const set of p.requestedFrom) set.add('peer-a');
    const s = snapshot([1, 1, 1, 1, 1, 1]);
    const inProgress = new Map(Array.from({ length: pieceCount }, (_, i) => [i, p] as const));
    const { requests, endgame } = nextRequests({ ...s, inProgress }, { id: 'origin', has: all, wanted: pieceCount, slots: 100, copies: copiesFor('peerless') }, () => 0.5);
    expect(requests).toEqual([]);
    expect(endgame).toBe(false);
  });

  it('any: every piece we lack, the ones no peer has first', () => {
    const s = snapshot([2, 1, 0, 1, 3, 2]);
    const { newPieces } = nextRequests(s, { id: 'origin', has: all, wanted: pieceCount, slots: 6 * 16, copies: copiesFor('any') }, () => 0.5);
    expect(newPieces[0]).toBe(2);
    expect([...newPieces].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

/**
 * An origin holding `data`, answering each Range request on a later turn (as a network would):
 * `later` defers the answer (a real timer unless the test runs on a clock of its own).
 */
function memoryOrigin(meta: Metainfo, data: Uint8Array, later: (fn: () => void) => void = (fn) => setTimeout(fn, 0)) {
  const servedPieces: number[] = [];
  let bytes = 0;
  const fetchFor = (onFetch: (piece: number) => void): FetchLike => async (_url, init) => {
    const [, from, to] = /bytes=(\d+)-(\d+)/.exec(init.headers.range!)!.map(Number) as [number, number, number];
    const piece = Math.floor(from / meta.pieceLength);
    onFetch(piece);
    servedPieces.push(piece);
    await new Promise<void>((r) => later(r));
    // A fetch aborted before its answer (the engine took the piece back) sends nothing.
    if (init.signal.aborted) throw new DOMException('aborted', 'AbortError');
    bytes += to - from + 1;
    return { status: 206, arrayBuffer: async () => data.slice(from, to + 1).buffer };
  };
  return { fetchFor, servedPieces, get bytes() { return bytes; } };
}

/** Whether some neighbour (not the origin) of `t` holds piece i and is unchoking us with something we lack. */
function peersSupply(t: Torrent): boolean {
  const s = t.stats();
  return s.peers.some((p) => p.key !== originKeyOf.get(t) && !p.peerChoking && [...p.bitfield].some((b, i) => b === '1' && s.have[i] !== '1'));
}
function neighbourHas(t: Torrent, piece: number): boolean {
  return t.stats().peers.some((p) => p.key !== originKeyOf.get(t) && p.bitfield[piece] === '1');
}
const originKeyOf = new Map<Torrent, string>();

describe('swarms with an origin (in memory)', () => {
  it('N downloaders starting together with only an origin: all finish byte-exact; the origin is asked only for pieces no neighbour has while neighbours supply', async () => {
    const { data, meta } = await makeContent(24 * PIECE);
    // On the simulator's clock: every delivery, answer and engine timer is a virtual event, so how
    // far each downloader gets before another's timer fires does not depend on how busy the machine
    // is (on real timers a loaded machine made the origin send 1.29 × F).
    const clock = new SimClock();
    const later = (fn: () => void) => void clock.setTimeout(fn, 0);
    const origin = memoryOrigin(meta, data, later);
    const leechers = await Promise.all(Array.from({ length: 4 }, async () => track(await makePeer({ metainfo: meta }, FAST, new MemoryStore(), nodeSha1, clock))));
    connectAll(leechers.map((l) => l.torrent), undefined, later);
    const breaches: string[] = [];
    for (const l of leechers) {
      const t = l.torrent;
      const key = t.addPeer(webSeedTransport({
        url: 'http://origin.test/content.bin',
        meta,
        fetch: origin.fetchFor((piece) => {
          if (peersSupply(t) && neighbourHas(t, piece)) breaches.push(`piece ${piece} while a neighbour had it`);
        }),
      }))!;
      originKeyOf.set(t, key);
    }
    await clock.run(() => leechers.every((l) => l.torrent.done), SWARM_LIMIT_MS);
    expect(leechers.map((l) => l.torrent.done)).toEqual([true, true, true, true]);
    for (const l of leechers) expect(sha256(storedBytes(l.store, meta))).toBe(sha256(data));
    expect(breaches).toEqual([]);
    // Every piece came from the origin at least once (nobody else had it), and the leechers traded.
    expect(new Set(origin.servedPieces).size).toBe(meta.pieceCount);
    const fromOrigin = leechers.reduce((n, l) => n + l.torrent.stats().originDownloaded, 0);
    // The origin may send bytes nobody keeps (a piece whose blocks came from a peer meanwhile), never fewer.
    expect(origin.bytes).toBeGreaterThanOrEqual(fromOrigin);
    // Each takes its share of the peerless pieces (originShare): about one copy in all, not four
    // (picking at random among the same peerless pieces sent 1.33–1.54 × F here).
    expect(origin.bytes).toBeLessThanOrEqual(1.25 * data.length);
  });

  it('a neighbour with every piece that never unchokes us: the origin fills the gap', async () => {
    const { data, meta } = await makeContent(6 * PIECE);
    const origin = memoryOrigin(meta, data);
    const leecher = track(await makePeer({ metainfo: meta }));
    // A peer that has everything and keeps us choked (its bitfield, then silence).
    const stingy = rawSeeder(leecher.torrent, meta, { unchoke: false });
    await deliveredSoFar();
    await deliveredSoFar();
    expect(leecher.torrent.stats().peers[0]!.pieces).toBe(meta.pieceCount);
    leecher.torrent.addPeer(webSeedTransport({ url: 'http://origin.test/content.bin', meta, fetch: origin.fetchFor(() => {}) }));
    await waitDone(leecher.torrent);
    expect(sha256(storedBytes(leecher.store, meta))).toBe(sha256(data));
    expect(leecher.torrent.stats().originDownloaded).toBe(data.length);
  });

  it('a peer arriving with pieces we are fetching from the origin: those fetches are aborted and the peer gives them', async () => {
    const { data, meta } = await makeContent(6 * PIECE);
    const aborted = new Set<number>();
    const asked = new Set<number>();
    const piecesHaveAtAbort: number[] = [];
    let leecherTorrent: Torrent | null = null;
    // An origin that never answers: each fetch waits until the engine aborts it.
    const hanging: FetchLike = (_url, init) => {
      const piece = Math.floor(Number(/bytes=(\d+)/.exec(init.headers.range!)![1]) / meta.pieceLength);
      asked.add(piece);
      return new Promise((_resolve, reject) => init.signal.addEventListener('abort', () => {
        aborted.add(piece);
        piecesHaveAtAbort.push(leecherTorrent!.stats().piecesHave);
        reject(new DOMException('aborted', 'AbortError'));
      }));
    };
    const leecher = track(await makePeer({ metainfo: meta }));
    leecherTorrent = leecher.torrent;
    const warnings: string[] = [];
    leecher.torrent.on('warning', (w) => warnings.push(w.message));
    leecher.torrent.addPeer(webSeedTransport({ url: 'http://origin.test/content.bin', meta, fetch: hanging }));
    // Alone, the leecher asks the origin (one piece: a source of unknown rate gets the smallest pipeline).
    await until(() => asked.size > 0);
    const seeder = track(await makeSeeder(meta, data));
    connect(seeder.torrent, leecher.torrent);
    await waitDone(leecher.torrent);
    expect(sha256(storedBytes(leecher.store, meta))).toBe(sha256(data));
    expect(asked.size).toBeGreaterThan(0);
    expect([...aborted].sort()).toEqual([...asked].sort());
    // Taken back as soon as the peer said it has them, not at the end as an endgame duplicate.
    expect(piecesHaveAtAbort.every((n) => n === 0)).toBe(true);
    expect(leecher.torrent.stats().originDownloaded).toBe(0);
    // Aborting on purpose is not the origin failing: it was not dropped with a warning.
    expect(warnings).toEqual([]);
  });

  it('an origin asked between a peer\'s bitfield and its unchoke gives those pieces back at the unchoke', async () => {
    const { meta } = await makeContent(6 * PIECE);
    // Every fetch, in order (a piece taken back and asked again is two fetches).
    const asked: number[] = [];
    const aborted: number[] = [];
    const hanging: FetchLike = (_url, init) => {
      const piece = Math.floor(Number(/bytes=(\d+)/.exec(init.headers.range!)![1]) / meta.pieceLength);
      asked.push(piece);
      return new Promise((_resolve, reject) => init.signal.addEventListener('abort', () => {
        aborted.push(piece);
        reject(new DOMException('aborted', 'AbortError'));
      }));
    };
    // The leecher's housekeeping ticks run only when the test says, so the tick that falls between
    // the peer's bitfield and its unchoke is not left to chance.
    const clock = new ManualClock();
    const { torrent } = track(await makePeer({ metainfo: meta }, FAST, new MemoryStore(), portableSha1, clock));
    torrent.addPeer(webSeedTransport({ url: 'http://origin.test/content.bin', meta, fetch: hanging }));
    const tick = async () => {
      clock.advance(FAST.tickMs!);
      await deliveredSoFar();
    };
    for (let k = 0; k < 5 && asked.length === 0; k++) await tick();
    expect(asked.length).toBeGreaterThan(0);
    // The peer says it has everything but keeps us choked: it supplies nothing yet, so a tick may ask
    // the origin again, now for pieces the peer has.
    const peer = rawSeeder(torrent, meta, { unchoke: false });
    await deliveredSoFar();
    for (let k = 0; k < 5; k++) await tick();
    const askedBefore = asked.length;
    await deliveredSoFar();
    const askedWhileChoked = asked.slice(aborted.length);
    expect(askedWhileChoked.length).toBeGreaterThan(0);
    // The unchoke: every origin fetch the peer could give is aborted before any of it arrived, none
    // is asked again, and the peer is asked instead.
    peer.message({ type: 'unchoke' });
    await deliveredSoFar(); // the unchoke reaches the leecher
    await deliveredSoFar(); // its requests reach the peer
    expect(aborted).toHaveLength(asked.length);
    expect(asked.length).toBe(askedBefore);
    expect(peer.messages.some((m) => m.type === 'request')).toBe(true);
    expect(torrent.stats().originDownloaded).toBe(0);
  });

  it('the origin cap: no byte past it is asked for', async () => {
    const { data, meta } = await makeContent(8 * PIECE);
    const origin = memoryOrigin(meta, data);
    const cap = 2 * PIECE + 5_000; // not a whole number of blocks: the last whole block under it is the limit
    // A clock of our own: the housekeeping ticks that refill pipelines run when we say.
    const clock = new ManualClock();
    const leecher = track(await makePeer({ metainfo: meta }, { ...FAST, originCapBytes: cap }, new MemoryStore(), portableSha1, clock));
    let pieces = 0;
    const twoPieces = new Promise<void>((r) => leecher.torrent.on('piece', () => ++pieces === 2 && r()));
    leecher.torrent.addPeer(webSeedTransport({ url: 'http://origin.test/content.bin', meta, fetch: origin.fetchFor(() => {}) }));
    await twoPieces;
    // Two pieces are exactly 32 blocks; the 5,000 bytes left are less than a block, so nothing more
    // may be asked — however many housekeeping ticks and rechokes pass.
    for (let tick = 0; tick < 20; tick++) {
      clock.advance(FAST.tickMs!);
      await deliveredSoFar();
    }
    expect(leecher.torrent.stats().originDownloaded).toBe(2 * PIECE);
    expect(origin.bytes).toBe(2 * PIECE);
    expect(leecher.torrent.stats().requestsInFlight).toBe(0);
    expect(leecher.torrent.done).toBe(false);
  });
});
