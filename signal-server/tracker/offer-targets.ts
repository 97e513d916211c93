/**
 * Which peers an announce's offers go to. A tracker that hands each announce's offers to random
 * peers leaves it to luck whether a newcomer ever meets the one peer that matters: in an 8-leecher
 * classroom swarm where only the seeder uploads (client-server mode), a leecher whose five offers
 * missed the seeder announce after announce waited over four minutes for a connection the others
 * had in seconds. So each announcer's successive offers go first to peers it has not been sent to
 * lately: two announces of five offers reach every one of eight other peers.
 */

/**
 * How many recent targets are remembered per announcer and swarm: enough to rotate through a
 * classroom or a small site's swarm, bounded so a tracker with many peers keeps little per peer.
 */
export const RECENT_OFFER_TARGETS_MAX = 32;

/**
 * Picks `want` of `candidates` (in the random order the swarm store sampled them): first those not in
 * `recent`, then, if too few, those offered to longest ago. Returns the picks and the new `recent`
 * (oldest first, the picks last, at most RECENT_OFFER_TARGETS_MAX).
 */
export function chooseOfferTargets<T extends { peerId: string }>(candidates: readonly T[], want: number, recent: readonly string[]): { targets: T[]; recent: string[] } {
  const age = new Map(recent.map((id, i) => [id, i]));
  const fresh = candidates.filter((c) => !age.has(c.peerId));
  const stale = candidates.filter((c) => age.has(c.peerId)).sort((a, b) => age.get(a.peerId)! - age.get(b.peerId)!);
  const targets = [...fresh, ...stale].slice(0, Math.max(0, want));
  const picked = new Set(targets.map((t) => t.peerId));
  const next = [...recent.filter((id) => !picked.has(id)), ...targets.map((t) => t.peerId)];
  return { targets, recent: next.slice(Math.max(0, next.length - RECENT_OFFER_TARGETS_MAX)) };
}
