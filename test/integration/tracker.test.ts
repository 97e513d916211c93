/** The tracker over real WebSockets: the WebTorrent protocol, and the rules that keep strangers apart. */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_TRACKER_OPTIONS, type TrackerOptions } from '../../signal-server/tracker/options.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { until } from '../helpers/until.ts';
import { TestClient, id, isAnswer, isFailure, isOffer, isReply } from '../helpers/ws-client.ts';

const HASH = id('swarm-1');
const HASH2 = id('swarm-2');
const offer = (n = 1) => ({ type: 'offer', sdp: `v=0\r\no=offer-${n}\r\n` });
const answer = { type: 'answer', sdp: 'v=0\r\no=answer\r\n' };

const servers: RunningServer[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  for (const s of servers.splice(0)) await s.server.close();
});

async function setup(tracker: Partial<TrackerOptions> = {}, deps = {}) {
  const s = await startServer({ tracker: { ...DEFAULT_TRACKER_OPTIONS, ...tracker }, shutdownGraceMs: 100 }, {}, deps);
  servers.push(s);
  const connect = async (path = '/announce') => {
    const c = await TestClient.connect(s.wsUrl + path);
    clients.push(c);
    return c;
  };
  return { s, connect };
}

function announce(peer: string, extra: Record<string, unknown> = {}, infoHash = HASH) {
  return { action: 'announce', info_hash: infoHash, peer_id: id(peer), numwant: 5, uploaded: 0, downloaded: 0, left: 100, ...extra };
}

describe('signalling', () => {
  it('two peers meet: offer forwarded, answer routed back, counts in replies', async () => {
    const { connect } = await setup();
    const a = await connect('/');
    const b = await connect('/announce');
    a.send(announce('A', { event: 'started', left: 0 }));
    expect(await a.next(isReply)).toEqual({ action: 'announce', interval: 120, info_hash: HASH, complete: 1, incomplete: 0 });

    b.send(announce('B', { event: 'started', offers: [{ offer: offer(), offer_id: id('offer-1') }] }));
    expect(await b.next(isReply)).toMatchObject({ complete: 1, incomplete: 1 });
    const delivered = await a.next(isOffer);
    expect(delivered).toEqual({ action: 'announce', offer: offer(), offer_id: id('offer-1'), peer_id: id('B'), info_hash: HASH });

    a.send({ action: 'announce', info_hash: HASH, peer_id: id('A'), to_peer_id: id('B'), offer_id: id('offer-1'), answer });
    expect(await b.next(isAnswer)).toEqual({ action: 'announce', answer, offer_id: id('offer-1'), peer_id: id('A'), info_hash: HASH });
    // One answer per offer: a replay is refused.
    a.send({ action: 'announce', info_hash: HASH, peer_id: id('A'), to_peer_id: id('B'), offer_id: id('offer-1'), answer });
    expect(await a.next(isFailure)).toMatchObject({ 'failure reason': expect.stringMatching(/no offer with this offer_id/) });
  });

  it('forwards offers to at most numwant distinct peers, never back to the sender', async () => {
    const { connect } = await setup();
    const others = await Promise.all(['P1', 'P2', 'P3', 'P4'].map(async (p) => {
      const c = await connect();
      c.send(announce(p));
      await c.next(isReply);
      return c;
    }));
    const sender = await connect();
    const offers = [1, 2, 3, 4, 5].map((n) => ({ offer: offer(n), offer_id: id(`o${n}`) }));
    sender.send(announce('S', { numwant: 3, offers }));
    await sender.next(isReply);
    const counts = () => others.map((c) => c.received.filter(isOffer).length);
    await until(() => counts().reduce((a, b) => a + b, 0) >= 3);
    // Then a round trip on every socket: anything forwarded beyond numwant would have arrived by now.
    for (const c of others) {
      c.send({ action: 'scrape', info_hash: HASH });
      await c.next((m) => m.action === 'scrape');
    }
    expect(counts().reduce((a, b) => a + b, 0)).toBe(3);
    expect(Math.max(...counts())).toBe(1);
    expect(sender.received.filter(isOffer)).toEqual([]);
  });

  it("an announcer's next offers go to the peers its last ones missed: two announces of 5 reach all 8 others", async () => {
    const { connect } = await setup();
    const names = ['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7', 'P8'];
    const others = await Promise.all(names.map(async (p) => {
      const c = await connect();
      c.send(announce(p));
      await c.next(isReply);
      return c;
    }));
    const sender = await connect();
    for (const round of [1, 2]) {
      const offers = [1, 2, 3, 4, 5].map((n) => ({ offer: offer(n), offer_id: id(`r${round}-o${n}`) }));
      sender.send(announce('S', { numwant: 5, offers }));
      await sender.next(isReply);
      await until(() => others.reduce((sum, c) => sum + c.received.filter(isOffer).length, 0) >= 5 * round);
    }
    const reached = others.map((c) => c.received.filter(isOffer).length);
    expect(reached.every((n) => n >= 1), `offers per peer: ${reached.join(', ')}`).toBe(true);
    expect(reached.reduce((a, b) => a + b, 0)).toBe(10);
  });

  it('an offer to an empty swarm goes nowhere and nothing breaks', async () => {
    const { connect } = await setup();
    const a = await connect();
    a.send(announce('A', { offers: [{ offer: offer(), offer_id: id('o') }] }));
    expect(await a.next(isReply)).toMatchObject({ complete: 0, incomplete: 1 });
    expect(await a.nothing(isOffer)).toBe(true);
  });
});

