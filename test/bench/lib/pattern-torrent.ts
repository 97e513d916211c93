/**
 * Torrents of any size without holding their bytes: the content is a few distinct random pieces
 * repeated (piece i is pattern i mod k), so a 4 GiB torrent costs k × 256 KiB of memory, yet every
 * piece hash in it is the real SHA-1 of the piece's bytes and every block verifies as usual.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { bencodeBytes } from '../../../shared/bencode.ts';
import { Bitfield } from '../../../shared/bitfield.ts';
import { concatBytes } from '../../../shared/bytes.ts';
import { PIECE_LENGTH_BYTES } from '../../../shared/constants.ts';
import { parseTorrent } from '../../../shared/metainfo/parse.ts';
import type { Metainfo } from '../../../shared/metainfo/types.ts';
import type { PieceStore } from '../../../client/engine/storage.ts';

export const DISTINCT_PIECES = 8;

export interface PatternTorrent {
  meta: Metainfo;
  torrentBytes: Uint8Array;
  /** The bytes of piece i. */
  piece(i: number): Uint8Array;
}

/** `bytes(n)`: where the patterns come from (default: random; the simulator passes a seeded generator, so a run repeats exactly). */
export function patternTorrent(pieceCount: number, name = `pattern-${pieceCount}.bin`, bytes: (n: number) => Uint8Array = (n) => new Uint8Array(randomBytes(n))): PatternTorrent {
  const patterns = Array.from({ length: DISTINCT_PIECES }, () => bytes(PIECE_LENGTH_BYTES));
  const hashes = patterns.map((p) => new Uint8Array(createHash('sha1').update(p).digest()));
  const pieces = concatBytes(Array.from({ length: pieceCount }, (_, i) => hashes[i % DISTINCT_PIECES]!));
  const torrentBytes = bencodeBytes({ info: { length: pieceCount * PIECE_LENGTH_BYTES, name, 'piece length': PIECE_LENGTH_BYTES, pieces } });
  return { meta: parseTorrent(torrentBytes), torrentBytes, piece: (i) => patterns[i % DISTINCT_PIECES]! };
}

/**
 * A store for a pattern torrent that keeps no piece bytes: reads are served from the patterns
 * (only for pieces it holds), writes only mark completion. What the engine does — verify, write,
 * record the bitfield — is unchanged; only the bytes are not kept twice.
 */
export class PatternStore implements PieceStore {
  private completion: Uint8Array | null;
  private readonly held: Bitfield;
  writes = 0;

  constructor(private readonly t: PatternTorrent, complete: boolean) {
    this.held = new Bitfield(t.meta.pieceCount);
    if (complete) for (let i = 0; i < t.meta.pieceCount; i++) this.held.set(i);
    this.completion = complete ? this.held.bytes.slice() : null;
  }

  async read(index: number, begin: number, length: number): Promise<Uint8Array> {
    if (!this.held.get(index)) throw new Error(`piece ${index} is not stored`);
    return this.t.piece(index).subarray(begin, begin + length);
  }

  async write(index: number, data: Uint8Array): Promise<void> {
    this.writes++;
    this.held.set(index);
    void data;
  }

  async loadCompletion(): Promise<Uint8Array | null> {
    return this.completion;
  }

  async saveCompletion(bitfield: Uint8Array): Promise<void> {
    this.completion = bitfield.slice();
  }

  async close(): Promise<void> {}
}

/** Writes the pattern torrent's content to a file (for a seeding process). */
export async function writePatternFile(t: PatternTorrent, path: string): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < t.meta.pieceCount; i++) if (!out.write(t.piece(i))) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}
