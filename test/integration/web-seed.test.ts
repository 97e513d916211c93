/**
 * BEP 19 web seeds against a real third-party origin (Debian's nginx) and torrents made by
 * mktorrent -w: a download completes from the origin alone, single-file and multi-file; and each
 * way an origin can fail leaves the download finishing from a peer, with a message naming the problem.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../client/engine/storage.ts';
import { SwarmSession } from '../../client/engine/session.ts';
import { nodeConnector, nodeOpenSocket, nodePeerId } from '../../client/node/peer-env.ts';
import { nodeSha1 } from '../../client/node/sha1.ts';
import type { TabswarmError } from '../../shared/errors.ts';
import type { FetchLike } from '../../client/engine/web-seed.ts';
import { parseTorrent } from '../../shared/metainfo/index.ts';
import type { Metainfo } from '../../shared/metainfo/types.ts';
import { startNginx, type Origin } from '../helpers/nginx.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { FAST, sha256, storedBytes } from '../helpers/swarm.ts';
import { runCliAsync } from '../helpers/cli.ts';

const work = mkdtempSync(join(tmpdir(), 'tabswarm-webseed-'));
const good = join(work, 'good');
const liar = join(work, 'liar');
const movie = randomBytes(700_003);
/** Eight pieces: enough for two origins to share out whatever the order the picker starts them in. */
const lecture = randomBytes(8 * 256 * 1024);
const album: Record<string, Buffer> = { 'cover.txt': randomBytes(10_000), 'disc 1/track 1.bin': randomBytes(300_001), 'disc 1/track 2.bin': randomBytes(5) };

let origin: Origin;
let tracker: RunningServer;
const sessions: SwarmSession[] = [];

beforeAll(async () => {
  for (const [root, flip] of [[good, false], [liar, true]] as const) {
    mkdirSync(join(root, 'album', 'disc 1'), { recursive: true });
    // The liar holds files of the same names and sizes with other bytes.
    const bytes = (b: Buffer) => (flip ? Buffer.from(b.map((x) => x ^ 0xff)) : b);
    writeFileSync(join(root, 'movie.bin'), bytes(movie));
    writeFileSync(join(root, 'lecture.bin'), bytes(lecture));
    for (const [path, data] of Object.entries(album)) writeFileSync(join(root, 'album', path), bytes(data));
  }
  origin = await startNginx([
    { path: '/files/', root: good },
    { path: '/mirror/', root: good },
    { path: '/no-range/', root: good, noRange: true },
    { path: '/liar/', root: liar },
  ]);
  tracker = await startServer();
}, 30_000);
afterAll(async () => {
  await origin?.stop();
  await tracker?.server.close();
});
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.stop()));
});

/** A torrent of `path` (under the good root) made by mktorrent with these web seeds. */
function mktorrent(path: string, webSeeds: string[]): Metainfo {
  const out = join(mkdtempSync(join(work, 'torrent-')), 'x.torrent');
  execFileSync('mktorrent', ['-l', '18', '-d', ...webSeeds.flatMap((w) => ['-w', w]), '-o', out, join(good, path)], { stdio: 'ignore' });
  return parseTorrent(new Uint8Array(readFileSync(out)));
}

function session(source: { metainfo: Metainfo }, store: MemoryStore, webSeeds: string[] = [], fetchFn?: FetchLike): SwarmSession {
  const s = new SwarmSession(source, { peerId: nodePeerId(), sha1: nodeSha1, openStore: async () => store }, {
    trackers: [`${tracker.wsUrl}/announce`],
    connector: nodeConnector(),
    openSocket: nodeOpenSocket,
    engine: FAST,
    webSeeds,
    fetch: fetchFn,
  });
  sessions.push(s);
  return s;
}

async function download(meta: Metainfo, webSeeds: string[] = [], fetchFn?: FetchLike): Promise<{ store: MemoryStore; warnings: TabswarmError[] }> {
  const store = new MemoryStore();
  const s = session({ metainfo: meta }, store, webSeeds, fetchFn);
  const warnings: TabswarmError[] = [];
  s.on('warning', (w) => warnings.push(w));
  const done = new Promise<void>((resolve) => s.on('done', resolve));
  await s.start();
  await done;
  return { store, warnings };
}

const content = (meta: Metainfo) => Buffer.concat(meta.files.map((f) => (meta.multiFile ? album[f.path.join('/')]! : movie)));

