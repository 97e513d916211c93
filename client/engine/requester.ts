/**
 * The requester: which blocks are out to which source, pipelines sized to each source's rate,
 * timeouts, endgame duplicates and their cancels, and the download limit. It assembles each piece's
 * blocks and hands the whole piece to completion; it never verifies or stores anything itself.
 *
 * A source is anything that can be asked for blocks and answers with them — a peer wire today; a
 * web seed can be another, since all the requester needs is a key, the source's pieces, and a port
 * to send a request or a cancel through.
 */
import type { Bitfield } from '../../shared/bitfield.ts';
import { BLOCK_LENGTH_BYTES } from '../../shared/constants.ts';
import { fullBucket, take, waitMs, type TokenBucket } from '../../shared/token-bucket.ts';
import type { Availability } from './availability.ts';
import type { Clock } from './clock.ts';
import { RateMeter } from './rate-meter.ts';
import { blocksIn, newProgress, nextRequests, pieceBytes, type BlockRequest, type CopyRange, type PickerSnapshot, type PieceProgress } from './picker.ts';

export interface RequesterOptions {
  randomFirstPieces: number;
  /** A request unanswered this long goes back to the picker, for this or another source. */
  blockTimeoutMs: number;
  /** Blocks out to any source at least, whatever its rate. */
  minPipeline: number;
  maxPipeline: number;
  /** Blocks asked of a source with no rate yet, if the total has room for that many per source sharing it. */
  newSourcePipeline: number;
  /** Seconds of a source's rate to keep in flight. */
  pipelineSeconds: number;
  /** Seconds of our own receive rate to keep in flight, all sources together (at least minTotalPipeline blocks). */
  totalPipelineSeconds: number;
  minTotalPipeline: number;
  /** Bytes/s for the whole torrent; 0 = none. */
  downloadLimit: number;
}

export interface RequesterPort {
  send(key: string, request: BlockRequest): void;
  cancel(key: string, request: BlockRequest): void;
  /** Every block of a piece is in: verify and store it (then call verified() or failed()). */
  complete(index: number, data: Uint8Array, senders: readonly string[]): void;
  /** Completion is behind (pieces waiting for the store): start nothing new until it catches up. */
  backlogged(): boolean;
  /** The download budget has refilled: pipelines may be topped up again. */
  refilled(): void;
}

/** A source as the requester needs it now. */
export interface RequestSource {
  key: string;
  has: Bitfield;
  /** Pieces it has that we lack. */
  wanted: number;
  /** Its recent rate (bytes/s), which sizes its pipeline. */
  rate: number;
  /** Most requests it accepts at once (BEP 10 `reqq`), if it said. */
  maxRequests?: number;
  /** An origin's allowed copy counts (offload.ts); a peer's pieces need none. */
  copies?: CopyRange;
  /** Bytes more that may be asked of it (an origin under a cap); unbounded if absent. */
  budgetBytes?: number;
  /** Most blocks out to it at once, whatever its rate (an origin giving only peerless pieces). */
  maxPipeline?: number;
  /**
   * It fetches a whole piece for the first block asked of it (an origin): it is asked for a piece's
   * blocks at once whatever its rate, so no fetched piece is used in part.
   */
  wholePieces?: boolean;
  /** New pieces to start first (an origin: our share), and whether only those. */
  prefer?: (i: number) => boolean;
  preferOnly?: boolean;
  /** Pieces with a deadline regardless of `copies` (an origin when a stream's deadline is being missed). */
  urgentAnyCopies?: boolean;
}

/** What became of a received block. */
export type BlockResult =
  | { kind: 'accepted' }
  /** Not requested from this source (cancelled, timed out, a late duplicate): dropped. */
  | { kind: 'unrequested' }
  /** A block of the wrong size: the source is broken. Its requests stay out until release(). */
  | { kind: 'invalid'; reason: string };

interface PendingPiece {
  /** Bytes in the piece. */
  size: number;
  /**
   * The blocks received so far, each as it came, joined once the last arrives. A piece is
   * started well before its blocks come (requests wait in the sender's queue), and with many
   * sources many pieces are part-way at once: a whole-piece buffer per started piece held empty
   * space (at 1,000 simulated peers, 1.8 of the simulator's 4 GiB of buffers).
   */
  blocks: Array<Uint8Array | undefined>;
  progress: PieceProgress;
  received: number;
  /** Who sent each block (source key), for the smart ban. */
  senders: string[];
}

