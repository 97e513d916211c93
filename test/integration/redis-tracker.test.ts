/**
 * Two tracker processes sharing swarms through one real Redis: peers on different processes meet,
 * the offer-binding rules hold across processes, and Redis going away and coming back costs no peer.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TRACKER_OPTIONS } from '../../signal-server/tracker/options.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';
import { until } from '../helpers/until.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { TestClient, id, isAnswer, isFailure, isOffer, isReply } from '../helpers/ws-client.ts';

const offer = { type: 'offer', sdp: 'v=0\r\no=offer\r\n' };
const answer = { type: 'answer', sdp: 'v=0\r\no=answer\r\n' };
const NODE_TTL_MS = 1_000;

let redis: TestRedis;
let prefixN = 0;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

const servers: RunningServer[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  for (const s of servers.splice(0)) await s.server.close();
});

/** Two processes (in this test process) on one Redis, each test with its own key prefix. */
async function cluster(n = 2) {
  const prefix = `t${++prefixN}:`;
  const started: RunningServer[] = [];
  for (let i = 0; i < n; i++) {
    const s = await startServer({ tracker: { ...DEFAULT_TRACKER_OPTIONS }, shutdownGraceMs: 100, redis: { url: redis.url, prefix, nodeTtlMs: NODE_TTL_MS, commandTimeoutMs: 500 } });
    servers.push(s);
    started.push(s);
  }
  await Promise.all(started.map((s) => until(async () => (await health(s)).redis === 'up')));
  return started;
}

async function connect(s: RunningServer): Promise<TestClient> {
  const c = await TestClient.connect(`${s.wsUrl}/announce`);
  clients.push(c);
  return c;
}

async function health(s: RunningServer): Promise<Record<string, unknown>> {
  return (await fetch(`${s.httpUrl}/healthz`)).json() as Promise<Record<string, unknown>>;
}


const HASH = id('cluster-swarm');
function announce(peer: string, extra: Record<string, unknown> = {}) {
  return { action: 'announce', info_hash: HASH, peer_id: id(peer), numwant: 5, uploaded: 0, downloaded: 0, left: 100, ...extra };
}

async function scrape(c: TestClient): Promise<Record<string, number>> {
  c.send({ action: 'scrape', info_hash: [HASH] });
  const reply = await c.next((m) => m.action === 'scrape');
  return (reply.files as Record<string, Record<string, number>>)[HASH]!;
}

