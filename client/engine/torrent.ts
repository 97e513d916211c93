/**
 * One torrent's swarm: its peers, what we have, what is in flight. The decisions are the pure
 * functions of picker.ts and choker.ts over a snapshot of this state; this class carries them out
 * over peer wires, verifies pieces, stores them, and reports events. DOM-free and Node-free: the
 * transport, the store, SHA-1, the clock and randomness are injected.
 */
import { Bitfield } from '../../shared/bitfield.ts';
import { bytesEqual, fromHex, toHex } from '../../shared/bytes.ts';
import { BLOCK_LENGTH_BYTES, METADATA_PIECE_LENGTH_BYTES } from '../../shared/constants.ts';
import { Emitter } from '../../shared/emitter.ts';
import { TabswarmError } from '../../shared/errors.ts';
import type { Metainfo } from '../../shared/metainfo/types.ts';
import { pieceHash } from '../../shared/metainfo/types.ts';
import type { Sha1 } from '../../shared/sha1.ts';
import { fullBucket, take, waitMs, type TokenBucket } from '../../shared/token-bucket.ts';
import {
  LOCAL_EXTENSION_IDS,
  UT_METADATA,
  decodeExtendedHandshake,
  decodeMetadataMessage,
  encodeExtendedHandshake,
  encodeMetadataMessage,
  type ExtendedHandshake,
} from '../../shared/wire/extension.ts';
import { EXTENDED_HANDSHAKE_ID, type Handshake, type WireMessage } from '../../shared/wire/messages.ts';
import { rechoke, type ChokePeer } from './choker.ts';
import { SUPER_SEED_UNCHOKE_SLOTS, pickReveal, revealTarget } from './super-seed.ts';
import { pickUpload, type UploadCandidate } from './upload-order.ts';
import { MetadataAssembler } from './metadata.ts';
import { DEFAULT_ENGINE_OPTIONS, type EngineOptions } from './options.ts';
import { PeerWire } from './peer-wire.ts';
import { blocksIn, newProgress, nextRequests, pieceBytes, type PieceProgress, type PickerSnapshot } from './picker.ts';
import { RateMeter } from './rate-meter.ts';
import type { PieceStore } from './storage.ts';
import type { Transport } from './transport.ts';

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
};

export interface TorrentDeps {
  peerId: Uint8Array;
  sha1: Sha1;
  /** Called once the metainfo is known (at once, or after ut_metadata) to open its storage. */
  openStore(meta: Metainfo): Promise<PieceStore>;
  clock?: Clock;
  random?: () => number;
  clientName?: string;
}

export type TorrentSource = { metainfo: Metainfo } | { infoHash: string; name?: string };

/** A peer as the torrent sees it: the wire plus what we track about it. */
export interface Peer {
  key: string;
  wire: PeerWire;
  /** Hex peer id once the handshake arrived. */
  id: string | null;
  has: Bitfield | null;
  /** A bitfield received before we had the metadata, applied once we do. */
  pendingBitfield: Uint8Array | null;
  /** `have`s received before we had the metadata (their range is unknown until then). */
  pendingHaves: Set<number>;
  ext: ExtendedHandshake | null;
  /** The peer's handshake offered BEP 10 extensions. */
  extended: boolean;
  /** Initial seeding to this peer: pieces revealed to it (HAVE sent) that it has not reported yet; null when not super-seeding it. */
  revealed: Set<number> | null;
  /** Our requests in flight to this peer: "index:begin" → sent at (ms). */
  outstanding: Map<string, number>;
  /** Their requests to us, in order. */
  queue: Array<{ index: number; begin: number; length: number }>;
  serving: boolean;
  /** The piece we are part-way through sending this peer, and how many of its blocks have gone (see upload-order.ts). */
  sending: { piece: number; blocks: number } | null;
  lastServedMs: number;
  download: RateMeter;
  upload: RateMeter;
  connectedAtMs: number;
  lastBlockMs: number;
  unchokedUsAtMs: number;
  optimistic: boolean;
  strikes: number;
  /** Metadata pieces requested from this peer. */
  metadataRequested: Set<number>;
}

export interface PeerStats {
  key: string;
  id: string | null;
  amChoking: boolean;
  amInterested: boolean;
  peerChoking: boolean;
  peerInterested: boolean;
  optimistic: boolean;
  downloadRate: number;
  uploadRate: number;
  pieces: number;
  /** The peer's bitfield as "1010…" (empty before the metadata). */
  bitfield: string;
  /** What a Tabswarm peer advertised about itself (BEP 10 handshake key `tabswarm`), if anything. */
  advert: Record<string, number> | null;
}

/** One run of the choker, as it happened. */
export interface RechokeEvent {
  atMs: number;
  /** On the rechoke interval (true), or at once because a peer's interest changed. */
  scheduled: boolean;
  /** The optimistic unchoke moved on (every optimistic interval, at a scheduled rechoke). */
  rotated: boolean;
  optimistic: string | null;
  /** Peers (keys) unchoked after this run, the optimistic one included. */
  unchoked: string[];
}

export interface TorrentStats {
  infoHash: string;
  name: string | null;
  length: number | null;
  pieceCount: number | null;
  piecesHave: number;
  bytesVerified: number;
  downloaded: number;
  uploaded: number;
  downloadRate: number;
  uploadRate: number;
  done: boolean;
  /** Copies of each piece among connected peers (plus ours). */
  availability: number[];
  /** Our verified pieces as "1010…" (empty before the metadata). */
  have: string;
  /** Pieces started and not yet verified. */
  inProgress: number[];
  peers: PeerStats[];
  /** Pieces whose data failed verification and were fetched again. */
  hashFailures: number;
  banned: number;
  /** The choker's clock: when it last ran on schedule, when it runs next, and when the optimistic unchoke next moves on. */
  choker: { lastMs: number; nextMs: number; nextOptimisticMs: number };
}

