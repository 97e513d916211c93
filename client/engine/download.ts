/**
 * The download phase of one torrent: the parts that need the metadata, built together once it is
 * known, so none of them ever holds a null piece count. It routes piece-level messages to them:
 * availability (have/bitfield), the requester (piece, choke/unchoke), the uploader (request/cancel),
 * completion (assembled pieces), and initial seeding (reveals).
 */
import { Bitfield } from '../../shared/bitfield.ts';
import { Emitter } from '../../shared/emitter.ts';
import { TabswarmError } from '../../shared/errors.ts';
import type { Metainfo } from '../../shared/metainfo/types.ts';
import type { Sha1 } from '../../shared/sha1.ts';
import { Availability } from './availability.ts';
import type { Clock } from './clock.ts';
import { Completion } from './completion.ts';
import { InitialSeeding } from './initial-seeding.ts';
import { inShare, planOrigin, type OriginView } from './offload.ts';
import type { EngineOptions } from './options.ts';
import type { PeerWire } from './peer-wire.ts';
import { BLOCK_LENGTH_BYTES } from '../../shared/constants.ts';
import { blocksIn, pieceBytes, type BlockRequest } from './picker.ts';
import { Requester } from './requester.ts';
import type { PieceStore } from './storage.ts';
import type { TransferStats } from './transfer-stats.ts';
import { Uploader, type UploadLink } from './uploader.ts';

export interface DownloadPeer {
  key: string;
  wire: PeerWire;
  /** Hex peer id from its handshake. */
  readonly id: string | null;
  /** An HTTP origin (web seed), asked under the offload policy. */
  origin: boolean;
  /** Most requests the peer accepts at once (BEP 10 `reqq`), if it said. */
  maxRequests(): number | undefined;
}

export interface DownloadPort {
  /** Handshaken peers. */
  peers(): Iterable<DownloadPeer>;
  peer(key: string): DownloadPeer | undefined;
  /** A peer broke the protocol: disconnect it with this reason. */
  protocolError(key: string, reason: string): void;
  /** A peer sent bad data for `strikes` pieces. */
  strike(key: string, strikes: number): void;
  /** Our own peer id, hex (our place among the neighbours when sharing out an origin's pieces). */
  selfId(): string;
}

type DownloadEvents = {
  piece: [number];
  done: [];
  warning: [TabswarmError];
  /** Storage failed: the torrent must stop. */
  error: [TabswarmError];
  /** Our interest in a peer changed. */
  interest: [string, boolean];
};

export class Download extends Emitter<DownloadEvents> {
  readonly availability: Availability;
  readonly requester: Requester;
  readonly uploader: Uploader;
  private readonly seeding: InitialSeeding | null;
  /** When each peer last sent us a block (or unchoked us): snubbing is judged from it. */
  private readonly lastBlockMs = new Map<string, number>();
  private readonly uploadLinks = new WeakMap<object, UploadLink>();
  private readonly shape: { pieceCount: number; pieceLength: number; totalLength: number };
  private stopped = false;
  private finished = false;
  /** Bytes received from origins (web seeds): what the offload policy's cap counts. */
  private originReceived = 0;
  private readonly startedMs: number;
  /** A stream's pieces with a deadline, most urgent first (setUrgent). */
  private urgent: readonly number[] = [];
  /** The first of them we lack, and since when: an origin takes over once it is late (offload.ts). */
  private head: { index: number; sinceMs: number } | null = null;
  private headTimer: unknown = null;

