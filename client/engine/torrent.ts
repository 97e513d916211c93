/**
 * One torrent's swarm, as wiring: the peer registry and handshakes, message dispatch, the BEP 10
 * handshake, and the parts that do the work — metadata exchange while we only have a magnet, then
 * the download parts (download.ts: availability, requester, completion, uploader, initial seeding),
 * the choke scheduler, and transfer stats. Each part owns its state; this class only routes events
 * between them. DOM-free and Node-free: transport, store, SHA-1, clock and randomness are injected.
 */
import { bytesEqual, fromHex, toHex } from '../../shared/bytes.ts';
import { Emitter } from '../../shared/emitter.ts';
import { TabswarmError } from '../../shared/errors.ts';
import type { Metainfo } from '../../shared/metainfo/types.ts';
import type { Sha1 } from '../../shared/sha1.ts';
import { UT_METADATA } from '../../shared/wire/extension.ts';
import type { Handshake, WireMessage } from '../../shared/wire/messages.ts';
import { ChokeScheduler, type RechokeEvent } from './choke-scheduler.ts';
import type { ChokePeer } from './choker.ts';
import { realClock, type Clock } from './clock.ts';
import { Download } from './download.ts';
import { Extensions } from './extensions.ts';
import { PeerRegistry, type PeerLink } from './peer-registry.ts';
import type { TorrentStats } from './torrent-stats.ts';
import { MetadataExchange } from './metadata-exchange.ts';
import { DEFAULT_ENGINE_OPTIONS, type EngineOptions } from './options.ts';
import { PeerWire } from './peer-wire.ts';
import type { PieceStore } from './storage.ts';
import { SUPER_SEED_UNCHOKE_SLOTS } from './super-seed.ts';
import { TransferStats } from './transfer-stats.ts';
import type { Transport } from './transport.ts';

export { realClock, type Clock } from './clock.ts';
export type { RechokeEvent } from './choke-scheduler.ts';
export type { PeerStats, TorrentStats } from './torrent-stats.ts';

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

type TorrentEvents = {
  metadata: [Metainfo];
  piece: [number];
  /** At most every PROGRESS_INTERVAL_MS while pieces arrive, and once when done. */
  progress: [TorrentStats];
  done: [];
  /** A connection closed: its key, why, and whether its handshake had been accepted (a refused duplicate's was not). */
  'peer-close': [string, string, boolean];
  rechoke: [RechokeEvent];
  /** Something went wrong with one peer or piece; the torrent carries on. */
  warning: [TabswarmError];
  /** The torrent cannot carry on (storage failed): it stops. */
  error: [TabswarmError];
};

/** `have`s kept per peer before the metadata arrives; more is a peer wasting our memory. */
const MAX_EARLY_HAVES = 100_000;
/** Progress events are for people and progress bars: a few a second is plenty, and each builds the stats. */
export const PROGRESS_INTERVAL_MS = 250;

export class Torrent extends Emitter<TorrentEvents> {
  readonly infoHash: string;
  readonly infoHashBytes: Uint8Array;
  private readonly options: EngineOptions;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly peers: PeerRegistry;
  private readonly transfers = new TransferStats();
  private readonly choker: ChokeScheduler;
  private readonly metadataExchange: MetadataExchange;
  private readonly extensions: Extensions;
  /** Before the metadata: each peer's bitfield and haves, checked once the piece count is known. */
  private readonly early = new Map<string, { bitfield: Uint8Array | null; haves: Set<number> }>();
  private download: Download | null = null;
  private pendingMeta: Metainfo | null;
  private destroyed = false;
  /** The metadata arrived (from peers or an exact source): the download is being opened. */
  private metadataArrived = false;
  private tickTimer: unknown = null;
  private progressTimer: unknown = null;
  private lastProgressMs = -Infinity;

