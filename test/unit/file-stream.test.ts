/**
 * Reading a file while it downloads (file-stream.ts) and deadline-aware picking: the pieces under a
 * read, then its read-ahead, are fetched before any other; a seek moves the window at once; reads
 * return the file's own bytes, in any file of a multi-file torrent.
 */
import { describe, expect, it, vi } from 'vitest';
import { Bitfield } from '../../shared/bitfield.ts';
import { createTorrent } from '../../shared/metainfo/index.ts';
import { portableSha1 } from '../../shared/sha1.ts';
import { Availability } from '../../client/engine/availability.ts';
import { FileStream } from '../../client/engine/file-stream.ts';
import { DEFAULT_READ_AHEAD_BYTES, MAX_READ_AHEAD_BYTES, MAX_SHORTFALL_FACTOR, MIN_READ_AHEAD_BYTES, READ_AHEAD_SECONDS, readAheadBytes } from '../../client/engine/read-ahead.ts';
import { newProgress, nextRequests } from '../../client/engine/picker.ts';
import { MemoryStore } from '../../client/engine/storage.ts';
import { webSeedTransport, type FetchLike } from '../../client/engine/web-seed.ts';
import type { WireMessage } from '../../shared/wire/messages.ts';
import { deliveredSoFar, rawSeeder } from '../helpers/raw-peer.ts';
import { FAST, connect, makeContent, makePeer, makeSeeder, sha256, trackTorrents } from '../helpers/swarm.ts';
import { randomBytes } from 'node:crypto';

const PIECE = 256 * 1024;
const { track } = trackTorrents();

describe('the picker with a deadline', () => {
  const pieceCount = 8;
  const all = new Bitfield(pieceCount);
  for (let i = 0; i < pieceCount; i++) all.set(i);
  const snapshot = (urgent: number[], inProgress = new Map()) => {
    const have = new Bitfield(pieceCount);
    have.set(6);
    return { pieceCount, pieceLength: PIECE, totalLength: PIECE * pieceCount, have, rarity: Availability.withCounts([1, 1, 1, 1, 1, 1, 1, 1], have, () => 0.5), inProgress, urgent };
  };

  it('urgent pieces come first, in deadline order, ahead of started ones; pieces we have are skipped', () => {
    const started = new Map([[2, newProgress(16)]]);
    const { requests, newPieces } = nextRequests(snapshot([6, 5, 7], started), { id: 'p', has: all, wanted: 7, slots: 40 }, () => 0.5);
    expect(requests.slice(0, 16).every((r) => r.index === 5)).toBe(true);
    expect(requests.slice(16, 32).every((r) => r.index === 7)).toBe(true);
    expect(requests.slice(32).every((r) => r.index === 2)).toBe(true);
    expect(newPieces).toEqual([5, 7]);
  });

  it('an origin limited to peerless pieces takes urgent ones only when the deadline is being missed', () => {
    const origin = { id: 'origin', has: all, wanted: 7, slots: 16, copies: { min: 0, max: 0 } };
    expect(nextRequests(snapshot([3]), origin, () => 0.5).requests).toHaveLength(0); // every piece has a copy among peers
    const late = nextRequests(snapshot([3]), { ...origin, urgentAnyCopies: true }, () => 0.5);
    expect(late.requests).toHaveLength(16);
    expect(late.requests.every((r) => r.index === 3)).toBe(true);
    // …and the playhead piece already out to a slow peer is asked of the origin too.
    const head = newProgress(16);
    head.requested.fill(true);
    for (const set of head.requestedFrom) set.add('slow');
    expect(nextRequests(snapshot([3], new Map([[3, head]])), origin, () => 0.5).requests).toHaveLength(0);
    expect(nextRequests(snapshot([3], new Map([[3, head]])), { ...origin, urgentAnyCopies: true }, () => 0.5).requests.every((r) => r.index === 3)).toBe(true);
  });

  it('the playhead piece, all of it out to another source, is asked of this one too', () => {
    const head = newProgress(16);
    head.requested.fill(true);
    for (const set of head.requestedFrom) set.add('slow');
    const { requests } = nextRequests(snapshot([3], new Map([[3, head]])), { id: 'fast', has: all, wanted: 7, slots: 16 }, () => 0.5);
    expect(requests).toHaveLength(16);
    expect(requests.every((r) => r.index === 3)).toBe(true);
  });
});

