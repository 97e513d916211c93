/**
 * Server configuration: every option has a default and an environment variable (documented in the
 * README). Invalid values stop start-up with a message naming the variable, rather than running
 * with a surprise.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IceServer } from './ice.ts';
import type { LogLevel } from './log.ts';
import type { RedisConfig } from './redis/options.ts';
import type { TrackerOptions } from './tracker/options.ts';
import type { StoreConfig } from './store/options.ts';
import type { TurnConfig } from './turn.ts';

export interface ServerConfig {
  port: number;
  host: string;
  /** Folder of the built web app. */
  staticDir: string;
  iceServers: IceServer[];
  /** A coturn sharing a secret with us: /config hands out short-lived credentials for it; absent = no relay. */
  turn?: TurnConfig;
  logLevel: LogLevel;
  tracker: TrackerOptions;
  /** Several processes sharing swarms through Redis; absent = this process alone, in memory. */
  redis?: RedisConfig;
  /** On SIGTERM, how long clients get to finish the closing handshake before they are cut. */
  shutdownGraceMs: number;
  /** The seed of last resort (files kept after their sharers leave); absent = none. */
  store?: StoreConfig;
}

/**
 * The package's dist/: beside the nearest package.json above this module. This file runs from
 * signal-server/ in a checkout and from a chunk in lib/ (at some depth) when built, so the
 * distance to the package root is not fixed.
 */
export function packageRoot(from: string = fileURLToPath(new URL('.', import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return from;
  }
}

export const DEFAULT_STATIC_DIR = join(packageRoot(), 'dist');

export class ConfigError extends Error {}

export function intFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name}=${raw} is not a whole number from ${min} to ${max}.`);
  }
  return value;
}