  constructor(
    source: TorrentSource,
    private readonly deps: TorrentDeps,
    options: Partial<EngineOptions> = {},
  ) {
    super();
    this.options = { ...DEFAULT_ENGINE_OPTIONS, ...options };
    this.clock = deps.clock ?? realClock;
    this.random = deps.random ?? Math.random;
    this.pendingMeta = 'metainfo' in source ? source.metainfo : null;
    this.infoHash = 'metainfo' in source ? source.metainfo.infoHash : source.infoHash.toLowerCase();
    this.infoHashBytes = fromHex(this.infoHash)!;
    this.peers = new PeerRegistry(deps.peerId);
    this.choker = new ChokeScheduler(this.clock, this.random, {
      table: (now) => this.chokeTable(now),
      isChoking: (key) => this.peers.get(key)?.wire.state.amChoking ?? true,
      setChoking: (key, choking) => this.setChoking(key, choking),
      slots: () => (this.options.superSeed && this.done ? Math.max(this.options.unchokeSlots, SUPER_SEED_UNCHOKE_SLOTS) : this.options.unchokeSlots),
      seeding: () => this.done,
      reshare: () => this.options.reshare,
    }, this.options);
    this.choker.on('rechoke', (e) => this.emit('rechoke', e));
    this.extensions = new Extensions({
      wire: (key) => this.peers.handshaken(key)?.wire,
      extendedPeers: () => [...this.peers.allHandshaken()].filter((l) => l.extended).map((l) => l.key),
      infoBytes: () => this.download?.meta.infoBytes ?? null,
    }, { clientName: deps.clientName, maxPeerRequests: this.options.maxPeerRequests });
    this.metadataExchange = new MetadataExchange(this.infoHashBytes, this.clock, {
      request: (key, piece) => this.extensions.requestMetadata(key, piece),
      fail: (key, reason) => this.protocolError(key, reason),
      warn: (e) => this.emit('warning', e),
    }, this.options.metadataTimeoutMs);
    this.metadataExchange.on('metadata', (info) => void this.onMetadata({ ...info, announce: [], urlList: [] }));
  }

  /** The metainfo, once known (at once, or after the magnet phase). */
  get meta(): Metainfo | null {
    return this.download?.meta ?? this.pendingMeta;
  }

  get done(): boolean {
    return this.download?.done ?? false;
  }

  /** Open peer connections (handshaken or not). */
  get peerCount(): number {
    return this.peers.size;
  }

  /** Whether we hold a connection to this peer (hex id) whose handshake we accepted. */
  isConnectedTo(peerIdHex: string): boolean {
    return this.peers.hasId(peerIdHex);
  }

  get limits(): { uploadLimit: number; downloadLimit: number } {
    return { uploadLimit: this.options.uploadLimit, downloadLimit: this.options.downloadLimit };
  }

  /** Opens storage (when the metainfo is known) and starts the clocks. */
  async start(): Promise<void> {
    if (this.pendingMeta) await this.openDownload(this.pendingMeta);
    this.tickTimer = this.clock.setInterval(() => this.tick(), this.options.tickMs);
    this.choker.start();
  }

  // ── peers ──────────────────────────────────────────────────────────────────────────────────

  /** Adds a connection; returns its key, or null if the torrent is closed. */
  addPeer(transport: Transport): string | null {
    if (this.destroyed) {
      transport.close();
      return null;
    }
    const wire = new PeerWire(transport, () => this.clock.now());
    const link = this.peers.add(wire, this.clock.now(), (key) => this.extensions.maxRequests(key));
    const meta = this.meta;
    if (meta) wire.setMaxBitfieldBytes(Math.ceil(meta.pieceCount / 8));
    wire.on('handshake', (h) => this.onHandshake(link, h));
    wire.on('message', (m) => this.onMessage(link, m));
    wire.on('error', (e) => this.emit('warning', e));
    wire.on('drain', () => this.download?.uploader.serve());
    wire.on('close', (reason) => this.onPeerClose(link, reason));
    wire.handshake(this.infoHashBytes, this.deps.peerId);
    return link.key;
  }

  private protocolError(key: string, message: string): void {
    this.peers.get(key)?.wire.fail(new TabswarmError('WIRE_PROTOCOL_ERROR', `Peer protocol error: ${message}; disconnected.`));
  }