type TorrentEvents = {
  metadata: [Metainfo];
  piece: [number];
  progress: [TorrentStats];
  done: [];
  peer: [Peer];
  'peer-close': [Peer, string];
  rechoke: [RechokeEvent];
  /** Something went wrong with one peer or piece; the torrent carries on. */
  warning: [TabswarmError];
  /** The torrent cannot carry on (storage failed): it stops. */
  error: [TabswarmError];
};

interface PendingPiece {
  buffer: Uint8Array;
  progress: PieceProgress;
  /** Who sent each block (peer key), for the smart ban below. */
  senders: string[];
}

const blockKey = (index: number, begin: number) => `${index}:${begin}`;
/** `have`s kept per peer before the metadata arrives; more is a peer wasting our memory. */
const MAX_PENDING_HAVES = 100_000;

export class Torrent extends Emitter<TorrentEvents> {
  readonly infoHash: string;
  readonly infoHashBytes: Uint8Array;
  meta: Metainfo | null = null;
  have: Bitfield | null = null;
  readonly peers = new Map<string, Peer>();
  private readonly options: EngineOptions;
  private readonly clock: Clock;
  private readonly random: () => number;
  private store: PieceStore | null = null;
  private readonly pending = new Map<number, PendingPiece>();
  /** Blocks of pieces that failed verification, with their senders: compared to the good piece later. */
  private readonly suspects = new Map<number, Array<{ begin: number; data: Uint8Array; sender: string }>>();
  private readonly banned = new Set<string>();
  private availability: Uint16Array = new Uint16Array(0);
  /** Initial seeding: reveals of each piece sent and not yet reported back. */
  private revealsInFlight: Uint16Array = new Uint16Array(0);
  private readonly downloadMeter = new RateMeter();
  private readonly uploadMeter = new RateMeter();
  private uploadBucket: TokenBucket;
  private downloadBucket: TokenBucket;
  private timers: unknown[] = [];
  private optimistic: string | null = null;
  /** Scheduled rechokes so far; the optimistic unchoke moves on every rechokesPerRotation() of them. */
  private scheduledRechokes = 0;
  /** When the choker last ran on its interval (start time until it first does). */
  private lastScheduledRechokeMs = 0;
  private advert: Record<string, number> | undefined;
  private metadata: MetadataAssembler | null = null;
  private nextPeerKey = 1;
  private destroyed = false;
  private hashFailures = 0;
  private refillTimer: unknown = null;
  /** The limited upload loop is running; its timer, when set, wakes it once the budget has refilled. */
  private uploading = false;
  private uploadTimer: unknown = null;
  /** Pieces verified or being verified whose bytes the store has not taken yet. */
  private unwritten = 0;
  done = false;

  constructor(
    source: TorrentSource,
    private readonly deps: TorrentDeps,
    options: Partial<EngineOptions> = {},
  ) {
    super();
    this.options = { ...DEFAULT_ENGINE_OPTIONS, ...options };
    this.clock = deps.clock ?? realClock;
    this.random = deps.random ?? Math.random;
    if ('metainfo' in source) {
      this.infoHash = source.metainfo.infoHash;
      this.meta = source.metainfo;
    } else {
      this.infoHash = source.infoHash.toLowerCase();
    }
    this.infoHashBytes = fromHex(this.infoHash)!;
    const now = this.clock.now();
    this.uploadBucket = fullBucket(this.uploadBurst(), now);
    this.downloadBucket = fullBucket(this.downloadBurst(), now);
  }

  /** Opens storage (when the metainfo is known) and starts the clocks. */
  async start(): Promise<void> {
    if (this.meta) await this.initStorage(this.meta);
    this.lastScheduledRechokeMs = this.clock.now();
    this.timers.push(this.clock.setInterval(() => this.tick(), this.options.tickMs));
    this.timers.push(this.clock.setInterval(() => this.runRechoke(), this.options.rechokeIntervalMs));
  }

  private async initStorage(meta: Metainfo): Promise<void> {
    this.store = await this.deps.openStore(meta);
    this.have = new Bitfield(meta.pieceCount);
    const saved = await this.store.loadCompletion();
    const restored = saved ? Bitfield.fromWire(saved, meta.pieceCount) : null;
    if (restored) for (let i = 0; i < meta.pieceCount; i++) if (restored.get(i)) this.have.set(i);
    this.availability = new Uint16Array(meta.pieceCount);
    this.revealsInFlight = new Uint16Array(meta.pieceCount);
    this.done = this.have.complete();
  }

  // ── peers ──────────────────────────────────────────────────────────────────────────────────

