/**
 * The simulator's scenarios (issue: a swarm of 1,000 peers). Every one moves a 64 MiB file in
 * 256 KiB pieces with 50 ms round trips; they differ in who the peers are and when they come and go.
 */
import type { LinkSpec } from './sim-network.ts';
import { prng, type Scenario, type SimPeerSpec } from './sim-swarm.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
export const SIM_FILE_BYTES = 64 * MiB;
/** Half of a 50 ms round trip, each peer's way into the network. */
const ONE_WAY_MS = 12.5;

const homogeneousLink: LinkSpec = { upBps: 1 * MiB, downBps: 4 * MiB, latencyMs: ONE_WAY_MS };

/**
 * Upload classes over two orders of magnitude (64 KiB/s to 8 MiB/s, 128×), each downloading at
 * 4 × its upload. The shares follow the shape of the capacity mix Bharambe, Herley and
 * Padmanabhan drew from Saroiu et al.'s measurements of home peers — most peers slow, a few
 * fast — with the classes spread further apart, as the issue asks for two orders of magnitude.
 */
export const HETEROGENEOUS_CLASSES: Array<{ share: number; upBps: number }> = [
  { share: 0.2, upBps: 64 * KiB },
  { share: 0.4, upBps: 256 * KiB },
  { share: 0.25, upBps: 1 * MiB },
  { share: 0.15, upBps: 8 * MiB },
];

function peers(n: number, each: (i: number, random: () => number) => Partial<SimPeerSpec>, seed: number): SimPeerSpec[] {
  const random = prng(seed);
  return Array.from({ length: n }, (_, i) => ({ ...homogeneousLink, arrivalMs: 0, freeRider: false, leavesAt: null, ...each(i, random) }));
}

function classOf(i: number, n: number): LinkSpec {
  // Deterministic shares: the first 20 % of peers are the slowest class, and so on.
  let edge = 0;
  for (const c of HETEROGENEOUS_CLASSES) {
    edge += c.share;
    if (i < Math.round(edge * n)) return { upBps: c.upBps, downBps: 4 * c.upBps, latencyMs: ONE_WAY_MS };
  }
  const last = HETEROGENEOUS_CLASSES.at(-1)!;
  return { upBps: last.upBps, downBps: 4 * last.upBps, latencyMs: ONE_WAY_MS };
}

export type ScenarioName = 'homogeneous' | 'heterogeneous' | 'spread-arrivals' | 'churn' | 'free-riders';
export const SCENARIO_NAMES: ScenarioName[] = ['homogeneous', 'heterogeneous', 'spread-arrivals', 'churn', 'free-riders'];

/** Arrivals spread over this long (a Poisson process of this mean span), against the flash crowd's all-at-once. */
const SPREAD_ARRIVALS_MS = 120_000;
/** The share of peers that leave at a random point of their download in the churn scenario. */
const EARLY_LEAVERS = 0.1;
const FREE_RIDERS = 0.2;

export function scenario(name: ScenarioName, n: number, randomSeed = 1): Scenario {
  const base = { fileBytes: SIM_FILE_BYTES, seed: homogeneousLink, leaveWhenDone: false, seedLeavesAfterBytes: null, randomSeed };
  switch (name) {
    case 'homogeneous':
      return { ...base, name, peers: peers(n, () => ({}), randomSeed) };
    case 'heterogeneous':
      return { ...base, name, peers: peers(n, (i) => classOf(i, n), randomSeed) };
    case 'spread-arrivals':
      // Exponential gaps: a Poisson process whose n arrivals span SPREAD_ARRIVALS_MS on average.
      return { ...base, name, peers: arrivals(peers(n, () => ({}), randomSeed), randomSeed) };
    case 'churn':
      // Everyone leaves when done, some mid-download, and the seed after uploading 1.5 copies.
      return {
        ...base,
        name,
        leaveWhenDone: true,
        seedLeavesAfterBytes: 1.5 * SIM_FILE_BYTES,
        peers: arrivals(peers(n, (_, r) => (r() < EARLY_LEAVERS ? { leavesAt: 0.1 + 0.8 * r() } : {}), randomSeed), randomSeed + 1),
      };
    case 'free-riders':
      return { ...base, name, peers: peers(n, (i) => ({ freeRider: i % Math.round(1 / FREE_RIDERS) === 0 }), randomSeed) };
  }
}

function arrivals(list: SimPeerSpec[], seed: number): SimPeerSpec[] {
  const random = prng(seed ^ 0x5eed);
  const meanGap = SPREAD_ARRIVALS_MS / list.length;
  let t = 0;
  return list.map((p) => {
    t += -Math.log(1 - random()) * meanGap;
    return { ...p, arrivalMs: Math.round(t) };
  });
}
