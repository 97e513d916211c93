/**
 * Real tracker processes (as `npm start` runs them) sharing one real Redis, with headless peers over
 * real WebRTC: a swarm split across processes, a process killed mid-swarm, Redis restarted mid-swarm.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../client/engine/storage.ts';
import { SwarmSession } from '../../client/engine/session.ts';
import { nodeConnector, nodeOpenSocket, nodePeerId } from '../../client/node/peer-env.ts';
import { nodeSha1 } from '../../client/node/sha1.ts';
import type { Metainfo } from '../../shared/metainfo/types.ts';
import { spawnServer, type ServerProcess } from '../helpers/process.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';
import { until } from '../helpers/until.ts';
import { fakeStaticDir } from '../helpers/server.ts';
import { FAST, filledStore, makeContent, sha256, storedBytes } from '../helpers/swarm.ts';
import { startBalancer, type Balancer } from '../helpers/tcp-balancer.ts';
import { TestClient, id, isReply } from '../helpers/ws-client.ts';

const NODE_TTL_MS = 1_000;
/** Slow enough that the swarm is still running when we break things, fast enough for a test. */
const SEEDER_UPLOAD = 512 * 1024;

let redis: TestRedis | undefined;
const processes: ServerProcess[] = [];
const sessions: SwarmSession[] = [];
const clients: TestClient[] = [];
let balancer: Balancer | undefined;
afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await Promise.all(sessions.splice(0).map((s) => s.stop()));
  await balancer?.close();
  for (const p of processes.splice(0)) {
    p.child.kill('SIGKILL');
    await p.exited;
  }
  await redis?.stop();
});

async function cluster(): Promise<[ServerProcess, ServerProcess]> {
  redis = await startRedis();
  const env = { REDIS_URL: redis.url, REDIS_NODE_TTL_MS: String(NODE_TTL_MS), STATIC_DIR: fakeStaticDir() };
  const [a, b] = await Promise.all([spawnServer(env), spawnServer(env)]);
  processes.push(a, b);
  await Promise.all([a, b].map((p) => until(async () => (await health(p)).redis === 'up')));
  return [a, b];
}

async function health(p: ServerProcess): Promise<Record<string, unknown>> {
  return (await fetch(`http://127.0.0.1:${p.port}/healthz`)).json() as Promise<Record<string, unknown>>;
}


const wsUrl = (port: number) => `ws://127.0.0.1:${port}/announce`;

function session(source: { metainfo: Metainfo }, store: MemoryStore, tracker: string, uploadLimit = 0): SwarmSession {
  const s = new SwarmSession(source, { peerId: nodePeerId(), sha1: nodeSha1, openStore: async () => store }, {
    trackers: [tracker],
    connector: nodeConnector(),
    openSocket: nodeOpenSocket,
    engine: { ...FAST, uploadLimit },
  });
  sessions.push(s);
  return s;
}

function finished(s: SwarmSession): Promise<void> {
  return s.torrent.done ? Promise.resolve() : new Promise((r) => s.on('done', r));
}

/** Swarm counts as one process sees them (a scrape over its own socket). */
async function scrape(port: number, infoHash: string): Promise<{ complete: number; incomplete: number }> {
  const c = await TestClient.connect(wsUrl(port));
  clients.push(c);
  const binary = Buffer.from(infoHash, 'hex').toString('latin1');
  c.send({ action: 'scrape', info_hash: [binary] });
  const reply = await c.next((m) => m.action === 'scrape');
  c.ws.terminate();
  const { complete, incomplete } = (reply.files as Record<string, { complete: number; incomplete: number }>)[binary]!;
  return { complete, incomplete };
}

