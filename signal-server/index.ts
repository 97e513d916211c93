/**
 * `tabswarm/server`: the tracker and app server as a library. `createTabswarmServer` is what
 * `npm start` runs (its own port: the app, /config, /healthz, /metrics and the tracker);
 * `mountTracker` puts only the tracker on an HTTP server you already have.
 */
export { createTabswarmServer, type TabswarmServer, type ServerDeps } from './server.ts';
export { mountTracker, DEFAULT_MOUNT_PATHS, type MountOptions, type MountedTracker } from './mount.ts';
export { loadConfig } from './load-config.ts';
export { ConfigError, DEFAULT_STATIC_DIR, type ServerConfig } from './config.ts';
export { DEFAULT_TRACKER_OPTIONS, type TrackerOptions } from './tracker/options.ts';
export type { RedisConfig } from './redis/options.ts';
export { createLogger, silentLogger, type Logger, type LogLevel } from './log.ts';
