/** Sessions over real WebRTC (@roamhq/wrtc) in Node, meeting through our tracker. */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../client/engine/storage.ts';
import { SwarmSession } from '../../client/engine/session.ts';
import { nodeConnector, nodeOpenSocket, nodePeerId } from '../../client/node/peer-env.ts';
import { nodeSha1 } from '../../client/node/sha1.ts';
import type { Metainfo } from '../../shared/metainfo/types.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { FAST, filledStore, makeContent, sha256, storedBytes } from '../helpers/swarm.ts';

let server: RunningServer | undefined;
const sessions: SwarmSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.stop()));
  await server?.server.close();
});

async function session(source: { metainfo: Metainfo } | { infoHash: string }, store: MemoryStore, tracker: string) {
  const s = new SwarmSession(source, { peerId: nodePeerId(), sha1: nodeSha1, openStore: async () => store }, {
    trackers: [tracker],
    connector: nodeConnector(),
    openSocket: nodeOpenSocket,
    engine: FAST,
  });
  sessions.push(s);
  return s;
}

describe('real WebRTC in Node', () => {
  it('a seeder and two leechers (one from a magnet) meet through the tracker and finish byte-exact', async () => {
    server = await startServer();
    const tracker = `${server.wsUrl}/announce`;
    const { data, meta } = await makeContent(2 * 1024 * 1024 + 777);
    const seeder = await session({ metainfo: meta }, await filledStore(meta, data), tracker);
    await seeder.start();

    const stores = [new MemoryStore(), new MemoryStore()];
    const leechers = [await session({ metainfo: meta }, stores[0]!, tracker), await session({ infoHash: meta.infoHash }, stores[1]!, tracker)];
    const done = leechers.map((l) => new Promise<void>((resolve) => l.on('done', resolve)));
    for (const l of leechers) await l.start();
    await Promise.all(done);
    for (const s of stores) expect(sha256(storedBytes(s, meta))).toBe(sha256(data));
    expect(server.server.metrics.answersRelayed).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it('when the tracker goes away, peers stay connected and the clients reconnect and announce again', async () => {
    server = await startServer();
    const port = server.port;
    const tracker = `${server.wsUrl}/announce`;
    const { data, meta } = await makeContent(300_000);
    const seeder = await session({ metainfo: meta }, await filledStore(meta, data), tracker);
    await seeder.start();
    const leecher = await session({ metainfo: meta }, new MemoryStore(), tracker);
    const done = new Promise<void>((r) => leecher.on('done', r));
    await leecher.start();
    await done;
    expect(leecher.torrent.peerCount).toBe(1);

    const lost = new Promise<void>((r) => leecher.on('tracker', (t) => !t.connected && r()));
    await server.server.close();
    await lost;
    expect(leecher.trackers[0]!.connected).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect(leecher.torrent.peerCount).toBe(1);

    server = await startServer({ port });
    const back = new Promise<void>((r) => leecher.on('tracker', (t) => t.connected && t.incomplete !== undefined && r()));
    await back;
    expect(leecher.trackers[0]!.connected).toBe(true);
    // Both re-announce to the new tracker process (each on its own backoff): it knows the swarm again.
    let peers = 0;
    for (let i = 0; i < 100 && peers < 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      peers = (await (await fetch(`${server.httpUrl}/healthz`)).json()).peers;
    }
    expect(peers).toBe(2);
  }, 60_000);
});
