/** Tracker validators never throw, whatever JSON arrives, and accept only what they promise. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateClientMessage, validateServerMessage } from '../../shared/tracker/index.ts';

const binaryId = fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), minLength: 20, maxLength: 20 });
const sdp = (type: string) => fc.record({ type: fc.constant(type), sdp: fc.string({ minLength: 1 }) });
const validAnnounce = fc.record({
  action: fc.constant('announce'),
  info_hash: binaryId,
  peer_id: binaryId,
  numwant: fc.nat(50),
  offers: fc.array(fc.record({ offer: sdp('offer'), offer_id: binaryId }), { maxLength: 3 }),
});

/** A valid message with one field replaced by anything at all. */
const mutated = fc.tuple(validAnnounce, fc.constantFrom('action', 'info_hash', 'peer_id', 'numwant', 'offers', 'left', 'event', 'answer', 'to_peer_id'), fc.jsonValue()).map(([msg, k, v]) => ({ ...msg, [k]: v }));

describe('tracker validators', () => {
  it('never throw on arbitrary JSON or mutated messages', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.anything(), mutated), (json) => {
        const client = validateClientMessage(json);
        const server = validateServerMessage(json);
        expect(typeof client.ok).toBe('boolean');
        expect(typeof server.ok).toBe('boolean');
        if (!client.ok) expect(client.error.code).toBe('TRACKER_MESSAGE_INVALID');
      }),
      { numRuns: 5000 },
    );
  });

  it('accept every well-formed announce with its ids intact', () => {
    fc.assert(
      fc.property(validAnnounce, (msg) => {
        const r = validateClientMessage(JSON.parse(JSON.stringify(msg)));
        expect(r).toMatchObject({ ok: true, value: { kind: 'announce', info_hash: msg.info_hash, peer_id: msg.peer_id } });
      }),
    );
  });
});
