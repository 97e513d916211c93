/**
 * ZIP64: a folder whose archive passes 4 GiB, and one file past 4 GiB, written through the same
 * stream and checked by Debian's unzip (-t verifies every CRC; -Z lists sizes from the ZIP64
 * records). The content is a pattern, so nothing of 4 GiB is held; the archive goes to a temporary
 * file (about 4 GiB of disk, removed after).
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { PIECE_LENGTH_BYTES } from '../../shared/constants.ts';
import { zipLength, zipStream, type PieceReader } from '../../client/browser/zip.ts';

const GiB = 1024 ** 3;
const BIG = 4 * GiB + 1_000;
const SMALL = 5_000;

describe('zip past 4 GiB', () => {
  it('writes ZIP64 records that unzip reads: sizes exact, every CRC right', async () => {
    const meta = {
      name: 'big',
      multiFile: true,
      pieceLength: PIECE_LENGTH_BYTES,
      files: [
        { path: ['huge.bin'], length: BIG, offset: 0 },
        { path: ['after', 'small.txt'], length: SMALL, offset: BIG },
      ],
    };
    const total = BIG + SMALL;
    const pieces = Math.ceil(total / PIECE_LENGTH_BYTES);
    // Piece i is the byte i mod 251, repeated: distinct enough that a misplaced piece breaks a CRC.
    const patterns = Array.from({ length: 251 }, (_, b) => new Uint8Array(PIECE_LENGTH_BYTES).fill(b));
    const read: PieceReader = async (i) => {
      const length = i === pieces - 1 ? total - i * PIECE_LENGTH_BYTES : PIECE_LENGTH_BYTES;
      return patterns[i % 251]!.subarray(0, length);
    };
    const dir = mkdtempSync(join(tmpdir(), 'tabswarm-zip64-'));
    try {
      const path = join(dir, 'big.zip');
      await pipeline(Readable.fromWeb(zipStream(meta, read) as import('node:stream/web').ReadableStream<Uint8Array>), createWriteStream(path));
      expect(statSync(path).size).toBe(zipLength(meta));
      expect(statSync(path).size).toBeGreaterThan(4 * GiB);
      const listing = execFileSync('unzip', ['-Z', '-l', path], { encoding: 'utf8' });
      expect(listing).toMatch(new RegExp(`\\s${BIG}\\s.*big/huge\\.bin`));
      expect(listing).toMatch(new RegExp(`\\s${SMALL}\\s.*big/after/small\\.txt`));
      const test = execFileSync('unzip', ['-t', path], { encoding: 'utf8' });
      expect(test).toContain('No errors detected');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
