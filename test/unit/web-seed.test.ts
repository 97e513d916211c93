/** BEP 19 in the protocol core: URL rules, pieces as file ranges, url-list as mktorrent -w writes it, ws= in magnets. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeSha1 } from '../../client/node/sha1.ts';
import { buildMagnet, parseMagnet } from '../../shared/magnet.ts';
import { createTorrent, parseTorrent } from '../../shared/metainfo/index.ts';
import { pieceRanges, usableWebSeeds, webSeedFileUrl } from '../../shared/web-seed.ts';
import { runCli } from '../helpers/cli.ts';

const files = (offsets: Array<[string[], number]>) => {
  let offset = 0;
  return offsets.map(([path, length]) => {
    const f = { path, length, offset };
    offset += length;
    return f;
  });
};

describe('web seed URLs (BEP 19)', () => {
  const single = { name: 'my movie.mp4', multiFile: false, files: files([[['my movie.mp4'], 10]]) };
  const multi = { name: 'the album', multiFile: true, files: files([[['disc 1', 'a#1.mp3'], 10], [['b.txt'], 5]]) };

  it('a single-file URL is the file; a URL ending in / gets the name, percent-encoded', () => {
    expect(webSeedFileUrl('http://o.example/x/movie.mp4', single, 0)).toBe('http://o.example/x/movie.mp4');
    expect(webSeedFileUrl('http://o.example/x/', single, 0)).toBe('http://o.example/x/my%20movie.mp4');
  });

  it('a multi-file URL gets the name and each path component, percent-encoded, after a slash', () => {
    expect(webSeedFileUrl('http://o.example/pub/', multi, 0)).toBe('http://o.example/pub/the%20album/disc%201/a%231.mp3');
    expect(webSeedFileUrl('http://o.example/pub', multi, 1)).toBe('http://o.example/pub/the%20album/b.txt');
  });

  it('keeps http and https web seeds only, each once', () => {
    expect(usableWebSeeds(['http://a/', 'ftp://b/', 'not a url', 'https://c/x', 'http://a/'])).toEqual(['http://a/', 'https://c/x']);
  });
});

describe('a piece as ranges of files', () => {
  const meta = { name: 'x', multiFile: true, pieceLength: 8, length: 20, files: files([[['a'], 5], [['empty'], 0], [['b'], 12], [['c'], 3]]) };

  it('one range per file the piece crosses, empty files skipped, the last piece short', () => {
    expect(pieceRanges(meta, 0)).toEqual([
      { fileIndex: 0, start: 0, end: 5 },
      { fileIndex: 2, start: 0, end: 3 },
    ]);
    expect(pieceRanges(meta, 1)).toEqual([{ fileIndex: 2, start: 3, end: 11 }]);
    expect(pieceRanges(meta, 2)).toEqual([
      { fileIndex: 2, start: 11, end: 12 },
      { fileIndex: 3, start: 0, end: 3 },
    ]);
  });

  it('a block of a piece maps to its own bytes only', () => {
    expect(pieceRanges(meta, 0, 4, 2)).toEqual([
      { fileIndex: 0, start: 4, end: 5 },
      { fileIndex: 2, start: 0, end: 1 },
    ]);
  });
});

describe('url-list as mktorrent -w writes it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tabswarm-ws-'));
  mkdirSync(join(dir, 'folder', 'sub'), { recursive: true });
  writeFileSync(join(dir, 'one.txt'), 'hello world\n');
  writeFileSync(join(dir, 'folder', 'a.txt'), 'a');
  writeFileSync(join(dir, 'folder', 'sub', 'b.txt'), 'bb');

  it.each([
    ['one web seed (a string)', 'one.txt', ['http://o.example/files/one.txt']],
    ['two web seeds (a list)', 'folder', ['http://a.example/', 'https://b.example/x/']],
  ])('%s: our torrent is byte-identical to mktorrent\'s', async (_what, path, webSeeds) => {
    const out = join(dir, `${path}.torrent`);
    execFileSync('mktorrent', ['-l', '18', '-d', ...webSeeds.flatMap((w) => ['-w', w]), '-o', out, join(dir, path)], { stdio: 'ignore' });
    const theirs = new Uint8Array(readFileSync(out));
    const multiFile = path === 'folder';
    const inputs = multiFile
      ? [{ path: ['a.txt'], data: 'a' }, { path: ['sub', 'b.txt'], data: 'bb' }]
      : [{ path: ['one.txt'], data: 'hello world\n' }];
    const ours = await createTorrent({
      name: path,
      multiFile,
      sha1: nodeSha1,
      urlList: webSeeds,
      // mktorrent always names itself; -d leaves the date out.
      createdBy: 'mktorrent 1.1',
      files: inputs.map((f) => ({ path: f.path, length: f.data.length, stream: async function* () { yield new TextEncoder().encode(f.data); } })),
    });
    expect(Buffer.from(ours.torrentBytes).equals(Buffer.from(theirs))).toBe(true);
    expect(parseTorrent(theirs).urlList).toEqual(webSeeds);
  });

  it('tabswarm create --web-seed writes them, and the magnet link carries them as ws=', () => {
    const out = join(dir, 'cli.torrent');
    const r = runCli(['create', join(dir, 'folder'), '-o', out, '--web-seed', 'http://a.example/', '-w', 'https://b.example/x/', '--json']);
    expect(r.status).toBe(0);
    const meta = parseTorrent(new Uint8Array(readFileSync(out)));
    expect(meta.urlList).toEqual(['http://a.example/', 'https://b.example/x/']);
    const magnet = (JSON.parse(r.stdout) as { magnet: string }).magnet;
    expect(parseMagnet(magnet).webSeeds).toEqual(['http://a.example/', 'https://b.example/x/']);
    expect(magnet).toBe(buildMagnet({ infoHash: meta.infoHash, name: 'folder', webSeeds: meta.urlList }));
    const bad = runCli(['create', join(dir, 'folder'), '-o', out, '--web-seed', 'ftp://x/']);
    expect(bad).toMatchObject({ status: 2, stderr: 'tabswarm: --web-seed takes an http:// or https:// URL, not "ftp://x/". [INPUT_UNREADABLE]\n' });
  });

  it('tabswarm create --torrent-url puts where the .torrent is published in the magnet link (xs=); the torrent itself is unchanged', () => {
    const out = join(dir, 'xs.torrent');
    const plain = runCli(['create', join(dir, 'folder'), '-o', join(dir, 'plain.torrent'), '-w', 'http://a.example/', '--json']);
    const r = runCli(['create', join(dir, 'folder'), '-o', out, '-w', 'http://a.example/', '--torrent-url', 'http://a.example/folder.torrent', '--json']);
    expect(r.status).toBe(0);
    expect(parseMagnet((JSON.parse(r.stdout) as { magnet: string }).magnet).sources).toEqual(['http://a.example/folder.torrent']);
    expect((JSON.parse(plain.stdout) as { infoHash: string }).infoHash).toBe((JSON.parse(r.stdout) as { infoHash: string }).infoHash);
    const bad = runCli(['create', join(dir, 'folder'), '-o', out, '--torrent-url', 'folder.torrent']);
    expect(bad).toMatchObject({ status: 2, stderr: 'tabswarm: --torrent-url takes an http:// or https:// URL, not "folder.torrent". [INPUT_UNREADABLE]\n' });
  });
});
