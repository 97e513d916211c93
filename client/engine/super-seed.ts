/**
 * Initial seeding (after BEP 16's "super-seeding"): a seeder whose upload is the swarm's bottleneck
 * should send every piece once before it sends any piece twice, and leave the copying to the
 * leechers. It hides its bitfield and reveals to each peer, with HAVE messages, a few pieces at a
 * time — those least spread so far — so that what it uploads is always what the swarm lacks most.
 * Plain BEP 3 messages: any client (WebTorrent included) just sees a peer that has few pieces.
 */

/** Pieces revealed to one peer and not yet reported back by it, at least… */
export const REVEALED_PER_PEER = 2;
/** …and enough for this many seconds at the rate we send to it, so a fast link is never starved of requests. */
export const REVEAL_AHEAD_SECONDS = 2;

/**
 * Peers an initial seeder unchokes at once (at least; more if configured). Its job is to hand
 * distinct pieces to as many peers as it can, so that each has something to trade: unchoking only
 * four of eight leechers left the other four with nothing anyone wanted, choked by everyone, for the
 * whole of a short swarm. Under an upload limit this does not split the upload thinner (upload-order.ts
 * sends one piece at a time), and 16 pieces of 256 KiB at 1 MiB/s is a 4 s round, far inside the
 * requesters' block timeout.
 */
export const SUPER_SEED_UNCHOKE_SLOTS = 16;

/** How many pieces to keep revealed to a peer we send `bytesPerSecond` to. */
export function revealTarget(bytesPerSecond: number, pieceLength: number): number {
  return Math.max(REVEALED_PER_PEER, Math.ceil((bytesPerSecond * REVEAL_AHEAD_SECONDS) / pieceLength));
}

export interface RevealState {
  pieceCount: number;
  /** Whether the peer already has piece i. */
  peerHas(i: number): boolean;
  /** Pieces revealed to this peer that it has not reported having yet. */
  revealed: ReadonlySet<number>;
  /** Copies of piece i in the swarm as we see it: peers that have it plus reveals still in flight. */
  spread(i: number): number;
}

/** The piece to reveal next to this peer: one it lacks and was not shown, least spread (ties at random); null if none. */
export function pickReveal(s: RevealState, random: () => number): number | null {
  let best: number | null = null;
  let bestSpread = Infinity;
  let ties = 0;
  for (let i = 0; i < s.pieceCount; i++) {
    if (s.peerHas(i) || s.revealed.has(i)) continue;
    const spread = s.spread(i);
    if (spread < bestSpread) {
      best = i;
      bestSpread = spread;
      ties = 1;
    } else if (spread === bestSpread && random() * ++ties < 1) {
      best = i; // reservoir sampling: each tied piece equally likely
    }
  }
  return best;
}
