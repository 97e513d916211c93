/**
 * Which blocks to request from one peer, as a pure function of a snapshot (BEP 3 piece selection,
 * the way the seed tells it):
 *  1. only pieces the peer has and we lack;
 *  1½. pieces with a deadline first (a media element's playhead and read-ahead window), in
 *     deadline order, started or not — everything else stays rarest-first, so viewers still trade;
 *  2. finish started pieces before starting new ones;
 *  3. while we have fewer than `randomFirstPieces` pieces, start pieces at random, so a new peer
 *     quickly has something to trade; after that, rarest first, random among equals;
 *  4. endgame: when every missing block is already requested, ask this peer too for blocks that
 *     are out to others (the caller cancels the duplicates when one arrives).
 * Availability (availability.ts) keeps the pieces we lack ordered by rarity; nothing here is stored twice.
 */
import { BLOCK_LENGTH_BYTES } from '../../shared/constants.ts';
import type { Bitfield } from '../../shared/bitfield.ts';

export const RANDOM_FIRST_PIECES = 4;

export interface BlockRequest {
  index: number;
  begin: number;
  length: number;
}

/** Progress of a piece we have started: per block, requested (from anyone) and received. */
export interface PieceProgress {
  requested: boolean[];
  received: boolean[];
  /** Peers each block is currently requested from (endgame may have several). */
  requestedFrom: Array<Set<string>>;
}

/** What the picker needs to know about piece rarity: Availability provides it (see availability.ts). */
export interface PieceRarity {
  /** The rarest piece in `has` we lack that `skip` does not rule out (null if none). */
  rarestIn(has: Bitfield, wanted: number, skip: (i: number) => boolean, random: () => number, copies?: CopyRange): number | null;
  /** Copies of piece i among connected peers (origins not counted). */
  count(i: number): number;
  /** A piece in `has` we lack that `skip` allows, uniformly at random. */
  randomIn(has: Bitfield, skip: (i: number) => boolean, random: () => number): number | null;
  /** Pieces we lack, started ones included. */
  readonly lackingCount: number;
}

export interface PickerSnapshot {
  pieceCount: number;
  pieceLength: number;
  totalLength: number;
  have: Bitfield;
  /** Copies of each piece among connected peers, ordered for rarest-first. */
  rarity: PieceRarity;
  /** Pieces started and not yet verified. */
  inProgress: ReadonlyMap<number, PieceProgress>;
  /** Pieces wanted by a deadline, the most urgent first (a stream's playhead and read-ahead); may include pieces we have. */
  urgent?: readonly number[];
}

/** Copy counts (among connected peers) a piece may have. */
export interface CopyRange {
  min: number;
  max: number;
}

export interface PickerPeer {
  id: string;
  has: Bitfield;
  /** Pieces this peer has that we lack. */
  wanted: number;
  /** How many more requests this peer's pipeline can take now. */
  slots: number;
  /**
   * For an origin (web seed): only pieces whose copies fall in this range (see offload.ts), rarest
   * first from the start, and no endgame duplicates while it may give only pieces no peer has.
   */
  copies?: CopyRange;
  /**
   * New pieces this source should start first (an origin: our share of the peerless pieces); with
   * `preferOnly`, no others.
   */
  prefer?: (i: number) => boolean;
  preferOnly?: boolean;
  /** Pieces with a deadline may come from this source whatever `copies` says (a deadline the peers are missing). */
  urgentAnyCopies?: boolean;
}

export interface PickerOptions {
  randomFirstPieces?: number;
  blockLength?: number;
}

export function pieceBytes(s: Pick<PickerSnapshot, 'pieceCount' | 'pieceLength' | 'totalLength'>, index: number): number {
  return index < s.pieceCount - 1 ? s.pieceLength : s.totalLength - s.pieceLength * (s.pieceCount - 1);
}

export function blocksIn(pieceLength: number, blockLength = BLOCK_LENGTH_BYTES): number {
  return Math.ceil(pieceLength / blockLength);
}

export function newProgress(blocks: number): PieceProgress {
  return { requested: new Array<boolean>(blocks).fill(false), received: new Array<boolean>(blocks).fill(false), requestedFrom: Array.from({ length: blocks }, () => new Set<string>()) };
}

function block(s: PickerSnapshot, index: number, b: number, blockLength: number): BlockRequest {
  const size = pieceBytes(s, index);
  const begin = b * blockLength;
  return { index, begin, length: Math.min(blockLength, size - begin) };
}

function receivedCount(p: PieceProgress): number {
  let n = 0;
  for (const r of p.received) if (r) n++;
  return n;
}

/**
 * The requests to send `peer` now (at most `peer.slots`). Returns the blocks in order; `newPieces`
 * names the pieces started by this call so the caller can create their progress records. Its cost
 * depends on the pieces in progress and the slots, not on the torrent's size.
 */