/**
 * The pipeline for a source at `rate` bytes/s: `pipelineSeconds` of its rate, within
 * [minPipeline, cap]. A source that sends us a piece within `pipelineSeconds` is so asked for
 * whole pieces; a slower one for a few blocks at a time, so the rest of the piece can come from
 * faster sources instead of waiting in its queue. A source with no rate yet (`rate` 0) gets
 * `newSourcePipeline`, or `share` blocks (its part of the total pipeline) if fewer.
 */
export function pipelineSize(
  rate: number,
  o: Pick<RequesterOptions, 'pipelineSeconds' | 'minPipeline' | 'maxPipeline' | 'newSourcePipeline'>,
  maxRequests?: number,
  share = Infinity,
): number {
  const wanted = rate > 0 ? Math.ceil((rate * o.pipelineSeconds) / BLOCK_LENGTH_BYTES) : Math.min(o.newSourcePipeline, share);
  const cap = Math.min(o.maxPipeline, maxRequests ?? o.maxPipeline);
  return Math.min(cap, Math.max(o.minPipeline, wanted));
}

/** Blocks each source may have out whatever the total: enough to keep measuring its rate, so a faster one can earn more. */
export const MIN_SOURCE_PIPELINE = 2;

/** All sources' requests together: `totalPipelineSeconds` of what we receive, at least `minTotalPipeline` blocks. */
export function totalPipelineSize(receiveRate: number, o: Pick<RequesterOptions, 'totalPipelineSeconds' | 'minTotalPipeline'>): number {
  return Math.max(o.minTotalPipeline, Math.ceil((receiveRate * o.totalPipelineSeconds) / BLOCK_LENGTH_BYTES));
}

/**
 * Requests one source may be sent now: up to its own pipeline, and within what the total leaves —
 * but each source keeps MIN_SOURCE_PIPELINE out (and a source's own cap, `perSource`, wins).
 */
export function sourceSlots(perSource: number, outToSource: number, total: number, outInAll: number): number {
  const floor = Math.min(perSource, MIN_SOURCE_PIPELINE) - outToSource;
  return Math.max(Math.min(perSource - outToSource, total - outInAll), floor);
}

/** A piece's blocks, all received, as one buffer. */
function joinBlocks(p: PendingPiece): Uint8Array {
  const piece = new Uint8Array(p.size);
  p.blocks.forEach((block, b) => piece.set(block!, b * BLOCK_LENGTH_BYTES));
  p.blocks.fill(undefined);
  return piece;
}

export class Requester {
  private readonly pending = new Map<number, PendingPiece>();
  private readonly progress = new Map<number, PieceProgress>();
  /** Per source: block id → when it was requested (insertion order is time order). */
  private readonly outstanding = new Map<string, Map<number, number>>();
  private readonly snapshot: PickerSnapshot & { urgent: readonly number[] };
  private readonly blocksPerPiece: number;
  private downloadBucket: TokenBucket;
  private refillTimer: unknown = null;
  private inFlightCount = 0;
  /** What the requested blocks brought in: sizes the total pipeline. */
  private readonly received = new RateMeter();

  constructor(
    private readonly shape: { pieceCount: number; pieceLength: number; totalLength: number },
    have: Bitfield,
    availability: Availability,
    private readonly clock: Clock,
    private readonly random: () => number,
    private readonly port: RequesterPort,
    private readonly options: RequesterOptions,
  ) {
    this.blocksPerPiece = blocksIn(shape.pieceLength);
    this.snapshot = { ...shape, have, rarity: availability, inProgress: this.progress, urgent: [] };
    this.downloadBucket = fullBucket(this.downloadBurst(), clock.now());
  }

  /** Requests in flight, to one source or to all. */
  inFlight(key?: string): number {
    return key === undefined ? this.inFlightCount : (this.outstanding.get(key)?.size ?? 0);
  }

  /** Pieces wanted by a deadline, most urgent first (a stream's window); they are requested before any other. */
  setUrgent(pieces: readonly number[]): void {
    this.snapshot.urgent = [...pieces];
    // A deadline whose first missing piece nobody has been asked for (a seek, or playback starting):
    // the blocks of other pieces still out are cancelled, so the peers serve the deadline's pieces
    // next instead of after everything queued before them. Those pieces keep what they received and
    // are asked for again later. While playback runs on, the head is already out: nothing is cancelled.
    // Later pieces of the window are cancelled too: a pipeline full of the next piece's blocks would
    // otherwise keep the head from being asked for at all until they came.
    const head = pieces.find((i) => !this.snapshot.have.get(i));
    if (head === undefined || this.pending.get(head)?.progress.requested.some(Boolean)) return;
    for (const [key, sent] of this.outstanding) {
      const others = new Set<number>();
      for (const id of sent.keys()) {
        const index = Math.floor(id / this.blocksPerPiece);
        if (index !== head) others.add(index);
      }
      for (const index of others) this.releasePiece(key, index);
    }
  }

