/** Which piece an initial seeder reveals next: pure, so tested on fixtures. */
import { describe, expect, it } from 'vitest';
import { pickReveal, revealTarget, REVEALED_PER_PEER } from '../../client/engine/super-seed.ts';

describe('pickReveal', () => {
  const state = (spread: number[], has: number[] = [], revealed: number[] = []) => ({
    pieceCount: spread.length,
    peerHas: (i: number) => has.includes(i),
    revealed: new Set(revealed),
    spread: (i: number) => spread[i]!,
  });

  it('reveals the least spread piece the peer lacks and was not shown', () => {
    expect(pickReveal(state([3, 1, 0, 2]), Math.random)).toBe(2);
    expect(pickReveal(state([3, 1, 0, 2], [2]), Math.random)).toBe(1);
    expect(pickReveal(state([3, 1, 0, 2], [2], [1]), Math.random)).toBe(3);
    expect(pickReveal(state([1, 1], [0, 1]), Math.random)).toBeNull();
  });

  it('breaks ties evenly at random', () => {
    let seed = 1;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const counts = [0, 0, 0, 0];
    for (let k = 0; k < 4000; k++) counts[pickReveal(state([5, 0, 0, 0]), random)!]!++;
    expect(counts[0]).toBe(0);
    for (const c of counts.slice(1)) expect(c).toBeGreaterThan(1000);
  });
});

describe('revealTarget', () => {
  it('keeps a few pieces revealed to a slow peer and two seconds of data to a fast one', () => {
    const piece = 256 * 1024;
    expect(revealTarget(0, piece)).toBe(REVEALED_PER_PEER);
    expect(revealTarget(100 * 1024, piece)).toBe(REVEALED_PER_PEER);
    expect(revealTarget(20 * 1024 * 1024, piece)).toBe(160);
  });
});
