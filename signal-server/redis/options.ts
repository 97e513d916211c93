/**
 * Redis scale-out settings. REDIS_URL turns it on; without it the tracker keeps its swarms in this
 * process's memory. Every process sharing one Redis (and one REDIS_PREFIX) serves the same swarms.
 */
import { ConfigError, intFromEnv } from '../config.ts';

export interface RedisConfig {
  /** redis://[user:password@]host:port[/db] */
  url: string;
  /** Prefix of every key and channel, so several deployments can share one Redis. */
  prefix: string;
  /** A process that has not refreshed its heartbeat for this long is dead: its peers are removed. */
  nodeTtlMs: number;
  /** A Redis command that takes longer fails, and the process answers from its own peers meanwhile. */
  commandTimeoutMs: number;
}

export const DEFAULT_REDIS_PREFIX = 'tabswarm:';
export const DEFAULT_NODE_TTL_MS = 10_000;
export const DEFAULT_COMMAND_TIMEOUT_MS = 2_000;

export function redisConfigFromEnv(env: NodeJS.ProcessEnv): RedisConfig | undefined {
  const url = env.REDIS_URL;
  if (url === undefined || url === '') return undefined;
  if (!/^rediss?:\/\//.test(url)) throw new ConfigError(`REDIS_URL=${url} must start with redis:// or rediss://.`);
  const prefix = env.REDIS_PREFIX ?? DEFAULT_REDIS_PREFIX;
  if (prefix.includes('|')) throw new ConfigError(`REDIS_PREFIX=${prefix} must not contain "|".`);
  return {
    url,
    prefix,
    nodeTtlMs: intFromEnv(env, 'REDIS_NODE_TTL_MS', DEFAULT_NODE_TTL_MS, 500),
    commandTimeoutMs: intFromEnv(env, 'REDIS_COMMAND_TIMEOUT_MS', DEFAULT_COMMAND_TIMEOUT_MS, 50),
  };
}
