// Run by package.test.ts inside a folder where the packed tarball was installed: plain Node, no
// TypeScript, only the package's public entries. An HTTP server of "the user's own" mounts the
// tracker; a seeder and a leecher meet through it over real WebRTC and the leecher's bytes must
// equal the seeder's. Prints one JSON line with what happened.
import { createServer } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { SwarmSession, MemoryStore, createTorrent, parseMagnet, buildMagnet } from 'tabswarm/engine';
import { nodeConnector, nodeOpenSocket, nodePeerId, nodeSha1 } from 'tabswarm/node';
import { mountTracker } from 'tabswarm/server';

const http = createServer((_req, res) => res.end('the host application\n'));
const mounted = mountTracker(http);
await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
const tracker = `ws://127.0.0.1:${http.address().port}/announce`;

const data = new Uint8Array(randomBytes(600_000));
const { metainfo } = await createTorrent({
  name: 'hello.bin',
  multiFile: false,
  files: [{ path: ['hello.bin'], length: data.length, stream: async function* () { yield data; } }],
  sha1: nodeSha1,
  announce: [tracker],
});
const magnet = buildMagnet({ infoHash: metainfo.infoHash, name: metainfo.name, trackers: [tracker] });

const session = (source, store) =>
  new SwarmSession(source, { peerId: nodePeerId(), sha1: nodeSha1, openStore: async () => store }, { trackers: [tracker], connector: nodeConnector(), openSocket: nodeOpenSocket });
const seeder = session({ metainfo }, MemoryStore.filled(metainfo, data));
await seeder.start();
const leecherStore = new MemoryStore();
const leecher = session({ infoHash: parseMagnet(magnet).infoHash }, leecherStore);
const done = new Promise((resolve) => leecher.on('done', resolve));
await leecher.start();
await done;

const got = Buffer.concat(Array.from({ length: metainfo.pieceCount }, (_, i) => leecherStore.pieces.get(i)));
const digest = (b) => createHash('sha256').update(b).digest('hex');
const hostPage = await (await fetch(`http://127.0.0.1:${http.address().port}/`)).text();
console.log(JSON.stringify({ pieces: metainfo.pieceCount, same: digest(got) === digest(data), trackerSockets: mounted.stats().sockets, hostPage: hostPage.trim() }));
await Promise.all([seeder.stop(), leecher.stop()]);
await mounted.close();
http.close();
process.exit(0);
