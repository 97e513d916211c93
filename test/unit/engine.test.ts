/** The swarm engine in Node over in-memory transports: whole swarms, hostile peers, magnet starts. */
import { afterEach, describe, expect, it } from 'vitest';
import { Bitfield } from '../../shared/bitfield.ts';
import { encodeHandshake, encodeMessage } from '../../shared/wire/encode.ts';
import { WireParser } from '../../shared/wire/parser.ts';
import type { TabswarmError } from '../../shared/errors.ts';
import { memoryPair } from '../../client/engine/transport.ts';
import { MemoryStore } from '../../client/engine/storage.ts';
import { Torrent, realClock } from '../../client/engine/torrent.ts';
import { ManualClock } from '../../client/engine/clock.ts';
import { portableSha1 } from '../../shared/sha1.ts';
import { deliveredSoFar, rawPeer } from '../helpers/raw-peer.ts';
import { FAST, connect, connectAll, filledStore, makeContent, makePeer, makeSeeder, peerId, sha256, storedBytes, waitDone } from '../helpers/swarm.ts';

const torrents: Torrent[] = [];
afterEach(async () => {
  for (const t of torrents.splice(0)) await t.destroy();
});
const track = <T extends { torrent: Torrent }>(p: T): T => {
  torrents.push(p.torrent);
  return p;
};

describe('swarm', () => {
  it('1 seeder + 5 leechers all finish byte-exact, trading among themselves', async () => {
    const { data, meta } = await makeContent(3 * 1024 * 1024 + 12_345);
    const seeder = track(await makeSeeder(meta, data));
    const leechers = await Promise.all(Array.from({ length: 5 }, async () => track(await makePeer({ metainfo: meta }))));
    // Odd chunking: every message crosses transport boundaries.
    connectAll([seeder.torrent, ...leechers.map((l) => l.torrent)], 7_001);
    await Promise.all(leechers.map((l) => waitDone(l.torrent)));
    for (const l of leechers) expect(sha256(storedBytes(l.store, meta))).toBe(sha256(data));
    // Nothing was fetched twice beyond endgame duplicates.
    for (const l of leechers) expect(l.torrent.stats().downloaded).toBeLessThan(data.length * 1.05);
    // Leechers uploaded to each other: the seeder did not send every copy.
    const fromLeechers = leechers.reduce((sum, l) => sum + l.torrent.stats().uploaded, 0);
    expect(fromLeechers).toBeGreaterThan(0);
  });

  it('never asks again for a piece while it is being verified or written (slow hashing)', async () => {
    const { data, meta } = await makeContent(2 * 1024 * 1024);
    const seeder = track(await makeSeeder(meta, data));
    const slowSha1 = async (bytes: Uint8Array) => {
      await new Promise((r) => setTimeout(r, 15));
      return portableSha1(bytes);
    };
    const leecher = track(await makePeer({ metainfo: meta }, FAST, new MemoryStore(), slowSha1));
    connect(seeder.torrent, leecher.torrent);
    await waitDone(leecher.torrent);
    expect(sha256(storedBytes(leecher.store, meta))).toBe(sha256(data));
    expect(leecher.torrent.stats().downloaded).toBe(data.length);
    expect(seeder.torrent.stats().uploaded).toBe(data.length);
  });

  it('a peer serving corrupted blocks is banned and the download still finishes', async () => {
    const { data, meta } = await makeContent(2 * 1024 * 1024);
    const liarStore = MemoryStore.filled(meta, data);
    const liar = track(await makePeer({ metainfo: meta }, FAST, liarStore));
    const realRead = liarStore.read.bind(liarStore);
    liarStore.read = async (i, b, l) => {
      const block = (await realRead(i, b, l)).slice();
      block[0] = block[0]! ^ 0xff;
      return block;
    };
    const honest = track(await makeSeeder(meta, data));
    const leecher = track(await makePeer({ metainfo: meta }));
    const warnings: TabswarmError[] = [];
    leecher.torrent.on('warning', (w) => warnings.push(w));
    connect(liar.torrent, leecher.torrent);
    connect(honest.torrent, leecher.torrent);
    await waitDone(leecher.torrent);
    expect(sha256(storedBytes(leecher.store, meta))).toBe(sha256(data));
    expect(leecher.torrent.stats().banned).toBe(1);
    expect(warnings.map((w) => w.code)).toContain('PIECE_HASH_MISMATCH');
    expect(warnings.map((w) => w.code)).toContain('PEER_BANNED');
    // The liar is gone and is not let back in: its next connection is closed at the handshake.
    expect(leecher.torrent.stats().peers).toHaveLength(1);
    const refused = new Promise<string>((r) => leecher.torrent.once('peer-close', (_key, reason) => r(reason)));
    connect(liar.torrent, leecher.torrent);
    expect(await refused).toMatch(/banned/);
    expect(leecher.torrent.stats().peers).toHaveLength(1);
  });

  it('a peer that only has the magnet gets the metadata via ut_metadata, then the content', async () => {
    const { data, meta } = await makeContent(600_000);
    const seeder = track(await makeSeeder(meta, data));
    const magnetPeer = track(await makePeer({ infoHash: meta.infoHash }));
    const gotMeta = new Promise((r) => magnetPeer.torrent.once('metadata', r));
    connect(seeder.torrent, magnetPeer.torrent, 1000);
    await gotMeta;
    expect(sha256(magnetPeer.torrent.meta!.infoBytes)).toBe(sha256(meta.infoBytes));
    await waitDone(magnetPeer.torrent);
    expect(sha256(storedBytes(magnetPeer.store, meta))).toBe(sha256(data));
  });
});

