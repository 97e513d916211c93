/** The wire parser gives the same messages however the stream is cut, and never throws. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes } from '../../shared/bytes.ts';
import { WireParser, encodeHandshake, encodeMessage, type ParserEvent, type WireMessage } from '../../shared/wire/index.ts';

const u32 = fc.nat({ max: 0xffff_ffff });
const blockLength = fc.integer({ min: 1, max: 16_384 });
const wireMessage: fc.Arbitrary<WireMessage> = fc.oneof(
  fc.constantFrom<WireMessage>({ type: 'keep-alive' }, { type: 'choke' }, { type: 'unchoke' }, { type: 'interested' }, { type: 'not-interested' }),
  u32.map((index): WireMessage => ({ type: 'have', index })),
  fc.uint8Array({ maxLength: 64 }).map((bitfield): WireMessage => ({ type: 'bitfield', bitfield })),
  fc.tuple(u32, u32, blockLength).map(([index, begin, length]): WireMessage => ({ type: 'request', index, begin, length })),
  fc.tuple(u32, u32, blockLength).map(([index, begin, length]): WireMessage => ({ type: 'cancel', index, begin, length })),
  fc.tuple(u32, u32, fc.uint8Array({ maxLength: 2048 })).map(([index, begin, block]): WireMessage => ({ type: 'piece', index, begin, block })),
  fc.tuple(fc.nat({ max: 255 }), fc.uint8Array({ maxLength: 300 })).map(([id, payload]): WireMessage => ({ type: 'extended', id, payload })),
  fc.tuple(fc.integer({ min: 9, max: 19 }), fc.uint8Array({ maxLength: 30 })).map(([id, payload]): WireMessage => ({ type: 'unknown', id, payload })),
);

function split(stream: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let last = 0;
  for (const p of points) {
    parts.push(stream.subarray(last, p));
    last = p;
  }
  parts.push(stream.subarray(last));
  return parts;
}

function feed(parts: Uint8Array[]): ParserEvent[] {
  const parser = new WireParser();
  return parts.flatMap((p) => parser.push(p));
}

describe('wire parser', () => {
  it('yields the same handshake and messages for every split of the stream', () => {
    const handshake = encodeHandshake({ infoHash: new Uint8Array(20).fill(1), peerId: new Uint8Array(20).fill(2) });
    fc.assert(
      fc.property(fc.array(wireMessage, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 30 }), (msgs, cuts) => {
        const stream = concatBytes([handshake, ...msgs.map(encodeMessage)]);
        const events = feed(split(stream, cuts));
        expect(events[0]?.kind).toBe('handshake');
        expect(events.slice(1)).toEqual(msgs.map((message) => ({ kind: 'message', message })));
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary bytes, and reports at most one error, last', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 10 }), (handshake, chunks) => {
        const parser = new WireParser({ expectHandshake: handshake });
        const events = chunks.flatMap((c) => parser.push(c));
        const errors = events.filter((e) => e.kind === 'error');
        expect(errors.length).toBeLessThanOrEqual(1);
        if (errors.length === 1) {
          expect(events.at(-1)?.kind).toBe('error');
          expect(parser.failed).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
