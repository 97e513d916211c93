/**
 * Where a page's engine finds its server. One Tabswarm server answers both the tracker (WebSocket,
 * /announce) and /config (its ICE servers), so either URL follows from the other; a widget bundled
 * into another site, given only tracker="wss://…", still gets the right ICE servers.
 */

/** http://host → ws://host/announce; https://host → wss://host/announce. */
export function trackerForOrigin(origin: string): string {
  return `${origin.replace(/^http/, 'ws')}/announce`;
}

/** ws://host/announce → http://host/config; wss://… → https://…/config. */
export function configUrlFor(tracker: string): string {
  const url = new URL(tracker);
  return `${url.protocol === 'wss:' ? 'https:' : 'http:'}//${url.host}/config`;
}
