/**
 * Who gets the next block when our upload limit is the bottleneck, as a pure function.
 *
 * A piece helps the swarm only once it is whole: then the receiver verifies it, announces it and
 * can send it on (BEP 3 forwards nothing less). Shared block by block among five unchoked peers,
 * our upload delivers five pieces at a fifth of the rate, each after five times as long; served one
 * piece at a time, the first is forwardable after a fifth of that, the next after two fifths, and so
 * on — the same bytes, but every piece starts spreading sooner. That is what ends a rate-limited
 * swarm earlier, above all the last pieces, which otherwise all complete together at the end.
 * So: finish the piece a peer is part-way through; otherwise serve a peer kept waiting too long
 * (rarity orders pieces, it must not starve a neighbour, whose choker would then rate us low);
 * otherwise start the piece fewest neighbours have (it adds the most to the swarm); otherwise the
 * peer served longest ago.
 */

/** A peer not served for this long goes ahead of rarer pieces (a piece is 0.25 s at 1 MiB/s: twenty of them). */
export const MAX_UPLOAD_WAIT_MS = 5_000;

export interface UploadCandidate {
  key: string;
  /** The piece of the peer's oldest queued request. */
  piece: number;
  /** Blocks of that piece already sent to this peer. */
  blocksSent: number;
  /** Neighbours holding that piece. */
  availability: number;
  /** When this peer was last sent a block (ms), 0 if never. */
  lastServedMs: number;
}

export function pickUpload(candidates: readonly UploadCandidate[], nowMs: number, maxWaitMs = MAX_UPLOAD_WAIT_MS): string | null {
  const starving = (c: UploadCandidate) => nowMs - c.lastServedMs > maxWaitMs;
  const before = (a: UploadCandidate, b: UploadCandidate): boolean => {
    if (a.blocksSent !== b.blocksSent) return a.blocksSent > b.blocksSent;
    if (starving(a) !== starving(b)) return starving(a);
    if (!starving(a) && a.availability !== b.availability) return a.availability < b.availability;
    return a.lastServedMs < b.lastServedMs;
  };
  let best: UploadCandidate | null = null;
  for (const c of candidates) if (best === null || before(c, best)) best = c;
  return best?.key ?? null;
}