describe('hostile peers are dropped, others unaffected', () => {
  it('a peer that floods requests', async () => {
    const { data, meta } = await makeContent(1024 * 1024);
    const seeder = track(await makeSeeder(meta, data, { ...FAST, maxPeerRequests: 50 }));
    const leecher = track(await makePeer({ metainfo: meta }));
    const warnings: TabswarmError[] = [];
    seeder.torrent.on('warning', (w) => warnings.push(w));
    const evil = rawPeer(seeder.torrent);
    evil.send(encodeHandshake({ infoHash: meta.infoHashBytes, peerId: peerId() }));
    evil.send(encodeMessage({ type: 'interested' }));
    await expect.poll(() => evil.received).toContain('unchoke');
    // More requests than the send buffer (4 MiB) and the queue (50) hold together: a flood, not a fast reader.
    for (let i = 0; i < 1000; i++) evil.send(encodeMessage({ type: 'request', index: 0, begin: 0, length: 16_384 }));
    connect(seeder.torrent, leecher.torrent);
    await waitDone(leecher.torrent);
    expect(evil.isClosed()).toBe(true);
    expect(warnings.some((w) => /flooded/.test(w.message))).toBe(true);
    expect(sha256(storedBytes(leecher.store, meta))).toBe(sha256(data));
  });

  it('a peer that sends an oversized frame, or garbage instead of a handshake', async () => {
    const { data, meta } = await makeContent(300_000);
    const seeder = track(await makeSeeder(meta, data));
    const big = rawPeer(seeder.torrent);
    big.send(encodeHandshake({ infoHash: meta.infoHashBytes, peerId: peerId() }));
    big.send(new Uint8Array([0x00, 0x10, 0x00, 0x00, 7]));
    const garbage = rawPeer(seeder.torrent);
    garbage.send(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(4)));
    const wrongTorrent = rawPeer(seeder.torrent);
    wrongTorrent.send(encodeHandshake({ infoHash: new Uint8Array(20), peerId: peerId() }));
    await expect.poll(() => [big.isClosed(), garbage.isClosed(), wrongTorrent.isClosed()]).toEqual([true, true, true]);
    const leecher = track(await makePeer({ metainfo: meta }));
    connect(seeder.torrent, leecher.torrent);
    await waitDone(leecher.torrent);
    expect(sha256(storedBytes(leecher.store, meta))).toBe(sha256(data));
  });

  it('a peer that requests outside the torrent or a piece we lack', async () => {
    const { data, meta } = await makeContent(300_000);
    const seeder = track(await makeSeeder(meta, data));
    const outside = rawPeer(seeder.torrent);
    outside.send(encodeHandshake({ infoHash: meta.infoHashBytes, peerId: peerId() }));
    outside.send(encodeMessage({ type: 'interested' }));
    await expect.poll(() => outside.received).toContain('unchoke');
    outside.send(encodeMessage({ type: 'request', index: 99, begin: 0, length: 16_384 }));
    await expect.poll(() => outside.isClosed()).toBe(true);
    const badBitfield = rawPeer(seeder.torrent);
    badBitfield.send(encodeHandshake({ infoHash: meta.infoHashBytes, peerId: peerId() }));
    badBitfield.send(encodeMessage({ type: 'bitfield', bitfield: new Bitfield(meta.pieceCount + 8).bytes }));
    await expect.poll(() => badBitfield.isClosed()).toBe(true);
  });
});

