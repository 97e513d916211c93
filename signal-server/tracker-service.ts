/**
 * The tracker as one unit — swarm store (memory or Redis), gateway and metrics — built the same way
 * for our own server (server.ts) and for a host application's HTTP server (mount.ts).
 */
import type { Logger } from './log.ts';
import { Metrics } from './metrics.ts';
import { RedisSwarmStore } from './redis/swarm-store.ts';
import type { RedisConfig } from './redis/options.ts';
import { TrackerGateway } from './tracker/gateway.ts';
import type { TrackerOptions } from './tracker/options.ts';
import { MemorySwarmStore, type SwarmStore } from './tracker/swarm-store.ts';

export interface TrackerService {
  store: SwarmStore;
  tracker: TrackerGateway;
  metrics: Metrics;
}

export interface TrackerServiceDeps {
  tracker: TrackerOptions;
  redis?: RedisConfig;
  log: Logger;
  store?: SwarmStore;
  now?: () => number;
  random?: () => number;
}

export function createTrackerService(deps: TrackerServiceDeps): TrackerService {
  const metrics = new Metrics();
  const store =
    deps.store ?? (deps.redis ? new RedisSwarmStore({ config: deps.redis, peerTimeoutMs: deps.tracker.peerTimeoutMs, log: deps.log, now: deps.now }) : new MemorySwarmStore());
  const tracker = new TrackerGateway({ options: deps.tracker, store, metrics, log: deps.log, now: deps.now, random: deps.random });
  return { store, tracker, metrics };
}