  private constructor(
    readonly meta: Metainfo,
    private readonly store: PieceStore,
    readonly completion: Completion,
    private readonly clock: Clock,
    random: () => number,
    private readonly transfers: TransferStats,
    private readonly port: DownloadPort,
    private readonly options: EngineOptions,
  ) {
    super();
    this.shape = { pieceCount: meta.pieceCount, pieceLength: meta.pieceLength, totalLength: meta.length };
    this.startedMs = clock.now();
    const have = completion.have;
    this.availability = new Availability(meta.pieceCount, have, random);
    this.requester = new Requester(this.shape, have, this.availability, clock, random, {
      send: (key, r) => this.port.peer(key)?.wire.send({ type: 'request', ...r }),
      cancel: (key, r) => this.port.peer(key)?.wire.send({ type: 'cancel', ...r }),
      complete: (index, data, senders) => void this.completion.verify(index, data, senders).then(() => this.fillAll()),
      backlogged: () => this.completion.backlog >= this.options.maxPendingWrites,
      refilled: () => this.fillAll(),
    }, { ...options });
    this.uploader = new Uploader(clock, {
      link: (key) => {
        const wire = this.port.peer(key)?.wire;
        if (!wire) return null;
        // One view per wire: the uploader asks for every peer's link each turn.
        let link = this.uploadLinks.get(wire);
        if (!link) {
          link = { get closed() { return wire.isClosed; }, get choking() { return wire.state.amChoking; }, get bufferedAmount() { return wire.transport.bufferedAmount; }, sendPieces: (b) => wire.sendPieces(b) };
          this.uploadLinks.set(wire, link);
        }
        return link;
      },
      read: (index, begin, length) => this.store.read(index, begin, length),
      copies: (i) => this.availability.count(i),
      blocksIn: (i) => blocksIn(pieceBytes(this.shape, i)),
      sent: (key, bytes) => this.transfers.addUpload(key, bytes, this.clock.now()),
      warn: (e) => this.emit('warning', e),
    }, { ...options });
    this.seeding = options.superSeed
      ? new InitialSeeding(meta.pieceCount, meta.pieceLength, { copies: (i) => this.availability.count(i), sendHave: (key, i) => this.port.peer(key)?.wire.send({ type: 'have', index: i }) }, random)
      : null;
    completion.on('verified', (i) => this.onVerified(i));
    completion.on('failed', (i, e) => {
      this.requester.failed(i);
      this.emit('warning', e);
    });
    completion.on('strike', (key, n) => this.port.strike(key, n));
    completion.on('error', (e) => this.emit('error', e));
  }

  static async open(meta: Metainfo, store: PieceStore, sha1: Sha1, clock: Clock, random: () => number, transfers: TransferStats, port: DownloadPort, options: EngineOptions): Promise<Download> {
    const completion = await Completion.open(meta, store, sha1);
    return new Download(meta, store, completion, clock, random, transfers, port, options);
  }

  get done(): boolean {
    return this.completion.done;
  }

  /**
   * A peer finished its handshake. Returns what to send it first: our bitfield, or nothing while we
   * seed initially (it is then shown pieces one HAVE at a time).
   */
  addPeer(key: string): Bitfield | null {
    this.availability.addPeer(key, { counted: !this.port.peer(key)?.origin });
    this.uploader.addPeer(key);
    this.lastBlockMs.set(key, this.clock.now());
    if (this.seeding && this.done) {
      this.seeding.start(key);
      return null;
    }
    return this.completion.have.count() > 0 ? this.completion.have : null;
  }

  /**
   * A peer handshaken before we had the metadata got no bitfield from us (BEP 3 allows one only
   * first): tell it what we already hold, one HAVE per piece. Without this, a resumed magnet
   * download looks empty to its neighbours, and an initial seeder reveals pieces it already has,
   * then waits forever for it to report them.
   */
  announceHave(key: string): void {
    const wire = this.port.peer(key)?.wire;
    const have = this.completion.have;
    if (!wire || have.count() === 0 || this.isRevealingTo(key)) return;
    for (let i = 0; i < have.length; i++) if (have.get(i)) wire.send({ type: 'have', index: i });
  }

  /** After the first messages: start revealing to an initial-seeding peer. */
  welcome(key: string): void {
    this.reveal(key);
  }

  removePeer(key: string): void {
    this.availability.removePeer(key);
    this.requester.release(key);
    this.uploader.removePeer(key);
    this.seeding?.removePeer(key);
    this.lastBlockMs.delete(key);
    this.fillAll();
  }

  onHave(key: string, index: number): void {
    if (index >= this.meta.pieceCount) return this.port.protocolError(key, `have for piece ${index} of ${this.meta.pieceCount}`);
    if (this.availability.onHave(key, index)) this.emit('interest', key, true);
    this.reveal(key);
    this.leaveToPeers(key, index);
    this.fill(key);
  }

