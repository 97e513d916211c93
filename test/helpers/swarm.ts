/** In-memory swarms for engine tests: torrents over memoryPair transports, fast clocks. */
import { createHash, randomBytes } from 'node:crypto';
import { createTorrent, type Metainfo } from '../../shared/metainfo/index.ts';
import { portableSha1, type Sha1 } from '../../shared/sha1.ts';
import { memoryPair } from '../../client/engine/transport.ts';
import { MemoryStore } from '../../client/engine/storage.ts';
import { Torrent, type TorrentSource } from '../../client/engine/torrent.ts';
import type { EngineOptions } from '../../client/engine/options.ts';
import type { Clock } from '../../client/engine/clock.ts';
import { concatBytes } from '../../shared/bytes.ts';
import { afterEach } from 'vitest';

export const FAST: Partial<EngineOptions> = { rechokeIntervalMs: 50, optimisticIntervalMs: 150, tickMs: 20, blockTimeoutMs: 1_000, keepAliveMs: 1_000 };

export async function makeContent(bytes: number, pieceLength?: number): Promise<{ data: Uint8Array; meta: Metainfo }> {
  const data = new Uint8Array(randomBytes(bytes));
  const { metainfo } = await createTorrent({
    name: 'content.bin',
    multiFile: false,
    sha1: portableSha1,
    pieceLength,
    files: [{ path: ['content.bin'], length: bytes, stream: async function* () { yield data; } }],
  });
  return { data, meta: metainfo };
}

let peerCounter = 0;
export function peerId(): Uint8Array {
  const id = new Uint8Array(20);
  id.set(new TextEncoder().encode(`-TS0001-${String(++peerCounter).padStart(12, '0')}`));
  return id;
}

export interface TestPeer {
  torrent: Torrent;
  store: MemoryStore;
}

/** `clock`: the engine's timers on a clock of the test's own (default: real time). */
export async function makePeer(source: TorrentSource, options: Partial<EngineOptions> = FAST, store = new MemoryStore(), sha1: Sha1 = portableSha1, clock?: Clock): Promise<TestPeer> {
  const torrent = new Torrent(source, { peerId: peerId(), sha1, openStore: async () => store, clientName: 'Tabswarm test', ...(clock ? { clock } : {}) }, options);
  await torrent.start();
  return { torrent, store };
}

/** A store that already holds every piece of `data`, marked complete. */
export async function filledStore(meta: Metainfo, data: Uint8Array): Promise<MemoryStore> {
  return MemoryStore.filled(meta, data);
}

/** A seeder holding `data`. */
export async function makeSeeder(meta: Metainfo, data: Uint8Array, options: Partial<EngineOptions> = FAST): Promise<TestPeer> {
  return makePeer({ metainfo: meta }, options, MemoryStore.filled(meta, data));
}

/** `schedule`: how deliveries are deferred (default: a real zero-delay timer; see memoryPair). */
export function connect(a: Torrent, b: Torrent, chunk?: number, schedule?: (fn: () => void) => void): void {
  const [ta, tb] = memoryPair({ chunk, ...(schedule ? { schedule } : {}) });
  a.addPeer(ta);
  b.addPeer(tb);
}

export function connectAll(peers: Torrent[], chunk?: number, schedule?: (fn: () => void) => void): void {
  for (let i = 0; i < peers.length; i++) for (let j = i + 1; j < peers.length; j++) connect(peers[i]!, peers[j]!, chunk, schedule);
}

export function waitDone(t: Torrent, timeoutMs = 20_000): Promise<void> {
  if (t.done) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not done within ${timeoutMs} ms: ${JSON.stringify({ ...t.stats(), availability: undefined, peers: t.stats().peers.length })}`)), timeoutMs);
    t.once('done', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export function storedBytes(store: MemoryStore, meta: Metainfo): Uint8Array {
  return concatBytes(Array.from({ length: meta.pieceCount }, (_, i) => store.pieces.get(i) ?? new Uint8Array(0)));
}

/** SHA-256 hex: comparing digests keeps failures readable and avoids element-by-element deep equality on megabytes. */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Torrents a test file starts, destroyed after each test. `const { track, tracked } = trackTorrents();`
 * then `track(await makePeer(…))` (or `tracked.push(torrent)` for one built by hand).
 */
export function trackTorrents(): { track: <T extends { torrent: Torrent }>(p: T) => T; tracked: Torrent[] } {
  const tracked: Torrent[] = [];
  afterEach(async () => {
    for (const t of tracked.splice(0)) await t.destroy();
  });
  return {
    tracked,
    track: (p) => {
      tracked.push(p.torrent);
      return p;
    },
  };
}
