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
  /** Copies of piece i among the peers we are connected to. */
  copies(i: number): number;
  /** Reveals of piece i still in flight to peers we unchoke (a choked peer cannot fetch what it was shown). */
  inFlight(i: number): number;
  /** Reveals of piece i not yet reported back, to any peer, choked or not. */
  shown(i: number): number;
}

/**
 * How much a reveal of a piece adds, lower first. A piece nobody has and nobody is fetching comes
 * first; then pieces already out, least spread first; a piece on its way to its first holder comes
 * last: a second reveal of it would make us send it twice while other pieces are still only ours
 * (the uploader serves pieces nobody has first, so a reveal of a piece already out costs nothing
 * until we run out of those). Within each, a piece shown to fewer peers goes first — shown to a
 * peer we choke, it is not on its way, but a piece shown to nobody at all still comes before it,
 * so no piece is shown twice while another has been shown to none.
 */
export function revealRank(copies: number, inFlight: number, shown: number): number {
  const spread = copies === 0 && inFlight > 0 ? IN_FLIGHT_RANK + inFlight : copies + inFlight;
  return spread * SHOWN_SCALE + Math.min(shown, SHOWN_SCALE - 1);
}
/** Above any real count of copies. */
const IN_FLIGHT_RANK = 1 << 20;
/** Above any count of reveals of one piece (they are kept in 16 bits). */
const SHOWN_SCALE = 1 << 16;

/** The piece to reveal next to this peer: one it lacks and was not shown, by revealRank (ties at random); null if none. */
export function pickReveal(s: RevealState, random: () => number): number | null {
  let best: number | null = null;
  let bestRank = Infinity;
  let ties = 0;
  for (let i = 0; i < s.pieceCount; i++) {
    if (s.peerHas(i) || s.revealed.has(i)) continue;
    const rank = revealRank(s.copies(i), s.inFlight(i), s.shown(i));
    if (rank < bestRank) {
      best = i;
      bestRank = rank;
      ties = 1;
    } else if (rank === bestRank && random() * ++ties < 1) {
      best = i; // reservoir sampling: each tied piece equally likely
    }
  }
  return best;
}