describe('two tracker processes on one Redis', () => {
  it('peers on different processes meet: counts are shared, the offer and the answer cross over', async () => {
    const [A, B] = await cluster();
    const a = await connect(A!);
    const b = await connect(B!);
    a.send(announce('A', { left: 0, event: 'started' }));
    expect(await a.next(isReply)).toMatchObject({ complete: 1, incomplete: 0 });
    b.send(announce('B', { event: 'started', offers: [{ offer, offer_id: id('offer-1') }] }));
    expect(await b.next(isReply)).toMatchObject({ complete: 1, incomplete: 1 });
    expect(await a.next(isOffer)).toEqual({ action: 'announce', offer, offer_id: id('offer-1'), peer_id: id('B'), info_hash: HASH });

    a.send({ action: 'announce', info_hash: HASH, peer_id: id('A'), to_peer_id: id('B'), offer_id: id('offer-1'), answer });
    expect(await b.next(isAnswer)).toEqual({ action: 'announce', answer, offer_id: id('offer-1'), peer_id: id('A'), info_hash: HASH });
    // The binding is used up: a replay is refused by the process that holds it.
    a.send({ action: 'announce', info_hash: HASH, peer_id: id('A'), to_peer_id: id('B'), offer_id: id('offer-1'), answer });
    expect(await a.next(isFailure)).toMatchObject({ 'failure reason': expect.stringMatching(/no offer with this offer_id/) });

    expect(await scrape(await connect(B!))).toEqual({ complete: 1, incomplete: 1, downloaded: 0 });
    b.send(announce('B', { left: 0, event: 'completed' }));
    await b.next(isReply);
    expect(await scrape(await connect(A!))).toEqual({ complete: 2, incomplete: 0, downloaded: 1 });
  });

  it('an answer from a peer the offer was not forwarded to is refused, even on the offerer’s process', async () => {
    const [A, B] = await cluster();
    const recipient = await connect(A!);
    recipient.send(announce('R'));
    await recipient.next(isReply);
    const offerer = await connect(B!);
    offerer.send(announce('O', { numwant: 1, offers: [{ offer, offer_id: id('o1') }] }));
    await offerer.next(isReply);
    await recipient.next(isOffer);

    // A stranger on B (the offerer's own process) answers with the right ids: B never forwarded it the offer.
    const stranger = await connect(B!);
    stranger.send(announce('S'));
    await stranger.next(isReply);
    stranger.send({ action: 'announce', info_hash: HASH, peer_id: id('S'), to_peer_id: id('O'), offer_id: id('o1'), answer });
    expect(await stranger.next(isFailure)).toMatchObject({ 'failure reason': expect.stringMatching(/no offer/) });
    // And a stranger on A answering in the recipient's name is refused too.
    const impostor = await connect(A!);
    impostor.send({ action: 'announce', info_hash: HASH, peer_id: id('R'), to_peer_id: id('O'), offer_id: id('o1'), answer });
    expect(await impostor.next(isFailure)).toMatchObject({ 'failure reason': expect.stringMatching(/has not announced that peer_id/) });
    expect(await offerer.nothing(isAnswer)).toBe(true);
    // The real recipient still can.
    recipient.send({ action: 'announce', info_hash: HASH, peer_id: id('R'), to_peer_id: id('O'), offer_id: id('o1'), answer });
    expect(await offerer.next(isAnswer)).toMatchObject({ peer_id: id('R'), offer_id: id('o1') });
  });

  it('a peer id announced through one process cannot be used through another while its owner lives', async () => {
    const [A, B] = await cluster();
    const a = await connect(A!);
    a.send(announce('P'));
    await a.next(isReply);
    const thief = await connect(B!);
    thief.send(announce('P', { offers: [{ offer, offer_id: id('x') }] }));
    expect(await thief.next(isFailure)).toMatchObject({ 'failure reason': expect.stringMatching(/already announced/) });
    thief.send(announce('P', { event: 'stopped' }));
    expect(await thief.next(isFailure)).toMatchObject({ 'failure reason': expect.stringMatching(/already announced/) });
    expect(await scrape(thief)).toMatchObject({ incomplete: 1 });
    // Once its socket closes, the id is free everywhere.
    await a.close();
    await until(async () => (await scrape(thief)).incomplete === 0);
    thief.send(announce('P'));
    expect(await thief.next(isReply)).toMatchObject({ incomplete: 1 });
  });

  it('a process that shuts down takes its peers out of the shared swarms at once', async () => {
    const [A, B] = await cluster();
    const a = await connect(A!);
    a.send(announce('A'));
    await a.next(isReply);
    const b = await connect(B!);
    b.send(announce('B'));
    expect(await b.next(isReply)).toMatchObject({ incomplete: 2 });
    servers.splice(servers.indexOf(A!), 1);
    await A!.server.close();
    expect(await scrape(b)).toMatchObject({ incomplete: 1 });
  });

  it('while Redis is down each process serves its own peers; when it returns empty, membership is rebuilt at once', async () => {
    const [A, B] = await cluster();
    const a1 = await connect(A!);
    a1.send(announce('A1', { left: 0 }));
    await a1.next(isReply);

    await redis.kill();
    await until(async () => (await health(A!)).status === 'degraded');
    expect(await health(A!)).toMatchObject({ store: 'redis', redis: 'down', peers: 1 });
    // Two peers on the same process still meet and signal.
    const a2 = await connect(A!);
    a2.send(announce('A2', { offers: [{ offer, offer_id: id('o') }] }));
    expect(await a2.next(isReply)).toMatchObject({ complete: 1, incomplete: 1 });
    expect(await a1.next(isOffer)).toMatchObject({ peer_id: id('A2') });
    a1.send({ action: 'announce', info_hash: HASH, peer_id: id('A1'), to_peer_id: id('A2'), offer_id: id('o'), answer });
    expect(await a2.next(isAnswer)).toMatchObject({ peer_id: id('A1') });

    await redis.start();
    await until(async () => (await health(A!)).status === 'ok' && (await health(B!)).status === 'ok', 10_000);
    // Nobody announced again, yet B sees A's two peers: A wrote them back when Redis returned.
    const b = await connect(B!);
    await until(async () => JSON.stringify(await scrape(b)) === JSON.stringify({ complete: 1, incomplete: 1, downloaded: 0 }));
    b.send(announce('B', { numwant: 2, offers: [{ offer, offer_id: id('p1') }, { offer, offer_id: id('p2') }] }));
    expect(await b.next(isReply)).toMatchObject({ complete: 1, incomplete: 2 });
    await a1.next(isOffer);
    await a2.next(isOffer);
  }, 30_000);
});