  addPeer(transport: Transport): Peer | null {
    if (this.destroyed) {
      transport.close();
      return null;
    }
    const wire = new PeerWire(transport, () => this.clock.now());
    const now = this.clock.now();
    const peer: Peer = {
      key: `peer-${this.nextPeerKey++}`,
      wire,
      id: null,
      has: this.meta ? new Bitfield(this.meta.pieceCount) : null,
      pendingBitfield: null,
      pendingHaves: new Set(),
      ext: null,
      extended: false,
      revealed: null,
      outstanding: new Map(),
      queue: [],
      serving: false,
      sending: null,
      lastServedMs: 0,
      download: new RateMeter(),
      upload: new RateMeter(),
      connectedAtMs: now,
      lastBlockMs: now,
      unchokedUsAtMs: 0,
      optimistic: false,
      strikes: 0,
      metadataRequested: new Set(),
    };
    if (this.meta) wire.setMaxBitfieldBytes(Bitfield.byteLength(this.meta.pieceCount));
    this.peers.set(peer.key, peer);
    wire.on('handshake', (h) => this.onHandshake(peer, h));
    wire.on('message', (m) => this.onMessage(peer, m));
    wire.on('error', (e) => this.emit('warning', e));
    wire.on('drain', () => void this.serve(peer));
    wire.on('close', (reason) => this.onPeerClose(peer, reason));
    wire.handshake(this.infoHashBytes, this.deps.peerId);
    return peer;
  }

  private protocolError(peer: Peer, message: string): void {
    peer.wire.fail(new TabswarmError('WIRE_PROTOCOL_ERROR', `Peer protocol error: ${message}; disconnected.`));
  }

  private onHandshake(peer: Peer, h: Handshake): void {
    if (!bytesEqual(h.infoHash, this.infoHashBytes)) return this.protocolError(peer, 'handshake for another torrent');
    const id = toHex(h.peerId);
    if (bytesEqual(h.peerId, this.deps.peerId)) return peer.wire.destroy('connected to ourselves');
    if (this.banned.has(id)) return peer.wire.destroy('banned from this swarm for sending bad data');
    for (const other of this.peers.values()) if (other !== peer && other.id === id) return peer.wire.destroy('already connected to this peer');
    peer.id = id;
    // BEP 3: the bitfield, if any, is the first message after the handshake. Initial seeding sends none.
    if (this.options.superSeed && this.done) peer.revealed = new Set();
    else if (this.have && this.have.count() > 0) peer.wire.send({ type: 'bitfield', bitfield: this.have.bytes });
    peer.extended = h.extended;
    if (h.extended) this.sendExtendedHandshake(peer);
    this.reveal(peer);
    this.emit('peer', peer);
  }

  private onPeerClose(peer: Peer, reason: string): void {
    if (!this.peers.delete(peer.key)) return;
    if (peer.has) for (let i = 0; i < peer.has.length; i++) if (peer.has.get(i)) this.availability[i]!--;
    for (const i of peer.revealed ?? []) this.revealsInFlight[i]!--;
    this.releaseRequests(peer);
    if (this.optimistic === peer.key) this.optimistic = null;
    this.emit('peer-close', peer, reason);
    this.fillAll();
  }

  /** Gives a peer's outstanding requests back to the picker. */
  private releaseRequests(peer: Peer): void {
    for (const key of [...peer.outstanding.keys()]) this.unrequest(peer, key);
  }

  /**
   * Withdraws one request ("index:begin") from a peer: the block becomes requestable again once no
   * peer has it outstanding. Returns the block's place, or null when its piece is no longer pending.
   */
  private unrequest(peer: Peer, key: string): { index: number; begin: number; pending: PendingPiece } | null {
    peer.outstanding.delete(key);
    const [index, begin] = key.split(':').map(Number) as [number, number];
    const pending = this.pending.get(index);
    if (!pending) return null;
    const b = begin / BLOCK_LENGTH_BYTES;
    pending.progress.requestedFrom[b]!.delete(peer.key);
    if (pending.progress.requestedFrom[b]!.size === 0) pending.progress.requested[b] = false;
    return { index, begin, pending };
  }

  // ── messages ───────────────────────────────────────────────────────────────────────────────

  private onMessage(peer: Peer, msg: WireMessage): void {
    if (peer.id === null) return this.protocolError(peer, 'a message before the handshake');
    switch (msg.type) {
      case 'keep-alive':
        return;
      case 'interested':
      case 'not-interested':
        // Interest changed: rechoke now (no rotation), so a newcomer need not wait for the 10 s tick.
        this.runRechoke(false);
        return;
      case 'choke':
        this.releaseRequests(peer);
        this.fillAll();
        return;
      case 'unchoke':
        peer.unchokedUsAtMs = this.clock.now();
        peer.lastBlockMs = peer.unchokedUsAtMs;
        this.fill(peer);
        return;
      case 'have':
        return this.onHave(peer, msg.index);
      case 'bitfield':
        return this.onBitfield(peer, msg.bitfield);
      case 'request':
        return this.onRequest(peer, msg.index, msg.begin, msg.length);
      case 'cancel':
        peer.queue = peer.queue.filter((r) => !(r.index === msg.index && r.begin === msg.begin && r.length === msg.length));
        return;
      case 'piece':
        return void this.onBlock(peer, msg.index, msg.begin, msg.block);
      case 'extended':
        return this.onExtended(peer, msg.id, msg.payload);
      case 'unknown':
        return; // BEP 3: ignore messages we do not speak
    }
  }

  private onHave(peer: Peer, index: number): void {
    if (!this.meta || !peer.has) {
      // Before the metadata the piece count is unknown: keep it, check it when the metadata arrives.
      if (peer.pendingHaves.size < MAX_PENDING_HAVES) peer.pendingHaves.add(index);
      return;
    }
    if (index >= this.meta.pieceCount) return this.protocolError(peer, `have for piece ${index} of ${this.meta.pieceCount}`);
    if (!peer.has.get(index)) {
      peer.has.set(index);
      this.availability[index]!++;
    }
    this.reveal(peer);
    this.updateInterest(peer);
    this.fill(peer);
  }