describe('timeouts and limits', () => {
  it('requests a silent peer never answers are given to another peer after the block timeout', async () => {
    const { data, meta } = await makeContent(1024 * 1024);
    const clock = new ManualClock();
    const options = { ...FAST, blockTimeoutMs: 200, tickMs: 20 };
    const leecher = new Torrent({ metainfo: meta }, { peerId: peerId(), sha1: portableSha1, openStore: async () => new MemoryStore(), clock }, options);
    torrents.push(leecher);
    await leecher.start();
    // A "seeder" that says it has everything, unchokes, and then never sends a block.
    const silent = rawPeer(leecher);
    silent.send(encodeHandshake({ infoHash: meta.infoHashBytes, peerId: peerId() }));
    const all = new Bitfield(meta.pieceCount);
    for (let i = 0; i < meta.pieceCount; i++) all.set(i);
    silent.send(encodeMessage({ type: 'bitfield', bitfield: all.bytes }));
    silent.send(encodeMessage({ type: 'unchoke' }));
    await expect.poll(() => silent.received).toContain('request');
    const asked = leecher.stats().requestsInFlight;
    expect(asked).toBeGreaterThan(0);
    // Time stands still: nothing is withdrawn before the timeout…
    const tickMs = 20;
    clock.advance(options.blockTimeoutMs - tickMs);
    await deliveredSoFar();
    expect(silent.received).not.toContain('cancel');
    // …and past it every request is withdrawn with a cancel, and free again for any peer.
    clock.advance(2 * tickMs);
    await expect.poll(() => silent.received.filter((m) => m === 'cancel').length).toBe(asked);
    const honest = track(await makeSeeder(meta, data));
    connect(honest.torrent, leecher);
    await waitDone(leecher);
    expect(leecher.stats().bytesVerified).toBe(data.length);
  });

  it('storage slower than the network holds back requests instead of filling memory', async () => {
    const { data, meta } = await makeContent(4 * 1024 * 1024);
    /**
     * Downloads into a store whose writes wait until released, and returns how many piece writes
     * were waiting at once once the leecher had nothing left in flight (so nothing more can come).
     */
    const waitingWrites = async (maxPendingWrites: number) => {
      const seeder = track(await makeSeeder(meta, data));
      const gated = new MemoryStore();
      const realWrite = gated.write.bind(gated);
      const held: Array<() => void> = [];
      gated.write = async (i, d) => {
        await new Promise<void>((r) => held.push(r));
        await realWrite(i, d);
      };
      const leecher = track(await makePeer({ metainfo: meta }, { ...FAST, maxPendingWrites }, gated));
      connect(seeder.torrent, leecher.torrent);
      // Quiet: writes are held and no request is out, so no block can arrive and nothing more starts.
      await expect.poll(() => held.length > 0 && leecher.torrent.stats().requestsInFlight === 0, { timeout: 20_000 }).toBe(true);
      const waiting = held.length;
      // Release every write as it comes: the download then finishes byte-exact.
      const release = setInterval(() => held.splice(0).forEach((r) => r()), 1);
      await waitDone(leecher.torrent);
      clearInterval(release);
      expect(sha256(storedBytes(gated, meta))).toBe(sha256(data));
      return waiting;
    };
    // Bounded: the limit, plus the pieces whose blocks were already requested when it was reached.
    const bounded = await waitingWrites(2);
    expect(bounded).toBeGreaterThanOrEqual(2);
    expect(bounded).toBeLessThanOrEqual(4);
    // Without the bound, every piece piles up waiting for the store (what filled a tab's memory).
    expect(await waitingWrites(1000)).toBe(meta.pieceCount);
  });

  it('the upload limit holds: bytes sent never exceed the burst plus limit × elapsed (fake clock)', async () => {
    const { data, meta } = await makeContent(512 * 1024);
    let now = 1_000_000;
    const clock = { ...realClock, now: () => now };
    const LIMIT = 64 * 1024;
    const store = await filledStore(meta, data);
    const seeder = new Torrent({ metainfo: meta }, { peerId: peerId(), sha1: portableSha1, openStore: async () => store, clock }, { ...FAST, uploadLimit: LIMIT });
    torrents.push(seeder);
    await seeder.start();
    const leecher = track(await makePeer({ metainfo: meta }));
    connect(seeder, leecher.torrent);
    const burst = Math.max(16_384, LIMIT / 4);
    for (let step = 0; step < 12; step++) {
      await new Promise((r) => setTimeout(r, 60));
      const elapsedS = (now - 1_000_000) / 1000;
      expect(seeder.stats().uploaded).toBeLessThanOrEqual(burst + LIMIT * elapsedS);
      now += 250; // a quarter second of fake time
    }
    // …and it does send at the limit, not less: three fake seconds carried about three seconds' worth.
    expect(seeder.stats().uploaded).toBeGreaterThanOrEqual(LIMIT * 2);
  });

  it('the download limit holds: bytes received never exceed the burst plus limit × elapsed (fake clock)', async () => {
    const { data, meta } = await makeContent(512 * 1024);
    let now = 1_000_000;
    const clock = { ...realClock, now: () => now };
    const LIMIT = 64 * 1024;
    const seeder = track(await makeSeeder(meta, data));
    const leecher = new Torrent({ metainfo: meta }, { peerId: peerId(), sha1: portableSha1, openStore: async () => new MemoryStore(), clock }, { ...FAST, downloadLimit: LIMIT });
    torrents.push(leecher);
    await leecher.start();
    connect(seeder.torrent, leecher);
    const burst = Math.max(16_384, LIMIT / 4);
    for (let step = 0; step < 12; step++) {
      await new Promise((r) => setTimeout(r, 60));
      const elapsedS = (now - 1_000_000) / 1000;
      expect(leecher.stats().downloaded).toBeLessThanOrEqual(burst + LIMIT * elapsedS);
      now += 250;
    }
    expect(leecher.stats().downloaded).toBeGreaterThanOrEqual(LIMIT * 2);
  });
});