  onBitfield(key: string, bytes: Uint8Array): void {
    const bits = Bitfield.fromWire(bytes, this.meta.pieceCount);
    if (!bits) return this.port.protocolError(key, `a bitfield of ${bytes.length} bytes for ${this.meta.pieceCount} pieces`);
    const before = this.availability.wanted(key);
    this.availability.onBitfield(key, bits);
    if (before === 0 && this.availability.wanted(key) > 0) this.emit('interest', key, true);
    this.reveal(key);
    for (const index of this.requester.inProgress()) if (bits.get(index)) this.leaveToPeers(key, index);
    this.fill(key);
  }

  onRequest(key: string, r: BlockRequest, choking: boolean): void {
    if (r.index >= this.meta.pieceCount || r.begin + r.length > pieceBytes(this.shape, r.index)) {
      return this.port.protocolError(key, `a request outside the torrent (piece ${r.index}, ${r.begin}+${r.length})`);
    }
    // BEP 3: requests while choked are dropped; requests for pieces we lack are a broken peer's.
    if (choking) return;
    if (!this.completion.have.get(r.index)) return this.port.protocolError(key, `a request for piece ${r.index}, which we do not have`);
    if (!this.uploader.enqueue(key, r)) {
      const wire = this.port.peer(key)?.wire;
      wire?.fail(new TabswarmError('WIRE_PROTOCOL_ERROR', `Peer flooded us with more than ${this.options.maxPeerRequests} queued requests; disconnected.`));
    }
  }

  onCancel(key: string, r: BlockRequest): void {
    this.uploader.cancel(key, r);
  }

  onBlock(key: string, index: number, begin: number, block: Uint8Array): void {
    const result = this.requester.onBlock(key, index, begin, block);
    if (result.kind === 'invalid') return this.port.protocolError(key, result.reason);
    if (result.kind === 'accepted') {
      const now = this.clock.now();
      this.transfers.addDownload(key, block.length, now);
      this.lastBlockMs.set(key, now);
      if (this.port.peer(key)?.origin) this.originReceived += block.length;
    }
    this.fill(key);
  }

  /** The peer choked us: what we asked of it goes back to the picker. */
  onChokedByPeer(key: string): void {
    this.requester.release(key);
    this.fillAll();
  }

  onUnchokedByPeer(key: string): void {
    this.lastBlockMs.set(key, this.clock.now());
    // A peer that starts supplying us takes back what we are fetching from an origin and it has: an
    // origin asked between its bitfield and this unchoke (no peer supplied then) would otherwise send
    // pieces this peer is about to give.
    for (const index of this.requester.inProgress()) if (this.availability.peerHas(key, index)) this.leaveToPeers(key, index);
    this.fill(key);
  }

  /** We choked the peer: BEP 3 discards its pending requests. */
  onWeChoked(key: string): void {
    this.uploader.choked(key);
    this.seeding?.setUnchoked(key, false);
  }

  onWeUnchoked(key: string): void {
    this.seeding?.setUnchoked(key, true);
    this.reveal(key);
  }

  /** A peer that unchoked us and we want something from, but that sent no block for the snub timeout. */
  snubbed(key: string, nowMs: number): boolean {
    const wire = this.port.peer(key)?.wire;
    if (!wire || wire.state.peerChoking || !wire.state.amInterested) return false;
    return nowMs - (this.lastBlockMs.get(key) ?? nowMs) > this.options.snubTimeoutMs;
  }

  /** Initial seeding to this peer (it got no bitfield from us). */
  isRevealingTo(key: string): boolean {
    return this.seeding?.isRevealingTo(key) ?? false;
  }

  tick(): void {
    this.requester.expire();
    this.uploader.serveAll();
    this.fillAll();
  }

  fillAll(): void {
    for (const p of this.port.peers()) this.fill(p.key);
  }

  /** Tops up one peer's request pipeline. */
  fill(key: string): void {
    if (this.stopped || this.done) return;
    const p = this.port.peer(key);
    if (!p || p.wire.isClosed || !p.wire.state.amInterested || p.wire.state.peerChoking) return;
    const has = this.availability.peerBitfield(key);
    if (!has) return;
    const source = { key, has, wanted: this.availability.wanted(key), rate: this.transfers.downloadRate(key, this.clock.now()), maxRequests: p.maxRequests() };
    if (!p.origin) return this.requester.fill(source);
    const plan = planOrigin(this.originView(), this.options);
    if (!plan) return;
    const share = plan.share;
    this.requester.fill({ ...source, copies: plan.copies, budgetBytes: plan.budgetBytes, maxPipeline: plan.maxPipelineBlocks, wholePieces: true, prefer: share ? (i) => inShare(i, share) : undefined, preferOnly: plan.shareOnly, urgentAnyCopies: plan.urgentAnyCopies });
  }

