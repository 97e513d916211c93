/**
 * The bounds a demo tab shows, from what it can see: its own limits and its neighbours' adverts.
 * Every peer in a small demo swarm is everyone's neighbour, so each tab computes the same figures.
 */
import { dClientServer, dPeerToPeer, type Distribution } from '../../shared/theory.ts';
import type { PeerLimits } from './settings.ts';

export interface SwarmBounds {
  /** Leechers (peers other than the seeder), the chapter's N. */
  N: number;
  dist: Distribution;
  dCs: number;
  dP2p: number;
}

/** A limit of 0 means "none": an infinitely fast link, whose term in the bounds is 0. */
const rate = (limit: number): number => (limit > 0 ? limit : Infinity);

/** Null until a seeder is in view (its upload is the formula's u_s). */
export function swarmBounds(fileBytes: number, me: PeerLimits, neighbours: PeerLimits[]): SwarmBounds | null {
  const all = [me, ...neighbours];
  const seeders = all.filter((p) => p.seeder);
  if (seeders.length === 0) return null;
  const leechers = all.filter((p) => !p.seeder);
  const dist: Distribution = {
    F: fileBytes,
    us: seeders.reduce((sum, s) => sum + rate(s.up), 0),
    ui: leechers.map((p) => rate(p.up)),
    dMin: Math.min(Infinity, ...leechers.map((p) => rate(p.down))),
  };
  return { N: leechers.length, dist, dCs: dClientServer(dist), dP2p: dPeerToPeer(dist) };
}
