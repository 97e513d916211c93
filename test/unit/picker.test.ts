/** Piece picking, with compact fixtures: "1101" = which pieces a peer has; [2,1,3,…] = availability. */
import { describe, expect, it } from 'vitest';
import { Bitfield } from '../../shared/bitfield.ts';
import { newProgress, nextRequests, type PickerSnapshot, type PieceProgress } from '../../client/engine/picker.ts';
import { Availability } from '../../client/engine/availability.ts';

const PIECE = 4 * 16_384; // 4 blocks a piece keeps fixtures small

function snapshot(have: string, availability: number[], inProgress: Record<number, PieceProgress> = {}, totalLength = have.length * PIECE): PickerSnapshot {
  const haveBits = Bitfield.fromString(have);
  return { pieceCount: have.length, pieceLength: PIECE, totalLength, have: haveBits, rarity: Availability.withCounts(availability, haveBits, rng(99)), inProgress: new Map(Object.entries(inProgress).map(([k, v]) => [Number(k), v])) };
}

/** A peer's pieces; `wanted` is counted against the snapshot's `have` by the test that uses it (all pieces we lack here). */
const peer = (has: string, slots = 100, id = 'p') => ({ id, has: Bitfield.fromString(has), wanted: [...has].filter((c) => c === '1').length, slots });
/** A seeded PRNG, so tie-break tests are reproducible. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe('rarest first', () => {
  it('requests the piece only one peer holds before common ones', () => {
    // We have 4 pieces (past the random start). Piece 6 is held by one peer, the rest by three.
    const s = snapshot('11110000', [3, 3, 3, 3, 3, 3, 1, 3]);
    const { requests, newPieces } = nextRequests(s, peer('11111111', 4), rng(1));
    expect(newPieces[0]).toBe(6);
    expect(requests.map((r) => r.index)).toEqual([6, 6, 6, 6]);
  });

  it('orders new pieces by availability', () => {
    const s = snapshot('11110000', [9, 9, 9, 9, 4, 2, 3, 1]);
    expect(nextRequests(s, peer('11111111', 16), rng(2)).newPieces).toEqual([7, 5, 6, 4]);
  });

  it('breaks ties at random, every tied piece getting chosen over many draws', () => {
    const s = snapshot('11110000', [5, 5, 5, 5, 2, 2, 2, 7]);
    const firsts = new Map<number, number>();
    const random = rng(3);
    for (let i = 0; i < 3000; i++) {
      const first = nextRequests(s, peer('11111111', 1), random).newPieces[0]!;
      firsts.set(first, (firsts.get(first) ?? 0) + 1);
    }
    expect([...firsts.keys()].sort()).toEqual([4, 5, 6]);
    for (const n of firsts.values()) expect(n).toBeGreaterThan(800);
  });

  it('picks at random among everything while we have fewer than 4 pieces', () => {
    const s = snapshot('10000000', [1, 9, 9, 9, 9, 9, 9, 1]);
    const firsts = new Set<number>();
    const random = rng(4);
    for (let i = 0; i < 500; i++) firsts.add(nextRequests(s, peer('11111111', 1), random).newPieces[0]!);
    // Common pieces are chosen too, not only the rare piece 7.
    expect(firsts.size).toBe(7);
  });
});

describe('what may be requested', () => {
  it('only pieces the peer has and we lack', () => {
    const s = snapshot('11110100', [1, 1, 1, 1, 1, 1, 1, 1]);
    const { requests } = nextRequests(s, peer('00011111'), rng(5));
    expect(new Set(requests.map((r) => r.index))).toEqual(new Set([4, 6, 7]));
  });

  it('16 KiB blocks, the last block of the last piece short', () => {
    const s = snapshot('1111' + '0', [1, 1, 1, 1, 1], {}, 4 * PIECE + 20_000);
    const { requests } = nextRequests(s, peer('11111'), rng(6));
    expect(requests).toEqual([
      { index: 4, begin: 0, length: 16_384 },
      { index: 4, begin: 16_384, length: 20_000 - 16_384 },
    ]);
  });

  it('finishes a started piece before starting a rarer one', () => {
    const progress = newProgress(4);
    progress.received[0] = true;
    progress.requested[0] = true;
    progress.requested[1] = true;
    const s = snapshot('11110000', [3, 3, 3, 3, 3, 9, 1, 3], { 5: progress });
    const { requests } = nextRequests(s, peer('11111111', 3), rng(7));
    expect(requests.slice(0, 2)).toEqual([
      { index: 5, begin: 2 * 16_384, length: 16_384 },
      { index: 5, begin: 3 * 16_384, length: 16_384 },
    ]);
    expect(requests[2]!.index).toBe(6);
  });

  it('respects the peer’s free pipeline slots', () => {
    expect(nextRequests(snapshot('11110000', [1, 1, 1, 1, 1, 1, 1, 1]), peer('11111111', 5), rng(8)).requests).toHaveLength(5);
    expect(nextRequests(snapshot('11110000', [1, 1, 1, 1, 1, 1, 1, 1]), peer('11111111', 0), rng(8)).requests).toHaveLength(0);
  });
});

describe('endgame', () => {
  it('when every missing block is out, asks this peer for blocks requested from others', () => {
    const progress = newProgress(4);
    for (let b = 0; b < 4; b++) {
      progress.requested[b] = true;
      progress.requestedFrom[b]!.add(b < 2 ? 'other' : 'p');
    }
    progress.received[0] = true;
    const s = snapshot('1110', [1, 1, 1, 2], { 3: progress });
    const { requests, endgame } = nextRequests(s, peer('1111'), rng(9));
    expect(endgame).toBe(true);
    // Block 0 arrived, blocks 2 and 3 are already out to this peer: only block 1 is duplicated.
    expect(requests).toEqual([{ index: 3, begin: 16_384, length: 16_384 }]);
  });

  it('does not enter endgame while any missing block is unrequested', () => {
    const progress = newProgress(4);
    progress.requested.fill(true);
    const s = snapshot('11000', [1, 1, 1, 1, 1], { 2: progress });
    // Peer lacks pieces 3 and 4 (unrequested), has only 2 (all out): no duplicates yet.
    const r = nextRequests(s, peer('11100'), rng(10));
    expect(r).toEqual({ requests: [], newPieces: [], endgame: false });
  });
});
