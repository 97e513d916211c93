/**
 * TURN relays with short-lived credentials (coturn's "TURN REST API", `use-auth-secret`): the
 * server and coturn share a secret; each GET /config hands out a username `expiry:tabswarm` and
 * the password base64(HMAC-SHA-1(secret, username)). coturn recomputes the same HMAC and refuses
 * the username once its expiry (Unix seconds) has passed, so a password copied out of a page is
 * worth nothing a day later, and no static password is ever put in the page.
 */
import { createHmac } from 'node:crypto';
import { ConfigError, intFromEnv } from './config.ts';
import type { IceServer } from './ice.ts';

/** How long a handed-out credential lasts by default: a working day. coturn checks it on every allocation and refresh, so a relayed connection ends when it expires; tabs open longer ask /config again. */
export const DEFAULT_TURN_CREDENTIAL_TTL_S = 24 * 60 * 60;
/** Shorter credentials than this would expire under a slow connection set-up. */
export const MIN_TURN_CREDENTIAL_TTL_S = 60;
/** The name part of every username: coturn only needs the expiry, and a per-user name would be a tracking handle. */
export const TURN_USER = 'tabswarm';

export interface TurnConfig {
  urls: string[];
  secret: string;
  ttlSeconds: number;
}

const TURN_SCHEMES = /^(turn|turns):/;

/** TURN_URLS (comma-separated turn:/turns: URLs) with TURN_SECRET, or neither; TURN_TTL in seconds. */
export function turnConfigFromEnv(env: NodeJS.ProcessEnv): TurnConfig | undefined {
  const urls = (env.TURN_URLS ?? '').split(',').map((u) => u.trim()).filter((u) => u !== '');
  const secret = env.TURN_SECRET ?? '';
  if (urls.length === 0 && secret === '') return undefined;
  if (urls.length === 0) throw new ConfigError('TURN_SECRET is set but TURN_URLS is empty; set TURN_URLS to your coturn, e.g. turn:turn.example.org:3478?transport=udp,turn:turn.example.org:3478?transport=tcp.');
  if (secret === '') throw new ConfigError("TURN_URLS is set but TURN_SECRET is empty; set it to coturn's static-auth-secret (coturn runs with use-auth-secret).");
  for (const u of urls) if (!TURN_SCHEMES.test(u)) throw new ConfigError(`TURN_URLS entry ${u} must be a turn: or turns: URL (STUN servers go in ICE_SERVERS).`);
  return { urls, secret, ttlSeconds: intFromEnv(env, 'TURN_TTL', DEFAULT_TURN_CREDENTIAL_TTL_S, MIN_TURN_CREDENTIAL_TTL_S, 7 * 24 * 60 * 60) };
}

/** One credential for coturn's REST-API scheme, valid until `nowMs + ttl` (pure: the clock is given). */
export function turnCredential(turn: TurnConfig, nowMs: number): IceServer & { username: string; credential: string; expiresAtMs: number } {
  const expiry = Math.floor(nowMs / 1000) + turn.ttlSeconds;
  const username = `${expiry}:${TURN_USER}`;
  const credential = createHmac('sha1', turn.secret).update(username).digest('base64');
  return { urls: turn.urls, username, credential, expiresAtMs: expiry * 1000 };
}

/** What GET /config says about ICE at `nowMs`: the static servers, then a fresh TURN credential; and when the answer goes stale. */
export function iceConfigAt(iceServers: IceServer[], turn: TurnConfig | undefined, nowMs: number): { iceServers: IceServer[]; iceServersExpireAt?: number } {
  if (!turn) return { iceServers };
  const { expiresAtMs, ...server } = turnCredential(turn, nowMs);
  return { iceServers: [...iceServers, server], iceServersExpireAt: expiresAtMs };
}