  private onHandshake(link: PeerLink, h: Handshake): void {
    if (!bytesEqual(h.infoHash, this.infoHashBytes)) return this.protocolError(link.key, 'handshake for another torrent');
    const refused = this.peers.admit(link, h);
    if (refused) return link.wire.destroy(refused);
    // BEP 3: the bitfield, if any, is the first message after the handshake. Initial seeding sends none.
    const bitfield = this.download?.addPeer(link.key) ?? null;
    if (bitfield) link.wire.send({ type: 'bitfield', bitfield: bitfield.bytes });
    if (h.extended) this.extensions.sendHandshake(link.key);
    this.download?.welcome(link.key);
  }

  private onPeerClose(link: PeerLink, reason: string): void {
    if (!this.peers.remove(link.key)) return;
    this.download?.removePeer(link.key);
    this.metadataExchange.removePeer(link.key);
    this.extensions.removePeer(link.key);
    this.early.delete(link.key);
    this.choker.onPeerGone(link.key);
    this.transfers.removePeer(link.key);
    this.emit('peer-close', link.key, reason, link.id !== null);
  }

  private setChoking(key: string, choking: boolean): void {
    const wire = this.peers.get(key)?.wire;
    if (!wire) return;
    if (!choking) {
      wire.unchoke();
      return this.download?.onWeUnchoked(key);
    }
    wire.choke();
    this.download?.onWeChoked(key);
  }

  private chokeTable(now: number): ChokePeer[] {
    const table: ChokePeer[] = [];
    for (const p of this.peers.allHandshaken()) {
      table.push({
        id: p.key,
        interested: p.wire.state.peerInterested,
        downloadRate: this.transfers.downloadRate(p.key, now),
        uploadRate: this.transfers.uploadRate(p.key, now),
        connectedAtMs: p.connectedAtMs,
        snubbed: this.download?.snubbed(p.key, now) ?? false,
      });
    }
    return table;
  }

  // ── messages ───────────────────────────────────────────────────────────────────────────────

  private onMessage(link: PeerLink, msg: WireMessage): void {
    if (link.id === null) return this.protocolError(link.key, 'a message before the handshake');
    const key = link.key;
    const d = this.download;
    switch (msg.type) {
      case 'keep-alive':
      case 'unknown': // BEP 3: ignore messages we do not speak
        return;
      case 'interested':
      case 'not-interested':
        return this.choker.onInterest(key, msg.type === 'interested');
      case 'choke':
        return d?.onChokedByPeer(key);
      case 'unchoke':
        return d?.onUnchokedByPeer(key);
      case 'have':
        if (d) return d.onHave(key, msg.index);
        // Before the metadata the piece count is unknown: keep it, check it when the metadata arrives.
        if (this.earlyOf(key).haves.size < MAX_EARLY_HAVES) this.earlyOf(key).haves.add(msg.index);
        return;
      case 'bitfield':
        if (d) return d.onBitfield(key, msg.bitfield);
        this.earlyOf(key).bitfield = msg.bitfield.slice();
        return;
      case 'request':
        if (!d) return this.protocolError(key, 'a request before we have the metadata');
        return d.onRequest(key, msg, link.wire.state.amChoking);
      case 'cancel':
        return d?.onCancel(key, msg);
      case 'piece':
        return d?.onBlock(key, msg.index, msg.begin, msg.block);
      case 'extended':
        return this.onExtended(link, msg.id, msg.payload);
    }
  }

  // ── BEP 10 / BEP 9 ─────────────────────────────────────────────────────────────────────────

  /** Tells every neighbour (now, and each new one) these facts about us (the teaching demo's advert). */
  setAdvert(advert: Record<string, number>): void {
    this.extensions.setAdvert(advert);
  }

  private onExtended(link: PeerLink, id: number, payload: Uint8Array): void {
    const r = this.extensions.onMessage(link.key, id, payload);
    if (r.kind === 'invalid') return link.wire.fail(r.error);
    if (r.kind === 'handshake' && !this.download && r.handshake.metadataSize && r.handshake.m[UT_METADATA]) this.metadataExchange.addSource(link.key, r.handshake.metadataSize);
    if (r.kind === 'metadata') this.metadataExchange.onMessage(link.key, r.message);
  }

