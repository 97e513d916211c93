/**
 * The teaching demo's settings, free of DOM: the fast clock, the join link, and what each tab
 * advertises about itself to its neighbours (its limits and whether it is the seeder).
 */
import { OPTIMISTIC_UNCHOKE_INTERVAL_MS, RECHOKE_INTERVAL_MS } from '../../shared/constants.ts';
import type { EngineOptions } from '../engine/options.ts';

/** "Fast clock" divides every choking interval by this: 10 s → 1 s, 30 s → 3 s, for a short lesson. */
export const FAST_CLOCK_FACTOR = 10;

export function chokerIntervals(fast: boolean): { rechokeIntervalMs: number; optimisticIntervalMs: number } {
  const f = fast ? FAST_CLOCK_FACTOR : 1;
  return { rechokeIntervalMs: RECHOKE_INTERVAL_MS / f, optimisticIntervalMs: OPTIMISTIC_UNCHOKE_INTERVAL_MS / f };
}

/** Plain BitTorrent, as the chapter tells it: the seeder shows its whole bitfield (no initial seeding). */
export function demoEngineOptions(fast: boolean): Partial<EngineOptions> {
  return { ...chokerIntervals(fast), superSeed: false };
}

/** What a demo tab's address carries: the swarm to join and the clock everyone uses. */
export interface JoinLink {
  magnet: string;
  fast: boolean;
}

export function joinHash(link: JoinLink): string {
  return `#swarm=${encodeURIComponent(link.magnet)}&fast=${link.fast ? 1 : 0}`;
}

export function parseJoinHash(hash: string): JoinLink | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const magnet = params.get('swarm');
  if (!magnet || !magnet.startsWith('magnet:')) return null;
  return { magnet, fast: params.get('fast') === '1' };
}

/** Advert keys (BEP 10 handshake, see Torrent.setAdvert): limits in bytes/s (0 = none), seeder 1 or 0. */
export interface PeerLimits {
  up: number;
  down: number;
  seeder: boolean;
}

export function toAdvert(l: PeerLimits): Record<string, number> {
  return { up: l.up, down: l.down, seeder: l.seeder ? 1 : 0 };
}

export function fromAdvert(a: Record<string, number> | null): PeerLimits | null {
  if (!a || a.up === undefined || a.down === undefined) return null;
  return { up: Math.max(0, a.up), down: Math.max(0, a.down), seeder: a.seeder === 1 };
}

/** Default demo file: big enough for 32 pieces to trade, small enough for a classroom's Wi-Fi. */
export const DEFAULT_DEMO_MIB = 8;
/** Deterministic bytes for a demo file (a different `seed` gives a different swarm). */
export function demoBytes(bytes: number, seed: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
