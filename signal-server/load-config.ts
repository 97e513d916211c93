import { DEFAULT_PORT } from '../shared/constants.ts';
import { ConfigError, DEFAULT_STATIC_DIR, intFromEnv, type ServerConfig } from './config.ts';
import { parseIceServers } from './ice.ts';
import { isLogLevel } from './log.ts';
import { redisConfigFromEnv } from './redis/options.ts';
import { trackerOptionsFromEnv } from './tracker/options.ts';
import { storeConfigFromEnv } from './store/options.ts';
import { turnConfigFromEnv } from './turn.ts';

/** Reads every option from the environment (see the README's table); throws ConfigError on a bad value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const logLevel = env.LOG_LEVEL || 'info';
  if (!isLogLevel(logLevel)) throw new ConfigError(`LOG_LEVEL=${logLevel} must be one of debug, info, warn, error.`);
  return {
    port: intFromEnv(env, 'PORT', DEFAULT_PORT, 0, 65_535),
    host: env.HOST || '0.0.0.0',
    staticDir: env.STATIC_DIR || DEFAULT_STATIC_DIR,
    iceServers: parseIceServers(env.ICE_SERVERS),
    turn: turnConfigFromEnv(env),
    logLevel,
    tracker: trackerOptionsFromEnv(env),
    redis: redisConfigFromEnv(env),
    shutdownGraceMs: intFromEnv(env, 'SHUTDOWN_GRACE_MS', 3_000),
    store: storeConfigFromEnv(env),
  };
}
