import { concatBytes } from '../bytes.ts';
import type { Sha1 } from '../sha1.ts';

/**
 * Turns a byte stream of any chunking into BEP 3 piece hashes: pieces run across file boundaries,
 * so the stream of all files in torrent order is what gets cut into `pieceLength` pieces.
 */
export class PieceHasher {
  private readonly buffer: Uint8Array;
  private filled = 0;
  private readonly digests: Uint8Array[] = [];

  constructor(
    private readonly pieceLength: number,
    private readonly sha1: Sha1,
  ) {
    this.buffer = new Uint8Array(pieceLength);
  }

  get pieceCount(): number {
    return this.digests.length;
  }

  async update(chunk: Uint8Array): Promise<void> {
    let offset = 0;
    // Whole pieces inside the chunk are hashed in place, without a copy.
    while (offset < chunk.length) {
      if (this.filled === 0 && chunk.length - offset >= this.pieceLength) {
        this.digests.push(await this.sha1(chunk.subarray(offset, offset + this.pieceLength)));
        offset += this.pieceLength;
        continue;
      }
      const take = Math.min(this.pieceLength - this.filled, chunk.length - offset);
      this.buffer.set(chunk.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === this.pieceLength) {
        this.digests.push(await this.sha1(this.buffer));
        this.filled = 0;
      }
    }
  }

  /** Hashes the final partial piece and returns the concatenated digests (the `pieces` string). */
  async finish(): Promise<Uint8Array> {
    if (this.filled > 0) {
      this.digests.push(await this.sha1(this.buffer.subarray(0, this.filled)));
      this.filled = 0;
    }
    return concatBytes(this.digests);
  }
}