describe('FileStream', () => {
  it('a read at the end of a file is served first: its pieces are verified before any other, bytes exact', async () => {
    const { data, meta } = await makeContent(24 * PIECE + 1_000);
    const leecher = track(await makePeer({ metainfo: meta }));
    const order: number[] = [];
    leecher.torrent.on('piece', (i) => order.push(i));
    const stream = new FileStream(leecher.torrent, meta, 0, { readAheadBytes: PIECE });
    const start = data.length - 300_000;
    const reading = stream.read(start, data.length);
    const seeder = track(await makeSeeder(meta, data));
    connect(seeder.torrent, leecher.torrent);
    const bytes = await reading;
    expect(sha256(bytes)).toBe(sha256(data.subarray(start)));
    // Pieces 22, 23, 24 hold the bytes asked for; the read-ahead is past the end. They came first.
    expect(order.slice(0, 3).sort((a, b) => a - b)).toEqual([22, 23, 24]);
    stream.close();
  });

  it('a seek moves the window at once: after the pieces already in flight, the new ones come next', async () => {
    const { data, meta } = await makeContent(40 * PIECE);
    // Throttled, so the download is still early when the seek comes.
    const seeder = track(await makeSeeder(meta, data, { ...FAST, uploadLimit: 2 * 1024 * 1024 }));
    const leecher = track(await makePeer({ metainfo: meta }));
    const order: number[] = [];
    leecher.torrent.on('piece', (i) => order.push(i));
    const stream = new FileStream(leecher.torrent, meta, 0, { readAheadBytes: 2 * PIECE });
    connect(seeder.torrent, leecher.torrent);
    const first = await stream.read(0, 1_000);
    expect(sha256(first)).toBe(sha256(data.subarray(0, 1_000)));
    // Seek to three quarters.
    const at = 30 * PIECE + 123;
    const inFlightAtSeek = leecher.torrent.stats().inProgress.filter((i) => i < 30 || i > 32);
    const verifiedAtSeek = order.length;
    const later = await stream.read(at, at + 10_000);
    expect(sha256(later)).toBe(sha256(data.subarray(at, at + 10_000)));
    // Before piece 30 arrived, at most the pieces already out at the seek (and none newly started elsewhere) were verified.
    const between = order.slice(verifiedAtSeek, order.indexOf(30));
    expect(between.every((i) => inFlightAtSeek.includes(i))).toBe(true);
    stream.close();
  });

  it('reads any file of a multi-file torrent, pieces spanning files included', async () => {
    const files = [randomBytes(100_000), randomBytes(600_000), randomBytes(300_000)].map((b) => new Uint8Array(b));
    const { metainfo: meta } = await createTorrent({
      name: 'course', multiFile: true, sha1: portableSha1,
      files: files.map((bytes, i) => ({ path: [`part ${i}.bin`], length: bytes.length, stream: async function* () { yield bytes; } })),
    });
    const all = new Uint8Array(files.reduce((n, f) => n + f.length, 0));
    let at = 0;
    for (const f of files) {
      all.set(f, at);
      at += f.length;
    }
    const seeder = track(await makePeer({ metainfo: meta }, FAST, MemoryStore.filled(meta, all)));
    const leecher = track(await makePeer({ metainfo: meta }));
    connect(seeder.torrent, leecher.torrent);
    const stream = new FileStream(leecher.torrent, meta, 2);
    expect(stream.length).toBe(300_000);
    expect(sha256(await stream.read(0, 300_000))).toBe(sha256(files[2]!));
    expect(() => new FileStream(leecher.torrent, meta, 3)).toThrow(/has no file number 3/);
  });
});

