/**
 * The ICE servers a deployment hands out at GET /config, kept fresh. A server with TURN gives
 * credentials that expire (signal-server/turn.ts); a tab or a seeding CLI can outlive them, so the
 * list is asked for again, in the background, once it comes near its expiry: connections made in
 * the meantime use the old list, which still works until the moment itself.
 */

export interface IceConfig {
  iceServers: RTCIceServer[];
  /** When the credentials in the list stop working (ms since the epoch); null: they do not expire. */
  expiresAtMs: number | null;
}

/** Ask again this long before the list expires, so a slow answer never leaves us with a dead one. */
export const ICE_REFRESH_BEFORE_EXPIRY_MS = 10 * 60 * 1000;
/** After a failed refresh, wait this long before the next attempt (the old list is still used). */
export const ICE_REFRESH_RETRY_MS = 30 * 1000;

export const NO_ICE_CONFIG: IceConfig = { iceServers: [], expiresAtMs: null };

/** Reads a /config body: what is malformed is dropped, never thrown (a page without a relay still works on one network). */
export function parseIceConfig(body: unknown): IceConfig {
  if (typeof body !== 'object' || body === null) return NO_ICE_CONFIG;
  const { iceServers, iceServersExpireAt } = body as { iceServers?: unknown; iceServersExpireAt?: unknown };
  const servers = Array.isArray(iceServers)
    ? (iceServers.filter((s) => typeof s === 'object' && s !== null && (typeof (s as RTCIceServer).urls === 'string' || Array.isArray((s as RTCIceServer).urls))) as RTCIceServer[])
    : [];
  return { iceServers: servers, expiresAtMs: typeof iceServersExpireAt === 'number' && Number.isFinite(iceServersExpireAt) ? iceServersExpireAt : null };
}

/** Whether a list has a relay in it: connection failures are explained differently with and without one. */
export function hasRelay(iceServers: readonly RTCIceServer[]): boolean {
  return iceServers.some((s) => (Array.isArray(s.urls) ? s.urls : [s.urls]).some((u) => /^turns?:/.test(u)));
}

/** The current ICE servers, refreshed in the background as they near expiry. */
export class IceServerSource {
  private config: IceConfig;
  private refreshing = false;
  private nextAttemptMs = 0;

  constructor(
    initial: IceConfig,
    private readonly fetchConfig: (() => Promise<IceConfig>) | null,
    private readonly now: () => number = Date.now,
  ) {
    this.config = initial;
  }

  /** The list to use now (and, if it is about to expire, a refresh starts). */
  current(): RTCIceServer[] {
    const t = this.now();
    const { expiresAtMs } = this.config;
    if (this.fetchConfig && expiresAtMs !== null && t >= expiresAtMs - ICE_REFRESH_BEFORE_EXPIRY_MS && t >= this.nextAttemptMs && !this.refreshing) {
      this.refreshing = true;
      this.fetchConfig()
        .then((c) => {
          if (c.iceServers.length > 0) this.config = c;
          else this.nextAttemptMs = this.now() + ICE_REFRESH_RETRY_MS;
        })
        .catch(() => {
          this.nextAttemptMs = this.now() + ICE_REFRESH_RETRY_MS;
        })
        .finally(() => {
          this.refreshing = false;
        });
    }
    return this.config.iceServers;
  }
}
