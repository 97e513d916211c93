/** What the engine needs from Node: WebRTC via @roamhq/wrtc, WebSockets via `ws`, SHA-1 via node:crypto. */
import wrtc from '@roamhq/wrtc';
import SimplePeer from 'simple-peer';
import WebSocket from 'ws';
import { randomBytes } from 'node:crypto';
import { simplePeerConnector, type PeerConnector, type SimplePeerClass } from '../engine/webrtc.ts';
import type { WebSocketFactory, WebSocketLike } from '../engine/tracker-client.ts';
import { nodeIce } from './ice.ts';

export function nodeConnector(iceServers: RTCIceServer[] | (() => RTCIceServer[]) = [], opts: { iceTransportPolicy?: RTCIceTransportPolicy; connectTimeoutMs?: number } = {}): PeerConnector {
  return simplePeerConnector({ SimplePeer: SimplePeer as unknown as SimplePeerClass, wrtc, iceServers, ...opts });
}

/** The CLI's connector: ICE servers from the trackers' servers; with `relayOnly`, every connection through their TURN relay. */
export async function relayAwareConnector(trackers: readonly string[], relayOnly: boolean): Promise<PeerConnector> {
  const ice = await nodeIce(trackers, relayOnly);
  return nodeConnector(ice.iceServers, { iceTransportPolicy: ice.iceTransportPolicy });
}

export const nodeOpenSocket: WebSocketFactory = (url) => new WebSocket(url) as unknown as WebSocketLike;

/** Azureus-style peer id: client and version, then random bytes. */
export function nodePeerId(): Uint8Array {
  const id = new Uint8Array(20);
  id.set(new TextEncoder().encode('-TS0100-'));
  id.set(randomBytes(12), 8);
  return id;
}
