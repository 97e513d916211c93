/**
 * The offload policy for origins (BEP 19 web seeds): what we may ask an HTTP origin for, as a pure
 * function of plain state. Peers first: every byte the swarm can give is one the origin need not
 * send, so when N people download together the origin should send each piece about once.
 *
 *  - 'peerless': only pieces no connected peer has. Every downloader asks the origin for pieces at
 *    random among those nobody near it holds; as soon as one of them has a piece it says HAVE, the
 *    piece stops being peerless for its neighbours and they fetch it from that peer instead. This
 *    is how downloaders coordinate through rarity without talking about the origin at all.
 *  - 'any': any piece we lack, rarest first — when the swarm gives us nothing (no peer that has
 *    what we lack is unchoking us), during the first moments if the user prefers the origin, or
 *    always when the site prefers the origin (small files).
 *  - 'none': the origin cap is used up.
 *
 * And deadlines: when a stream's playhead piece is still missing `originDeadlineMs` after it became
 * the one awaited, the peers are not meeting the deadline, and the origin may send the stream's
 * urgent pieces whoever else has them (the picker's `urgentAnyCopies`).
 */

export type OriginMode = 'none' | 'peerless' | 'any';

export interface OffloadOptions {
  /** Ask origins for anything we lack, not only what no peer has (a small file, a site's choice). */
  preferOrigin: boolean;
  /** Prefer the origin for this long after the download starts (the first seconds of a video); 0 = never. */
  preferOriginForMs: number;
  /** Bytes at most taken from origins by this download; 0 = no cap. */
  originCapBytes: number;
  /**
   * A stream's playhead piece still missing after this long is a deadline the peers are not
   * meeting: from then on origins may send the stream's urgent pieces too, even those peers have.
   */
  originDeadlineMs: number;
}

/**
 * Blocks out to an origin at once while we have neighbours: two pieces. Downloaders coordinate only
 * through what they have finished (HAVE), so every piece one of them has in flight from the origin
 * is one the others cannot see and may fetch too; keeping that window small keeps N downloaders
 * from pulling N copies (at a flash crowd's start nobody has anything, so every piece is peerless
 * for everyone). Two pieces keep one HTTP request going while the other's blocks are delivered.
 */
export const ORIGIN_SWARM_PIPELINE_BLOCKS = 32;
/** …and with no neighbour at all: eight pieces, so one downloader alone gets the origin's full rate. */
export const ORIGIN_ALONE_PIPELINE_BLOCKS = 128;

/** Two seconds: longer than a piece takes from any useful peer, shorter than a player's buffer of a few seconds. */
export const ORIGIN_DEADLINE_MS = 2_000;

export const DEFAULT_OFFLOAD_OPTIONS: OffloadOptions = { preferOrigin: false, preferOriginForMs: 0, originCapBytes: 0, originDeadlineMs: ORIGIN_DEADLINE_MS };

export interface OffloadState {
  /** Bytes received from origins so far (and asked of them, not yet received). */
  originBytes: number;
  /** Milliseconds since the download phase began. */
  elapsedMs: number;
  /** A connected peer that has a piece we lack is unchoking us. */
  peersSupply: boolean;
}

export function originMode(state: OffloadState, o: OffloadOptions): OriginMode {
  if (o.originCapBytes > 0 && state.originBytes >= o.originCapBytes) return 'none';
  if (o.preferOrigin || state.elapsedMs < o.preferOriginForMs) return 'any';
  return state.peersSupply ? 'peerless' : 'any';
}

/**
 * Which of the peerless pieces are ours to fetch from the origin. Downloaders see only what their
 * neighbours have finished, never what they are fetching, so N downloaders picking at random among
 * the same peerless pieces fetch some twice — more as the peerless set shrinks. Instead each piece
 * has an owner among the neighbourhood (ours included): the peer whose id scores highest for that
 * piece (rendezvous hashing). Neighbours who see the same peers agree on every owner without a
 * word, so the origin sends each piece about once; and while views still differ (peers connecting
 * at the start, one arriving later) they disagree only on the pieces the peer one of them has not
 * met yet would own, not on all of them as a split by position would.
 */
export interface OriginShare {
  /** Our id's hash, and our neighbours'. */
  self: number;
  others: readonly number[];
}

/** 32 bits of a hex peer id (FNV-1a): what the per-piece scores are mixed from. */
function idHash(hex: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < hex.length; i++) h = Math.imul(h ^ hex.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A peer's score for one piece: a 32-bit mix (murmur3's finaliser) of its id hash and the piece. */
function score(id: number, piece: number): number {
  let h = (id ^ Math.imul(piece + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export function originShare(selfId: string, neighbourIds: Iterable<string>): OriginShare {
  return { self: idHash(selfId), others: [...new Set(neighbourIds)].filter((id) => id !== selfId).map(idHash) };
}

/** Whether we own this piece: our score beats every neighbour's (ties, vanishingly rare, to the larger id hash). */
export function inShare(piece: number, share: OriginShare): boolean {
  const ours = score(share.self, piece);
  for (const o of share.others) {
    const theirs = score(o, piece);
    if (theirs > ours || (theirs === ours && o > share.self)) return false;
  }
  return true;
}

/** The copy counts a source may start pieces within: origins by their mode, peers any piece they have. */
export function copiesFor(mode: OriginMode): { min: number; max: number } {
  return mode === 'peerless' ? { min: 0, max: 0 } : { min: 0, max: Infinity };
}

/** What the download knows when it may ask an origin for more. */
export interface OriginView extends OffloadState {
  /** Our peer id and our neighbours' (not origins'), hex. */
  selfId: string;
  neighbourIds: readonly string[];
  /** How long a stream's playhead piece has been missing; null when nothing is streamed (or it is here). */
  headWaitMs: number | null;
}

/** How to ask an origin now: which pieces, how many at once, within what budget. */
export interface OriginPlan {
  copies: { min: number; max: number };
  maxPipelineBlocks: number;
  /** Our share of the pieces (started first); null when the origin is preferred outright. */
  share: OriginShare | null;
  /** Start no piece outside our share. */
  shareOnly: boolean;
  /** Bytes more that may be asked under the cap; undefined without one. */
  budgetBytes?: number;
  /** A stream's deadline is being missed: its urgent pieces may come from the origin whoever has them. */
  urgentAnyCopies: boolean;
}

/** The whole policy in one place: null when the origin may not be asked for anything now. */
export function planOrigin(view: OriginView, o: OffloadOptions): OriginPlan | null {
  const mode = originMode(view, o);
  if (mode === 'none') return null;
  const plan: OriginPlan = {
    copies: copiesFor(mode),
    maxPipelineBlocks: view.neighbourIds.length > 0 ? ORIGIN_SWARM_PIPELINE_BLOCKS : ORIGIN_ALONE_PIPELINE_BLOCKS,
    share: o.preferOrigin ? null : originShare(view.selfId, view.neighbourIds),
    // While neighbours supply us, the others' shares are theirs to fetch; when none does, any piece will do.
    shareOnly: !o.preferOrigin && mode === 'peerless',
    urgentAnyCopies: view.headWaitMs !== null && view.headWaitMs >= o.originDeadlineMs,
  };
  if (o.originCapBytes > 0) plan.budgetBytes = o.originCapBytes - view.originBytes;
  return plan;
}