  private onBitfield(peer: Peer, bytes: Uint8Array): void {
    if (!this.meta || !peer.has) {
      peer.pendingBitfield = bytes.slice();
      return;
    }
    const bits = Bitfield.fromWire(bytes, this.meta.pieceCount);
    if (!bits) return this.protocolError(peer, `a bitfield of ${bytes.length} bytes for ${this.meta.pieceCount} pieces`);
    for (let i = 0; i < bits.length; i++) {
      if (bits.get(i) && !peer.has.get(i)) {
        peer.has.set(i);
        this.availability[i]!++;
      }
    }
    this.reveal(peer);
    this.updateInterest(peer);
    this.fill(peer);
  }

  /** Initial seeding: forgets reveals the peer now has, and reveals more up to its target (see revealTarget). */
  private reveal(peer: Peer): void {
    const revealed = peer.revealed;
    if (!revealed || !peer.has || !this.meta) return;
    const has = peer.has;
    for (const i of revealed) {
      if (has.get(i)) {
        revealed.delete(i);
        this.revealsInFlight[i]!--;
      }
    }
    const state = { pieceCount: this.meta.pieceCount, peerHas: (i: number) => has.get(i), revealed, spread: (i: number) => this.availability[i]! + this.revealsInFlight[i]! };
    const target = revealTarget(peer.upload.rate(this.clock.now()), this.meta.pieceLength);
    while (revealed.size < target) {
      const next = pickReveal(state, this.random);
      if (next === null) break;
      revealed.add(next);
      this.revealsInFlight[next]!++;
      peer.wire.send({ type: 'have', index: next });
    }
  }

  private updateInterest(peer: Peer): void {
    if (!this.have || !peer.has) return;
    let wants = false;
    for (let i = 0; i < this.have.length && !wants; i++) if (peer.has.get(i) && !this.have.get(i)) wants = true;
    peer.wire.setInterested(wants);
  }

  private onRequest(peer: Peer, index: number, begin: number, length: number): void {
    if (!this.meta || !this.have) return this.protocolError(peer, 'a request before we have the metadata');
    if (index >= this.meta.pieceCount || begin + length > pieceBytes(this.metaShape(), index)) {
      return this.protocolError(peer, `a request outside the torrent (piece ${index}, ${begin}+${length})`);
    }
    // BEP 3: requests while choked are dropped; requests for pieces we lack are a broken peer's.
    if (peer.wire.state.amChoking) return;
    if (!this.have.get(index)) return this.protocolError(peer, `a request for piece ${index}, which we do not have`);
    if (peer.queue.length >= this.options.maxPeerRequests) {
      return peer.wire.fail(new TabswarmError('WIRE_PROTOCOL_ERROR', `Peer flooded us with more than ${this.options.maxPeerRequests} queued requests; disconnected.`));
    }
    peer.queue.push({ index, begin, length });
    void this.serve(peer);
  }

  /** Sends queued blocks: per peer while its transport has room, or, under an upload limit, in the order upload-order.ts decides. */
  private serve(peer: Peer): Promise<void> {
    return this.options.uploadLimit > 0 ? this.serveLimited() : this.serveUnlimited(peer);
  }

  /** Can we send this peer a queued block now? */
  private servable(peer: Peer): boolean {
    return peer.queue.length > 0 && !peer.wire.isClosed && !peer.wire.state.amChoking && peer.wire.transport.bufferedAmount <= this.options.sendHighWaterBytes;
  }

  /** No limit: each peer's link sets its own pace; blocks go out in batches while its transport has room. */
  private async serveUnlimited(peer: Peer): Promise<void> {
    if (peer.serving || !this.store) return;
    peer.serving = true;
    try {
      // A limit set meanwhile (setLimits) hands the peer over to the limited loop.
      while (this.options.uploadLimit === 0 && this.servable(peer)) {
        const batch: Array<{ index: number; begin: number; block: Uint8Array }> = [];
        let batchBytes = 0;
        while (peer.queue.length > 0 && batchBytes < this.options.sendHighWaterBytes / 4) {
          const r = peer.queue.shift()!;
          batch.push({ index: r.index, begin: r.begin, block: await this.store.read(r.index, r.begin, r.length) });
          batchBytes += r.length;
        }
        if (peer.wire.isClosed || peer.wire.state.amChoking) return;
        this.sent(peer, batch);
      }
    } catch (err) {
      this.emit('warning', new TabswarmError('STORAGE_READ_FAILED', `Could not read a piece to send: ${String(err)}`));
    } finally {
      peer.serving = false;
    }
  }