describe('the read-ahead window', () => {
  const MiB = 1024 * 1024;

  it('is ten seconds of media while the swarm keeps up, and grows with the shortfall when it does not', () => {
    const bitrate = MiB / 8; // a 1 Mbit/s video
    expect(readAheadBytes({ bitrate, downloadRate: 4 * bitrate })).toBe(Math.max(MIN_READ_AHEAD_BYTES, bitrate * READ_AHEAD_SECONDS));
    expect(readAheadBytes({ bitrate: 2 * MiB, downloadRate: 4 * MiB })).toBe(20 * MiB);
    expect(readAheadBytes({ bitrate: 2 * MiB, downloadRate: 1 * MiB })).toBe(40 * MiB);
    // No rate yet, or a trickle: the largest shortfall, within the cap.
    expect(readAheadBytes({ bitrate: 0.5 * MiB, downloadRate: 0 })).toBe(0.5 * MiB * READ_AHEAD_SECONDS * MAX_SHORTFALL_FACTOR);
    expect(readAheadBytes({ bitrate: 0.5 * MiB, downloadRate: 1 })).toBe(0.5 * MiB * READ_AHEAD_SECONDS * MAX_SHORTFALL_FACTOR);
    expect(readAheadBytes({ bitrate: 8 * MiB, downloadRate: 1 })).toBe(MAX_READ_AHEAD_BYTES);
  });

  it('is the default before the bitrate is known', () => {
    expect(readAheadBytes({ bitrate: null, downloadRate: MiB })).toBe(DEFAULT_READ_AHEAD_BYTES);
    expect(readAheadBytes({ bitrate: Infinity, downloadRate: MiB })).toBe(DEFAULT_READ_AHEAD_BYTES);
  });

  it('a FileStream marks the pieces of its read-ahead urgent, sized from the duration the player gives and the download rate', async () => {
    const length = 200 * PIECE; // 50 MiB
    const bytes = new Uint8Array(length);
    const { metainfo: meta } = await createTorrent({ name: 'film.webm', multiFile: false, sha1: portableSha1, files: [{ path: ['film.webm'], length, stream: async function* () { yield bytes; } }] });
    let urgent: readonly number[] = [];
    let rate = 0;
    const torrent = { setUrgent: (p: readonly number[]) => (urgent = p), hasPiece: () => true, readPiece: async (_i: number, _b: number, n: number) => new Uint8Array(n), on: () => () => {}, downloadRate: () => rate };
    const stream = new FileStream(torrent, meta, 0);
    await stream.read(0, PIECE);
    expect(urgent).toHaveLength(1 + DEFAULT_READ_AHEAD_BYTES / PIECE);
    stream.setDuration(100); // 0.5 MiB/s
    rate = 4 * MiB; // the swarm keeps up: ten seconds, 5 MiB = 20 pieces
    await stream.read(0, PIECE);
    expect(urgent).toHaveLength(1 + 20);
    rate = 0.25 * MiB; // half the bitrate: twice the window
    await stream.read(10 * PIECE, 11 * PIECE);
    expect(urgent).toEqual(Array.from({ length: 41 }, (_, k) => 10 + k));
  });
});

describe('a deadline no peer can meet', () => {
  it('goes to the web seed: a stream read completes from the origin while the only peer trickles, and the origin sends only the stream’s window', async () => {
    const { data, meta } = await makeContent(8 * PIECE);
    const options = { ...FAST, originDeadlineMs: 100 };
    const seeder = track(await makeSeeder(meta, data, options));
    seeder.torrent.setLimits({ uploadLimit: 1 }); // one byte a second: no piece from it in this test's life
    const leecher = track(await makePeer({ metainfo: meta }, options));
    connect(seeder.torrent, leecher.torrent);
    // The seeder has every piece and unchokes us: nothing is peerless, so the origin is asked for nothing…
    await vi.waitFor(() => expect(leecher.torrent.stats().peers.some((p) => !p.peerChoking && p.pieces === meta.pieceCount)).toBe(true), { timeout: 10_000 });
    const fetched: number[] = [];
    const origin: FetchLike = async (_url, init) => {
      const [, from, to] = /bytes=(\d+)-(\d+)/.exec(init.headers.range!)!.map(Number) as [number, number, number];
      fetched.push(Math.floor(from / PIECE));
      return { status: 206, arrayBuffer: async () => data.slice(from, to + 1).buffer };
    };
    leecher.torrent.addPeer(webSeedTransport({ url: 'http://origin.test/content.bin', meta, fetch: origin }));
    // …until a stream waits on piece 5 past the deadline: then the origin sends it and the read-ahead.
    const stream = new FileStream(leecher.torrent, meta, 0, { readAheadBytes: PIECE });
    const bytes = await stream.read(5 * PIECE + 100, 5 * PIECE + 5_000);
    expect(sha256(bytes)).toBe(sha256(data.subarray(5 * PIECE + 100, 5 * PIECE + 5_000)));
    expect(fetched.length).toBeGreaterThan(0);
    expect(new Set(fetched)).toEqual(new Set(fetched.filter((i) => i === 5 || i === 6)));
    expect(leecher.torrent.stats().originDownloaded).toBeGreaterThanOrEqual(PIECE);
    expect(leecher.torrent.done).toBe(false);
  });
});

