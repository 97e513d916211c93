import { describe, expect, it } from 'vitest';
import { concatBytes, utf8 } from '../../shared/bytes.ts';
import {
  LOCAL_EXTENSION_IDS,
  WireParser,
  decodeExtendedHandshake,
  decodeMetadataMessage,
  encodeExtendedHandshake,
  encodeHandshake,
  encodeMessage,
  encodeMetadataMessage,
  type ParserEvent,
  type WireMessage,
} from '../../shared/wire/index.ts';

const infoHash = new Uint8Array(20).fill(0xab);
const peerId = utf8('-TS0001-abcdefghijkl');

function messages(events: ParserEvent[]): WireMessage[] {
  return events.flatMap((e) => (e.kind === 'message' ? [e.message] : []));
}

describe('handshake', () => {
  it('is 68 bytes with the BEP 10 bit, and parses back', () => {
    const bytes = encodeHandshake({ infoHash, peerId });
    expect(bytes.length).toBe(68);
    expect(bytes[0]).toBe(19);
    expect(bytes[25]! & 0x10).toBe(0x10);
    const [event] = new WireParser().push(bytes);
    expect(event).toMatchObject({ kind: 'handshake', handshake: { infoHash, peerId, extended: true } });
  });

  it('without the extension bit reports extended: false', () => {
    const [event] = new WireParser().push(encodeHandshake({ infoHash, peerId, extended: false }));
    expect(event).toMatchObject({ kind: 'handshake', handshake: { extended: false } });
  });

  it('reports a foreign protocol as an error and stops', () => {
    const parser = new WireParser();
    const bad = encodeHandshake({ infoHash, peerId });
    bad[5] = 0x21;
    const events = parser.push(bad);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'error', error: { code: 'WIRE_PROTOCOL_ERROR' } });
    expect(parser.failed).toBe(true);
    expect(parser.push(encodeMessage({ type: 'choke' }))).toEqual([]);
  });
});

describe('messages', () => {
  const all: WireMessage[] = [
    { type: 'keep-alive' },
    { type: 'choke' },
    { type: 'unchoke' },
    { type: 'interested' },
    { type: 'not-interested' },
    { type: 'have', index: 4_000_000_000 },
    { type: 'bitfield', bitfield: new Uint8Array([0b1010_0000, 0xff]) },
    { type: 'request', index: 1, begin: 16_384, length: 16_384 },
    { type: 'piece', index: 2, begin: 0, block: new Uint8Array(16_384).fill(9) },
    { type: 'cancel', index: 1, begin: 16_384, length: 16_384 },
    { type: 'extended', id: 0, payload: encodeExtendedHandshake({ m: { ut_metadata: 1 }, metadataSize: 1234 }) },
    { type: 'unknown', id: 9, payload: new Uint8Array([0x1a, 0xe1]) },
  ];

  it('every type round-trips in order, after a handshake, byte by byte', () => {
    const stream = concatBytes([encodeHandshake({ infoHash, peerId }), ...all.map(encodeMessage)]);
    const parser = new WireParser();
    const events: ParserEvent[] = [];
    for (const b of stream) events.push(...parser.push(new Uint8Array([b])));
    expect(events[0]?.kind).toBe('handshake');
    expect(messages(events)).toEqual(all);
    expect(parser.bufferedBytes).toBe(0);
  });

  it('has the BEP 3 byte layout', () => {
    expect([...encodeMessage({ type: 'have', index: 258 })]).toEqual([0, 0, 0, 5, 4, 0, 0, 1, 2]);
    expect([...encodeMessage({ type: 'request', index: 1, begin: 2, length: 3 })]).toEqual([0, 0, 0, 13, 6, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3]);
    expect([...encodeMessage({ type: 'interested' })]).toEqual([0, 0, 0, 1, 2]);
  });
});