describe('scrape and counts', () => {
  it('counts seeders (left 0) and leechers, completions, for one or many hashes', async () => {
    const { connect } = await setup();
    const a = await connect();
    const b = await connect();
    a.send(announce('A', { left: 0 }));
    await a.next(isReply);
    b.send(announce('B', { left: null }));
    await b.next(isReply);
    b.send(announce('B', { left: 0, event: 'completed' }));
    expect(await b.next(isReply)).toMatchObject({ complete: 2, incomplete: 0 });
    b.send({ action: 'scrape', info_hash: HASH });
    expect(await b.next((m) => m.action === 'scrape')).toEqual({ action: 'scrape', files: { [HASH]: { complete: 2, incomplete: 0, downloaded: 1 } } });
    b.send({ action: 'scrape', info_hash: [HASH, HASH2] });
    expect(await b.next((m) => m.action === 'scrape')).toEqual({
      action: 'scrape',
      files: { [HASH]: { complete: 2, incomplete: 0, downloaded: 1 }, [HASH2]: { complete: 0, incomplete: 0, downloaded: 0 } },
    });
  });
});

describe('leaving', () => {
  const scrape = async (c: TestClient) => {
    c.send({ action: 'scrape', info_hash: HASH });
    return ((await c.next((m) => m.action === 'scrape')).files as Record<string, { incomplete: number }>)[HASH]!.incomplete;
  };

  it('on stopped', async () => {
    const { connect } = await setup();
    const a = await connect();
    a.send(announce('A'));
    await a.next(isReply);
    expect(await scrape(a)).toBe(1);
    a.send(announce('A', { event: 'stopped' }));
    expect(await a.next(isReply)).toMatchObject({ incomplete: 0 });
    expect(await scrape(a)).toBe(0);
  });

  it('on socket close, every peer the socket announced leaves and empty swarms are freed', async () => {
    const { s, connect } = await setup();
    const a = await connect();
    const watcher = await connect();
    a.send(announce('A1'));
    a.send(announce('A2', {}, HASH2));
    await a.next(isReply);
    await a.next(isReply);
    expect(s.server.tracker.core.connectionCount).toBe(2);
    await a.close();
    await until(async () => (await scrape(watcher)) === 0);
    const health = await (await fetch(`${s.httpUrl}/healthz`)).json();
    expect(health).toMatchObject({ swarms: 0, peers: 0, sockets: 1 });
  });

  it('after missing announces (timeout sweep)', async () => {
    let now = 1_000_000;
    const { s, connect } = await setup({ peerTimeoutMs: 5_000 }, { now: () => now });
    const a = await connect();
    a.send(announce('A'));
    await a.next(isReply);
    now += 4_000;
    expect(s.server.tracker.core.sweep(now).peersRemoved).toBe(0);
    now += 2_000;
    expect(s.server.tracker.core.sweep(now).peersRemoved).toBe(1);
    expect(await scrape(a)).toBe(0);
    // Announcing again brings the peer back.
    a.send(announce('A'));
    expect(await a.next(isReply)).toMatchObject({ incomplete: 1 });
  });
});