describe('a swarm across tracker processes on Redis', () => {
  it('a seeder on process A and leechers on process B finish byte-exact', async () => {
    const [A, B] = await cluster();
    const { data, meta } = await makeContent(1024 * 1024 + 4321);
    const seeder = session({ metainfo: meta }, await filledStore(meta, data), wsUrl(A.port));
    await seeder.start();
    const stores = [new MemoryStore(), new MemoryStore()];
    const leechers = stores.map((s) => session({ metainfo: meta }, s, wsUrl(B.port)));
    for (const l of leechers) await l.start();
    await Promise.all(leechers.map(finished));
    for (const s of stores) expect(sha256(storedBytes(s, meta))).toBe(sha256(data));
    // They really met across processes: B alone never held the seeder.
    expect((await health(A)).peers).toBe(1);
    expect((await health(B)).peers).toBe(2);
  }, 60_000);

  it('process A is killed mid-swarm: its peers move to B through the load balancer, its dead entries expire, and everyone finishes', async () => {
    const [A, B] = await cluster();
    balancer = await startBalancer([A.port, B.port]);
    const viaBalancer = wsUrl(balancer.port);
    const { data, meta } = await makeContent(2 * 1024 * 1024);

    // Round robin: the seeder lands on A, the first leecher on B.
    const seeder = session({ metainfo: meta }, await filledStore(meta, data), viaBalancer, SEEDER_UPLOAD);
    await seeder.start();
    await until(() => balancer!.routed.length === 1);
    expect(balancer.routed).toEqual([A.port]);
    const store1 = new MemoryStore();
    const leecher1 = session({ metainfo: meta }, store1, viaBalancer);
    await leecher1.start();
    await until(() => balancer!.routed.length === 2);
    expect(balancer.routed[1]).toBe(B.port);
    // A peer on A that will never come back: its entry must go by itself.
    const ghost = await TestClient.connect(wsUrl(A.port));
    clients.push(ghost);
    ghost.send({ action: 'announce', info_hash: Buffer.from(meta.infoHash, 'hex').toString('latin1'), peer_id: id('ghost'), numwant: 0, left: 5 });
    await ghost.next(isReply);
    await until(async () => JSON.stringify(await scrape(B.port, meta.infoHash)) === JSON.stringify({ complete: 1, incomplete: 2 }));

    await until(() => leecher1.torrent.stats().piecesHave > 0, 20_000);
    expect(leecher1.torrent.done).toBe(false);
    A.child.kill('SIGKILL');
    await A.exited;
    processes.splice(processes.indexOf(A), 1);

    // The seeder reconnects through the balancer (A refuses, so B) and is listed again; the ghost expires.
    // (Seeder and first leecher only: the ghost would make three. The leecher may have finished by now.)
    await until(async () => {
      const { complete, incomplete } = await scrape(B.port, meta.infoHash);
      return complete >= 1 && complete + incomplete === 2;
    }, 20_000);
    expect(balancer.routed.slice(2)).toContain(B.port);
    expect(balancer.routed.slice(2)).not.toContain(A.port);

    // A newcomer joins after the crash and finds the swarm through B.
    const store2 = new MemoryStore();
    const leecher2 = session({ metainfo: meta }, store2, viaBalancer);
    await leecher2.start();
    await Promise.all([finished(leecher1), finished(leecher2)]);
    expect(sha256(storedBytes(store1, meta))).toBe(sha256(data));
    expect(sha256(storedBytes(store2, meta))).toBe(sha256(data));
  }, 90_000);

  it('Redis restarts mid-swarm: both processes reconnect, membership is back without waiting for announces, a newcomer finds the seeder across processes', async () => {
    const [A, B] = await cluster();
    const { data, meta } = await makeContent(2 * 1024 * 1024);
    const seeder = session({ metainfo: meta }, await filledStore(meta, data), wsUrl(A.port), SEEDER_UPLOAD);
    await seeder.start();
    const store1 = new MemoryStore();
    const leecher1 = session({ metainfo: meta }, store1, wsUrl(B.port));
    await leecher1.start();
    await until(() => leecher1.torrent.stats().piecesHave > 0, 20_000);

    await redis!.restart();
    // Announces keep getting replies meanwhile (each process answers from its own peers), then recover.
    await until(async () => (await health(A)).status === 'ok' && (await health(B)).status === 'ok');
    await until(async () => JSON.stringify(await scrape(B.port, meta.infoHash)) === JSON.stringify({ complete: 1, incomplete: 1 }));

    const store2 = new MemoryStore();
    const leecher2 = session({ metainfo: meta }, store2, wsUrl(B.port));
    await leecher2.start();
    await Promise.all([finished(leecher1), finished(leecher2)]);
    expect(sha256(storedBytes(store1, meta))).toBe(sha256(data));
    expect(sha256(storedBytes(store2, meta))).toBe(sha256(data));
    expect(leecher1.trackers[0]!.connected).toBe(true);
    expect(leecher2.trackers[0]!.connected).toBe(true);
  }, 90_000);
});
