/**
 * The uploader: each peer's queue of requests to us, the order they are served in under an upload
 * limit (upload-order.ts), the limiter, and back-pressure from each transport's send buffer.
 *
 * Without a limit each peer's link sets its own pace: one loop per peer sends batches while its
 * transport has room. Under a limit the peers share one budget, so one loop spends it, a piece at a
 * time (see upload-order.ts for why).
 */
import { BLOCK_LENGTH_BYTES } from '../../shared/constants.ts';
import { TabswarmError } from '../../shared/errors.ts';
import { fullBucket, take, waitMs, type TokenBucket } from '../../shared/token-bucket.ts';
import type { Clock } from './clock.ts';
import type { BlockRequest } from './picker.ts';
import { pickUpload, type UploadCandidate } from './upload-order.ts';

/** What the uploader needs of one peer's connection. */
export interface UploadLink {
  readonly closed: boolean;
  /** We are choking this peer (BEP 3: nothing is owed to a choked peer). */
  readonly choking: boolean;
  readonly bufferedAmount: number;
  sendPieces(blocks: ReadonlyArray<{ index: number; begin: number; block: Uint8Array }>): void;
}

export interface UploaderPort {
  link(key: string): UploadLink | null;
  read(index: number, begin: number, length: number): Promise<Uint8Array>;
  /** Neighbours holding the piece (rarer pieces go first under a limit). */
  copies(index: number): number;
  /** Blocks in the piece, to know when a piece has gone whole. */
  blocksIn(index: number): number;
  sent(key: string, bytes: number): void;
  warn(error: TabswarmError): void;
}

export interface UploaderOptions {
  /** Bytes/s for the whole torrent; 0 = none. */
  uploadLimit: number;
  /** Stop writing to a peer while its transport holds more than this (bytes). */
  sendHighWaterBytes: number;
  /** Requests a peer may have queued with us; more is a flood. */
  maxPeerRequests: number;
}

interface PeerQueue {
  queue: BlockRequest[];
  serving: boolean;
  /** The piece part-way sent to this peer and how many of its blocks have gone (upload-order.ts). */
  sending: { piece: number; blocks: number } | null;
  lastServedMs: number;
}

type Batch = Array<{ index: number; begin: number; block: Uint8Array }>;

