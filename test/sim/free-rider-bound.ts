/**
 * How much later free-riders can finish than contributors at most, in a schedule that never leaves
 * upload idle — the yardstick for the "free-riders finish ≥ 1.5 × later" goal.
 *
 * Contributors cannot all finish before T_c = max(F/u_s, F/d, |C|·F/(u_s + Σ u_c)) (their own
 * D_p2p, as if free-riders took nothing). Once they have, every piece is on the seed and on each of
 * them, so the free-riders' bytes, |R|·F at most, flow at min(u_s + Σ u_c, Σ d_r): they are done
 * within E = |R|·F / that rate. Any schedule that keeps upload busy therefore ends the free-riders by
 * T_c' + E for the contributors' actual T_c' ≥ T_c, a ratio (T_c' + E)/T_c' ≤ 1 + E/T_c. More delay
 * than that needs peers that hold pieces a free-rider lacks to leave their upload idle.
 * Idealised: no ramp-up or protocol overhead, which make both sides later and the ratio smaller.
 */
import { dPeerToPeer } from '../../shared/theory.ts';
import type { Scenario } from './sim-swarm.ts';

export interface FreeRiderCeiling {
  /** The contributors' earliest possible finish, seconds. */
  contributorsSeconds: number;
  /** Seconds the free-riders need at most once the contributors are done. */
  extraSeconds: number;
  /** The largest free-rider / contributor finish ratio without idle upload. */
  ratio: number;
}

/** Null when the scenario has no free-riders or no contributors. */
export function freeRiderCeiling(s: Scenario): FreeRiderCeiling | null {
  const contributors = s.peers.filter((p) => !p.freeRider);
  const riders = s.peers.filter((p) => p.freeRider);
  if (contributors.length === 0 || riders.length === 0) return null;
  const F = s.fileBytes;
  const supply = s.seed.upBps + contributors.reduce((a, p) => a + p.upBps, 0);
  const contributorsSeconds = dPeerToPeer({ F, us: s.seed.upBps, ui: contributors.map((p) => p.upBps), dMin: Math.min(...contributors.map((p) => p.downBps)) });
  const extraSeconds = (riders.length * F) / Math.min(supply, riders.reduce((a, p) => a + p.downBps, 0));
  return { contributorsSeconds, extraSeconds, ratio: 1 + extraSeconds / contributorsSeconds };
}
