import { describe, expect, it } from 'vitest';
import { bencodeBytes } from '../../shared/bencode.ts';
import { concatBytes, utf8 } from '../../shared/bytes.ts';
import { isTabswarmError, type ErrorCode } from '../../shared/errors.ts';
import { createTorrent, parseInfo, parseTorrent } from '../../shared/metainfo/index.ts';
import { portableSha1 } from '../../shared/sha1.ts';
import { multiInfo, singleInfo, torrentWith, withoutKey } from '../helpers/torrents.ts';

function expectError(fn: () => unknown, code: ErrorCode, pattern: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(isTabswarmError(err, code), `expected ${code}, got ${String(err)}`).toBe(true);
    expect((err as Error).message).toMatch(pattern);
    return;
  }
  throw new Error(`expected ${code} but parsing succeeded`);
}

describe('parseTorrent validation', () => {
  it('accepts a well-formed single-file torrent', () => {
    const meta = parseTorrent(torrentWith(singleInfo()));
    expect(meta).toMatchObject({ name: 'a.bin', length: 300_000, pieceCount: 2, multiFile: false });
    expect(meta.files).toEqual([{ path: ['a.bin'], length: 300_000, offset: 0 }]);
    expect(meta.announce).toEqual(['ws://localhost:8080']);
  });

  it.each(['name', 'piece length', 'pieces'])('names a missing info.%s', (key) => {
    expectError(() => parseTorrent(torrentWith(withoutKey(singleInfo(), key))), 'TORRENT_INVALID', /missing info/);
  });

  it('reports a missing info dictionary', () => {
    expectError(() => parseTorrent(bencodeBytes({ announce: 'x' })), 'TORRENT_INVALID', /missing info dictionary/);
  });

  it('reports neither length nor files, and both', () => {
    expectError(() => parseTorrent(torrentWith(withoutKey(singleInfo(), 'length'))), 'TORRENT_INVALID', /info\.length .* or info\.files/);
    expectError(() => parseTorrent(torrentWith(singleInfo({ files: [{ length: 1, path: ['x'] }] }))), 'TORRENT_INVALID', /both/);
  });

  it('reports wrong types by field', () => {
    expectError(() => parseTorrent(torrentWith(singleInfo({ length: 'big' }))), 'TORRENT_INVALID', /info\.length must be an integer/);
    expectError(() => parseTorrent(torrentWith(singleInfo({ name: 5 }))), 'TORRENT_INVALID', /info\.name must be a byte string/);
    expectError(() => parseTorrent(torrentWith(singleInfo({ pieces: [1] }))), 'TORRENT_INVALID', /info\.pieces must be a byte string/);
    expectError(() => parseTorrent(torrentWith('not a dict')), 'TORRENT_INVALID', /info dictionary must be a dictionary/);
    expectError(() => parseTorrent(torrentWith(multiInfo([{ length: 1, path: 'x' }]))), 'TORRENT_INVALID', /files\[0\]\.path must be a list/);
    expectError(() => parseTorrent(torrentWith(multiInfo([{ length: -1, path: ['x'] }]))), 'TORRENT_INVALID', /files\[0\]\.length -1 is out of range/);
  });

  it('reports a pieces string that is not a multiple of 20', () => {
    expectError(() => parseTorrent(torrentWith(singleInfo({ pieces: new Uint8Array(39) }))), 'TORRENT_INVALID', /39 bytes, not a multiple of 20/);
  });

  it('reports a piece count that does not match the length', () => {
    expectError(() => parseTorrent(torrentWith(singleInfo({ pieces: new Uint8Array(60) }))), 'TORRENT_INVALID', /holds 3 hashes .* need 2/);
    expectError(() => parseTorrent(torrentWith(singleInfo({ pieces: new Uint8Array(20) }))), 'TORRENT_INVALID', /holds 1 hashes .* need 2/);
  });

  it('refuses empty content', () => {
    expectError(() => parseTorrent(torrentWith(singleInfo({ length: 0, pieces: new Uint8Array(0) }))), 'TORRENT_INVALID', /no content/);
  });

  it.each([
    [[''], /is empty/],
    [['.'], /is "\."/],
    [['..'], /is "\.\."/],
    [['a', '..', 'b'], /is "\.\."/],
    [['a/b'], /contains "\/"/],
    [['..\\evil'], /contains "\\"/],
    [['nul\0byte'], /NUL/],
  ])('refuses the unsafe path %j', (path, reason) => {
    expectError(() => parseTorrent(torrentWith(multiInfo([{ length: 10, path }]))), 'TORRENT_UNSAFE_PATH', reason);
  });

  it('refuses an empty path list and unsafe names', () => {
    expectError(() => parseTorrent(torrentWith(multiInfo([{ length: 10, path: [] }]))), 'TORRENT_UNSAFE_PATH', /path is empty/);
    expectError(() => parseTorrent(torrentWith(singleInfo({ name: '..' }))), 'TORRENT_UNSAFE_PATH', /info\.name is "\.\."/);
    expectError(() => parseTorrent(torrentWith(singleInfo({ name: '/etc/passwd' }))), 'TORRENT_UNSAFE_PATH', /contains "\/"/);
  });

  it('refuses two files at one path, and a file that is also a folder', () => {
    const dup = [{ length: 1, path: ['a'] }, { length: 1, path: ['a'] }];
    expectError(() => parseTorrent(torrentWith(multiInfo(dup))), 'TORRENT_INVALID', /used twice/);
    const clash = [{ length: 1, path: ['a'] }, { length: 1, path: ['a', 'b'] }];
    expectError(() => parseTorrent(torrentWith(multiInfo(clash))), 'TORRENT_INVALID', /both a file and a folder/);
  });

  it('refuses garbage, trailing bytes and non-UTF-8 names with TORRENT_INVALID', () => {
    expectError(() => parseTorrent(utf8('hello')), 'TORRENT_INVALID', /not valid bencode/);
    expectError(() => parseTorrent(concatBytes([torrentWith(singleInfo()), utf8('x')])), 'TORRENT_INVALID', /trailing/);
    expectError(() => parseTorrent(torrentWith(singleInfo({ name: new Uint8Array([0xff, 0xfe]) }))), 'TORRENT_INVALID', /UTF-8/);
    expectError(() => parseTorrent(utf8('d4:infod' + 'l'.repeat(200))), 'TORRENT_INVALID', /not valid bencode/);
  });

  it('never reads keys through a hostile __proto__ entry', () => {
    // A "__proto__" dict inside info must not supply the missing "length" via the prototype chain.
    const raw = utf8('d4:infod9:__proto__d6:lengthi5ee4:name1:a12:piece lengthi262144e6:pieces20:aaaaaaaaaaaaaaaaaaaaee');
    expectError(() => parseTorrent(raw), 'TORRENT_INVALID', /missing info\.length/);
  });

  it('hashes the info bytes as written, even with unsorted keys', () => {
    // "name" before "length": not canonical, but the hash must cover these exact bytes.
    const info = utf8('d4:name1:a6:lengthi1e12:piece lengthi262144e6:pieces20:aaaaaaaaaaaaaaaaaaaae');
    const torrent = concatBytes([utf8('d4:info'), info, utf8('e')]);
    expect(parseTorrent(torrent).infoHash).toBe(parseInfo(info).infoHash);
    expect(parseTorrent(torrent).infoBytes).toEqual(info);
  });

  it('keys outside info never change the hash', () => {
    const a = parseTorrent(torrentWith(singleInfo()));
    const b = parseTorrent(torrentWith(singleInfo(), { announce: 'wss://elsewhere', comment: 'hi', 'creation date': 1 }));
    expect(b.infoHash).toBe(a.infoHash);
    expect(b.comment).toBe('hi');
  });

  it('collects announce-list and url-list once each', () => {
    const meta = parseTorrent(torrentWith(singleInfo(), { 'announce-list': [['ws://localhost:8080'], ['wss://b']], 'url-list': ['https://seed'] }));
    expect(meta.announce).toEqual(['ws://localhost:8080', 'wss://b']);
    expect(meta.urlList).toEqual(['https://seed']);
  });
});

