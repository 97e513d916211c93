/**
 * BEP 9: assembling the info dictionary from `ut_metadata` pieces sent by peers, for a peer that
 * started from a magnet link. The result is accepted only if its SHA-1 is the info hash.
 */
import { bytesEqual, concatBytes } from '../../shared/bytes.ts';
import { MAX_METADATA_BYTES, METADATA_PIECE_LENGTH_BYTES } from '../../shared/constants.ts';
import { parseInfo } from '../../shared/metainfo/parse.ts';
import type { Metainfo } from '../../shared/metainfo/types.ts';
import { sha1Sync } from '../../shared/sha1.ts';
import { metadataPieceCount } from '../../shared/wire/extension.ts';

export class MetadataAssembler {
  readonly pieces: Array<Uint8Array | undefined>;

  constructor(readonly size: number) {
    if (size <= 0 || size > MAX_METADATA_BYTES) throw new RangeError(`metadata size ${size} out of range`);
    this.pieces = new Array(metadataPieceCount(size)).fill(undefined);
  }

  /** Expected length of piece `i`: 16 KiB except the last. */
  pieceLength(i: number): number {
    return i < this.pieces.length - 1 ? METADATA_PIECE_LENGTH_BYTES : this.size - METADATA_PIECE_LENGTH_BYTES * (this.pieces.length - 1);
  }

  /** Stores a piece if it has the right length; returns false for a piece that cannot be right. */
  add(i: number, data: Uint8Array): boolean {
    if (i < 0 || i >= this.pieces.length || data.length !== this.pieceLength(i)) return false;
    this.pieces[i] = data.slice();
    return true;
  }

  missing(): number[] {
    return this.pieces.flatMap((p, i) => (p ? [] : [i]));
  }

  /**
   * The verified metainfo once every piece is in, null while pieces are missing; throws a
   * TabswarmError when the bytes do not hash to the info hash or do not parse (then `reset()`).
   */
  result(infoHash: Uint8Array): Omit<Metainfo, 'announce' | 'urlList'> | null {
    if (this.missing().length > 0) return null;
    const bytes = concatBytes(this.pieces as Uint8Array[]);
    if (!bytesEqual(sha1Sync(bytes), infoHash)) return null;
    return parseInfo(bytes);
  }

  reset(): void {
    this.pieces.fill(undefined);
  }
}