  /**
   * Under an upload limit the peers share one budget, so one loop spends it: each turn goes to the
   * peer pickUpload chooses, for as many blocks of its current piece as the budget allows.
   */
  private async serveLimited(): Promise<void> {
    if (this.uploading || !this.store) return;
    this.uploading = true;
    try {
      for (;;) {
        const limit = this.options.uploadLimit;
        if (limit === 0) return; // lifted meanwhile: setLimits has handed every peer to serveUnlimited
        const peer = this.nextUpload();
        if (!peer) return;
        const now = this.clock.now();
        const batch: Array<{ index: number; begin: number; length: number }> = [];
        const piece = peer.queue[0]!.index;
        let batchBytes = 0;
        while (peer.queue.length > 0 && peer.queue[0]!.index === piece && batchBytes < this.options.sendHighWaterBytes / 4) {
          const t = take(this.uploadBucket, now, limit, this.uploadBurst(), peer.queue[0]!.length);
          this.uploadBucket = t.bucket;
          if (!t.allowed) break;
          const r = peer.queue.shift()!;
          batch.push(r);
          batchBytes += r.length;
        }
        if (batch.length === 0) {
          if (this.uploadTimer !== null) return; // already waiting for the budget
          const wait = waitMs(this.uploadBucket, now, limit, this.uploadBurst(), peer.queue[0]!.length);
          this.uploadTimer = this.clock.setTimeout(() => {
            this.uploadTimer = null;
            void this.serveLimited();
          }, Math.max(1, wait));
          return;
        }
        const blocks = [];
        for (const r of batch) blocks.push({ index: r.index, begin: r.begin, block: await this.store.read(r.index, r.begin, r.length) });
        if (peer.wire.isClosed || peer.wire.state.amChoking) continue; // choked meanwhile: the budget is spent, the blocks are not owed
        this.sent(peer, blocks);
      }
    } catch (err) {
      this.emit('warning', new TabswarmError('STORAGE_READ_FAILED', `Could not read a piece to send: ${String(err)}`));
    } finally {
      this.uploading = false;
    }
  }

  private nextUpload(): Peer | null {
    const candidates: UploadCandidate[] = [];
    for (const p of this.peers.values()) {
      if (!this.servable(p)) continue;
      const piece = p.queue[0]!.index;
      const blocksSent = p.sending?.piece === piece ? p.sending.blocks : 0;
      candidates.push({ key: p.key, piece, blocksSent, availability: this.availability[piece] ?? 0, lastServedMs: p.lastServedMs });
    }
    const key = pickUpload(candidates, this.clock.now());
    return key === null ? null : this.peers.get(key)!;
  }

  private sent(peer: Peer, blocks: Array<{ index: number; begin: number; block: Uint8Array }>): void {
    peer.wire.sendPieces(blocks);
    const now = this.clock.now();
    let bytes = 0;
    for (const b of blocks) {
      bytes += b.block.length;
      const blocksSent = peer.sending?.piece === b.index ? peer.sending.blocks + 1 : 1;
      // A whole piece sent: nothing is part-way through any more.
      peer.sending = blocksSent >= blocksIn(pieceBytes(this.metaShape(), b.index)) ? null : { piece: b.index, blocks: blocksSent };
    }
    peer.lastServedMs = now;
    peer.upload.add(bytes, now);
    this.uploadMeter.add(bytes, now);
  }

  // ── downloading ────────────────────────────────────────────────────────────────────────────

  private metaShape() {
    const m = this.meta!;
    return { pieceCount: m.pieceCount, pieceLength: m.pieceLength, totalLength: m.length };
  }

  /** Pieces being verified or written stay in `pending` (all blocks received) until they are ours, so nobody asks for them again. */
  private snapshot(): PickerSnapshot {
    const progress = new Map<number, PieceProgress>();
    for (const [i, p] of this.pending) progress.set(i, p.progress);
    return { ...this.metaShape(), have: this.have!, availability: this.availability, inProgress: progress };
  }

  private pipelineSize(peer: Peer): number {
    const rate = peer.download.rate(this.clock.now());
    const wanted = Math.ceil((rate * this.options.pipelineSeconds) / BLOCK_LENGTH_BYTES);
    const cap = Math.min(this.options.maxPipeline, peer.ext?.reqq ?? this.options.maxPipeline);
    return Math.max(Math.min(this.options.minPipeline, cap), Math.min(wanted, cap));
  }

  private fillAll(): void {
    for (const peer of this.peers.values()) this.fill(peer);
  }

  /** Tops up the request pipeline of one peer from the picker. */
  private fill(peer: Peer): void {
    if (!this.meta || !this.have || !peer.has || this.done || this.destroyed) return;
    if (!peer.wire.state.amInterested || peer.wire.state.peerChoking || peer.wire.isClosed) return;
    if (this.unwritten >= this.options.maxPendingWrites) return; // resumes when a write completes
    const slots = this.pipelineSize(peer) - peer.outstanding.size;
    if (slots <= 0) return;
    const now = this.clock.now();
    const { requests, newPieces } = nextRequests(this.snapshot(), { id: peer.key, has: peer.has, slots }, this.random, { randomFirstPieces: this.options.randomFirstPieces });
    for (const index of newPieces) {
      const size = pieceBytes(this.metaShape(), index);
      this.pending.set(index, { buffer: new Uint8Array(size), progress: newProgress(blocksIn(size)), senders: [] });
    }
    for (const r of requests) {
      if (this.options.downloadLimit > 0) {
        // The download limit meters what we ask for: what is not asked for cannot arrive.
        const t = take(this.downloadBucket, now, this.options.downloadLimit, this.downloadBurst(), r.length);
        this.downloadBucket = t.bucket;
        if (!t.allowed) {
          this.scheduleRefill(waitMs(this.downloadBucket, now, this.options.downloadLimit, this.downloadBurst(), r.length));
          return;
        }
      }
      const pending = this.pending.get(r.index)!;
      const b = r.begin / BLOCK_LENGTH_BYTES;
      pending.progress.requested[b] = true;
      pending.progress.requestedFrom[b]!.add(peer.key);
      peer.outstanding.set(blockKey(r.index, r.begin), now);
      peer.wire.send({ type: 'request', ...r });
    }
  }