export function nextRequests(
  s: PickerSnapshot,
  peer: PickerPeer,
  random: () => number,
  opts: PickerOptions = {},
): { requests: BlockRequest[]; newPieces: number[]; endgame: boolean } {
  const blockLength = opts.blockLength ?? BLOCK_LENGTH_BYTES;
  const randomFirst = opts.randomFirstPieces ?? RANDOM_FIRST_PIECES;
  const requests: BlockRequest[] = [];
  const newPieces: number[] = [];
  if (peer.slots <= 0) return { requests, newPieces, endgame: false };

  const copies = peer.copies;
  const allowed = (i: number) => copies === undefined || (s.rarity.count(i) >= copies.min && s.rarity.count(i) <= copies.max);
  const allowedUrgent = peer.urgentAnyCopies ? () => true : allowed;
  const chosen = new Set<number>();

  // 1½. Pieces with a deadline, most urgent first: their unrequested blocks, started or not.
  for (const index of s.urgent ?? []) {
    if (requests.length >= peer.slots) return { requests, newPieces, endgame: false };
    if (s.have.get(index) || !peer.has.get(index) || !allowedUrgent(index) || chosen.has(index)) continue;
    const progress = s.inProgress.get(index);
    const blocks = blocksIn(pieceBytes(s, index), blockLength);
    chosen.add(index); // not again below: its requests are marked only after this call returns
    if (!progress) newPieces.push(index);
    for (let b = 0; b < blocks && requests.length < peer.slots; b++) {
      if (!progress || (!progress.requested[b] && !progress.received[b])) requests.push(block(s, index, b, blockLength));
    }
  }

  // The playhead's piece, if every block of it is out to others: ask this source too (cancels
  // follow the first copy to arrive), so one slow source cannot stall playback.
  const head = s.urgent?.find((i) => !s.have.get(i));
  const headProgress = head === undefined ? undefined : s.inProgress.get(head);
  if (head !== undefined && headProgress && peer.has.get(head) && allowedUrgent(head) && requests.length === 0 && headProgress.requested.every((r, b) => r || headProgress.received[b])) {
    for (let b = 0; b < headProgress.requested.length && requests.length < peer.slots; b++) {
      if (!headProgress.received[b] && !headProgress.requestedFrom[b]!.has(peer.id)) requests.push(block(s, head, b, blockLength));
    }
  }

  // 2. Started pieces first (most complete first, so pieces finish and can be shared sooner).
  const started: Array<{ index: number; progress: PieceProgress; received: number }> = [];
  for (const [index, progress] of s.inProgress) if (peer.has.get(index) && allowed(index) && !chosen.has(index)) started.push({ index, progress, received: receivedCount(progress) });
  started.sort((a, b) => b.received - a.received);
  for (const { index, progress } of started) {
    for (let b = 0; b < progress.requested.length && requests.length < peer.slots; b++) {
      if (!progress.requested[b] && !progress.received[b]) requests.push(block(s, index, b, blockLength));
    }
    if (requests.length >= peer.slots) return { requests, newPieces, endgame: false };
  }

  // 3. New pieces: random while we have almost nothing, then rarest first.
  const randomOrder = copies === undefined && s.have.count() < randomFirst;
  const skip = (i: number) => s.inProgress.has(i) || chosen.has(i);
  const prefer = peer.prefer;
  let preferring = prefer !== undefined;
  while (requests.length < peer.slots) {
    const skipNow = preferring ? (i: number) => skip(i) || !prefer!(i) : skip;
    const index = randomOrder ? s.rarity.randomIn(peer.has, skipNow, random) : s.rarity.rarestIn(peer.has, peer.wanted, skipNow, random, copies);
    if (index === null && preferring && !peer.preferOnly) {
      preferring = false;
      continue;
    }
    if (index === null) break;
    chosen.add(index);
    newPieces.push(index);
    const blocks = blocksIn(pieceBytes(s, index), blockLength);
    for (let b = 0; b < blocks && requests.length < peer.slots; b++) requests.push(block(s, index, b, blockLength));
  }
  if (requests.length > 0 || newPieces.length > 0) return { requests, newPieces, endgame: false };

  // 4. Endgame: nothing unrequested is left that this peer can give. If no missing block anywhere
  //    is unrequested (every piece we lack is started, and every started block is out), re-request
  //    from this peer what is out to others.
  if (s.rarity.lackingCount > s.inProgress.size || copies?.max === 0) return { requests, newPieces, endgame: false };
  for (const progress of s.inProgress.values()) {
    for (let b = 0; b < progress.requested.length; b++) if (!progress.requested[b] && !progress.received[b]) return { requests, newPieces, endgame: false };
  }
  for (const [index, progress] of s.inProgress) {
    if (!peer.has.get(index) || !allowed(index)) continue;
    for (let b = 0; b < progress.requested.length && requests.length < peer.slots; b++) {
      if (!progress.received[b] && !progress.requestedFrom[b]!.has(peer.id)) requests.push(block(s, index, b, blockLength));
    }
  }
  return { requests, newPieces, endgame: true };
}
