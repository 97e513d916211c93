/**
 * Tracker limits and intervals. Each is a named option with a default chosen for a public
 * deployment, overridable by an environment variable (see the README's table). Tests and
 * benchmarks pass their own.
 */
import { ANNOUNCE_INTERVAL_S } from '../../shared/constants.ts';
import { DEFAULT_VALIDATION_LIMITS } from '../../shared/tracker/validate.ts';
import { intFromEnv } from '../config.ts';

export interface TrackerOptions {
  /** Seconds a client should wait between announces (sent in every reply). */
  announceIntervalS: number;
  /** A peer that has not announced for this long is dropped (it missed about two announces). */
  peerTimeoutMs: number;
  /** How often timed-out peers and expired offers are swept. */
  sweepIntervalMs: number;
  /** An offer can be answered for this long after we forwarded it. */
  offerTtlMs: number;
  /** Bound on remembered offers (oldest forgotten first), so a flood cannot grow memory without end. */
  maxPendingOffers: number;
  /** Largest WebSocket frame accepted; larger frames close the socket (code 1009). */
  maxFrameBytes: number;
  /** Largest SDP (offer or answer) accepted. */
  maxSdpBytes: number;
  /** Most offers in one announce (also caps how many peers an announce reaches). */
  maxOffersPerAnnounce: number;
  /** Most info hashes in one scrape. */
  maxScrapeHashes: number;
  /** Most swarms one socket may join. */
  maxSwarmsPerSocket: number;
  /** Most open sockets from one IP address (0 = no limit). */
  maxSocketsPerIp: number;
  /** Sustained announces (and answers) per second per socket… */
  announcesPerSecond: number;
  /** …with bursts up to this many. */
  announceBurst: number;
  /** A socket whose unsent data exceeds this is a reader too slow to keep; it is closed. */
  maxSendQueueBytes: number;
  /** WebSocket ping period; a socket that missed the previous pong is closed. */
  heartbeatIntervalMs: number;
}

export const DEFAULT_TRACKER_OPTIONS: TrackerOptions = {
  announceIntervalS: ANNOUNCE_INTERVAL_S,
  peerTimeoutMs: 2 * ANNOUNCE_INTERVAL_S * 1000 + 30_000,
  sweepIntervalMs: 30_000,
  offerTtlMs: 60_000,
  maxPendingOffers: 200_000,
  maxFrameBytes: 64 * 1024,
  maxSdpBytes: DEFAULT_VALIDATION_LIMITS.maxSdpLength,
  maxOffersPerAnnounce: DEFAULT_VALIDATION_LIMITS.maxOffers,
  maxScrapeHashes: DEFAULT_VALIDATION_LIMITS.maxScrapeHashes,
  maxSwarmsPerSocket: 100,
  maxSocketsPerIp: 256,
  announcesPerSecond: 5,
  announceBurst: 20,
  maxSendQueueBytes: 1024 * 1024,
  heartbeatIntervalMs: 30_000,
};

/** Environment variable for each option: the option name in CONSTANT_CASE. */
export const TRACKER_ENV: Record<keyof TrackerOptions, string> = {
  announceIntervalS: 'ANNOUNCE_INTERVAL_S',
  peerTimeoutMs: 'PEER_TIMEOUT_MS',
  sweepIntervalMs: 'SWEEP_INTERVAL_MS',
  offerTtlMs: 'OFFER_TTL_MS',
  maxPendingOffers: 'MAX_PENDING_OFFERS',
  maxFrameBytes: 'MAX_FRAME_BYTES',
  maxSdpBytes: 'MAX_SDP_BYTES',
  maxOffersPerAnnounce: 'MAX_OFFERS_PER_ANNOUNCE',
  maxScrapeHashes: 'MAX_SCRAPE_HASHES',
  maxSwarmsPerSocket: 'MAX_SWARMS_PER_SOCKET',
  maxSocketsPerIp: 'MAX_SOCKETS_PER_IP',
  announcesPerSecond: 'ANNOUNCES_PER_SECOND',
  announceBurst: 'ANNOUNCE_BURST',
  maxSendQueueBytes: 'MAX_SEND_QUEUE_BYTES',
  heartbeatIntervalMs: 'HEARTBEAT_INTERVAL_MS',
};

/** Options that must be at least 1 (a zero interval or zero-size limit would make the tracker useless). */
const MIN_ONE = new Set<keyof TrackerOptions>(['announceIntervalS', 'peerTimeoutMs', 'sweepIntervalMs', 'offerTtlMs', 'maxPendingOffers', 'maxFrameBytes', 'maxSdpBytes', 'maxScrapeHashes', 'maxSwarmsPerSocket', 'announcesPerSecond', 'announceBurst', 'maxSendQueueBytes', 'heartbeatIntervalMs']);

export function trackerOptionsFromEnv(env: NodeJS.ProcessEnv): TrackerOptions {
  const out = { ...DEFAULT_TRACKER_OPTIONS };
  for (const key of Object.keys(TRACKER_ENV) as Array<keyof TrackerOptions>) {
    out[key] = intFromEnv(env, TRACKER_ENV[key], DEFAULT_TRACKER_OPTIONS[key], MIN_ONE.has(key) ? 1 : 0);
  }
  return out;
}