  /** Changes the upload and/or download limit (bytes/s, 0 = none) while running: the demo's sliders. */
  setLimits(limits: { uploadLimit?: number; downloadLimit?: number }): void {
    const now = this.clock.now();
    if (limits.uploadLimit !== undefined) {
      this.options.uploadLimit = Math.max(0, limits.uploadLimit);
      this.uploadBucket = fullBucket(this.uploadBurst(), now);
      if (this.uploadTimer !== null) this.clock.clearTimeout(this.uploadTimer);
      this.uploadTimer = null;
    }
    if (limits.downloadLimit !== undefined) {
      this.options.downloadLimit = Math.max(0, limits.downloadLimit);
      this.downloadBucket = fullBucket(this.downloadBurst(), now);
    }
    for (const p of this.peers.values()) void this.serve(p);
    this.fillAll();
  }

  get limits(): { uploadLimit: number; downloadLimit: number } {
    return { uploadLimit: this.options.uploadLimit, downloadLimit: this.options.downloadLimit };
  }

  private uploadBurst(): number {
    return Math.max(BLOCK_LENGTH_BYTES, this.options.uploadLimit / 4);
  }

  /** Bursts of at most a quarter second of the limit (and at least one block), so the rate stays smooth. */
  private downloadBurst(): number {
    return Math.max(BLOCK_LENGTH_BYTES, this.options.downloadLimit / 4);
  }

  private scheduleRefill(delayMs: number): void {
    if (this.refillTimer !== null) return;
    this.refillTimer = this.clock.setTimeout(() => {
      this.refillTimer = null;
      this.fillAll();
    }, Math.max(1, delayMs));
  }

  private async onBlock(peer: Peer, index: number, begin: number, block: Uint8Array): Promise<void> {
    const key = blockKey(index, begin);
    if (!peer.outstanding.delete(key)) return; // unrequested, cancelled or a late duplicate
    const now = this.clock.now();
    peer.download.add(block.length, now);
    this.downloadMeter.add(block.length, now);
    peer.lastBlockMs = now;
    const pending = this.pending.get(index);
    const b = begin / BLOCK_LENGTH_BYTES;
    if (!pending || !Number.isInteger(b) || b >= pending.progress.received.length || pending.progress.received[b]) {
      this.fill(peer);
      return;
    }
    const expected = Math.min(BLOCK_LENGTH_BYTES, pending.buffer.length - begin);
    if (block.length !== expected) return this.protocolError(peer, `a ${block.length}-byte block where ${expected} bytes were requested`);
    pending.buffer.set(block, begin);
    pending.progress.received[b] = true;
    pending.senders[b] = peer.key;
    // Endgame duplicates: whoever else was asked for this block need not send it.
    for (const other of pending.progress.requestedFrom[b]!) {
      const o = this.peers.get(other);
      if (o && o !== peer && o.outstanding.delete(key)) o.wire.send({ type: 'cancel', index, begin, length: block.length });
    }
    pending.progress.requestedFrom[b]!.clear();
    if (pending.progress.received.every(Boolean)) await this.verify(index, pending);
    this.fill(peer);
  }

  private async verify(index: number, pending: PendingPiece): Promise<void> {
    this.unwritten++;
    try {
      await this.verifyAndStore(index, pending);
    } finally {
      this.unwritten--;
    }
    this.fillAll();
  }

  private async verifyAndStore(index: number, pending: PendingPiece): Promise<void> {
    const meta = this.meta!;
    const ok = bytesEqual(await this.deps.sha1(pending.buffer), pieceHash(meta, index));
    if (this.destroyed) return;
    if (!ok) {
      this.pending.delete(index);
      return this.onHashFailure(index, pending);
    }
    try {
      await this.store!.write(index, pending.buffer);
      this.pending.delete(index);
      this.have!.set(index);
      await this.store!.saveCompletion(this.have!.bytes);
    } catch (err) {
      // Storage failed (a full disk or quota): stop this torrent once; what is stored stays for a resume.
      if (this.destroyed) return;
      const e = err instanceof TabswarmError ? err : new TabswarmError('STORAGE_WRITE_FAILED', `Could not store piece ${index}: ${String(err)}. Free some space and try again.`);
      this.emit('error', e);
      void this.destroy();
      return;
    }
    this.judgeSuspects(index, pending.buffer);
    for (const p of this.peers.values()) {
      if (p.id === null) continue;
      p.wire.send({ type: 'have', index });
      this.updateInterest(p);
    }
    this.emit('piece', index);
    this.emit('progress', this.stats());
    if (this.have!.complete() && !this.done) {
      this.done = true;
      this.emit('done');
      this.runRechoke(false);
    }
  }

  /**
   * A piece failed its hash. If one peer sent every block, it is at fault; otherwise we keep the
   * blocks and, once the piece verifies, blame exactly the peers whose blocks differ (a "smart
   * ban"), so honest peers who shared a piece with a liar are not punished.
   */
  private onHashFailure(index: number, pending: PendingPiece): void {
    this.hashFailures++;
    const senders = new Set(pending.senders);
    this.emit('warning', new TabswarmError('PIECE_HASH_MISMATCH', `Piece ${index} failed verification and will be downloaded again.`));
    if (senders.size === 1) return this.strike([...senders][0]!);
    const list = this.suspects.get(index) ?? [];
    for (let b = 0; b < pending.senders.length; b++) {
      const begin = b * BLOCK_LENGTH_BYTES;
      list.push({ begin, data: pending.buffer.slice(begin, begin + BLOCK_LENGTH_BYTES), sender: pending.senders[b]! });
    }
    this.suspects.set(index, list);
  }

