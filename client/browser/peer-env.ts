/** What the engine needs from a browser page: WebRTC via simple-peer's bundled build, the page's WebSocket, a peer id. */
import SimplePeer from 'simple-peer/simplepeer.min.js';
import type { WebSocketFactory, WebSocketLike } from '../engine/tracker-client.ts';
import { simplePeerConnector, type PeerConnector, type SimplePeerClass } from '../engine/webrtc.ts';

/** Generated once per page and shared by every connection (see ConnectorOptions.certificate). */
let certificate: Promise<RTCCertificate | undefined> | null = null;

function pageCertificate(): Promise<RTCCertificate | undefined> {
  // A browser that cannot make one (or an old API) falls back to a certificate per connection.
  certificate ??= RTCPeerConnection.generateCertificate({ name: 'ECDSA', namedCurve: 'P-256' } as EcKeyGenParams).catch(() => undefined);
  return certificate;
}

export function browserConnector(iceServers: RTCIceServer[] | (() => RTCIceServer[]) = []): PeerConnector {
  return simplePeerConnector({ SimplePeer: SimplePeer as unknown as SimplePeerClass, iceServers, certificate: pageCertificate });
}

export const browserOpenSocket: WebSocketFactory = (url) => new WebSocket(url) as unknown as WebSocketLike;

/** Azureus-style peer id: client and version ("-TS0100-"), then random bytes. */
export function browserPeerId(): Uint8Array {
  const id = new Uint8Array(20);
  id.set(new TextEncoder().encode('-TS0100-'));
  crypto.getRandomValues(id.subarray(8));
  return id;
}
