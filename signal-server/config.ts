/**
 * Server configuration: every option has a default and an environment variable (documented in the
 * README). Invalid values stop start-up with a message naming the variable, rather than running
 * with a surprise.
 */
import { fileURLToPath } from 'node:url';
import { DEFAULT_PORT } from '../shared/constants.ts';

export interface ServerConfig {
  port: number;
  host: string;
  /** Folder of the built web app. */
  staticDir: string;
}

export const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../dist', import.meta.url));

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

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  return {
    port: intFromEnv(env, 'PORT', DEFAULT_PORT, 0, 65_535),
    host: env.HOST || '0.0.0.0',
    staticDir: env.STATIC_DIR || DEFAULT_STATIC_DIR,
  };
}