  private judgeSuspects(index: number, good: Uint8Array): void {
    const list = this.suspects.get(index);
    if (!list) return;
    this.suspects.delete(index);
    const guilty = new Set<string>();
    for (const s of list) if (!bytesEqual(s.data, good.subarray(s.begin, s.begin + s.data.length))) guilty.add(s.sender);
    for (const key of guilty) this.strike(key);
  }

  private strike(peerKey: string): void {
    const peer = this.peers.get(peerKey);
    if (!peer) return;
    peer.strikes++;
    if (peer.strikes < this.options.maxBadPieces) return;
    if (peer.id) this.banned.add(peer.id);
    peer.wire.fail(new TabswarmError('PEER_BANNED', `Peer ${peer.id ?? peer.key} sent bad data for ${peer.strikes} pieces and is banned from this swarm.`));
  }

  // ── BEP 10 / BEP 9 ─────────────────────────────────────────────────────────────────────────

  private sendExtendedHandshake(peer: Peer): void {
    const ext: ExtendedHandshake = { m: { ...LOCAL_EXTENSION_IDS }, reqq: this.options.maxPeerRequests };
    if (this.meta) ext.metadataSize = this.meta.infoBytes.length;
    if (this.deps.clientName) ext.v = this.deps.clientName;
    if (this.advert) ext.advert = this.advert;
    peer.wire.send({ type: 'extended', id: EXTENDED_HANDSHAKE_ID, payload: encodeExtendedHandshake(ext) });
  }

  /** Tells every neighbour (now, and each new one) these facts about us; BEP 10 lets the handshake be sent again to update it. */
  setAdvert(advert: Record<string, number>): void {
    this.advert = { ...advert };
    for (const p of this.peers.values()) if (p.id !== null && p.extended) this.sendExtendedHandshake(p);
  }

  private onExtended(peer: Peer, id: number, payload: Uint8Array): void {
    if (id === EXTENDED_HANDSHAKE_ID) {
      const hs = decodeExtendedHandshake(payload);
      if (!hs.ok) return peer.wire.fail(hs.error);
      peer.ext = hs.value;
      this.requestMetadata();
      return;
    }
    if (id !== LOCAL_EXTENSION_IDS[UT_METADATA]) return; // an extension we did not offer
    const msg = decodeMetadataMessage(payload);
    if (!msg.ok) return peer.wire.fail(msg.error);
    const theirId = peer.ext?.m[UT_METADATA];
    const m = msg.value;
    if (m.msgType === 'request') {
      if (!theirId) return;
      const info = this.meta?.infoBytes;
      const start = m.piece * METADATA_PIECE_LENGTH_BYTES;
      const reply = info && start < info.length
        ? encodeMetadataMessage({ msgType: 'data', piece: m.piece, totalSize: info.length, data: info.subarray(start, start + METADATA_PIECE_LENGTH_BYTES) })
        : encodeMetadataMessage({ msgType: 'reject', piece: m.piece });
      peer.wire.send({ type: 'extended', id: theirId, payload: reply });
      return;
    }
    if (!peer.metadataRequested.delete(m.piece) || this.meta || !this.metadata) return;
    if (m.msgType === 'reject') {
      this.requestMetadata();
      return;
    }
    if (m.totalSize !== this.metadata.size || !this.metadata.add(m.piece, m.data)) return this.protocolError(peer, 'a ut_metadata piece of the wrong size');
    if (this.metadata.missing().length === 0) void this.completeMetadata(peer);
  }

  /** Asks peers that have the metadata for the pieces we lack, one request per piece. */
  private requestMetadata(): void {
    if (this.meta) return;
    const asked = new Set<number>();
    for (const p of this.peers.values()) for (const i of p.metadataRequested) asked.add(i);
    for (const peer of this.peers.values()) {
      const size = peer.ext?.metadataSize;
      const theirId = peer.ext?.m[UT_METADATA];
      if (!size || !theirId) continue;
      if (!this.metadata) this.metadata = new MetadataAssembler(size);
      if (size !== this.metadata.size) continue;
      for (const i of this.metadata.missing()) {
        if (asked.has(i)) continue;
        asked.add(i);
        peer.metadataRequested.add(i);
        peer.wire.send({ type: 'extended', id: theirId, payload: encodeMetadataMessage({ msgType: 'request', piece: i }) });
      }
    }
  }

  private async completeMetadata(from: Peer): Promise<void> {
    const assembled = this.metadata!;
    let info;
    try {
      info = assembled.result(this.infoHashBytes);
    } catch (err) {
      info = null;
      this.emit('warning', err instanceof TabswarmError ? err : new TabswarmError('TORRENT_INVALID', String(err)));
    }
    if (!info) {
      // Wrong bytes: whoever sent them is lying about this torrent.
      assembled.reset();
      this.protocolError(from, 'metadata that does not match the info hash');
      this.requestMetadata();
      return;
    }
    const meta: Metainfo = { ...info, announce: [], urlList: [] };
    this.meta = meta;
    await this.initStorage(meta);
    for (const peer of this.peers.values()) {
      peer.has = new Bitfield(meta.pieceCount);
      peer.wire.setMaxBitfieldBytes(Bitfield.byteLength(meta.pieceCount));
      if (peer.pendingBitfield) this.onBitfield(peer, peer.pendingBitfield);
      peer.pendingBitfield = null;
      for (const index of peer.pendingHaves) this.onHave(peer, index);
      peer.pendingHaves.clear();
    }
    this.emit('metadata', meta);
    this.fillAll();
  }

