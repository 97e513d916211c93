/**
 * TURN with a real coturn: our server hands out short-lived credentials at /config (coturn's
 * REST-API secret), and Node peers that may only use the relay finish a swarm through it; the same
 * peers with an expired credential are refused by coturn and say so, instead of stalling.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../client/engine/storage.ts';
import { SwarmSession } from '../../client/engine/session.ts';
import { nodeIceServers } from '../../client/node/ice.ts';
import { nodeConnector, nodeOpenSocket, nodePeerId } from '../../client/node/peer-env.ts';
import { nodeSha1 } from '../../client/node/sha1.ts';
import type { TabswarmError } from '../../shared/errors.ts';
import type { Metainfo } from '../../shared/metainfo/types.ts';
import { DEFAULT_TURN_CREDENTIAL_TTL_S } from '../../signal-server/turn.ts';
import { startCoturn, type Coturn } from '../helpers/coturn.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { FAST, filledStore, makeContent, sha256, storedBytes } from '../helpers/swarm.ts';

let coturn: Coturn | undefined;
let server: RunningServer | undefined;
const sessions: SwarmSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.stop()));
  await server?.server.close();
  await coturn?.stop();
  server = coturn = undefined;
});

async function session(source: { metainfo: Metainfo }, store: MemoryStore, tracker: string, policy: RTCIceTransportPolicy, connectTimeoutMs?: number) {
  const s = new SwarmSession(source, { peerId: nodePeerId(), sha1: nodeSha1, openStore: async () => store }, {
    trackers: [tracker],
    connector: nodeConnector(await nodeIceServers([tracker]), { iceTransportPolicy: policy, connectTimeoutMs }),
    openSocket: nodeOpenSocket,
    engine: FAST,
  });
  sessions.push(s);
  return s;
}

async function start(nowOffsetMs = 0) {
  coturn = await startCoturn();
  server = await startServer({}, { TURN_URLS: coturn.url, TURN_SECRET: coturn.secret }, { now: () => Date.now() + nowOffsetMs });
  return `${server.wsUrl}/announce`;
}

describe('TURN through coturn, with credentials from /config', () => {
  it('/config hands out a fresh, expiring credential for the relay, never the secret', async () => {
    await start();
    const before = Date.now();
    const body = (await (await fetch(`${server!.httpUrl}/config`)).json()) as { iceServers: RTCIceServer[]; iceServersExpireAt: number };
    const turn = body.iceServers.find((s) => String(s.urls).startsWith('turn:'))!;
    expect(turn.urls).toEqual([coturn!.url]);
    const expiry = Number(String(turn.username).split(':')[0]);
    expect(expiry * 1000).toBe(body.iceServersExpireAt);
    expect(expiry).toBeGreaterThanOrEqual(Math.floor(before / 1000) + DEFAULT_TURN_CREDENTIAL_TTL_S);
    expect(JSON.stringify(body)).not.toContain(coturn!.secret);
  }, 30_000);

  it('peers allowed only the relay finish byte-exact through it, and report their connections as relayed', async () => {
    const tracker = await start();
    const { data, meta } = await makeContent(1024 * 1024 + 99);
    const seeder = await session({ metainfo: meta }, await filledStore(meta, data), tracker, 'relay');
    await seeder.start();
    const store = new MemoryStore();
    const leecher = await session({ metainfo: meta }, store, tracker, 'relay');
    const done = new Promise<void>((r) => leecher.on('done', r));
    await leecher.start();
    await done;
    expect(sha256(storedBytes(store, meta))).toBe(sha256(data));
    // The route is read from the connection's stats once it opens.
    await expect.poll(() => leecher.torrent.stats().peers.map((p) => p.route), { timeout: 10_000 }).toEqual(['relayed']);
    // coturn itself saw the allocations our credentials paid for.
    expect(coturn!.log()).toMatch(/ALLOCATE processed, success/);
  }, 60_000);

  it('the same peers on loopback without the relay-only rule connect directly', async () => {
    const tracker = await start();
    const { data, meta } = await makeContent(300_000);
    const seeder = await session({ metainfo: meta }, await filledStore(meta, data), tracker, 'all');
    await seeder.start();
    const leecher = await session({ metainfo: meta }, new MemoryStore(), tracker, 'all');
    const done = new Promise<void>((r) => leecher.on('done', r));
    await leecher.start();
    await done;
    await expect.poll(() => leecher.torrent.stats().peers.map((p) => p.route), { timeout: 10_000 }).toEqual(['direct']);
  }, 60_000);

  it('an expired credential is refused by coturn, and the peer says it cannot connect instead of stalling', async () => {
    // The server's clock is two credential lifetimes behind, so what it hands out has already expired.
    const tracker = await start(-2 * DEFAULT_TURN_CREDENTIAL_TTL_S * 1000);
    const { data, meta } = await makeContent(300_000);
    // Whether a connection that cannot open fails after 5 s or 30 s does not matter here: it fails.
    const seeder = await session({ metainfo: meta }, await filledStore(meta, data), tracker, 'relay', 5_000);
    await seeder.start();
    const leecher = await session({ metainfo: meta }, new MemoryStore(), tracker, 'relay', 5_000);
    const unreachable = new Promise<TabswarmError>((r) => leecher.on('warning', (w) => w.code === 'PEER_UNREACHABLE' && r(w)));
    await leecher.start();
    const warning = await unreachable;
    expect(warning.message).toMatch(/not even through this server's TURN relay/);
    expect(leecher.torrent.stats().bytesVerified).toBe(0);
    expect(coturn!.log()).toMatch(/401|Unauthorized|expired/i);
  }, 90_000);
});