describe('a seek', () => {
  it('cancels the blocks still out for other pieces, so the peer serves the new window next; playback running on cancels nothing', async () => {
    const { meta } = await makeContent(40 * PIECE);
    // Requests never time out here: only the seek itself can take them back.
    // A pipeline of exactly PIPELINE requests: once they are out, nothing more is asked until the seek.
    const PIPELINE = 16;
    const leecher = track(await makePeer({ metainfo: meta }, { ...FAST, blockTimeoutMs: 3_600_000, minPipeline: PIPELINE, maxPipeline: PIPELINE }));
    // A peer that has everything, unchokes, and never answers: what we asked stays queued at it.
    const peer = rawSeeder(leecher.torrent, meta);
    const of = (type: 'request' | 'cancel') => peer.messages.filter((m): m is Extract<WireMessage, { type: 'request' | 'cancel' }> => m.type === type);
    // The whole pipeline has arrived (on a busy machine it goes out over several ticks).
    await expect.poll(() => of('request').length).toBe(PIPELINE);
    const before = new Set(of('request').map((r) => r.index));
    const target = Array.from({ length: meta.pieceCount }, (_, i) => i).find((i) => !before.has(i))!;
    leecher.torrent.setUrgent([target, target + 1]);
    // Every block out for another piece is cancelled, and the seek's piece is asked for.
    await expect.poll(() => of('request').some((r) => r.index === target)).toBe(true);
    const cancelled = of('cancel');
    const outBefore = of('request').filter((r) => before.has(r.index)).length;
    expect(cancelled.length).toBe(outBefore);
    expect(cancelled.every((c) => before.has(c.index))).toBe(true);
    // Playing on: the window moves ahead, its head already asked for — nothing more is cancelled.
    leecher.torrent.setUrgent([target, target + 1, target + 2]);
    await deliveredSoFar();
    expect(of('cancel')).toHaveLength(cancelled.length);
  });

  it('a seek whose window holds the piece a full pipeline is out for: that piece is cancelled too, so the head is asked for', async () => {
    const { meta } = await makeContent(40 * PIECE);
    const PIPELINE = 16; // one piece's blocks
    const leecher = track(await makePeer({ metainfo: meta }, { ...FAST, blockTimeoutMs: 3_600_000, minPipeline: PIPELINE, maxPipeline: PIPELINE }));
    const peer = rawSeeder(leecher.torrent, meta);
    const of = (type: 'request' | 'cancel') => peer.messages.filter((m): m is Extract<WireMessage, { type: 'request' | 'cancel' }> => m.type === type);
    // Playing from piece 6: the whole pipeline is out for it (the peer never answers).
    leecher.torrent.setUrgent([6]);
    await expect.poll(() => of('request').length).toBe(PIPELINE);
    expect(new Set(of('request').map((r) => r.index))).toEqual(new Set([6]));
    // A seek back to 5, whose window runs on into 6 (a random first piece landed there as often).
    leecher.torrent.setUrgent([5, 6]);
    await expect.poll(() => of('request').some((r) => r.index === 5)).toBe(true);
    expect(of('cancel').every((c) => c.index === 6)).toBe(true);
  });
});
