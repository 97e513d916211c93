/**
 * The uploader: each peer's queue of requests to us, the order they are served in (upload-order.ts),
 * the limiter, and back-pressure from the transports' send buffers.
 *
 * One loop spends our upload, a piece at a time, on the peer upload-order.ts chooses. Under a limit
 * the budget is the limiter's. Without one it is the uplink itself: every byte we queue in a
 * transport waits there while the link is shared among the connections with bytes waiting, so a
 * piece queued to each of sixteen peers arrives everywhere after sixteen pieces' time instead of
 * one after another. The bytes queued in all our links together are therefore held to
 * `uploadQueueMs` of the rate they have been leaving at (at least one piece): enough to keep the
 * link busy between refills, little enough that the order we choose is the order bytes arrive in.
 */
import { BLOCK_LENGTH_BYTES, PIECE_LENGTH_BYTES } from '../../shared/constants.ts';
import { TabswarmError } from '../../shared/errors.ts';
import { fullBucket, take, waitMs, type TokenBucket } from '../../shared/token-bucket.ts';
import type { Clock } from './clock.ts';
import type { BlockRequest } from './picker.ts';
import { RateMeter } from './rate-meter.ts';
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
  /** All links together hold at most this long of our upload rate (ms; at least a piece); 0 = each link up to its high-water mark. */
  uploadQueueMs: number;
}

/** The least the links may hold together: one piece, so the link stays busy while the next is read. */
export const MIN_UPLOAD_QUEUE_BYTES = PIECE_LENGTH_BYTES;
/** While the links are full, look again at least this soon and at most this late (ms). */
const QUEUE_RECHECK_MIN_MS = 5;
const QUEUE_RECHECK_MAX_MS = 100;
/** A link draining at less than this share of our upload rate is limited by its receiver (queued()). */
const SLOW_LINK_SHARE = 1 / 3;
/** A link's drain rate is sampled over at least this long (ms). */
const DRAIN_SAMPLE_MS = 50;

interface PeerQueue {
  queue: BlockRequest[];
  /** The piece part-way sent to this peer and how many of its blocks have gone (upload-order.ts). */
  sending: { piece: number; blocks: number } | null;
  lastServedMs: number;
  /** How fast this link's send buffer empties while it holds bytes (drainSample). */
  drain: { atMs: number; queued: number; handed: number; bytesPerSecond: number };
  /** Held back by its receiver (queued()): it gets no more than it takes in `uploadQueueMs`. */
  slowBytes: number | null;
}

type Batch = Array<{ index: number; begin: number; block: Uint8Array }>;