describe('createTorrent', () => {
  const file = (path: string[], bytes: Uint8Array) => ({
    path,
    length: bytes.length,
    async *stream() {
      // Odd chunking on purpose: pieces must not depend on how the bytes arrive.
      for (let i = 0; i < bytes.length; i += 7777) yield bytes.subarray(i, i + 7777);
    },
  });

  it('sorts files as mktorrent does (byte order of the joined path) and offsets them', async () => {
    const { metainfo } = await createTorrent({
      name: 'f',
      multiFile: true,
      sha1: portableSha1,
      files: [file(['b'], new Uint8Array(5)), file(['a', 'z'], new Uint8Array(3)), file(['a.txt'], new Uint8Array(1)), file(['B'], new Uint8Array(2)), file(['é'], new Uint8Array(1))],
    });
    // "." (0x2e) sorts before "/" (0x2f); "é" (UTF-8 0xc3…) after every ASCII name.
    expect(metainfo.files.map((f) => [f.path.join('/'), f.offset])).toEqual([
      ['B', 0],
      ['a.txt', 2],
      ['a/z', 3],
      ['b', 6],
      ['é', 11],
    ]);
  });

  it('reports progress and refuses empty or unsafe input', async () => {
    const seen: number[] = [];
    await createTorrent({ name: 'x', multiFile: false, sha1: portableSha1, files: [file(['x'], new Uint8Array(600_000))], onProgress: (d) => seen.push(d) });
    expect(seen.at(-1)).toBe(600_000);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    await expect(createTorrent({ name: 'x', multiFile: false, sha1: portableSha1, files: [file(['x'], new Uint8Array(0))] })).rejects.toMatchObject({ code: 'INPUT_EMPTY' });
    await expect(createTorrent({ name: '..', multiFile: false, sha1: portableSha1, files: [file(['x'], new Uint8Array(1))] })).rejects.toMatchObject({ code: 'TORRENT_UNSAFE_PATH' });
  });

  it('notices a file that changes size while it is read', async () => {
    const liar = { ...file(['x'], new Uint8Array(10)), length: 20 };
    await expect(createTorrent({ name: 'x', multiFile: false, sha1: portableSha1, files: [liar] })).rejects.toMatchObject({ code: 'INPUT_UNREADABLE' });
  });
});

describe('encodeTorrentFile', () => {
  it('wraps info bytes unchanged, so the torrent parses to the same info hash and trackers', async () => {
    const { encodeTorrentFile } = await import('../../shared/metainfo/index.ts');
    const original = parseTorrent(torrentWith(singleInfo()));
    const again = parseTorrent(encodeTorrentFile(original.infoBytes, ['wss://a', 'wss://b']));
    expect(again.infoHash).toBe(original.infoHash);
    expect(again.announce).toEqual(['wss://a', 'wss://b']);
  });
});
