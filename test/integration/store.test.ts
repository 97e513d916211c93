/**
 * The server as the seed of last resort: `tabswarm seed --keep` uploads a file to the server's store
 * (verified piece by piece), and the printed link then completes with the sharer gone — from the
 * server's web seed alone, its metadata from the link's xs=. The store refuses a tampered piece, a
 * file over its limit and a store over its total, resumes an interrupted upload, serves files with
 * Range, CORS and caching headers, keeps them across a restart and deletes them when they expire.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { uploadToStore } from '../../client/engine/store-upload.ts';
import { isTabswarmError } from '../../shared/errors.ts';
import { parseMagnet } from '../../shared/magnet.ts';
import { createTorrent, encodeTorrentFile, pieceSize, type Metainfo } from '../../shared/metainfo/index.ts';
import { portableSha1 } from '../../shared/sha1.ts';
import type { StoreStatus } from '../../shared/store-api.ts';
import type { StoreConfig } from '../../signal-server/store/options.ts';
import { CLI, runCliAsync } from '../helpers/cli.ts';
import { waitForLine } from '../helpers/process.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

const MIB = 1024 * 1024;
const work = mkdtempSync(join(tmpdir(), 'tabswarm-store-'));
const servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.server.close()));
});
afterAll(async () => {
  await Promise.all(servers.splice(0).map((s) => s.server.close()));
});

let dirCount = 0;
function storeConfig(overrides: Partial<StoreConfig> = {}): StoreConfig {
  return { dir: join(work, `store-${++dirCount}`), maxFileBytes: 8 * MIB, maxTotalBytes: 12 * MIB, expiryMs: 3_600_000, ...overrides };
}

async function withStore(config: StoreConfig, now?: () => number): Promise<RunningServer> {
  const s = await startServer({ store: config }, {}, now ? { now } : {});
  servers.push(s);
  return s;
}

async function content(bytes: number, name = 'notes.bin'): Promise<{ data: Uint8Array; meta: Metainfo; torrent: Uint8Array }> {
  const data = new Uint8Array(randomBytes(bytes));
  const { metainfo } = await createTorrent({ name, multiFile: false, sha1: portableSha1, files: [{ path: [name], length: bytes, stream: async function* () { yield data; } }] });
  return { data, meta: metainfo, torrent: encodeTorrentFile(metainfo.infoBytes, []) };
}

const pieceOf = (meta: Metainfo, data: Uint8Array, i: number) => data.slice(i * meta.pieceLength, i * meta.pieceLength + pieceSize(meta, i));

describe('tabswarm seed --keep', () => {
  let server: RunningServer;
  let storeDir: string;
  beforeAll(async () => {
    const config = storeConfig();
    storeDir = config.dir;
    server = await startServer({ store: config });
  });
  afterAll(async () => {
    await server?.server.close();
  });

  for (const kind of ['a file', 'a folder'] as const) {
    it(`keeps ${kind} on the server; its link then completes byte-exact with the sharer gone`, async () => {
      const src = mkdtempSync(join(work, 'src-'));
      const files: Record<string, Buffer> = kind === 'a file' ? { 'lecture.bin': randomBytes(MIB + 12_345) } : { 'slides/one.bin': randomBytes(400_000), 'slides/two words.bin': randomBytes(300_001) };
      for (const [path, data] of Object.entries(files)) {
        mkdirSync(join(src, ...path.split('/').slice(0, -1)), { recursive: true });
        writeFileSync(join(src, path), data);
      }
      const shared = kind === 'a file' ? join(src, 'lecture.bin') : join(src, 'slides');
      const seeder = spawn(process.execPath, [CLI, 'seed', shared, '--tracker', `${server.wsUrl}/announce`, '--keep'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      seeder.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      const { line } = await waitForLine(seeder, /^magnet:/, 'the magnet link').catch((err: Error) => {
        throw new Error(`${err.message}\n${stderr}`);
      });
      const link = parseMagnet(line.trim());
      // A file's web seed is its own URL (BEP 19, and how WebTorrent reads single-file web seeds); a folder's ends in "/".
      expect(link.webSeeds).toEqual([kind === 'a file' ? `${server.httpUrl}/files/${link.infoHash}/lecture.bin` : `${server.httpUrl}/files/${link.infoHash}/`]);
      expect(link.sources).toEqual([`${server.httpUrl}/store/${link.infoHash}/torrent`]);
      expect(stderr).toMatch(/kept on http:\/\/127\.0\.0\.1:\d+ until/);
      // The sharer leaves: nobody holds the file but the server.
      const exited = new Promise((r) => seeder.once('exit', r));
      seeder.kill('SIGTERM');
      await exited;

      const out = mkdtempSync(join(work, 'out-'));
      const got = await runCliAsync(['get', line.trim(), '-o', out, '--timeout', '60']);
      expect(got.stderr).not.toMatch(/warning/);
      expect(got.status).toBe(0);
      for (const [path, data] of Object.entries(files)) {
        const saved = kind === 'a file' ? join(out, path) : join(out, path);
        expect(readFileSync(saved).equals(data)).toBe(true);
      }
    }, 120_000);
  }

  it('keeps a private share as ciphertext only: the server holds no window of any file nor their names, and the link completes from it with the sharer gone', async () => {
    const src = join(mkdtempSync(join(work, 'src-')), 'secret plans');
    const files: Record<string, Buffer> = { 'map.bin': randomBytes(700_000), 'route.txt': Buffer.from('North along the river, then east at the mill. '.repeat(5_000)) };
    mkdirSync(src);
    for (const [path, data] of Object.entries(files)) writeFileSync(join(src, path), data);
    const sealedTmp = mkdtempSync(join(work, 'sealed-'));
    const seeder = spawn(process.execPath, [CLI, 'seed', src, '--private', '--tracker', `${server.wsUrl}/announce`, '--keep'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: sealedTmp } });
    let stderr = '';
    seeder.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const { line } = await waitForLine(seeder, /^magnet:/, 'the magnet link').catch((err: Error) => {
      throw new Error(`${err.message}\n${stderr}`);
    });
    const link = parseMagnet(line.trim());
    expect(link.privateKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(link.webSeeds).toEqual([expect.stringMatching(new RegExp(`/files/${link.infoHash}/tabswarm-private-[0-9a-f]{16}$`))]);
    const exited = new Promise((r) => seeder.once('exit', r));
    seeder.kill('SIGTERM');
    await exited;

    // What the server stored: the sealed bytes, nothing of the plaintext.
    const stored = readFileSync(join(storeDir, link.infoHash, 'data'));
    for (const [path, data] of Object.entries(files)) {
      for (let at = 0; at + 64 <= data.length; at += 4096) expect(stored.includes(data.subarray(at, at + 64)), `${path} at ${at}`).toBe(false);
      expect(stored.includes(Buffer.from(path))).toBe(false);
    }
    expect(stored.includes(Buffer.from('secret plans'))).toBe(false);

    const out = mkdtempSync(join(work, 'out-'));
    const got = await runCliAsync(['get', line.trim(), '-o', out, '--timeout', '60']);
    expect(got.status, got.stderr).toBe(0);
    for (const [path, data] of Object.entries(files)) expect(readFileSync(join(out, 'secret plans', path)).equals(data), path).toBe(true);
  }, 120_000);

  it('--server without --keep is a usage error; a server with no store is named as such', async () => {
    const noStore = await startServer();
    servers.push(noStore);
    const src = join(mkdtempSync(join(work, 'src-')), 'a.bin');
    writeFileSync(src, randomBytes(1000));
    const usage = await runCliAsync(['seed', src, '--server', noStore.httpUrl]);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/--server names where --keep uploads to/);
    const refused = await runCliAsync(['seed', src, '--tracker', `${noStore.wsUrl}/announce`, '--keep']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/does not keep files \(no store is set up there\)/);
  }, 60_000);
});

describe('the store', () => {
  it('refuses a tampered piece with a clear error and writes nothing of it; the upload then resumes, sending only what is missing', async () => {
    const s = await withStore(storeConfig());
    const { data, meta, torrent } = await content(5 * 256 * 1024 + 1_000);
    const tampered = await uploadToStore({
      serverUrl: s.httpUrl,
      torrentBytes: torrent,
      concurrency: 1,
      readPiece: async (i) => {
        const p = pieceOf(meta, data, i);
        if (i === 2) p[100] = p[100]! ^ 0xff;
        return p;
      },
    }).then(() => null, (e: unknown) => e);
    expect(isTabswarmError(tampered, 'STORE_REFUSED')).toBe(true);
    expect((tampered as Error).message).toMatch(/Piece 2 of notes\.bin does not match the torrent's hash: refused/);
    const status = (await (await fetch(`${s.httpUrl}/store/${meta.infoHash}`)).json()) as StoreStatus;
    expect(status.have).toBe('110000');
    expect(status.complete).toBe(false);
    // Not served while incomplete: a web seed must never hand out bytes nobody verified.
    expect((await fetch(`${s.httpUrl}/files/${meta.infoHash}/notes.bin`)).status).toBe(404);

    const sent: number[] = [];
    const progress: number[] = [];
    const kept = await uploadToStore({
      serverUrl: s.httpUrl,
      torrentBytes: torrent,
      readPiece: async (i) => {
        sent.push(i);
        return pieceOf(meta, data, i);
      },
      onProgress: (done) => progress.push(done),
    });
    expect(sent.sort()).toEqual([2, 3, 4, 5]);
    expect(progress[0]).toBe(2);
    expect(progress.at(-1)).toBe(6);
    expect(kept.complete).toBe(true);
    const res = await fetch(`${s.httpUrl}/files/${meta.infoHash}/notes.bin`);
    expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(data))).toBe(true);
  });

  it('refuses a file over its size limit, and one that would fill the store past its total', async () => {
    const s = await withStore(storeConfig({ maxFileBytes: 2 * MIB, maxTotalBytes: 3 * MIB }));
    const big = await content(2 * MIB + 1);
    const tooBig = await uploadToStore({ serverUrl: s.httpUrl, torrentBytes: big.torrent, readPiece: async (i) => pieceOf(big.meta, big.data, i) }).then(() => null, (e: unknown) => e);
    expect(isTabswarmError(tooBig, 'STORE_REFUSED')).toBe(true);
    expect((tooBig as Error).message).toMatch(/notes\.bin is 2097153 bytes; this server keeps files of at most 2097152 bytes/);
    const raw = await fetch(`${s.httpUrl}/store`, { method: 'POST', body: Buffer.from(big.torrent) });
    expect(raw.status).toBe(413);
    expect(((await raw.json()) as { error: { code: string } }).error.code).toBe('STORE_FILE_TOO_LARGE');

    const first = await content(2 * MIB, 'first.bin');
    await uploadToStore({ serverUrl: s.httpUrl, torrentBytes: first.torrent, readPiece: async (i) => pieceOf(first.meta, first.data, i) });
    const second = await content(1.5 * MIB, 'second.bin');
    const full = await fetch(`${s.httpUrl}/store`, { method: 'POST', body: Buffer.from(second.torrent) });
    expect(full.status).toBe(507);
    const body = (await full.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('STORE_FULL');
    expect(body.error.message).toMatch(/store is full \(2097152 of 3145728 bytes used\); second\.bin does not fit/);
    // Not a torrent at all: refused as such.
    const junk = await fetch(`${s.httpUrl}/store`, { method: 'POST', body: 'hello' });
    expect(junk.status).toBe(400);
    expect(((await junk.json()) as { error: { code: string } }).error.code).toBe('STORE_TORRENT_INVALID');
  });

  it('serves a stored file as a web seed: Range, CORS and year-long caching; 416 past the end', async () => {
    const s = await withStore(storeConfig());
    const { data, meta, torrent } = await content(700_000);
    await uploadToStore({ serverUrl: s.httpUrl, torrentBytes: torrent, readPiece: async (i) => pieceOf(meta, data, i) });
    const url = `${s.httpUrl}/files/${meta.infoHash}/notes.bin`;
    const part = await fetch(url, { headers: { range: 'bytes=1000-1999', origin: 'https://blog.example' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1000-1999/${data.length}`);
    expect(part.headers.get('access-control-allow-origin')).toBe('*');
    expect(part.headers.get('access-control-expose-headers')).toMatch(/content-range/);
    expect(part.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(Buffer.from(await part.arrayBuffer()).equals(Buffer.from(data.subarray(1000, 2000)))).toBe(true);
    const tail = await fetch(url, { headers: { range: 'bytes=-10' } });
    expect(Buffer.from(await tail.arrayBuffer()).equals(Buffer.from(data.subarray(data.length - 10)))).toBe(true);
    expect((await fetch(url, { headers: { range: `bytes=${data.length}-` } })).status).toBe(416);
    const preflight = await fetch(url, { method: 'OPTIONS', headers: { origin: 'https://blog.example', 'access-control-request-headers': 'range' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/range/);
    // The .torrent for links' xs=, and nothing under another name.
    const t = await fetch(`${s.httpUrl}/store/${meta.infoHash}/torrent`);
    expect(Buffer.from(await t.arrayBuffer()).equals(Buffer.from(torrent))).toBe(true);
    expect((await fetch(`${s.httpUrl}/files/${meta.infoHash}/other.bin`)).status).toBe(404);
    expect((await fetch(`${s.httpUrl}/files/${meta.infoHash}/..%2F..%2Fetc%2Fpasswd`)).status).toBe(404);
  });

  it('keeps stored files across a restart, and deletes them once they expire', async () => {
    let now = 1_700_000_000_000;
    const config = storeConfig({ expiryMs: 3_600_000 });
    const first = await withStore(config, () => now);
    const { data, meta, torrent } = await content(300_000);
    const kept = await uploadToStore({ serverUrl: first.httpUrl, torrentBytes: torrent, readPiece: async (i) => pieceOf(meta, data, i) });
    expect(kept.expiresAt).toBe(now + 3_600_000);
    await first.server.close();
    servers.splice(servers.indexOf(first), 1);

    const second = await withStore(config, () => now);
    const res = await fetch(`${second.httpUrl}/files/${meta.infoHash}/notes.bin`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(data))).toBe(true);

    now += 3_600_000;
    expect((await fetch(`${second.httpUrl}/files/${meta.infoHash}/notes.bin`)).status).toBe(404);
    expect((await fetch(`${second.httpUrl}/store/${meta.infoHash}`)).status).toBe(404);
    // The next upload sweeps: the expired folder is gone from the disk.
    const other = await content(1000, 'other.bin');
    await uploadToStore({ serverUrl: second.httpUrl, torrentBytes: other.torrent, readPiece: async (i) => pieceOf(other.meta, other.data, i) });
    expect(existsSync(join(config.dir, meta.infoHash))).toBe(false);
    expect(existsSync(join(config.dir, other.meta.infoHash))).toBe(true);
  });

  it("keeps a private link's copy only until the link expires: sooner than its own expiry, never later, and refuses a past one", async () => {
    let now = 1_700_000_000_000;
    const config = storeConfig({ expiryMs: 3_600_000 });
    const s = await withStore(config, () => now);
    const { data, meta, torrent } = await content(300_000);
    const linkExpiry = now + 600_000; // ten minutes: the link's, sooner than the server's hour
    const kept = await uploadToStore({ serverUrl: s.httpUrl, torrentBytes: torrent, readPiece: async (i) => pieceOf(meta, data, i), expiresAt: linkExpiry });
    expect(kept.expiresAt).toBe(linkExpiry);
    // Asked again with a later expiry (another uploader's link): never extended.
    const again = await uploadToStore({ serverUrl: s.httpUrl, torrentBytes: torrent, readPiece: async (i) => pieceOf(meta, data, i), expiresAt: now + 7_200_000 });
    expect(again.expiresAt).toBe(linkExpiry);
    expect((await fetch(`${s.httpUrl}/files/${meta.infoHash}/notes.bin`)).status).toBe(200);
    now = linkExpiry;
    expect((await fetch(`${s.httpUrl}/files/${meta.infoHash}/notes.bin`)).status).toBe(404);
    const other = await content(1000, 'other.bin');
    await uploadToStore({ serverUrl: s.httpUrl, torrentBytes: other.torrent, readPiece: async (i) => pieceOf(other.meta, other.data, i) });
    expect(existsSync(join(config.dir, meta.infoHash))).toBe(false);
    // An expiry already past, or not a time: refused, nothing stored.
    const late = await content(2000, 'late.bin');
    const past = await uploadToStore({ serverUrl: s.httpUrl, torrentBytes: late.torrent, readPiece: async (i) => pieceOf(late.meta, late.data, i), expiresAt: now - 1000 }).catch((e: unknown) => e);
    expect(isTabswarmError(past, 'STORE_REFUSED')).toBe(true);
    expect((past as Error).message).toMatch(/has passed or is not a time: the link has expired/);
    const junk = await fetch(`${s.httpUrl}/store?expires=soon`, { method: 'POST', body: Buffer.from(late.torrent) });
    expect(junk.status).toBe(400);
    expect(((await junk.json()) as { error: { code: string } }).error.code).toBe('STORE_EXPIRY_INVALID');
    expect(existsSync(join(config.dir, late.meta.infoHash))).toBe(false);
  });

  it('/config tells clients whether this server keeps files, and its limits', async () => {
    const s = await withStore(storeConfig({ maxFileBytes: 5 * MIB }));
    const withIt = (await (await fetch(`${s.httpUrl}/config`)).json()) as { store: { maxFileBytes: number } | null };
    expect(withIt.store?.maxFileBytes).toBe(5 * MIB);
    const plain = await startServer();
    servers.push(plain);
    expect(((await (await fetch(`${plain.httpUrl}/config`)).json()) as { store: unknown }).store).toBeNull();
  });
});