  /** Pieces started and not yet verified. */
  inProgress(): number[] {
    return [...this.pending.keys()];
  }

  /** Tops up one source's pipeline from the picker. The caller checks it may be asked (unchoked, interesting). */
  fill(source: RequestSource): void {
    if (this.port.backlogged()) return; // resumes when a write completes
    const sent = this.outstandingOf(source.key);
    const budget = source.budgetBytes === undefined ? Infinity : Math.floor(source.budgetBytes / BLOCK_LENGTH_BYTES);
    const now = this.clock.now();
    const total = totalPipelineSize(this.received.rate(now), this.options);
    const share = source.rate > 0 ? Infinity : Math.floor(total / this.sourcesSharing(source.key));
    const o = source.wholePieces ? { ...this.options, minPipeline: Math.max(this.options.minPipeline, this.blocksPerPiece) } : this.options;
    const perSource = pipelineSize(source.rate, o, source.maxRequests ?? source.maxPipeline, share);
    const slots = Math.min(budget, sourceSlots(perSource, sent.size, total, this.inFlightCount));
    if (slots <= 0) return;
    const { requests, newPieces } = nextRequests(this.snapshot, { id: source.key, has: source.has, wanted: source.wanted, slots, copies: source.copies, prefer: source.prefer, preferOnly: source.preferOnly, urgentAnyCopies: source.urgentAnyCopies }, this.random, { randomFirstPieces: this.options.randomFirstPieces });
    for (const index of newPieces) {
      const size = pieceBytes(this.shape, index);
      const progress = newProgress(blocksIn(size));
      this.pending.set(index, { size, blocks: new Array<Uint8Array | undefined>(progress.received.length), progress, received: 0, senders: [] });
      this.progress.set(index, progress);
    }
    const limit = this.options.downloadLimit;
    for (const r of requests) {
      if (limit > 0) {
        // The download limit meters what we ask for: what is not asked for cannot arrive.
        const t = take(this.downloadBucket, now, limit, this.downloadBurst(), r.length);
        this.downloadBucket = t.bucket;
        if (!t.allowed) {
          this.scheduleRefill(waitMs(this.downloadBucket, now, limit, this.downloadBurst(), r.length));
          return;
        }
      }
      const progress = this.progress.get(r.index)!;
      const b = r.begin / BLOCK_LENGTH_BYTES;
      progress.requested[b] = true;
      progress.requestedFrom[b]!.add(source.key);
      sent.set(this.blockId(r.index, b), now);
      this.inFlightCount++;
      this.port.send(source.key, r);
    }
  }

  onBlock(key: string, index: number, begin: number, block: Uint8Array): BlockResult {
    const sent = this.outstanding.get(key);
    const b = begin / BLOCK_LENGTH_BYTES;
    const id = this.blockId(index, b);
    // Out-of-range places are checked first: a block id names a place only inside its piece.
    if (!sent || !Number.isInteger(b) || b >= this.blocksPerPiece || index >= this.shape.pieceCount || !sent.has(id)) return { kind: 'unrequested' };
    const pending = this.pending.get(index);
    if (!pending || pending.progress.received[b]) {
      this.forget(sent, id);
      return { kind: 'unrequested' };
    }
    const expected = Math.min(BLOCK_LENGTH_BYTES, pending.size - begin);
    // Checked before the request is forgotten: release() then gives the block back to the picker.
    if (block.length !== expected) return { kind: 'invalid', reason: `a ${block.length}-byte block where ${expected} bytes were requested` };
    this.forget(sent, id);
    // Kept as it came, a view into the received chunk: copying it here and again when the piece is
    // joined cost the simulator a tenth of its time. A chunk holds the blocks one sender batched,
    // nearly always of one piece, so keeping it alive until the piece is whole keeps little else.
    pending.blocks[b] = block;
    this.received.add(block.length, this.clock.now());
    pending.progress.received[b] = true;
    pending.senders[b] = key;
    // Endgame duplicates: whoever else was asked for this block need not send it.
    for (const other of pending.progress.requestedFrom[b]!) {
      const theirs = this.outstanding.get(other);
      if (other === key || !theirs?.has(id)) continue;
      this.forget(theirs, id);
      this.port.cancel(other, { index, begin, length: block.length });
    }
    pending.progress.requestedFrom[b]!.clear();
    if (++pending.received === pending.progress.received.length) this.port.complete(index, joinBlocks(pending), pending.senders);
    return { kind: 'accepted' };
  }