export class Uploader {
  private readonly peers = new Map<string, PeerQueue>();
  private bucket: TokenBucket;
  /** The limited loop is running; its timer, when set, wakes it once the budget has refilled. */
  private uploading = false;
  private timer: unknown = null;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly port: UploaderPort,
    private readonly options: UploaderOptions,
  ) {
    this.bucket = fullBucket(this.burst(), clock.now());
  }

  get limit(): number {
    return this.options.uploadLimit;
  }

  addPeer(key: string): void {
    if (!this.peers.has(key)) this.peers.set(key, { queue: [], serving: false, sending: null, lastServedMs: 0 });
  }

  removePeer(key: string): void {
    this.peers.delete(key);
  }

  /** Queues a request (already checked: in range, ours, peer unchoked). False: the peer is flooding us. */
  enqueue(key: string, request: BlockRequest): boolean {
    const p = this.peers.get(key);
    if (!p) return true;
    if (p.queue.length >= this.options.maxPeerRequests) return false;
    p.queue.push(request);
    void this.serve(key);
    return true;
  }

  cancel(key: string, r: BlockRequest): void {
    const p = this.peers.get(key);
    if (p) p.queue = p.queue.filter((q) => !(q.index === r.index && q.begin === r.begin && q.length === r.length));
  }

  /** BEP 3: choking a peer discards its pending requests. */
  choked(key: string): void {
    const p = this.peers.get(key);
    if (!p) return;
    p.queue = [];
    p.sending = null;
  }

  /** Sends what can be sent to this peer now (its link drained, it asked, or time passed). */
  serve(key: string): Promise<void> {
    return this.options.uploadLimit > 0 ? this.serveLimited() : this.serveUnlimited(key);
  }

  serveAll(): void {
    for (const key of this.peers.keys()) void this.serve(key);
  }

  setLimit(limit: number): void {
    this.options.uploadLimit = Math.max(0, limit);
    this.bucket = fullBucket(this.burst(), this.clock.now());
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.serveAll();
  }

  destroy(): void {
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private servable(key: string, p: PeerQueue): UploadLink | null {
    if (p.queue.length === 0) return null;
    const link = this.port.link(key);
    if (!link || link.closed || link.choking || link.bufferedAmount > this.options.sendHighWaterBytes) return null;
    return link;
  }

  private async serveUnlimited(key: string): Promise<void> {
    const p = this.peers.get(key);
    if (!p || p.serving || this.stopped) return;
    p.serving = true;
    try {
      // A limit set meanwhile (setLimit) hands the peer over to the limited loop.
      let link: UploadLink | null;
      while (this.options.uploadLimit === 0 && !this.stopped && (link = this.servable(key, p))) {
        const batch: Batch = [];
        let batchBytes = 0;
        while (p.queue.length > 0 && batchBytes < this.options.sendHighWaterBytes / 4) {
          const r = p.queue.shift()!;
          batch.push({ index: r.index, begin: r.begin, block: await this.port.read(r.index, r.begin, r.length) });
          batchBytes += r.length;
        }
        if (link.closed || link.choking || this.stopped) return;
        this.sent(key, p, link, batch);
      }
    } catch (err) {
      this.port.warn(new TabswarmError('STORAGE_READ_FAILED', `Could not read a piece to send: ${String(err)}`));
    } finally {
      p.serving = false;
    }
  }

  /** Under a limit: each turn goes to the peer pickUpload chooses, for as many blocks of its current piece as the budget allows. */
  private async serveLimited(): Promise<void> {
    if (this.uploading || this.stopped) return;
    this.uploading = true;
    try {
      for (;;) {
        const limit = this.options.uploadLimit;
        if (limit === 0 || this.stopped) return; // lifted meanwhile: setLimit has handed every peer to its own loop
        const next = this.nextUpload();
        if (!next) return;
        const { key, p, link } = next;
        const now = this.clock.now();
        const batch: BlockRequest[] = [];
        const piece = p.queue[0]!.index;
        let batchBytes = 0;
        while (p.queue.length > 0 && p.queue[0]!.index === piece && batchBytes < this.options.sendHighWaterBytes / 4) {
          const t = take(this.bucket, now, limit, this.burst(), p.queue[0]!.length);
          this.bucket = t.bucket;
          if (!t.allowed) break;
          const r = p.queue.shift()!;
          batch.push(r);
          batchBytes += r.length;
        }
        if (batch.length === 0) {
          if (this.timer !== null) return; // already waiting for the budget
          const wait = waitMs(this.bucket, now, limit, this.burst(), p.queue[0]!.length);
          this.timer = this.clock.setTimeout(() => {
            this.timer = null;
            void this.serveLimited();
          }, Math.max(1, wait));
          return;
        }
        const blocks: Batch = [];
        for (const r of batch) blocks.push({ index: r.index, begin: r.begin, block: await this.port.read(r.index, r.begin, r.length) });
        if (link.closed || link.choking || !this.peers.has(key)) continue; // choked meanwhile: the budget is spent, the blocks are not owed
        this.sent(key, p, link, blocks);
      }
    } catch (err) {
      this.port.warn(new TabswarmError('STORAGE_READ_FAILED', `Could not read a piece to send: ${String(err)}`));
    } finally {
      this.uploading = false;
    }
  }

  private nextUpload(): { key: string; p: PeerQueue; link: UploadLink } | null {
    const candidates: UploadCandidate[] = [];
    for (const [key, p] of this.peers) {
      if (!this.servable(key, p)) continue;
      const piece = p.queue[0]!.index;
      const blocksSent = p.sending?.piece === piece ? p.sending.blocks : 0;
      candidates.push({ key, piece, blocksSent, availability: this.port.copies(piece), lastServedMs: p.lastServedMs });
    }
    const key = pickUpload(candidates, this.clock.now());
    if (key === null) return null;
    const p = this.peers.get(key)!;
    return { key, p, link: this.port.link(key)! };
  }

  private sent(key: string, p: PeerQueue, link: UploadLink, blocks: Batch): void {
    if (blocks.length === 0) return;
    link.sendPieces(blocks);
    let bytes = 0;
    for (const b of blocks) {
      bytes += b.block.length;
      const blocksSent = p.sending?.piece === b.index ? p.sending.blocks + 1 : 1;
      // A whole piece sent: nothing is part-way through any more.
      p.sending = blocksSent >= this.port.blocksIn(b.index) ? null : { piece: b.index, blocks: blocksSent };
    }
    p.lastServedMs = this.clock.now();
    this.port.sent(key, bytes);
  }

  /** Bursts of at most a quarter second of the limit (and at least one block), so the rate stays smooth. */
  private burst(): number {
    return Math.max(BLOCK_LENGTH_BYTES, this.options.uploadLimit / 4);
  }
}
