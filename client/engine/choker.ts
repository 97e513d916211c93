/**
 * Tit-for-tat choking (BEP 3, as the seed tells it), as pure functions over a table of peers:
 *  - every rechoke (10 s): the `slots` (4) interested peers with the best rate are unchoked —
 *    the rate they send to us while we download, the rate we send to them while we seed — and
 *    snubbed peers (no block for a while although they unchoked us) do not earn a slot by rate;
 *  - every optimistic period (30 s): one more peer, chosen at random among the choked interested
 *    ones, is unchoked optimistically; peers that connected recently get three chances, since they
 *    have nothing to trade yet and this is how they get their first pieces.
 * The caller keeps time and sends the choke/unchoke messages that differ from the current state.
 */

export const NEW_PEER_WINDOW_MS = 30_000;
/** Weight of a newly connected peer in the optimistic draw (mainline BitTorrent uses 3). */
export const NEW_PEER_WEIGHT = 3;

export interface ChokePeer {
  id: string;
  interested: boolean;
  /** Bytes/s received from this peer (used while downloading). */
  downloadRate: number;
  /** Bytes/s sent to this peer (used while seeding). */
  uploadRate: number;
  connectedAtMs: number;
  snubbed?: boolean;
}

export interface ChokeOptions {
  slots: number;
  seeding: boolean;
}

/** The regular unchoke set: the best `slots` interested peers by the rate that matters now. */
export function rankForUnchoke(peers: readonly ChokePeer[], opts: ChokeOptions): string[] {
  const rate = (p: ChokePeer) => (opts.seeding ? p.uploadRate : p.downloadRate);
  return peers
    .filter((p) => p.interested && (opts.seeding || !p.snubbed))
    .sort((a, b) => rate(b) - rate(a) || a.connectedAtMs - b.connectedAtMs || (a.id < b.id ? -1 : 1))
    .slice(0, opts.slots)
    .map((p) => p.id);
}

/** Who takes a slot freed between rechokes: the best-ranked choked, interested peer (null if none). */
export function freeSlotTaker(peers: readonly ChokePeer[], isChoking: (id: string) => boolean, seeding: boolean): string | null {
  return rankForUnchoke(peers.filter((p) => isChoking(p.id)), { slots: 1, seeding })[0] ?? null;
}

/** A new optimistic unchoke among interested peers not in `regular`, weighted toward new peers; null if none. */
export function pickOptimistic(peers: readonly ChokePeer[], regular: ReadonlySet<string>, nowMs: number, random: () => number): string | null {
  const pool = peers.filter((p) => p.interested && !regular.has(p.id));
  if (pool.length === 0) return null;
  const weights = pool.map((p) => (nowMs - p.connectedAtMs < NEW_PEER_WINDOW_MS ? NEW_PEER_WEIGHT : 1));
  let r = random() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < pool.length; i++) {
    r -= weights[i]!;
    if (r < 0) return pool[i]!.id;
  }
  return pool.at(-1)!.id;
}

export interface ChokeDecision {
  /** Everyone to have unchoked after this round (regular ∪ optimistic). */
  unchoked: Set<string>;
  regular: string[];
  optimistic: string | null;
}

/**
 * One round. `rotate` is true when the optimistic period has elapsed; otherwise the current
 * optimistic peer keeps its slot (unless it left, lost interest, or earned a regular slot).
 */
export function rechoke(peers: readonly ChokePeer[], current: string | null, rotate: boolean, nowMs: number, random: () => number, opts: ChokeOptions): ChokeDecision {
  const regular = rankForUnchoke(peers, opts);
  const regularSet = new Set(regular);
  const stillValid = current !== null && !regularSet.has(current) && peers.some((p) => p.id === current && p.interested);
  const optimistic = rotate || !stillValid ? pickOptimistic(peers, regularSet, nowMs, random) : current;
  const unchoked = new Set(regular);
  if (optimistic !== null) unchoked.add(optimistic);
  return { unchoked, regular, optimistic };
}