describe('the order of uploads under a limit', () => {
  it('a rate-limited peer sends one piece whole before starting another, across all the peers it serves', async () => {
    // Two 256 KiB pieces; the limit's burst (a quarter second) is half a piece, so sharing the
    // budget block by block would leave a piece part-way at every leecher.
    const { data, meta } = await makeContent(512 * 1024);
    const blocksPerPiece = meta.pieceLength / 16_384;
    const seeder = track(await makeSeeder(meta, data, { ...FAST, uploadLimit: 1024 * 1024 }));
    // Requests wait their turn here; none may time out and come again, so every block is sent once.
    const leechers = await Promise.all([1, 2, 3].map(async () => track(await makePeer({ metainfo: meta }, { ...FAST, blockTimeoutMs: 30_000 }))));
    // Tap what the seeder sends each leecher: every piece message, in the order they leave.
    const sentTo = new Map<string, number>(); // "leecher:piece" -> blocks sent
    let mostPartlySent = 0;
    let blocks = 0;
    for (const [k, l] of leechers.entries()) {
      const [ours, theirs] = memoryPair();
      const parser = new WireParser();
      const send = ours.send.bind(ours);
      ours.send = (bytes) => {
        for (const e of parser.push(bytes)) {
          if (e.kind !== 'message' || e.message.type !== 'piece') continue;
          blocks++;
          const key = `${k}:${e.message.index}`;
          sentTo.set(key, (sentTo.get(key) ?? 0) + 1);
          const partly = [...sentTo.values()].filter((n) => n % blocksPerPiece !== 0).length;
          mostPartlySent = Math.max(mostPartlySent, partly);
        }
        send(bytes);
      };
      seeder.torrent.addPeer(ours);
      l.torrent.addPeer(theirs);
    }
    // Leechers connected to the seeder only, so it serves each of them the whole file.
    await Promise.all(leechers.map((l) => waitDone(l.torrent)));
    for (const l of leechers) expect(sha256(storedBytes(l.store, meta))).toBe(sha256(data));
    expect(blocks).toBe(3 * meta.pieceCount * blocksPerPiece);
    // All three were served at once, yet never two pieces part-way: each piece the seeder sent was
    // whole, and so forwardable, as early as its budget allowed (shared block by block, three were).
    expect(mostPartlySent).toBe(1);
  });

  it('lifting the limit while uploading goes back to each peer at its own pace', async () => {
    const { data, meta } = await makeContent(1024 * 1024);
    const seeder = track(await makeSeeder(meta, data, { ...FAST, uploadLimit: 64 * 1024 }));
    const leecher = track(await makePeer({ metainfo: meta }));
    connect(seeder.torrent, leecher.torrent);
    await expect.poll(() => seeder.torrent.stats().uploaded).toBeGreaterThan(0);
    seeder.torrent.setLimits({ uploadLimit: 0 });
    await waitDone(leecher.torrent, 5_000); // 1 MiB at 64 KiB/s would take 16 s
    expect(sha256(storedBytes(leecher.store, meta))).toBe(sha256(data));
  });
});