describe('acting in another socket’s name is refused', () => {
  async function offerFromBToA() {
    const ctx = await setup();
    const a = await ctx.connect();
    const b = await ctx.connect();
    const mallory = await ctx.connect();
    a.send(announce('A'));
    await a.next(isReply);
    mallory.send(announce('M'));
    await mallory.next(isReply);
    b.send(announce('B', { numwant: 1, offers: [{ offer: offer(), offer_id: id('offer-b') }] }));
    await b.next(isReply);
    // B's single offer went to A or to M; find out which.
    const toA = !(await a.nothing(isOffer, 200));
    return { ...ctx, a, b, mallory, recipient: toA ? a : mallory, recipientId: toA ? 'A' : 'M', other: toA ? mallory : a, otherId: toA ? 'M' : 'A' };
  }

  it('an answer with a forged offer_id is refused and reaches no one', async () => {
    const { b, recipient, recipientId } = await offerFromBToA();
    recipient.send({ action: 'announce', info_hash: HASH, peer_id: id(recipientId), to_peer_id: id('B'), offer_id: id('forged'), answer });
    expect(await recipient.next(isFailure)).toMatchObject({ info_hash: HASH, 'failure reason': expect.stringMatching(/no offer/) });
    expect(await b.nothing(isAnswer)).toBe(true);
  });

  it('an answer with a forged to_peer_id is refused', async () => {
    const { a, b, recipient, recipientId, otherId } = await offerFromBToA();
    recipient.send({ action: 'announce', info_hash: HASH, peer_id: id(recipientId), to_peer_id: id(otherId), offer_id: id('offer-b'), answer });
    expect(await recipient.next(isFailure)).toMatchObject({ 'failure reason': expect.stringMatching(/no offer/) });
    expect(await b.nothing(isAnswer)).toBe(true);
    expect(await a.nothing(isAnswer, 50)).toBe(true);
  });

  it('a peer the offer was not forwarded to cannot answer it, even with the right ids', async () => {
    const { b, other, otherId } = await offerFromBToA();
    other.send({ action: 'announce', info_hash: HASH, peer_id: id(otherId), to_peer_id: id('B'), offer_id: id('offer-b'), answer });
    expect(await other.next(isFailure)).toMatchObject({ 'failure reason': expect.stringMatching(/no offer/) });
    expect(await b.nothing(isAnswer)).toBe(true);
  });

  it('an answer in the recipient’s name from another socket is refused; the real one still works', async () => {
    const { b, recipient, recipientId, other } = await offerFromBToA();
    other.send({ action: 'announce', info_hash: HASH, peer_id: id(recipientId), to_peer_id: id('B'), offer_id: id('offer-b'), answer });
    expect(await other.next(isFailure)).toMatchObject({ 'failure reason': expect.stringMatching(/has not announced that peer_id/) });
    recipient.send({ action: 'announce', info_hash: HASH, peer_id: id(recipientId), to_peer_id: id('B'), offer_id: id('offer-b'), answer });
    expect(await b.next(isAnswer)).toMatchObject({ peer_id: id(recipientId) });
  });

  it('stopped or announce with another socket’s peer_id is refused and the peer stays', async () => {
    const { connect } = await setup();
    const a = await connect();
    const mallory = await connect();
    a.send(announce('A'));
    await a.next(isReply);
    mallory.send(announce('A', { event: 'stopped' }));
    expect(await mallory.next(isFailure)).toMatchObject({ 'failure reason': expect.stringMatching(/another connection/) });
    mallory.send(announce('A', { offers: [{ offer: offer(), offer_id: id('x') }] }));
    expect(await mallory.next(isFailure)).toMatchObject({ 'failure reason': expect.stringMatching(/another connection/) });
    a.send({ action: 'scrape', info_hash: HASH });
    expect(await a.next((m) => m.action === 'scrape')).toMatchObject({ files: { [HASH]: { incomplete: 1 } } });
  });

  it('a second offerer cannot take over a pending offer_id binding', async () => {
    const { connect } = await setup();
    const a = await connect();
    a.send(announce('A'));
    await a.next(isReply);
    const b = await connect();
    b.send(announce('B', { offers: [{ offer: offer(1), offer_id: id('same') }] }));
    await a.next(isOffer);
    const mallory = await connect();
    mallory.send(announce('M', { offers: [{ offer: offer(2), offer_id: id('same') }] }));
    await mallory.next(isReply);
    // A (or B) may get M's offer only where no live binding exists; A's binding for "same" belongs to B.
    a.send({ action: 'announce', info_hash: HASH, peer_id: id('A'), to_peer_id: id('B'), offer_id: id('same'), answer });
    expect(await b.next(isAnswer)).toMatchObject({ peer_id: id('A') });
    expect(await mallory.nothing(isAnswer)).toBe(true);
  });
});