  /** The plain state the offload policy decides on (offload.ts). */
  private originView(): OriginView {
    // Asked of every origin: received, plus what is still out to any of them.
    let asked = this.originReceived;
    let peersSupply = false;
    const neighbourIds: string[] = [];
    for (const n of this.port.peers()) {
      if (n.origin) {
        asked += this.requester.inFlight(n.key) * BLOCK_LENGTH_BYTES;
        continue;
      }
      if (n.wire.isClosed) continue;
      if (n.id !== null) neighbourIds.push(n.id);
      if (!n.wire.state.peerChoking && this.availability.wanted(n.key) > 0) peersSupply = true;
    }
    const now = this.clock.now();
    return { originBytes: asked, elapsedMs: now - this.startedMs, peersSupply, headWaitMs: this.head ? now - this.head.sinceMs : null, selfId: this.port.selfId(), neighbourIds };
  }

  /** Bytes received from origins (web seeds) so far. */
  get originBytes(): number {
    return this.originReceived;
  }

  /**
   * A peer now has a piece we are fetching from an origin, with nothing of it received yet: take it
   * back from the origin (whose fetch is then aborted), so the peer can give it. Two downloaders that
   * picked the same peerless piece thus pull it from the origin about once, not twice.
   */
  private leaveToPeers(key: string, index: number): void {
    // Checked first, in O(1): every HAVE passes here, and most name no piece we have started.
    if (!this.requester.startedUntouched(index) || this.options.preferOrigin || this.port.peer(key)?.origin) return;
    for (const o of this.port.peers()) if (o.origin && this.requester.hasRequested(o.key, index)) this.requester.releasePiece(o.key, index);
  }

  /** Pieces wanted by a deadline, most urgent first (a stream's window): requested before all others, at once. */
  setUrgent(pieces: readonly number[]): void {
    this.urgent = pieces.filter((i) => Number.isInteger(i) && i >= 0 && i < this.meta.pieceCount);
    this.requester.setUrgent(this.urgent);
    this.trackHead();
    this.fillAll();
  }

  /** Notes the playhead piece and when it became the one awaited; once it is late, origins are asked again. */
  private trackHead(): void {
    const index = this.urgent.find((i) => !this.completion.have.get(i));
    if (index === this.head?.index) return;
    if (this.headTimer !== null) this.clock.clearTimeout(this.headTimer);
    this.headTimer = null;
    if (index === undefined) {
      this.head = null;
      return;
    }
    this.head = { index, sinceMs: this.clock.now() };
    this.headTimer = this.clock.setTimeout(() => {
      this.headTimer = null;
      this.fillAll();
    }, this.options.originDeadlineMs);
  }

  /** Bytes of a verified piece, from the store. */
  read(index: number, begin: number, length: number): Promise<Uint8Array> {
    return this.store.read(index, begin, length);
  }

  setLimits(limits: { uploadLimit?: number; downloadLimit?: number }): void {
    if (limits.uploadLimit !== undefined) this.uploader.setLimit(limits.uploadLimit);
    if (limits.downloadLimit !== undefined) this.requester.setDownloadLimit(limits.downloadLimit);
    this.fillAll();
  }

  async destroy(): Promise<void> {
    this.stopped = true;
    this.completion.stop();
    if (this.headTimer !== null) this.clock.clearTimeout(this.headTimer);
    this.requester.destroy();
    this.uploader.destroy();
    await this.store.close();
  }

  private reveal(key: string): void {
    const has = this.availability.peerBitfield(key);
    if (this.seeding && has) this.seeding.reveal(key, has, this.transfers.uploadRate(key, this.clock.now()));
  }

  private onVerified(index: number): void {
    this.requester.verified(index);
    if (index === this.head?.index) this.trackHead();
    for (const key of this.availability.onWeHave(index)) this.emit('interest', key, false);
    for (const p of this.port.peers()) p.wire.send({ type: 'have', index });
    this.emit('piece', index);
    if (this.done && !this.finished) {
      this.finished = true;
      this.emit('done');
    }
  }
}