describe('what the teaching demo reads from the engine', () => {
  it('an advert reaches every neighbour in the extended handshake, and again when it changes', async () => {
    const { data, meta } = await makeContent(300_000);
    const seeder = track(await makeSeeder(meta, data));
    seeder.torrent.setAdvert({ up: 1024, seeder: 1 });
    const leecher = track(await makePeer({ metainfo: meta }));
    connect(seeder.torrent, leecher.torrent);
    const advertSeen = () => leecher.torrent.stats().peers[0]?.advert ?? null;
    await expect.poll(advertSeen).toEqual({ up: 1024, seeder: 1 });
    seeder.torrent.setAdvert({ up: 2048, seeder: 1 });
    await expect.poll(advertSeen).toEqual({ up: 2048, seeder: 1 });
    // The connection carried on through the second handshake.
    await waitDone(leecher.torrent);
    expect(sha256(storedBytes(leecher.store, meta))).toBe(sha256(data));
  });

  it('without re-sharing (client-server mode) leechers upload nothing and everything comes from the seeder', async () => {
    const { data, meta } = await makeContent(1024 * 1024);
    const seeder = track(await makeSeeder(meta, data));
    const leechers = await Promise.all([1, 2, 3].map(async () => track(await makePeer({ metainfo: meta }, { ...FAST, reshare: false }))));
    connectAll([seeder.torrent, ...leechers.map((l) => l.torrent)]);
    await Promise.all(leechers.map((l) => waitDone(l.torrent)));
    for (const l of leechers) expect(sha256(storedBytes(l.store, meta))).toBe(sha256(data));
    expect(leechers.map((l) => l.torrent.stats().uploaded)).toEqual([0, 0, 0]);
    expect(seeder.torrent.stats().uploaded).toBeGreaterThanOrEqual(3 * data.length);
  });

  it('sharing turned off mid-swarm chokes every peer at once and unchokes none; back on, the download finishes', async () => {
    const { data, meta } = await makeContent(1024 * 1024);
    const seeder = track(await makeSeeder(meta, data));
    seeder.torrent.setSharing(false);
    expect(seeder.torrent.sharing).toBe(false);
    const leecher = track(await makePeer({ metainfo: meta }));
    const rechokes: Array<{ unchoked: string[] }> = [];
    seeder.torrent.on('rechoke', (e) => rechokes.push(e));
    connect(seeder.torrent, leecher.torrent);
    // The leecher asks; several rechokes pass (each an event, 50 ms apart) and none unchokes it.
    await expect.poll(() => seeder.torrent.stats().peers.filter((p) => p.peerInterested).length).toBe(1);
    const after = rechokes.length;
    await expect.poll(() => rechokes.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(after + 3);
    expect(rechokes.every((e) => e.unchoked.length === 0)).toBe(true);
    expect(seeder.torrent.stats().uploaded).toBe(0);
    expect(leecher.torrent.stats().piecesHave).toBe(0);

    seeder.torrent.setSharing(true);
    await waitDone(leecher.torrent);
    expect(sha256(storedBytes(leecher.store, meta))).toBe(sha256(data));
  });

  it('sharing turned off while uploading chokes the peer at once (an unscheduled rechoke)', async () => {
    const { data, meta } = await makeContent(2 * 1024 * 1024);
    const seeder = track(await makeSeeder(meta, data, { ...FAST, uploadLimit: 256 * 1024 }));
    const leecher = track(await makePeer({ metainfo: meta }));
    connect(seeder.torrent, leecher.torrent);
    await expect.poll(() => leecher.torrent.stats().piecesHave, { timeout: 10_000 }).toBeGreaterThan(0);
    const events: Array<{ scheduled: boolean; unchoked: string[] }> = [];
    seeder.torrent.on('rechoke', (e) => events.push(e));
    seeder.torrent.setSharing(false);
    expect(events[0]).toMatchObject({ scheduled: false, unchoked: [] });
    expect(seeder.torrent.stats().peers.every((p) => p.amChoking)).toBe(true);
    expect(leecher.torrent.stats().done).toBe(false);
  });

  it('the choker runs on its interval, the optimistic unchoke moves on its own, and stats say when each comes next', async () => {
    const { data, meta } = await makeContent(512 * 1024);
    const clock = new ManualClock();
    const options = { ...FAST, rechokeIntervalMs: 100, optimisticIntervalMs: 300 };
    const store = await filledStore(meta, data);
    const seeder = new Torrent({ metainfo: meta }, { peerId: peerId(), sha1: portableSha1, openStore: async () => store, clock }, options);
    torrents.push(seeder);
    await seeder.start();
    const start = clock.now();
    const events: Array<{ atMs: number; scheduled: boolean; rotated: boolean; optimistic: string | null }> = [];
    seeder.on('rechoke', (e) => events.push(e));
    // Six interested peers: more than the 4 regular slots, so the optimistic one matters.
    const peers = Array.from({ length: 6 }, () => rawPeer(seeder));
    for (const p of peers) {
      p.handshake(meta.infoHashBytes);
      p.message({ type: 'interested' });
    }
    await expect.poll(() => seeder.stats().peers.filter((p) => p.peerInterested).length).toBe(6);
    // 1.2 s of the choker's time, in 10 ms steps.
    for (let t = 0; t < 120; t++) clock.advance(10);
    const scheduled = events.filter((e) => e.scheduled);
    expect(scheduled.map((e) => e.atMs - start)).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1100, 1200]);
    // Every third run (300 / 100) moves the optimistic unchoke, counting from the first.
    expect(scheduled.filter((e) => e.rotated).map((e) => e.atMs - start)).toEqual([100, 400, 700, 1000]);
    // Between rotations the optimistic peer keeps its slot.
    for (const [i, e] of scheduled.entries()) if (!e.rotated) expect(e.optimistic).toBe(scheduled[i - 1]!.optimistic);
    const { choker } = seeder.stats();
    expect(choker).toEqual({ lastMs: start + 1200, nextMs: start + 1300, nextOptimisticMs: start + 1300 });
    clock.advance(100);
    expect(seeder.stats().choker).toEqual({ lastMs: start + 1300, nextMs: start + 1400, nextOptimisticMs: start + 1600 });
  });
});