  /**
   * The metainfo, found another way than from peers (a magnet's exact source, xs=): used as if a
   * peer had sent it, if it is this torrent's and we still lack it. Returns whether it was taken.
   */
  supplyMetadata(meta: Metainfo): boolean {
    if (this.destroyed || this.download || this.pendingMeta || meta.infoHash !== this.infoHash) return false;
    this.metadataExchange.finish();
    void this.onMetadata(meta);
    return true;
  }

  private async onMetadata(meta: Metainfo): Promise<void> {
    if (this.download || this.metadataArrived) return;
    this.metadataArrived = true;
    try {
      await this.openDownload(meta);
    } catch (err) {
      // The store could not be opened: nothing can be downloaded, so stop, saying why.
      if (this.destroyed) return;
      this.emit('error', err instanceof TabswarmError ? err : new TabswarmError('STORAGE_WRITE_FAILED', `Could not open storage for ${meta.name}: ${String(err)}. Free some space and open the link again.`));
      void this.destroy();
      return;
    }
    if (this.destroyed) return;
    const d = this.download!;
    for (const link of [...this.peers.all()]) {
      link.wire.setMaxBitfieldBytes(Math.ceil(meta.pieceCount / 8));
      if (link.id === null) continue;
      d.addPeer(link.key);
      d.announceHave(link.key);
      const early = this.early.get(link.key);
      if (early?.bitfield) d.onBitfield(link.key, early.bitfield);
      for (const index of early?.haves ?? []) if (this.peers.get(link.key)) d.onHave(link.key, index);
    }
    this.early.clear();
    this.emit('metadata', meta);
    d.fillAll();
  }

  private async openDownload(meta: Metainfo): Promise<void> {
    const store = await this.deps.openStore(meta);
    if (this.destroyed) {
      await store.close();
      return;
    }
    const d = await Download.open(meta, store, this.deps.sha1, this.clock, this.random, this.transfers, {
      peers: () => this.peers.allHandshaken(),
      peer: (key) => this.peers.handshaken(key),
      protocolError: (key, reason) => this.protocolError(key, reason),
      strike: (key, strikes) => this.strike(key, strikes),
      selfId: () => toHex(this.deps.peerId),
    }, this.options);
    this.download = d;
    this.pendingMeta = null;
    d.on('interest', (key, interested) => this.peers.get(key)?.wire.setInterested(interested));
    d.on('warning', (e) => this.emit('warning', e));
    d.on('error', (e) => {
      if (this.destroyed) return;
      this.emit('error', e);
      void this.destroy();
    });
    d.on('piece', (i) => {
      this.emit('piece', i);
      this.progress();
    });
    d.on('done', () => {
      if (this.listened('progress')) this.emit('progress', this.stats());
      this.emit('done');
      this.choker.rerank();
    });
  }

  private strike(key: string, strikes: number): void {
    const link = this.peers.get(key);
    if (!link || strikes < this.options.maxBadPieces) return;
    if (link.id) this.peers.ban(link.id);
    link.wire.fail(new TabswarmError('PEER_BANNED', `Peer ${link.id ?? key} sent bad data for ${strikes} pieces and is banned from this swarm.`));
  }

  // ── time ───────────────────────────────────────────────────────────────────────────────────

  private tick(): void {
    const now = this.clock.now();
    for (const link of this.peers.all()) if (now - link.wire.lastSentMs >= this.options.keepAliveMs) link.wire.send({ type: 'keep-alive' });
    this.metadataExchange.tick();
    this.download?.tick();
  }

  private earlyOf(key: string): { bitfield: Uint8Array | null; haves: Set<number> } {
    let e = this.early.get(key);
    if (!e) this.early.set(key, (e = { bitfield: null, haves: new Set() }));
    return e;
  }

  /** A progress event now, or at the end of the current interval if one went out lately. */
  private progress(): void {
    // The stats are built for someone to read: a headless peer nobody watches skips them.
    if (this.progressTimer !== null || this.done || !this.listened('progress')) return;
    const wait = this.lastProgressMs + PROGRESS_INTERVAL_MS - this.clock.now();
    const emit = () => {
      this.progressTimer = null;
      if (this.destroyed || this.done) return;
      this.lastProgressMs = this.clock.now();
      this.emit('progress', this.stats());
    };
    if (wait <= 0) emit();
    else this.progressTimer = this.clock.setTimeout(emit, wait);
  }

