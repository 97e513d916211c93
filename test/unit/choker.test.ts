/** Choking with an injected clock and random source; peers as a rate table. */
import { describe, expect, it } from 'vitest';
import { pickOptimistic, rechoke, type ChokePeer } from '../../client/engine/choker.ts';
import { ChokeScheduler } from '../../client/engine/choke-scheduler.ts';
import { ManualClock } from '../../client/engine/clock.ts';

const T0 = 1_000_000;
/** id, interested, download rate from them, upload rate to them, connected at, snubbed */
function table(rows: Array<[string, boolean, number, number, number?, boolean?]>): ChokePeer[] {
  return rows.map(([id, interested, downloadRate, uploadRate, connectedAtMs = T0 - 600_000, snubbed = false]) => ({ id, interested, downloadRate, uploadRate, connectedAtMs, snubbed }));
}
const seq = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length]!;
};

describe('regular unchokes', () => {
  const peers = table([
    ['a', true, 100, 5],
    ['b', true, 900, 1],
    ['c', true, 500, 9],
    ['d', false, 9999, 9999],
    ['e', true, 300, 7],
    ['f', true, 700, 3],
    ['g', true, 50, 8],
  ]);

  it('leeching: the 4 interested peers that send us the most', () => {
    expect(rechoke(peers, null, false, T0, seq(0), { slots: 4, seeding: false }).regular).toEqual(['b', 'f', 'c', 'e']);
  });

  it('seeding: the 4 interested peers we send the most to', () => {
    expect(rechoke(peers, null, false, T0, seq(0), { slots: 4, seeding: true }).regular).toEqual(['c', 'g', 'e', 'a']);
  });

  it('never unchokes an uninterested peer, however fast', () => {
    const d = rechoke(peers, null, false, T0, seq(0.99), { slots: 4, seeding: false });
    expect(d.unchoked.has('d')).toBe(false);
  });

  it('a snubbed peer earns no regular slot while leeching', () => {
    const snub = table([
      ['fast-but-snubbing', true, 10_000, 0, undefined, true],
      ['x', true, 10, 0],
    ]);
    expect(rechoke(snub, null, false, T0, seq(0), { slots: 1, seeding: false }).regular).toEqual(['x']);
  });
});

describe('optimistic unchoke', () => {
  const peers = table([
    ['a', true, 400, 0],
    ['b', true, 300, 0],
    ['c', true, 200, 0],
    ['d', true, 100, 0],
    ['e', true, 0, 0],
    ['f', true, 0, 0],
    ['g', false, 0, 0],
  ]);

  it('adds one choked interested peer on top of the 4 regular', () => {
    const d = rechoke(peers, null, true, T0, seq(0.0), { slots: 4, seeding: false });
    expect(d.regular).toEqual(['a', 'b', 'c', 'd']);
    expect(d.optimistic).toBe('e');
    expect(d.unchoked).toEqual(new Set(['a', 'b', 'c', 'd', 'e']));
  });

  it('keeps its peer between rotations and changes it when the period is up (fake time, 10 s / 30 s)', () => {
    const random = seq(0.0, 0.99);
    let optimistic: string | null = null;
    const history: Array<string | null> = [];
    let lastRotation = -Infinity;
    for (let t = 0; t <= 60_000; t += 10_000) {
      const rotate = t - lastRotation >= 30_000;
      if (rotate) lastRotation = t;
      optimistic = rechoke(peers, optimistic, rotate, T0 + t, random, { slots: 4, seeding: false }).optimistic;
      history.push(optimistic);
    }
    // Rotations at 0, 30 and 60 s: e, then f, then e; the 10 s rechokes in between keep it.
    expect(history).toEqual(['e', 'e', 'e', 'f', 'f', 'f', 'e']);
  });

  it('replaces an optimistic peer that lost interest before its period is up', () => {
    const changed = peers.map((p) => (p.id === 'e' ? { ...p, interested: false } : p));
    expect(rechoke(changed, 'e', false, T0, seq(0), { slots: 4, seeding: false }).optimistic).toBe('f');
  });

  it('favours newly connected peers three to one', () => {
    const pool = table([
      ['old', true, 0, 0, T0 - 600_000],
      ['new', true, 0, 0, T0 - 5_000],
    ]);
    let fresh = 0;
    const n = 4000;
    for (let i = 0; i < n; i++) if (pickOptimistic(pool, new Set(), T0, () => (i + 0.5) / n) === 'new') fresh++;
    expect(fresh / n).toBeCloseTo(0.75, 2);
  });

  it('returns null when every interested peer already has a regular slot', () => {
    expect(pickOptimistic(table([['a', true, 1, 1]]), new Set(['a']), T0, seq(0.5))).toBeNull();
  });
});

describe('between rechokes (ChokeScheduler)', () => {
  /** A port over a mutable table: who is choked, as the scheduler sets it. */
  function port(rows: ChokePeer[], slots = 4) {
    const choking = new Set(rows.map((p) => p.id));
    return {
      rows,
      choking,
      port: { table: () => rows, isChoking: (id: string) => choking.has(id), setChoking: (id: string, c: boolean) => void (c ? choking.add(id) : choking.delete(id)), slots: () => slots, seeding: () => false, reshare: () => true },
    };
  }

  it('a slot freed by an unchoked peer losing interest goes at once to the best choked interested peer; nobody is choked', () => {
    const peers = table([['a', true, 500, 0], ['b', true, 400, 0], ['c', true, 300, 0], ['d', true, 200, 0], ['e', true, 100, 0], ['f', true, 90, 0], ['g', true, 10, 0]]);
    const p = port(peers);
    const clock = new ManualClock(T0);
    const s = new ChokeScheduler(clock, seq(0.99), p.port, { rechokeIntervalMs: 10_000, optimisticIntervalMs: 30_000 });
    s.rerank();
    // a–d regular, one optimistic among e–g.
    const unchokedBefore = peers.filter((x) => !p.choking.has(x.id)).map((x) => x.id);
    expect(unchokedBefore).toHaveLength(5);
    const waiting = peers.filter((x) => p.choking.has(x.id) && x.interested).map((x) => x.id);
    // b has all it wants from us.
    peers[1]!.interested = false;
    s.onInterest('b', false);
    const best = waiting.sort((x, y) => peers.find((q) => q.id === y)!.downloadRate - peers.find((q) => q.id === x)!.downloadRate)[0]!;
    expect(p.choking.has(best)).toBe(false);
    for (const id of unchokedBefore) expect(p.choking.has(id), id).toBe(false);
    // No second taker: the slots are full again.
    const after = peers.filter((x) => !p.choking.has(x.id)).length;
    s.onInterest('b', false);
    expect(peers.filter((x) => !p.choking.has(x.id)).length).toBe(after);
  });

  it('a choked peer losing interest changes nothing', () => {
    const peers = table([['a', true, 500, 0], ['b', true, 400, 0], ['c', true, 300, 0], ['d', true, 200, 0], ['e', true, 100, 0], ['f', true, 90, 0], ['g', true, 10, 0]]);
    const p = port(peers);
    const s = new ChokeScheduler(new ManualClock(T0), seq(0.99), p.port, { rechokeIntervalMs: 10_000, optimisticIntervalMs: 30_000 });
    s.rerank();
    const before = [...p.choking].sort();
    const choked = before[0]!;
    peers.find((x) => x.id === choked)!.interested = false;
    s.onInterest(choked, false);
    expect([...p.choking].sort()).toEqual(before);
  });
});
