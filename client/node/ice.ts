/**
 * The CLI's ICE servers: the same GET /config a page reads, asked of each tracker's server (a
 * Tabswarm server answers /config beside /announce). Another project's tracker has no /config and is
 * skipped; with none, peers connect on one network only, as before. Renewed before TURN credentials expire.
 */
import { configUrlFor } from '../../shared/endpoints.ts';
import { TabswarmError } from '../../shared/errors.ts';
import { hasRelay, IceServerSource, NO_ICE_CONFIG, parseIceConfig, type IceConfig } from '../engine/ice-config.ts';

/** A tracker's server that does not answer /config this fast is taken to have none. */
export const ICE_CONFIG_TIMEOUT_MS = 3_000;

async function fetchIceConfig(trackers: readonly string[]): Promise<IceConfig> {
  for (const tracker of trackers) {
    if (!/^wss?:/.test(tracker)) continue;
    try {
      const res = await fetch(configUrlFor(tracker), { signal: AbortSignal.timeout(ICE_CONFIG_TIMEOUT_MS) });
      if (!res.ok) continue;
      const ice = parseIceConfig(await res.json());
      if (ice.iceServers.length > 0) return ice;
    } catch {
      // not a Tabswarm server, or unreachable: the tracker client reports the latter itself
    }
  }
  return NO_ICE_CONFIG;
}

/** Reads the trackers' ICE servers once, and gives a getter that keeps them fresh. */
export async function nodeIceServers(trackers: readonly string[]): Promise<() => RTCIceServer[]> {
  const source = new IceServerSource(await fetchIceConfig(trackers), () => fetchIceConfig(trackers));
  return () => source.current();
}

/**
 * The ICE set-up for `seed` and `get`: the trackers' servers, and with `relayOnly` every connection
 * through their TURN relay (peers then see only the relay's address, never this machine's). A
 * relay-only peer whose servers offer no relay could never connect, so that is refused up front.
 */
export async function nodeIce(trackers: readonly string[], relayOnly: boolean): Promise<{ iceServers: () => RTCIceServer[]; iceTransportPolicy: RTCIceTransportPolicy }> {
  const iceServers = await nodeIceServers(trackers);
  if (relayOnly && !hasRelay(iceServers())) {
    throw new TabswarmError('RELAY_UNAVAILABLE', `--relay-only needs a TURN relay, and no tracker's server (${trackers.join(', ')}) hands one out at /config. Use a Tabswarm server with TURN_URLS and TURN_SECRET set, or leave out --relay-only.`);
  }
  return { iceServers, iceTransportPolicy: relayOnly ? 'relay' : 'all' };
}
