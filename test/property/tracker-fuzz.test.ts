/**
 * 10^5 random and mutated frames against a running server. It must never crash, and a
 * well-behaved pair of peers announcing and signalling in parallel must keep getting correct replies.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_TRACKER_OPTIONS } from '../../signal-server/tracker/options.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { TestClient, id, isAnswer, isOffer, isReply } from '../helpers/ws-client.ts';

const FRAMES = 100_000;
const FUZZ_SOCKETS = 4;
const GOOD_HASH = id('the-good-swarm');

const binaryId = fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), minLength: 20, maxLength: 20 });
const sdp = (type: string) => fc.record({ type: fc.constant(type), sdp: fc.string({ minLength: 1, maxLength: 50 }) });
const valid = fc.oneof(
  fc.record({ action: fc.constant('announce'), info_hash: binaryId, peer_id: binaryId, numwant: fc.nat(10), left: fc.oneof(fc.nat(), fc.constant(null)), event: fc.constantFrom('started', 'stopped', 'completed', undefined), offers: fc.array(fc.record({ offer: sdp('offer'), offer_id: binaryId }), { maxLength: 3 }) }),
  fc.record({ action: fc.constant('announce'), info_hash: binaryId, peer_id: binaryId, to_peer_id: binaryId, offer_id: binaryId, answer: sdp('answer') }),
  fc.record({ action: fc.constant('scrape'), info_hash: fc.oneof(binaryId, fc.array(binaryId, { maxLength: 5 })) }),
);
const mutated = fc.tuple(valid, fc.string({ maxLength: 12 }), fc.oneof(fc.jsonValue(), fc.constant(undefined))).map(([msg, key, value]) => {
  const copy: Record<string, unknown> = { ...msg };
  const keys = Object.keys(copy);
  const target = keys.length > 0 && key.length % 2 === 0 ? keys[key.length % keys.length]! : key;
  if (value === undefined) delete copy[target];
  else copy[target] = value;
  return JSON.stringify(copy);
});
const frame: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  { arbitrary: mutated, weight: 500 },
  { arbitrary: valid.map((v) => JSON.stringify(v)), weight: 200 },
  { arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)), weight: 200 },
  { arbitrary: fc.string({ maxLength: 200 }), weight: 100 },
  { arbitrary: valid.chain((v) => fc.nat().map((n) => JSON.stringify(v).slice(0, n % 60))), weight: 100 },
  { arbitrary: fc.uint8Array({ maxLength: 100 }), weight: 100 },
  // Now and then a frame over the size limit: that socket is closed and the fuzzer reconnects.
  { arbitrary: fc.constant('x'.repeat(DEFAULT_TRACKER_OPTIONS.maxFrameBytes + 1)), weight: 1 },
);

let s: RunningServer;
afterAll(() => s?.server.close());

describe('tracker fuzz', () => {
  it(`survives ${FRAMES} random and mutated frames while good peers keep working`, async () => {
    s = await startServer({ tracker: { ...DEFAULT_TRACKER_OPTIONS, announcesPerSecond: 1e9, announceBurst: 1e9, maxSocketsPerIp: 0 } });
    const errors: unknown[] = [];
    const onError = (e: unknown) => errors.push(e);
    process.on('uncaughtException', onError);

    // The well-behaved pair.
    const a = await TestClient.connect(s.wsUrl);
    const b = await TestClient.connect(s.wsUrl);
    a.send({ action: 'announce', info_hash: GOOD_HASH, peer_id: id('good-a'), left: 0, event: 'started' });
    await a.next(isReply);
    let goodRounds = 0;
    let fuzzing = true;
    const good = (async () => {
      while (fuzzing) {
        const offerId = id(`good-offer-${goodRounds}`);
        b.send({ action: 'announce', info_hash: GOOD_HASH, peer_id: id('good-b'), left: 10, numwant: 1, offers: [{ offer: { type: 'offer', sdp: 'v=0' }, offer_id: offerId }] });
        expect(await b.next(isReply, 10_000)).toEqual({ action: 'announce', interval: 120, info_hash: GOOD_HASH, complete: 1, incomplete: 1 });
        expect(await a.next(isOffer, 10_000)).toMatchObject({ offer_id: offerId, peer_id: id('good-b') });
        a.send({ action: 'announce', info_hash: GOOD_HASH, peer_id: id('good-a'), to_peer_id: id('good-b'), offer_id: offerId, answer: { type: 'answer', sdp: 'v=0' } });
        expect(await b.next(isAnswer, 10_000)).toMatchObject({ offer_id: offerId, peer_id: id('good-a') });
        goodRounds++;
      }
    })();

    const frames = fc.sample(frame, { numRuns: FRAMES, seed: 20261125 });
    let sent = 0;
    let reconnects = 0;
    const fuzzers = await Promise.all(Array.from({ length: FUZZ_SOCKETS }, () => TestClient.connect(s.wsUrl)));
    for (let i = 0; i < frames.length; i++) {
      const slot = i % FUZZ_SOCKETS;
      let f = fuzzers[slot]!;
      if (f.closeCode !== null || f.ws.readyState !== f.ws.OPEN) {
        f.ws.terminate();
        f = fuzzers[slot] = await TestClient.connect(s.wsUrl);
        reconnects++;
      }
      f.received.length = 0; // replies are not checked here, only that they keep coming without a crash
      f.ws.send(frames[i]!);
      sent++;
      if (i % 500 === 0) await new Promise((r) => setImmediate(r));
      if (f.ws.bufferedAmount > 1 << 20) await new Promise((r) => setTimeout(r, 5));
    }
    // Let the server finish reading, then stop the good pair after one more round.
    await new Promise((r) => setTimeout(r, 500));
    fuzzing = false;
    await good;
    process.off('uncaughtException', onError);

    expect(sent).toBe(FRAMES);
    expect(errors).toEqual([]);
    expect(goodRounds).toBeGreaterThan(10);
    expect(reconnects).toBeGreaterThan(0);
    const health = await (await fetch(`${s.httpUrl}/healthz`)).json();
    expect(health.status).toBe('ok');
    const rejects = [...s.server.metrics.rejects.values()].reduce((x, y) => x + y, 0);
    expect(rejects).toBeGreaterThan(FRAMES / 4);
    for (const f of fuzzers) f.ws.terminate();
    a.ws.terminate();
    b.ws.terminate();
  }, 180_000);
});
