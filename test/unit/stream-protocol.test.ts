import { describe, expect, it } from 'vitest';
import { STREAM_CHUNK_BYTES, streamChunkEnd } from '../../client/browser/stream-protocol.ts';

const pieceOf = (offset: number, pieceLength: number, at: number) => Math.floor((offset + at) / pieceLength);

describe("the streaming worker's chunks", () => {
  it('end at the piece boundary under them, so each answer waits for one piece', () => {
    // A file at the start of a torrent of 256 KiB pieces.
    expect(streamChunkEnd(0, 10_000_000, { pieceLength: 262_144, fileOffset: 0 })).toBe(262_144);
    expect(streamChunkEnd(1_000, 10_000_000, { pieceLength: 262_144, fileOffset: 0 })).toBe(262_144);
    expect(streamChunkEnd(262_144, 10_000_000, { pieceLength: 262_144, fileOffset: 0 })).toBe(524_288);
    // The range's end comes first.
    expect(streamChunkEnd(0, 999, { pieceLength: 262_144, fileOffset: 0 })).toBe(1_000);
  });

  it('follow a file that starts mid-piece: a private share (262,128-byte records behind its contents list) or a later file of a torrent', () => {
    for (const [pieceLength, fileOffset] of [[262_128, 317], [262_144, 1_234_567]] as const) {
      let position = 5_000;
      for (let k = 0; k < 40; k++) {
        const end = streamChunkEnd(position, 50_000_000, { pieceLength, fileOffset });
        expect(end).toBeGreaterThan(position);
        // Wholly inside one piece, and ending at its boundary.
        expect(pieceOf(fileOffset, pieceLength, end - 1)).toBe(pieceOf(fileOffset, pieceLength, position));
        expect((fileOffset + end) % pieceLength).toBe(0);
        position = end;
      }
    }
  });

  it('fall back to 256 KiB steps of the file when the page does not say how it lies', () => {
    expect(streamChunkEnd(10, 10_000_000, {})).toBe(STREAM_CHUNK_BYTES);
  });
});