describe('initial seeding', () => {
  it('an initial seeder unchokes every interested leecher (up to 16), a plain seeder 4 plus the optimistic one', async () => {
    const { data, meta } = await makeContent(1024 * 1024, 16 * 1024);
    const limit = { ...FAST, uploadLimit: 128 * 1024 };
    const mostUnchoked = async (superSeed: boolean) => {
      const seeder = track(await makeSeeder(meta, data, { ...limit, superSeed }));
      let most = 0;
      seeder.torrent.on('rechoke', (e) => (most = Math.max(most, e.unchoked.length)));
      let scheduledSinceAllInterested = 0;
      seeder.torrent.on('rechoke', (e) => {
        if (e.scheduled && seeder.torrent.stats().peers.filter((p) => p.peerInterested).length === 8) scheduledSinceAllInterested++;
      });
      const leechers = await Promise.all(Array.from({ length: 8 }, async () => track(await makePeer({ metainfo: meta }, limit))));
      for (const l of leechers) connect(seeder.torrent, l.torrent);
      // Three scheduled rechokes with all eight interested (1 MiB at 128 KiB/s takes 8 s, so none is done).
      await expect.poll(() => scheduledSinceAllInterested, { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
      return most;
    };
    expect(await mostUnchoked(true)).toBe(8);
    expect(await mostUnchoked(false)).toBe(5);
  });

  it('a super-seeding seeder reveals no piece twice while any piece is unrevealed, and everyone finishes byte-exact', async () => {
    const { data, meta } = await makeContent(512 * 1024, 16 * 1024);
    const limit = { ...FAST, uploadLimit: 128 * 1024 };
    const seederId = peerId();
    const store = await filledStore(meta, data);
    const seeder = new Torrent({ metainfo: meta }, { peerId: seederId, sha1: portableSha1, openStore: async () => store }, { ...limit, superSeed: true });
    torrents.push(seeder);
    await seeder.start();
    const leechers = await Promise.all([1, 2, 3, 4].map(async () => track(await makePeer({ metainfo: meta }, limit))));
    // What each leecher has been shown of the seeder: it sends no bitfield, only a HAVE per revealed piece.
    const seederHex = Buffer.from(seederId).toString('hex');
    let worst = 0;
    let sampled = 0;
    const watch = setInterval(() => {
      const views = leechers.map((l) => l.torrent.stats().peers.find((p) => p.id === seederHex)?.bitfield ?? '');
      const counts = Array.from({ length: meta.pieceCount }, (_, i) => views.filter((v) => v[i] === '1').length);
      if (counts.some((c) => c === 0)) {
        worst = Math.max(worst, ...counts);
        sampled++;
      }
    }, 5);
    connectAll([seeder, ...leechers.map((l) => l.torrent)]);
    await Promise.all(leechers.map((l) => waitDone(l.torrent, 30_000)));
    clearInterval(watch);
    for (const l of leechers) expect(sha256(storedBytes(l.store, meta))).toBe(sha256(data));
    // Sampled through the whole first pass: no piece was shown to two leechers while another had been shown to none.
    expect(sampled).toBeGreaterThan(10);
    expect(worst).toBe(1);
  }, 60_000);
});