  /** Gives every request out to a source back to the picker (it choked us, or left). */
  release(key: string): void {
    const sent = this.outstanding.get(key);
    if (!sent) return;
    for (const id of sent.keys()) this.unmark(key, id);
    this.inFlightCount -= sent.size;
    this.outstanding.delete(key);
  }

  /** Gives back the requests of one piece out to one source, with a cancel for each. */
  releasePiece(key: string, index: number): void {
    const sent = this.outstanding.get(key);
    if (!sent) return;
    for (let b = 0; b < this.blocksPerPiece; b++) {
      const id = this.blockId(index, b);
      if (!sent.has(id)) continue;
      const block = this.unmark(key, id);
      this.forget(sent, id);
      if (block) this.port.cancel(key, block);
    }
  }

  /** Whether this piece is started and none of its blocks has arrived yet. */
  startedUntouched(index: number): boolean {
    return this.pending.get(index)?.received === 0;
  }

  /** Whether any block of this piece is out to this source. */
  hasRequested(key: string, index: number): boolean {
    const sent = this.outstanding.get(key);
    if (!sent || sent.size === 0) return false;
    for (let b = 0; b < this.blocksPerPiece; b++) if (sent.has(this.blockId(index, b))) return true;
    return false;
  }

  /** Requests unanswered past the timeout go back to the picker, with a cancel to their source. */
  expire(): void {
    const now = this.clock.now();
    for (const [key, sent] of this.outstanding) {
      for (const [id, at] of sent) {
        if (now - at < this.options.blockTimeoutMs) break; // the rest were sent later
        const block = this.unmark(key, id);
        this.forget(sent, id);
        if (block) this.port.cancel(key, block);
      }
    }
  }

  /** Completion verified and stored the piece. */
  verified(index: number): void {
    this.pending.delete(index);
    this.progress.delete(index);
  }

  /** The piece failed its hash: it may be picked again from scratch. */
  failed(index: number): void {
    this.verified(index);
  }

  setDownloadLimit(limit: number): void {
    this.options.downloadLimit = Math.max(0, limit);
    this.downloadBucket = fullBucket(this.downloadBurst(), this.clock.now());
  }

  get downloadLimit(): number {
    return this.options.downloadLimit;
  }

  destroy(): void {
    if (this.refillTimer !== null) this.clock.clearTimeout(this.refillTimer);
    this.refillTimer = null;
  }

  /** Sources with requests out, counting this one whether or not it has any. */
  private sourcesSharing(key: string): number {
    let n = 1;
    for (const [other, sent] of this.outstanding) if (other !== key && sent.size > 0) n++;
    return n;
  }

  private outstandingOf(key: string): Map<number, number> {
    let sent = this.outstanding.get(key);
    if (!sent) this.outstanding.set(key, (sent = new Map()));
    return sent;
  }

  private forget(sent: Map<number, number>, id: number): void {
    if (sent.delete(id)) this.inFlightCount--;
  }

  /** Marks a block no longer out to `key`; returns it as a request, or null if its piece is not pending. */
  private unmark(key: string, id: number): BlockRequest | null {
    const index = Math.floor(id / this.blocksPerPiece);
    const b = id - index * this.blocksPerPiece;
    const pending = this.pending.get(index);
    if (!pending) return null;
    const from = pending.progress.requestedFrom[b]!;
    from.delete(key);
    if (from.size === 0 && !pending.progress.received[b]) pending.progress.requested[b] = false;
    const begin = b * BLOCK_LENGTH_BYTES;
    return { index, begin, length: Math.min(BLOCK_LENGTH_BYTES, pending.size - begin) };
  }

  private blockId(index: number, b: number): number {
    return index * this.blocksPerPiece + b;
  }

  /** Bursts of at most a quarter second of the limit (and at least one block), so the rate stays smooth. */
  private downloadBurst(): number {
    return Math.max(BLOCK_LENGTH_BYTES, this.options.downloadLimit / 4);
  }

  private scheduleRefill(delayMs: number): void {
    if (this.refillTimer !== null) return;
    this.refillTimer = this.clock.setTimeout(() => {
      this.refillTimer = null;
      this.port.refilled();
    }, Math.max(1, delayMs));
  }
}
