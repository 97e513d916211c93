/** The store's settings: off unless STORE_DIR names a folder; every limit has a default and a variable. */
import { intFromEnv } from '../config.ts';

export interface StoreConfig {
  /** Folder holding one sub-folder per stored torrent. */
  dir: string;
  /** One torrent's content, at most. */
  maxFileBytes: number;
  /** Everything stored together, at most; a new upload that would pass it is refused. */
  maxTotalBytes: number;
  /** Stored content is deleted this long after its upload began. */
  expiryMs: number;
  /** How clients reach this server (for web seed URLs), e.g. https://files.example.org; by default from each request's Host. */
  publicUrl?: string;
}

const GIB = 1024 * 1024 * 1024;
const HOUR_MS = 3_600_000;
export const DEFAULT_STORE_MAX_FILE_BYTES = 2 * GIB;
export const DEFAULT_STORE_MAX_TOTAL_BYTES = 20 * GIB;
export const DEFAULT_STORE_EXPIRY_HOURS = 7 * 24;

export function storeConfigFromEnv(env: NodeJS.ProcessEnv): StoreConfig | undefined {
  if (!env.STORE_DIR) return undefined;
  return {
    dir: env.STORE_DIR,
    maxFileBytes: intFromEnv(env, 'STORE_MAX_FILE_BYTES', DEFAULT_STORE_MAX_FILE_BYTES, 1),
    maxTotalBytes: intFromEnv(env, 'STORE_MAX_TOTAL_BYTES', DEFAULT_STORE_MAX_TOTAL_BYTES, 1),
    expiryMs: intFromEnv(env, 'STORE_EXPIRY_HOURS', DEFAULT_STORE_EXPIRY_HOURS, 1, 24 * 365 * 10) * HOUR_MS,
    publicUrl: env.PUBLIC_URL ? env.PUBLIC_URL.replace(/\/+$/, '') : undefined,
  };
}