  // ── control ────────────────────────────────────────────────────────────────────────────────

  /**
   * Pieces wanted by a deadline, most urgent first — a media element's playhead and read-ahead
   * (file-stream.ts): requested before every other piece, from whoever has them; the rest stays
   * rarest-first. A new call replaces the window (a seek moves it at once).
   */
  setUrgent(pieces: readonly number[]): void {
    this.download?.setUrgent(pieces);
  }

  /** Whether piece i is verified and stored. */
  hasPiece(i: number): boolean {
    return this.download?.completion.have.get(i) ?? false;
  }

  /** Bytes of a verified piece (see hasPiece). */
  readPiece(index: number, begin: number, length: number): Promise<Uint8Array> {
    if (!this.download) return Promise.reject(new TabswarmError('STORAGE_READ_FAILED', 'The torrent has no metadata yet: nothing can be read.'));
    return this.download.read(index, begin, length);
  }

  /** Changes the upload and/or download limit (bytes/s, 0 = none) while running: the demo's sliders. */
  setLimits(limits: { uploadLimit?: number; downloadLimit?: number }): void {
    if (limits.uploadLimit !== undefined) this.options.uploadLimit = Math.max(0, limits.uploadLimit);
    if (limits.downloadLimit !== undefined) this.options.downloadLimit = Math.max(0, limits.downloadLimit);
    this.download?.setLimits(limits);
  }

  /**
   * Turns uploading to other peers off or on while running ("don't share on metered connections",
   * "pause sharing"). Off, every peer is choked at once and none is unchoked until it is back on;
   * downloading carries on. On, the next rechoke (run now) unchokes as usual.
   */
  setSharing(share: boolean): void {
    if (this.options.reshare === share) return;
    this.options.reshare = share;
    this.choker.rerank();
  }

  get sharing(): boolean {
    return this.options.reshare;
  }

  // ── reporting ──────────────────────────────────────────────────────────────────────────────

  /** Bytes per second received now, from all sources (a stream sizes its read-ahead by it). */
  downloadRate(): number {
    return this.transfers.totals(this.clock.now()).downloadRate;
  }

  stats(): TorrentStats {
    const now = this.clock.now();
    const d = this.download;
    const meta = this.meta;
    const have = d?.completion.have ?? null;
    const totals = this.transfers.totals(now);
    return {
      infoHash: this.infoHash,
      name: meta?.name ?? null,
      length: meta?.length ?? null,
      pieceCount: meta?.pieceCount ?? null,
      piecesHave: have?.count() ?? 0,
      bytesVerified: d?.completion.bytesVerified ?? 0,
      ...totals,
      originDownloaded: d?.originBytes ?? 0,
      done: this.done,
      availability: d ? d.availability.countsSnapshot().map((n, i) => n + (have!.get(i) ? 1 : 0)) : [],
      have: have?.toString() ?? '',
      inProgress: d?.requester.inProgress() ?? [],
      requestsInFlight: d?.requester.inFlight() ?? 0,
      peers: [...this.peers.all()].map((p) => {
        const bits = d?.availability.peerBitfield(p.key) ?? null;
        return {
          key: p.key,
          id: p.id,
          ...p.wire.state,
          optimistic: this.choker.isOptimistic(p.key),
          downloadRate: this.transfers.downloadRate(p.key, now),
          uploadRate: this.transfers.uploadRate(p.key, now),
          pieces: bits?.count() ?? 0,
          bitfield: bits?.toString() ?? '',
          advert: this.extensions.advert(p.key),
          route: p.wire.transport.route ?? null,
          origin: p.origin,
        };
      }),
      hashFailures: d?.completion.hashFailures ?? 0,
      banned: this.peers.bannedCount,
      choker: this.choker.schedule(),
    };
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.tickTimer !== null) this.clock.clearInterval(this.tickTimer);
    if (this.progressTimer !== null) this.clock.clearTimeout(this.progressTimer);
    this.choker.stop();
    for (const p of [...this.peers.all()]) p.wire.destroy('torrent closed');
    await this.download?.destroy();
  }
}