  // ── time ───────────────────────────────────────────────────────────────────────────────────

  private tick(): void {
    const now = this.clock.now();
    for (const peer of this.peers.values()) {
      // Requests that got no answer go back to the picker, for this or another peer.
      for (const [key, sentAt] of [...peer.outstanding]) {
        if (now - sentAt < this.options.blockTimeoutMs) continue;
        const block = this.unrequest(peer, key);
        if (block) peer.wire.send({ type: 'cancel', index: block.index, begin: block.begin, length: Math.min(BLOCK_LENGTH_BYTES, block.pending.buffer.length - block.begin) });
      }
      if (now - peer.wire.lastSentMs >= this.options.keepAliveMs) peer.wire.send({ type: 'keep-alive' });
      void this.serve(peer);
    }
    this.fillAll();
  }

  private runRechoke(scheduled = true): void {
    if (this.destroyed) return;
    const now = this.clock.now();
    // Every third scheduled rechoke (30 s / 10 s), counted rather than timed, so timer jitter cannot skip one.
    const rotate = scheduled && this.scheduledRechokes % this.rechokesPerRotation() === 0;
    if (scheduled) this.scheduledRechokes++;
    const table: ChokePeer[] = [];
    for (const p of this.peers.values()) {
      if (p.id === null) continue;
      table.push({
        id: p.key,
        interested: p.wire.state.peerInterested,
        downloadRate: p.download.rate(now),
        uploadRate: p.upload.rate(now),
        connectedAtMs: p.connectedAtMs,
        snubbed: !p.wire.state.peerChoking && p.wire.state.amInterested && now - p.lastBlockMs > this.options.snubTimeoutMs,
      });
    }
    // Client-server mode: a peer that does not re-share unchokes nobody, even once it has everything.
    const decision = this.options.reshare
      ? rechoke(table, this.optimistic, rotate, now, this.random, { slots: this.unchokeSlots(), seeding: this.done })
      : { unchoked: new Set<string>(), optimistic: null };
    this.optimistic = decision.optimistic;
    if (scheduled) this.lastScheduledRechokeMs = now;
    for (const p of this.peers.values()) {
      if (p.id === null) continue;
      p.optimistic = p.key === decision.optimistic;
      if (decision.unchoked.has(p.key)) p.wire.unchoke();
      else if (!p.wire.state.amChoking) {
        p.wire.choke();
        p.queue = []; // BEP 3: choking discards the peer's pending requests
        p.sending = null;
      }
    }
    this.emit('rechoke', { atMs: now, scheduled, rotated: rotate, optimistic: decision.optimistic, unchoked: [...decision.unchoked] });
  }

  private unchokeSlots(): number {
    const superSeeding = this.options.superSeed && this.done;
    return superSeeding ? Math.max(this.options.unchokeSlots, SUPER_SEED_UNCHOKE_SLOTS) : this.options.unchokeSlots;
  }

  private rechokesPerRotation(): number {
    return Math.max(1, Math.round(this.options.optimisticIntervalMs / this.options.rechokeIntervalMs));
  }

  /** The choker's schedule: when it runs next, and when that run is one that moves the optimistic unchoke. */
  private chokerClock(): TorrentStats['choker'] {
    const interval = this.options.rechokeIntervalMs;
    const nextMs = this.lastScheduledRechokeMs + interval;
    const k = this.scheduledRechokes;
    const ratio = this.rechokesPerRotation();
    const nextRotationRun = Math.ceil(k / ratio) * ratio;
    return { lastMs: this.lastScheduledRechokeMs, nextMs, nextOptimisticMs: nextMs + (nextRotationRun - k) * interval };
  }

  // ── reporting ──────────────────────────────────────────────────────────────────────────────

  stats(): TorrentStats {
    const now = this.clock.now();
    const meta = this.meta;
    const piecesHave = this.have?.count() ?? 0;
    let bytesVerified = 0;
    if (meta && this.have) for (let i = 0; i < meta.pieceCount; i++) if (this.have.get(i)) bytesVerified += pieceBytes(this.metaShape(), i);
    return {
      infoHash: this.infoHash,
      name: meta?.name ?? null,
      length: meta?.length ?? null,
      pieceCount: meta?.pieceCount ?? null,
      piecesHave,
      bytesVerified,
      downloaded: this.downloadMeter.total,
      uploaded: this.uploadMeter.total,
      downloadRate: this.downloadMeter.rate(now),
      uploadRate: this.uploadMeter.rate(now),
      done: this.done,
      availability: Array.from(this.availability, (n, i) => n + (this.have?.get(i) ? 1 : 0)),
      have: this.have?.toString() ?? '',
      inProgress: [...this.pending.keys()],
      peers: [...this.peers.values()].map((p) => ({
        key: p.key,
        id: p.id,
        ...p.wire.state,
        optimistic: p.optimistic,
        downloadRate: p.download.rate(now),
        uploadRate: p.upload.rate(now),
        pieces: p.has?.count() ?? 0,
        bitfield: p.has?.toString() ?? '',
        advert: p.ext?.advert ?? null,
      })),
      hashFailures: this.hashFailures,
      banned: this.banned.size,
      choker: this.chokerClock(),
    };
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const t of this.timers) this.clock.clearInterval(t);
    if (this.refillTimer !== null) this.clock.clearTimeout(this.refillTimer);
    if (this.uploadTimer !== null) this.clock.clearTimeout(this.uploadTimer);
    for (const p of [...this.peers.values()]) p.wire.destroy('torrent closed');
    await this.store?.close();
  }
}
