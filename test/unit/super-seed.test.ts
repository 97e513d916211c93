/** Which piece an initial seeder reveals next: pure, so tested on fixtures. */
import { describe, expect, it } from 'vitest';
import { Bitfield } from '../../shared/bitfield.ts';
import { InitialSeeding } from '../../client/engine/initial-seeding.ts';
import { pickReveal, revealTarget, REVEALED_PER_PEER } from '../../client/engine/super-seed.ts';

describe('pickReveal', () => {
  const state = (copies: number[], has: number[] = [], revealed: number[] = [], inFlight: number[] = [], shown: number[] = inFlight) => ({
    pieceCount: copies.length,
    peerHas: (i: number) => has.includes(i),
    revealed: new Set(revealed),
    copies: (i: number) => copies[i]!,
    inFlight: (i: number) => inFlight[i] ?? 0,
    shown: (i: number) => shown[i] ?? 0,
  });

  it('reveals the least spread piece the peer lacks and was not shown', () => {
    expect(pickReveal(state([3, 1, 0, 2]), Math.random)).toBe(2);
    expect(pickReveal(state([3, 1, 0, 2], [2]), Math.random)).toBe(1);
    expect(pickReveal(state([3, 1, 0, 2], [2], [1]), Math.random)).toBe(3);
    expect(pickReveal(state([1, 1], [0, 1]), Math.random)).toBeNull();
  });

  it('counts reveals in flight as copies, but reveals a piece on its way to its first holder last', () => {
    // Piece 0: nobody has it, one reveal in flight; piece 1: one copy and one reveal; piece 2: three copies.
    expect(pickReveal(state([0, 1, 3], [], [], [1, 1, 0]), Math.random)).toBe(1);
    expect(pickReveal(state([0, 1, 3], [1], [], [1, 1, 0]), Math.random)).toBe(2);
    // Only then a second reveal of the piece still on its way: we would send it twice.
    expect(pickReveal(state([0, 1, 3], [1, 2], [], [1, 1, 0]), Math.random)).toBe(0);
    // A piece nobody has and nobody fetches comes before all of them.
    expect(pickReveal(state([0, 1, 3, 0], [], [], [1, 1, 0, 0]), Math.random)).toBe(3);
  });

  it('a piece shown only to a choked peer is not on its way, but one shown to nobody comes first', () => {
    // Pieces 0 and 1: nobody has them, none in flight; piece 0 was shown to a peer we choke.
    expect(pickReveal(state([0, 0, 1], [], [], [0, 0, 0], [1, 0, 0]), Math.random)).toBe(1);
    // Once every piece has been shown, the choked peer's piece still comes before one already out.
    expect(pickReveal(state([0, 0, 1], [1], [], [0, 0, 0], [1, 0, 0]), Math.random)).toBe(0);
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

describe('InitialSeeding', () => {
  const piece = 256 * 1024;
  /**
   * Pieces 0 and 1 are only ours; piece 2 is out already (one neighbour has it). Peer `a` is
   * unchoked and shown two pieces (0 and 1, the ones only we have); `b` is connected.
   */
  const shownToA = () => {
    const shown = new Map<string, number[]>();
    const copies = [0, 0, 1];
    const seeding = new InitialSeeding(copies.length, piece, { copies: (i) => copies[i]!, sendHave: (key, i) => shown.set(key, [...(shown.get(key) ?? []), i]) }, Math.random);
    const none = new Bitfield(copies.length);
    for (const key of ['a', 'b']) seeding.start(key);
    seeding.setUnchoked('a', true);
    seeding.reveal('a', none, 0);
    /** Unchokes `key` and reveals to it; what it was shown, in order. */
    const unchokeAndReveal = (key: string) => {
      seeding.start(key);
      seeding.setUnchoked(key, true);
      seeding.reveal(key, none, 0);
      return shown.get(key)!;
    };
    return { seeding, shown, unchokeAndReveal };
  };

  it('does not show a second peer the pieces on their way to an unchoked one', () => {
    const { shown, unchokeAndReveal } = shownToA();
    expect([...shown.get('a')!].sort()).toEqual([0, 1]);
    expect(unchokeAndReveal('b')[0]).toBe(2);
  });

  it('shows others what a choked peer was shown: it cannot fetch it, so it is not on its way', () => {
    const { seeding, unchokeAndReveal } = shownToA();
    seeding.setUnchoked('a', false);
    expect([...unchokeAndReveal('b')].sort()).toEqual([0, 1]);
    // Unchoked again, its reveals count again: a third peer is shown the piece already out first.
    seeding.setUnchoked('a', true);
    expect(unchokeAndReveal('c')[0]).toBe(2);
  });

  it('a peer that leaves takes its reveals with it', () => {
    const { seeding, unchokeAndReveal } = shownToA();
    seeding.removePeer('a');
    expect([...unchokeAndReveal('b')].sort()).toEqual([0, 1]);
  });
});