describe('limits and garbage', () => {
  const noHandshake = () => new WireParser({ expectHandshake: false });

  it('refuses an oversized frame from its length prefix alone, before buffering the body', () => {
    const parser = noHandshake();
    const events = parser.push(new Uint8Array([0x7f, 0xff, 0xff, 0xff]));
    expect(events).toEqual([expect.objectContaining({ kind: 'error', error: expect.objectContaining({ code: 'WIRE_MESSAGE_TOO_LARGE' }) })]);
  });

  it('refuses requests for more than a 16 KiB block', () => {
    const events = noHandshake().push(encodeMessage({ type: 'request', index: 0, begin: 0, length: 16_385 }));
    expect(events[0]).toMatchObject({ kind: 'error', error: { code: 'WIRE_MESSAGE_TOO_LARGE', message: expect.stringMatching(/16385 bytes/) } });
  });

  it('refuses zero-length requests and wrong fixed lengths', () => {
    expect(noHandshake().push(encodeMessage({ type: 'request', index: 0, begin: 0, length: 0 }))[0]).toMatchObject({ kind: 'error', error: { code: 'WIRE_PROTOCOL_ERROR' } });
    expect(noHandshake().push(new Uint8Array([0, 0, 0, 2, 1, 0]))[0]).toMatchObject({ kind: 'error', error: { message: expect.stringMatching(/id 1 must carry 0/) } });
    expect(noHandshake().push(new Uint8Array([0, 0, 0, 3, 7, 0, 0]))[0]).toMatchObject({ kind: 'error', error: { message: expect.stringMatching(/shorter than its 8-byte header/) } });
  });

  it('enforces the bitfield size the engine sets', () => {
    const parser = noHandshake();
    parser.setMaxBitfieldBytes(2);
    expect(parser.push(encodeMessage({ type: 'bitfield', bitfield: new Uint8Array(3) }))[0]).toMatchObject({ kind: 'error', error: { code: 'WIRE_MESSAGE_TOO_LARGE' } });
  });

  it('delivers messages that precede garbage, then one error', () => {
    const stream = concatBytes([encodeMessage({ type: 'unchoke' }), new Uint8Array([0xff, 0xff, 0xff, 0xff, 1])]);
    const events = noHandshake().push(stream);
    expect(events.map((e) => e.kind)).toEqual(['message', 'error']);
  });
});

describe('BEP 10 and BEP 9 payloads', () => {
  it('extended handshake round-trips and tolerates unknown extensions', () => {
    const payload = encodeExtendedHandshake({ m: { ut_metadata: LOCAL_EXTENSION_IDS.ut_metadata, ut_pex: 2 }, metadataSize: 5000, v: 'Tabswarm 0.1', reqq: 250 });
    expect(decodeExtendedHandshake(payload)).toEqual({ ok: true, value: { m: { ut_metadata: 1, ut_pex: 2 }, metadataSize: 5000, v: 'Tabswarm 0.1', reqq: 250 } });
  });

  it('refuses a bad extended handshake with a protocol error', () => {
    expect(decodeExtendedHandshake(utf8('garbage'))).toMatchObject({ ok: false, error: { code: 'WIRE_PROTOCOL_ERROR' } });
    expect(decodeExtendedHandshake(utf8('d1:mi5ee'))).toMatchObject({ ok: false, error: { message: expect.stringMatching(/"m" is not a dictionary/) } });
    expect(decodeExtendedHandshake(utf8('d13:metadata_sizei-1ee'))).toMatchObject({ ok: false });
  });

  it('ut_metadata request, data and reject round-trip', () => {
    const data = new Uint8Array(16_384).fill(3);
    for (const msg of [
      { msgType: 'request', piece: 2 },
      { msgType: 'reject', piece: 2 },
      { msgType: 'data', piece: 0, totalSize: 40_000, data },
    ] as const) {
      expect(decodeMetadataMessage(encodeMetadataMessage(msg))).toEqual({ ok: true, value: msg });
    }
  });

  it('refuses ut_metadata messages with bad types, sizes or trailing bytes', () => {
    expect(decodeMetadataMessage(utf8('d8:msg_typei7e5:piecei0ee'))).toMatchObject({ ok: false, error: { message: expect.stringMatching(/msg_type/) } });
    expect(decodeMetadataMessage(utf8('d8:msg_typei0e5:piecei0eeXX'))).toMatchObject({ ok: false, error: { message: expect.stringMatching(/trailing/) } });
    expect(decodeMetadataMessage(utf8('d8:msg_typei1e5:piecei0ee'))).toMatchObject({ ok: false, error: { message: expect.stringMatching(/total_size/) } });
    expect(decodeMetadataMessage(concatBytes([utf8('d8:msg_typei1e5:piecei0e10:total_sizei99999ee'), new Uint8Array(16_385)]))).toMatchObject({ ok: false });
  });
});
