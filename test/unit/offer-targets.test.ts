import { describe, expect, it } from 'vitest';
import { chooseOfferTargets, RECENT_OFFER_TARGETS_MAX } from '../../signal-server/tracker/offer-targets.ts';

const peers = (...ids: string[]) => ids.map((peerId) => ({ peerId }));

describe('chooseOfferTargets', () => {
  it('prefers peers not offered to lately, in the sampled order', () => {
    const r = chooseOfferTargets(peers('a', 'b', 'c', 'd'), 2, ['a', 'c']);
    expect(r.targets.map((t) => t.peerId)).toEqual(['b', 'd']);
    expect(r.recent).toEqual(['a', 'c', 'b', 'd']);
  });

  it('fills up with the peers offered to longest ago, and moves them to the end', () => {
    const r = chooseOfferTargets(peers('c', 'a', 'x'), 3, ['a', 'b', 'c']);
    expect(r.targets.map((t) => t.peerId)).toEqual(['x', 'a', 'c']);
    expect(r.recent).toEqual(['b', 'x', 'a', 'c']);
  });

  it('successive announces of 5 offers reach all 8 other peers within two rounds, whatever the sample order', () => {
    const all = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8'];
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let trial = 0; trial < 200; trial++) {
      let recent: string[] = [];
      const reached = new Set<string>();
      for (let round = 0; round < 2; round++) {
        const sample = [...all].sort(() => random() - 0.5);
        const r = chooseOfferTargets(peers(...sample), 5, recent);
        recent = r.recent;
        for (const t of r.targets) reached.add(t.peerId);
      }
      expect(reached.size).toBe(8);
    }
  });

  it('remembers at most RECENT_OFFER_TARGETS_MAX peers and never picks more than asked', () => {
    let recent: string[] = [];
    for (let round = 0; round < 20; round++) {
      const sample = peers(...Array.from({ length: 10 }, (_, i) => `r${round}-${i}`));
      const r = chooseOfferTargets(sample, 5, recent);
      expect(r.targets).toHaveLength(5);
      recent = r.recent;
    }
    expect(recent).toHaveLength(RECENT_OFFER_TARGETS_MAX);
    expect(chooseOfferTargets(peers('a'), 0, []).targets).toEqual([]);
  });
});