describe('web seeds (BEP 19) from nginx, no peer online', () => {
  it('a single-file torrent made with mktorrent -w FILE-URL completes byte-exact from the origin', async () => {
    const meta = mktorrent('movie.bin', [`${origin.url}/files/movie.bin`]);
    expect(meta.urlList).toEqual([`${origin.url}/files/movie.bin`]);
    const { store } = await download(meta);
    expect(sha256(storedBytes(store, meta))).toBe(sha256(movie));
  });

  it('a multi-file torrent made with mktorrent -w FOLDER-URL/ completes byte-exact (pieces across files, names percent-encoded)', async () => {
    const meta = mktorrent('album', [`${origin.url}/files/`]);
    expect(meta.multiFile).toBe(true);
    const { store } = await download(meta);
    expect(sha256(storedBytes(store, meta))).toBe(sha256(content(meta)));
  });
});

describe('several web seeds', () => {
  it('are used together: both origins serve pieces of one download, which completes byte-exact', async () => {
    const meta = mktorrent('lecture.bin', [`${origin.url}/files/`, `${origin.url}/mirror/`]);
    expect(meta.urlList).toHaveLength(2);
    const served = { files: 0, mirror: 0 };
    // Counts the bytes each origin answered with, on the real fetch.
    const counting: FetchLike = async (url, init) => {
      const res = await fetch(url, init);
      const body = await res.arrayBuffer();
      served[url.includes('/mirror/') ? 'mirror' : 'files'] += body.byteLength;
      return { status: res.status, arrayBuffer: async () => body };
    };
    const { store, warnings } = await download(meta, [], counting);
    expect(warnings).toEqual([]);
    expect(sha256(storedBytes(store, meta))).toBe(sha256(lecture));
    expect(served.files).toBeGreaterThan(0);
    expect(served.mirror).toBeGreaterThan(0);
  });
});

describe('tabswarm get with a web seed', () => {
  it('downloads a mktorrent -w torrent from the origin alone and saves it byte-exact', async () => {
    const dir = mkdtempSync(join(work, 'get-'));
    const torrentFile = join(dir, 'album.torrent');
    execFileSync('mktorrent', ['-l', '18', '-d', '-w', `${origin.url}/files/`, '-o', torrentFile, join(good, 'album')], { stdio: 'ignore' });
    const r = await runCliAsync(['get', torrentFile, '-o', join(dir, 'out'), '--tracker', `${tracker.wsUrl}/announce`, '--timeout', '60']);
    expect(r.stderr).not.toMatch(/warning/);
    expect(r.status).toBe(0);
    for (const [path, data] of Object.entries(album)) expect(sha256(readFileSync(join(dir, 'out', 'album', path))), path).toBe(sha256(data));
  }, 90_000);
});

describe('an origin that fails: the download finishes from a peer, and says what went wrong', () => {
  async function withSeeder(meta: Metainfo): Promise<void> {
    const seeder = session({ metainfo: meta }, MemoryStore.filled(meta, content(meta)));
    await seeder.start();
  }

  it.each([
    ['answers 404', (o: string) => `${o}/files/nowhere/`, /answered HTTP 404 for http:\/\/127\.0\.0\.1:\d+\/files\/nowhere\/album\//],
    ['ignores Range', (o: string) => `${o}/no-range/`, /ignores Range requests \(answered 200 with the whole file/],
    ['cannot be reached', () => 'http://127.0.0.1:9/', /cannot be reached, or does not allow cross-origin requests \(CORS\)/],
  ])('an origin that %s is dropped with a message naming the problem', async (_what, seedUrl, message) => {
    const meta = mktorrent('album', []);
    await withSeeder(meta);
    const { store, warnings } = await download(meta, [seedUrl(origin.url)]);
    expect(sha256(storedBytes(store, meta))).toBe(sha256(content(meta)));
    const failures = warnings.filter((w) => w.code === 'WEB_SEED_FAILED');
    expect(failures).toHaveLength(1);
    expect(failures[0]!.message).toMatch(message);
  });

  it('an origin that sends wrong bytes fails the hash check, is banned, and the peer supplies the pieces', async () => {
    const meta = mktorrent('album', []);
    await withSeeder(meta);
    const { store, warnings } = await download(meta, [`${origin.url}/liar/`]);
    expect(sha256(storedBytes(store, meta))).toBe(sha256(content(meta)));
    expect(warnings.some((w) => w.code === 'PIECE_HASH_MISMATCH')).toBe(true);
  });
});
