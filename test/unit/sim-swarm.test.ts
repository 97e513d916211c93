import { describe, expect, it } from 'vitest';
import { simulate, type Scenario } from '../sim/sim-swarm.ts';

const MiB = 1024 * 1024;

function small(randomSeed: number): Scenario {
  const link = { upBps: 1 * MiB, downBps: 4 * MiB, latencyMs: 12.5 };
  return {
    name: 'small',
    fileBytes: 2 * MiB,
    seed: link,
    peers: Array.from({ length: 6 }, (_, i) => ({ ...link, arrivalMs: i * 100, freeRider: false, leavesAt: null })),
    leaveWhenDone: false,
    seedLeavesAfterBytes: null,
    randomSeed,
  };
}

describe('the simulator: a swarm of real engines on virtual time', () => {
  it('is deterministic: the same seed gives the same run, event for event', async () => {
    const a = await simulate(small(7));
    const b = await simulate(small(7));
    expect(a.peers.map((p) => p.finishedMs)).toEqual(b.peers.map((p) => p.finishedMs));
    expect(a.peers.map((p) => p.uploaded)).toEqual(b.peers.map((p) => p.uploaded));
    expect(a.events).toBe(b.events);
    expect(a.seconds).toBe(b.seconds);
  });

  it('every peer finishes, no sooner than the bound allows, and the peers upload to each other', async () => {
    const r = await simulate(small(3));
    expect(r.peers.every((p) => p.finishedMs !== null)).toBe(true);
    expect(r.seconds).toBeGreaterThanOrEqual(r.dP2p);
    expect(r.peers.reduce((a, p) => a + p.uploaded, 0)).toBeGreaterThan(0);
    // The seeder sent every piece at least once, and under 6 copies: the peers carried the rest.
    expect(r.allPiecesOutMs).not.toBeNull();
    expect(r.seedUploaded).toBeLessThan(6 * r.fileBytes);
  });

  it('a free-rider uploads nothing and still finishes', async () => {
    const s = small(5);
    s.peers[0] = { ...s.peers[0]!, freeRider: true };
    const r = await simulate(s);
    expect(r.peers[0]!.uploaded).toBeLessThan(64 * 1024); // handshakes, bitfields, haves, requests: no pieces
    expect(r.peers[0]!.finishedMs).not.toBeNull();
  });
});
