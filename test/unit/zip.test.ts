/** The folder-as-.zip stream, unzipped by Debian's `unzip`: every file byte-exact, sizes exact. */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { createTorrent } from '../../shared/metainfo/index.ts';
import { nodeSha1 } from '../../client/node/sha1.ts';
import { zipEntryName, zipLength, zipStream, type PieceReader } from '../../client/browser/zip.ts';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function writeZip(stream: ReadableStream<Uint8Array>, path: string): Promise<void> {
  await pipeline(Readable.fromWeb(stream as import('node:stream/web').ReadableStream<Uint8Array>), createWriteStream(path));
}

describe('zip of a torrent folder', () => {
  it('unzips to the torrent\'s folder, every file byte-exact (sizes across piece boundaries, nested, empty)', async () => {
    const layout = [
      { path: ['readme.txt'], data: randomBytes(10_000) },
      { path: ['media', 'clip.bin'], data: randomBytes(600 * 1024 + 3) },
      { path: ['media', 'more', 'tail.bin'], data: randomBytes(300_001) },
      { path: ['empty.txt'], data: new Uint8Array(0) },
    ];
    const { metainfo: meta } = await createTorrent({
      name: 'holiday',
      multiFile: true,
      sha1: nodeSha1,
      files: layout.map((f) => ({ path: f.path, length: f.data.length, stream: async function* () { yield f.data; } })),
    });
    // The torrent's content: its files concatenated in the torrent's order, cut into pieces.
    const content = Buffer.concat(meta.files.map((f) => layout.find((l) => l.path.join('/') === f.path.join('/'))!.data));
    const reads: number[] = [];
    const read: PieceReader = async (i) => {
      reads.push(i);
      return content.subarray(i * meta.pieceLength, (i + 1) * meta.pieceLength);
    };
    const dir = mkdtempSync(join(tmpdir(), 'tabswarm-zip-'));
    const progress: Array<[number, number]> = [];
    await writeZip(zipStream(meta, read, (done, total) => progress.push([done, total])), join(dir, 'holiday.zip'));

    expect(statSync(join(dir, 'holiday.zip')).size).toBe(zipLength(meta));
    expect(progress.at(-1)).toEqual([zipLength(meta), zipLength(meta)]);
    execFileSync('unzip', ['-q', join(dir, 'holiday.zip'), '-d', join(dir, 'out')]);
    for (const f of layout) expect(sha256(readFileSync(join(dir, 'out', 'holiday', ...f.path))), f.path.join('/')).toBe(sha256(f.data));
    // Each piece is read once per file it holds bytes of: nothing read twice for one file.
    expect(reads.length).toBeLessThanOrEqual(meta.pieceCount + meta.files.length);
  });

  it('names a single-file torrent\'s entry by the file, with no folder', () => {
    expect(zipEntryName({ name: 'song.mp3', multiFile: false }, ['song.mp3'])).toBe('song.mp3');
    expect(zipEntryName({ name: 'album', multiFile: true }, ['cd1', 'a.mp3'])).toBe('album/cd1/a.mp3');
  });
});
