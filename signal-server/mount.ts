/**
 * The tracker inside someone else's Node HTTP server (Express, Fastify's raw server, plain
 * node:http), the way PeerTube mounts bittorrent-tracker: WebSocket upgrades on the given paths go
 * to the tracker; every other request and upgrade is left to the host application.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { createLogger, type Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import type { RedisConfig } from './redis/options.ts';
import type { TrackerGateway } from './tracker/gateway.ts';
import { DEFAULT_TRACKER_OPTIONS, type TrackerOptions } from './tracker/options.ts';
import { createTrackerService } from './tracker-service.ts';

export interface MountOptions {
  /** Overrides of the tracker's limits and intervals (the defaults suit a public deployment). */
  tracker?: Partial<TrackerOptions>;
  /** Share swarms with other processes through Redis; omitted, swarms live in this process. */
  redis?: RedisConfig;
  /** Where JSON log lines go; by default warnings and errors on stdout. */
  log?: Logger;
  /** URL paths whose WebSocket upgrades are the tracker's; by default only /announce. */
  paths?: readonly string[];
  /** On close(), how long clients get to finish the closing handshake before they are cut. */
  shutdownGraceMs?: number;
}

export const DEFAULT_MOUNT_PATHS: readonly string[] = ['/announce'];
export const DEFAULT_MOUNT_SHUTDOWN_GRACE_MS = 3_000;
/** How often close() looks whether every client has gone. */
const CLOSE_POLL_MS = 20;

export interface MountedTracker {
  tracker: TrackerGateway;
  metrics: Metrics;
  /** Peers and swarms this process holds (the same figures /healthz reports). */
  stats(): Record<string, number>;
  /** Stops taking upgrades, closes every tracker socket (going away) and the store. The HTTP server is the host's to close. */
  close(): Promise<void>;
}

export function mountTracker(server: Server, opts: MountOptions = {}): MountedTracker {
  const log = opts.log ?? createLogger('warn');
  const { store, tracker, metrics } = createTrackerService({ tracker: { ...DEFAULT_TRACKER_OPTIONS, ...opts.tracker }, redis: opts.redis, log });
  const paths = new Set(opts.paths ?? DEFAULT_MOUNT_PATHS);
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Another path: the host's own upgrade listeners decide.
    if (!paths.has(new URL(req.url ?? '/', 'http://localhost').pathname)) return;
    socket.on('error', () => socket.destroy());
    // The gateway also takes "/"; a path the host chose may be neither, so hand it over as /announce.
    req.url = '/announce';
    tracker.handleUpgrade(req, socket, head);
  };
  server.on('upgrade', onUpgrade);
  return {
    tracker,
    metrics,
    stats: () => ({ sockets: tracker.socketCount, ...store.local.stats() }),
    close: async () => {
      server.off('upgrade', onUpgrade);
      tracker.close();
      await new Promise<void>((resolve) => {
        const done = () => {
          clearInterval(poll);
          clearTimeout(grace);
          resolve();
        };
        const grace = setTimeout(done, opts.shutdownGraceMs ?? DEFAULT_MOUNT_SHUTDOWN_GRACE_MS);
        const poll = setInterval(() => tracker.socketCount === 0 && done(), CLOSE_POLL_MS);
      });
      tracker.terminateAll();
      await store.close();
    },
  };
}
