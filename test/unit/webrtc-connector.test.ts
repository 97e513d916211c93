/** The WebRTC connector's outcomes, on a scripted simple-peer: a connection that fails before ICE connects is "unreachable". */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { simplePeerConnector, type SimplePeerClass } from '../../client/engine/webrtc.ts';
import { isTabswarmError } from '../../shared/errors.ts';

/** Emits what simple-peer would: a signal at once; the test scripts the rest. */
class ScriptedPeer extends EventEmitter {
  static last: ScriptedPeer | null = null;
  constructor(readonly opts: Record<string, unknown>) {
    super();
    ScriptedPeer.last = this;
    setTimeout(() => this.emit('signal', { type: 'offer', sdp: 'v=0' }), 0);
  }
  signal() {}
  send() {}
  destroy() {}
  /** simple-peer's order when a state goes to "failed": the error, then close. */
  fail(code: string) {
    this.emit('error', Object.assign(new Error('failed'), { code }));
    this.emit('close');
  }
}

async function offer(iceServers: RTCIceServer[] = []) {
  const connector = simplePeerConnector({ SimplePeer: ScriptedPeer as unknown as SimplePeerClass, iceServers });
  const handle = await connector.createOffer();
  return { handle, peer: ScriptedPeer.last! };
}

describe('the WebRTC connector', () => {
  for (const code of ['ERR_ICE_CONNECTION_FAILURE', 'ERR_CONNECTION_FAILURE']) {
    it(`a connection that fails (${code}) before ICE connected rejects with PEER_UNREACHABLE`, async () => {
      const { handle, peer } = await offer();
      peer.emit('iceStateChange', 'checking');
      peer.fail(code);
      const err = await handle.transport.catch((e: unknown) => e);
      expect(isTabswarmError(err, 'PEER_UNREACHABLE')).toBe(true);
      expect((err as Error).message).toMatch(/offers no TURN relay/);
    });
  }

  it('a failure after ICE connected (DTLS, say) is not called a routing problem', async () => {
    const { handle, peer } = await offer();
    peer.emit('iceStateChange', 'connected');
    peer.fail('ERR_CONNECTION_FAILURE');
    const err = await handle.transport.catch((e: unknown) => e);
    expect(isTabswarmError(err)).toBe(false);
  });

  it('hands the relay-only policy and the current ICE servers to each new connection', async () => {
    let servers: RTCIceServer[] = [{ urls: 'turn:old' }];
    const connector = simplePeerConnector({ SimplePeer: ScriptedPeer as unknown as SimplePeerClass, iceServers: () => servers, iceTransportPolicy: 'relay' });
    await connector.createOffer();
    expect(ScriptedPeer.last!.opts.config).toMatchObject({ iceServers: [{ urls: 'turn:old' }], iceTransportPolicy: 'relay' });
    servers = [{ urls: 'turn:new' }];
    await connector.createOffer();
    expect(ScriptedPeer.last!.opts.config).toMatchObject({ iceServers: [{ urls: 'turn:new' }] });
  });
});
