/** The free-rider ceiling (test/sim/free-rider-bound.ts): how much later free-riders can finish without idle upload. */
import { describe, expect, it } from 'vitest';
import { freeRiderCeiling } from '../sim/free-rider-bound.ts';
import { scenario } from '../sim/scenarios.ts';
import type { Scenario } from '../sim/sim-swarm.ts';

const MiB = 1024 * 1024;

function swarm(contributors: number, riders: number, up: number, down: number, seedUp: number): Scenario {
  const peer = (freeRider: boolean) => ({ upBps: up, downBps: down, latencyMs: 0, arrivalMs: 0, freeRider, leavesAt: null });
  return {
    name: 't',
    fileBytes: 64 * MiB,
    seed: { upBps: seedUp, downBps: down, latencyMs: 0 },
    peers: [...Array.from({ length: contributors }, () => peer(false)), ...Array.from({ length: riders }, () => peer(true))],
    leaveWhenDone: false,
    seedLeavesAfterBytes: null,
    randomSeed: 1,
  };
}

describe('freeRiderCeiling', () => {
  it('is 1 + (riders’ bytes at the swarm’s rate) / (contributors’ own bound)', () => {
    // 8 contributors at 1 MiB/s up, 2 riders, seed 1 MiB/s, 4 MiB/s down: contributors ≥ 64 s
    // (the seed's F/u_s); then 9 MiB/s of supply, but the riders take at most 8: 128 MiB / 8 = 16 s.
    const c = freeRiderCeiling(swarm(8, 2, 1 * MiB, 4 * MiB, 1 * MiB))!;
    expect(c.contributorsSeconds).toBeCloseTo(64, 6);
    expect(c.extraSeconds).toBeCloseTo(16, 6);
    expect(c.ratio).toBeCloseTo(1.25, 6);
  });

  it('grows when the seed is fast and the riders many (contributors’ bound falls, riders’ time rises)', () => {
    const c = freeRiderCeiling(swarm(2, 8, 1 * MiB, 4 * MiB, 8 * MiB))!;
    // Contributors: max(8, 16, 2·64/10 = 12.8) = 16 s; riders: 8·64 / min(10, 32) = 51.2 s.
    expect(c.contributorsSeconds).toBeCloseTo(16, 6);
    expect(c.extraSeconds).toBeCloseTo(51.2, 6);
    expect(c.ratio).toBeCloseTo(4.2, 6);
  });

  it('is null without free-riders or without contributors', () => {
    expect(freeRiderCeiling(swarm(10, 0, MiB, 4 * MiB, MiB))).toBeNull();
    expect(freeRiderCeiling(swarm(0, 10, MiB, 4 * MiB, MiB))).toBeNull();
  });

  it('is 1.25 for the simulator’s free-rider scenario at every N: the 1.5 × goal needs idle upload there', () => {
    for (const n of [10, 100, 1000]) expect(freeRiderCeiling(scenario('free-riders', n))!.ratio).toBeCloseTo(1.25, 2);
  });
});
