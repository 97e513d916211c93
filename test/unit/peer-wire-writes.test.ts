/** How PeerWire turns messages into transport writes: one data-channel message per task, in order. */
import { describe, expect, it, vi } from 'vitest';
import { PeerWire } from '../../client/engine/peer-wire.ts';
import type { Transport } from '../../client/engine/transport.ts';
import { WireParser } from '../../shared/wire/parser.ts';
import type { WireMessage } from '../../shared/wire/messages.ts';
import { simplePeerConnector, type SimplePeerClass } from '../../client/engine/webrtc.ts';

function recordingTransport(): Transport & { writes: Uint8Array[]; closedAt: number | null } {
  const t = {
    writes: [] as Uint8Array[],
    closedAt: null as number | null,
    onData: null,
    onClose: null,
    onDrain: null,
    get bufferedAmount() {
      return t.writes.reduce((s, w) => s + w.length, 0);
    },
    send(data: Uint8Array) {
      t.writes.push(data.slice());
    },
    close() {
      t.closedAt = t.writes.length;
    },
  };
  return t;
}

function decode(writes: Uint8Array[]): WireMessage[] {
  const parser = new WireParser({ expectHandshake: false });
  const out: WireMessage[] = [];
  for (const w of writes) for (const e of parser.push(w)) if (e.kind === 'message') out.push(e.message);
  return out;
}

describe('peer wire writes', () => {
  it('small messages sent in one task go out as one transport write, in order', async () => {
    const t = recordingTransport();
    const wire = new PeerWire(t, () => 0);
    for (let i = 0; i < 20; i++) wire.send({ type: 'request', index: i, begin: 0, length: 16_384 });
    wire.send({ type: 'have', index: 7 });
    expect(t.writes.length).toBe(0); // not yet: the task is still running
    await Promise.resolve();
    expect(t.writes.length).toBe(1);
    const msgs = decode(t.writes);
    expect(msgs.map((m) => (m.type === 'request' ? m.index : m.type))).toEqual([...Array.from({ length: 20 }, (_, i) => i), 'have']);
  });

  it('pieces go out at once (back-pressure sees them), after the small messages queued before them', () => {
    const t = recordingTransport();
    const wire = new PeerWire(t, () => 0);
    wire.send({ type: 'unchoke' });
    wire.sendPieces([{ index: 3, begin: 0, block: new Uint8Array(16_384).fill(9) }]);
    expect(t.writes.length).toBe(1);
    expect(t.bufferedAmount).toBeGreaterThan(16_384);
    expect(decode(t.writes).map((m) => m.type)).toEqual(['unchoke', 'piece']);
  });

  it('what was queued goes out before the connection is closed', () => {
    const t = recordingTransport();
    const wire = new PeerWire(t, () => 0);
    wire.send({ type: 'choke' });
    wire.destroy();
    expect(t.closedAt).toBe(1);
    expect(decode(t.writes).map((m) => m.type)).toEqual(['choke']);
  });
});

describe('WebRTC connections', () => {
  it('every connection of a page uses the one certificate it was given (no key generated per connection)', async () => {
    const configs: Array<{ certificates?: unknown[] }> = [];
    class FakePeer {
      constructor(opts: { config: { certificates?: unknown[] } }) {
        configs.push(opts.config);
      }
      on(event: string, fn: (data: unknown) => void) {
        if (event === 'signal') queueMicrotask(() => fn({ type: 'offer', sdp: 'v=0' }));
      }
      signal() {}
      send() {}
      destroy() {}
    }
    const certificate = { fake: 'certificate' } as unknown as RTCCertificate;
    const make = vi.fn(async () => certificate);
    const connector = simplePeerConnector({ SimplePeer: FakePeer as unknown as SimplePeerClass, certificate: make, setTimeout: () => 0, clearTimeout: () => {} });
    await connector.createOffer();
    await connector.createOffer();
    await connector.acceptOffer({ type: 'offer', sdp: 'v=0' });
    expect(configs.length).toBe(3);
    for (const c of configs) expect(c.certificates).toEqual([certificate]);
  });
});