describe('limits and bad input', () => {
  it('malformed messages get a failure reason; the socket and other peers carry on', async () => {
    const { connect } = await setup();
    const a = await connect();
    const good = await connect();
    good.send(announce('G'));
    await good.next(isReply);
    for (const bad of ['not json', '[]', 'null', JSON.stringify({ action: 'announce', info_hash: HASH, peer_id: null }), JSON.stringify({ action: 'announce', info_hash: HASH, peer_id: id('A'), offers: [{ offer: null, offer_id: id('o') }] }), JSON.stringify({ action: 'announce', info_hash: HASH, peer_id: id('A'), to_peer_id: id('G'), offer_id: id('o'), answer: { type: 'answer' } })]) {
      a.send(bad);
      expect(await a.next(isFailure)).toMatchObject({ 'failure reason': expect.stringMatching(/Invalid tracker message/) });
    }
    a.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await a.next(isFailure)).toMatchObject({ 'failure reason': expect.stringMatching(/JSON text frames only/) });
    good.send(announce('G'));
    expect(await good.next(isReply)).toMatchObject({ incomplete: 1 });
  });

  it('an oversized frame closes that socket with 1009 only', async () => {
    const { connect, s } = await setup({ maxFrameBytes: 4096 });
    const a = await connect();
    const good = await connect();
    a.send('x'.repeat(5000));
    await a.closed;
    expect(a.closeCode).toBe(1009);
    good.send(announce('G'));
    expect(await good.next(isReply)).toMatchObject({ incomplete: 1 });
    expect(s.server.metrics.rejects.get('frame_too_large')).toBe(1);
  });

  it('refuses an SDP over the limit and more offers than allowed', async () => {
    const { connect } = await setup({ maxSdpBytes: 100, maxOffersPerAnnounce: 2 });
    const a = await connect();
    a.send(announce('A', { offers: [{ offer: { type: 'offer', sdp: 'x'.repeat(101) }, offer_id: id('o') }] }));
    expect(await a.next(isFailure)).toMatchObject({ 'failure reason': expect.stringMatching(/limit 100/) });
    a.send(announce('A', { offers: [1, 2, 3].map((n) => ({ offer: offer(n), offer_id: id(`o${n}`) })) }));
    expect(await a.next(isFailure)).toMatchObject({ 'failure reason': expect.stringMatching(/3 offers \(limit 2\)/) });
  });

  it('limits swarms per socket', async () => {
    const { connect } = await setup({ maxSwarmsPerSocket: 2 });
    const a = await connect();
    for (const h of ['h1', 'h2']) {
      a.send(announce('A', {}, id(h)));
      await a.next(isReply);
    }
    a.send(announce('A', {}, id('h3')));
    expect(await a.next(isFailure)).toMatchObject({ info_hash: id('h3'), 'failure reason': expect.stringMatching(/at most 2 swarms/) });
    // Leaving one makes room.
    a.send(announce('A', { event: 'stopped' }, id('h1')));
    await a.next(isReply);
    a.send(announce('A', {}, id('h3')));
    expect(await a.next(isReply)).toMatchObject({ info_hash: id('h3') });
  });

  it('limits sockets per IP address', async () => {
    const { connect } = await setup({ maxSocketsPerIp: 2 });
    await connect();
    const second = await connect();
    const third = await connect();
    await third.closed;
    expect(third.closeCode).toBe(1008);
    expect(third.closeReason).toMatch(/too many connections/);
    second.send(announce('S'));
    expect(await second.next(isReply)).toBeTruthy();
  });

  it('limits announces per second per socket', async () => {
    const { connect } = await setup({ announcesPerSecond: 1, announceBurst: 3 });
    const a = await connect();
    for (let i = 0; i < 5; i++) a.send(announce('A'));
    const replies = await Promise.all([a.next(), a.next(), a.next(), a.next(), a.next()]);
    expect(replies.filter(isReply)).toHaveLength(3);
    expect(replies.filter(isFailure)).toEqual([expect.objectContaining({ 'failure reason': expect.stringMatching(/at most 1 per second/) }), expect.anything()]);
  });

  it('closes a reader that lets its send queue grow past the limit', async () => {
    const { connect, s } = await setup({ maxSendQueueBytes: 64 * 1024, announcesPerSecond: 100_000, announceBurst: 100_000, maxSdpBytes: 16_384, offerTtlMs: 60_000 });
    const victim = await connect();
    victim.send(announce('V'));
    await victim.next(isReply);
    // Stop reading: the kernel buffers fill, then the server's queue.
    (victim.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const flooder = await connect();
    const big = { type: 'offer', sdp: 'x'.repeat(16_000) };
    for (let i = 0; i < 2000 && s.server.metrics.rejects.get('slow_reader') === undefined; i++) {
      flooder.send(announce('F', { numwant: 1, offers: [{ offer: big, offer_id: id(`f${i}`) }] }));
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    await until(() => s.server.metrics.rejects.get('slow_reader') !== undefined);
    expect(s.server.metrics.rejects.get('slow_reader')).toBe(1);
    // The flooder is unaffected.
    flooder.send({ action: 'scrape', info_hash: HASH });
    expect(await flooder.next((m) => m.action === 'scrape', 5000)).toBeTruthy();
  });

  it('does not accept WebSockets on other paths', async () => {
    const { s } = await setup();
    await expect(TestClient.connect(`${s.wsUrl}/elsewhere`)).rejects.toThrow(/404/);
  });
});

describe('HTTP endpoints beside the tracker', () => {
  it('GET /config hands out the configured ICE servers (and no store, when STORE_DIR is not set)', async () => {
    const s = await startServer({ iceServers: [{ urls: 'stun:stun.example.org:3478' }, { urls: ['turn:t.example.org'], username: 'u', credential: 'c' }] });
    servers.push(s);
    expect(await (await fetch(`${s.httpUrl}/config`)).json()).toEqual({
      iceServers: [{ urls: 'stun:stun.example.org:3478' }, { urls: ['turn:t.example.org'], username: 'u', credential: 'c' }],
      store: null,
    });
  });

  it('GET /metrics counts sockets, swarms, peers, announces, relays and rejects', async () => {
    const { s, connect } = await setup();
    const a = await connect();
    const b = await connect();
    a.send(announce('A'));
    await a.next(isReply);
    b.send(announce('B', { offers: [{ offer: offer(), offer_id: id('o') }] }));
    await a.next(isOffer);
    b.send('garbage');
    await b.next(isFailure);
    const text = await (await fetch(`${s.httpUrl}/metrics`)).text();
    expect(text).toMatch(/^# TYPE tabswarm_sockets gauge$/m);
    expect(text).toMatch(/^tabswarm_sockets 2$/m);
    expect(text).toMatch(/^tabswarm_swarms 1$/m);
    expect(text).toMatch(/^tabswarm_peers 2$/m);
    expect(text).toMatch(/^tabswarm_announces_total 2$/m);
    expect(text).toMatch(/^tabswarm_offers_relayed_total 1$/m);
    expect(text).toMatch(/^tabswarm_rejects_total\{reason="invalid_json"\} 1$/m);
    // Node's default metrics, from prom-client.
    expect(text).toMatch(/^# TYPE process_cpu_user_seconds_total counter$/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);
    // Counters keep counting across scrapes (each scrape reports the total, not what is new).
    a.send(announce('A'));
    await a.next(isReply);
    expect(await (await fetch(`${s.httpUrl}/metrics`)).text()).toMatch(/^tabswarm_announces_total 3$/m);
  });
});