export class Uploader {
  private readonly peers = new Map<string, PeerQueue>();
  /**
   * Peers whose links may still hold bytes we handed them: added when we send, dropped once their
   * link is seen empty. The loop sums the links' queues every turn; walking only these (the few we
   * are sending to) rather than every connection kept that sum from being most of a busy seed's CPU.
   */
  private readonly holding = new Set<string>();
  private bucket: TokenBucket;
  /** What we have handed to the links, for the rate they drain at. */
  private readonly meter = new RateMeter();
  /** The loop is running; its timer, when set, wakes it once the budget has refilled or the links have drained. */
  private uploading = false;
  private timer: unknown = null;
  /** What the timer waits for: the links to drain, or the limiter's budget. A new request cannot go before either, so it does not run the loop (at a thousand peers that was most of the simulator's time). */
  private waiting: 'links' | 'budget' | 'slow' | null = null;
  private stopped = false;
  /**
   * The rate the links were last seen to drain at while we waited for them (bytes/s): the rate
   * meter averages over seconds, so on its own it lags far behind a fast link when an upload starts.
   */
  private drained = { bytesPerSecond: 0, atMs: 0, queued: 0 };

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
    if (!this.peers.has(key)) this.peers.set(key, { queue: [], sending: null, lastServedMs: 0, drain: { atMs: this.clock.now(), queued: 0, handed: 0, bytesPerSecond: 0 }, slowBytes: null });
  }

  removePeer(key: string): void {
    this.peers.delete(key);
    this.holding.delete(key);
  }

  /** Queues a request (already checked: in range, ours, peer unchoked). False: the peer is flooding us. */
  enqueue(key: string, request: BlockRequest): boolean {
    const p = this.peers.get(key);
    if (!p) return true;
    if (p.queue.length >= this.options.maxPeerRequests) return false;
    p.queue.push(request);
    if (this.waiting !== 'links' && this.waiting !== 'budget') void this.pump();
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

  /** A link drained: sends what can go now — nothing while the limiter's budget is spent, whose own timer runs the loop then. */
  serve(): void {
    if (this.waiting !== 'budget') void this.pump();
  }

  /**
   * The engine's tick: runs the loop whatever it waits for, so a budget timer that fires late (a
   * throttled tab) or a clock that jumps ahead of its timers never leaves the upload stalled until
   * the next request (engine.test.ts's upload limit test moves its clock that way).
   */
  serveAll(): void {
    void this.pump();
  }

  setLimit(limit: number): void {
    this.options.uploadLimit = Math.max(0, limit);
    this.bucket = fullBucket(this.burst(), this.clock.now());
    this.wakeNow();
  }

  destroy(): void {
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.waiting = null;
  }

  /** Bytes the links may hold together now: `uploadQueueMs` of the rate they drain at, at least a piece; Infinity with no cap. */
  queueCapBytes(): number {
    if (this.options.uploadQueueMs <= 0) return Infinity;
    return Math.max(MIN_UPLOAD_QUEUE_BYTES, (this.drainRate() * this.options.uploadQueueMs) / 1000);
  }

  /** How fast the links take what we queue: what we have handed them lately, or what they were seen to drain, if faster. */
  private drainRate(): number {
    return Math.max(this.meter.rate(this.clock.now()), this.drained.bytesPerSecond);
  }

  /** Bytes waiting in all our links. */
  private rawQueuedBytes(): number {
    let bytes = 0;
    for (const key of this.holding) {
      const link = this.port.link(key);
      if (link && !link.closed) bytes += link.bufferedAmount;
    }
    return bytes;
  }

  /**
   * Bytes waiting in our links: `raw`, all of them, and `counted`, those waiting on our uplink. A
   * link whose buffer empties much slower than our upload runs is held back by its receiver, not by
   * us: only what it takes in `uploadQueueMs` counts, or one slow downloader would hold the whole
   * cap and idle the uplink. One walk over the links holding our bytes gives both (it runs every
   * turn of the loop).
   */
  private queued(): { counted: number; raw: number } {
    const now = this.clock.now();
    const rate = this.meter.rate(now);
    let counted = 0;
    let raw = 0;
    for (const key of this.holding) {
      const p = this.peers.get(key);
      const link = this.port.link(key);
      if (!p || !link || link.closed) {
        this.holding.delete(key);
        continue;
      }
      const queued = link.bufferedAmount;
      const drain = this.drainSample(p, queued, now);
      p.slowBytes = drain > 0 && drain < rate * SLOW_LINK_SHARE ? Math.max(BLOCK_LENGTH_BYTES, (drain * this.options.uploadQueueMs) / 1000) : null;
      counted += p.slowBytes === null ? queued : Math.min(queued, p.slowBytes);
      raw += queued;
      if (queued === 0) this.holding.delete(key);
    }
    return { counted, raw };
  }

  /** The rate a link's buffer emptied at, over samples taken while it held bytes from start to end. */
  private drainSample(p: PeerQueue, queued: number, now: number): number {
    const d = p.drain;
    const dt = now - d.atMs;
    if (dt < DRAIN_SAMPLE_MS) return d.bytesPerSecond;
    if (d.queued > 0 && queued > 0) {
      const sample = ((d.queued + d.handed - queued) / dt) * 1000;
      d.bytesPerSecond = d.bytesPerSecond === 0 ? sample : (d.bytesPerSecond + sample) / 2;
    }
    d.atMs = now;
    d.queued = queued;
    d.handed = 0;
    return d.bytesPerSecond;
  }

  private servable(key: string, p: PeerQueue): UploadLink | null {
    if (p.queue.length === 0) return null;
    const link = this.port.link(key);
    if (!link || link.closed || link.choking || link.bufferedAmount > this.options.sendHighWaterBytes) return null;
    if (p.slowBytes !== null && link.bufferedAmount >= p.slowBytes) return null;
    return link;
  }

  /** Each turn goes to the peer pickUpload chooses, for as many blocks of its current piece as the budget and the links' room allow. */
  private async pump(): Promise<void> {
    if (this.uploading || this.stopped) return;
    this.uploading = true;
    try {
      for (;;) {
        if (this.stopped) return;
        const queued = this.options.uploadQueueMs > 0 ? this.queued() : null;
        const room = queued === null ? Infinity : this.queueCapBytes() - queued.counted;
        const next = this.nextUpload();
        if (!next) return this.wakeIfSlowHeld();
        const { key, p, link } = next;
        const now = this.clock.now();
        if (room <= 0) {
          this.drained.atMs = now;
          this.drained.queued = queued!.raw;
          return this.wakeAfter(this.drainWaitMs(-room), 'links');
        }
        const limit = this.options.uploadLimit;
        const piece = p.queue[0]!.index;
        const batch: BlockRequest[] = [];
        let batchBytes = 0;
        // At least one block whatever the room, so a piece's last block never waits for a whole one's.
        while (p.queue.length > 0 && p.queue[0]!.index === piece && batchBytes < this.options.sendHighWaterBytes / 4 && (batch.length === 0 || batchBytes < room)) {
          if (limit > 0) {
            const t = take(this.bucket, now, limit, this.burst(), p.queue[0]!.length);
            this.bucket = t.bucket;
            if (!t.allowed) break;
          }
          const r = p.queue.shift()!;
          batch.push(r);
          batchBytes += r.length;
        }
        if (batch.length === 0) return this.wakeAfter(waitMs(this.bucket, now, limit, this.burst(), p.queue[0]!.length), 'budget');
        const blocks: Batch = [];
        for (const r of batch) blocks.push({ index: r.index, begin: r.begin, block: await this.port.read(r.index, r.begin, r.length) });
        if (link.closed || link.choking || !this.peers.has(key)) continue; // choked meanwhile: the blocks are not owed
        this.sent(key, p, link, blocks);
      }
    } catch (err) {
      this.port.warn(new TabswarmError('STORAGE_READ_FAILED', `Could not read a piece to send: ${String(err)}`));
    } finally {
      this.uploading = false;
    }
  }

  /** How long until the links, `over` bytes above their cap, are down to half of it at the rate they drain at. */
  private drainWaitMs(over: number): number {
    // Not yet seen draining: look soon, to learn how fast they do.
    if (this.drained.bytesPerSecond <= 0) return QUEUE_RECHECK_MIN_MS;
    const rate = this.drainRate();
    const ms = ((over + this.queueCapBytes() / 2) / rate) * 1000;
    return Math.min(QUEUE_RECHECK_MAX_MS, Math.max(QUEUE_RECHECK_MIN_MS, ms));
  }

  private wakeAfter(ms: number, why: 'links' | 'budget' | 'slow'): void {
    if (this.timer !== null) return; // already waiting
    this.waiting = why;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.waiting = null;
      if (why === 'links') this.measureDrain();
      void this.pump();
    }, Math.max(1, ms));
  }

  /** After waiting for the links to drain: how fast they did. Found empty, they may be faster still, so the estimate at least doubles (as a slow start would). */
  private measureDrain(): void {
    const d = this.drained;
    const ms = this.clock.now() - d.atMs;
    if (ms <= 0) return;
    const queued = this.rawQueuedBytes();
    const rate = (Math.max(0, d.queued - queued) / ms) * 1000;
    d.bytesPerSecond = queued === 0 ? Math.max(rate, 2 * d.bytesPerSecond) : rate;
  }

  /** Nothing can go now, but a peer held back as slow may have room again once its link drains (drain events fire only above their low-water mark). */
  private wakeIfSlowHeld(): void {
    for (const p of this.peers.values()) if (p.slowBytes !== null && p.queue.length > 0) return this.wakeAfter(QUEUE_RECHECK_MAX_MS, 'slow');
  }

  private wakeNow(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.waiting = null;
    void this.pump();
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
    this.holding.add(key);
    let bytes = 0;
    for (const b of blocks) {
      bytes += b.block.length;
      const blocksSent = p.sending?.piece === b.index ? p.sending.blocks + 1 : 1;
      // A whole piece sent: nothing is part-way through any more.
      p.sending = blocksSent >= this.port.blocksIn(b.index) ? null : { piece: b.index, blocks: blocksSent };
    }
    p.lastServedMs = this.clock.now();
    p.drain.handed += bytes;
    this.meter.add(bytes, this.clock.now());
    this.port.sent(key, bytes);
  }

  /** Bursts of at most a quarter second of the limit (and at least one block), so the rate stays smooth. */
  private burst(): number {
    return Math.max(BLOCK_LENGTH_BYTES, this.options.uploadLimit / 4);
  }
}
