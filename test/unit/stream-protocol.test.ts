/** The streaming worker's answers: where each one ends, so it waits for the piece under its bytes only. */
import { describe, expect, it } from 'vitest';
import { STREAM_CHUNK_BYTES, streamChunkEnd } from '../../client/browser/stream-protocol.ts';

const pieceOf = (fileOffset: number, pieceLength: number, at: number) => Math.floor((fileOffset + at) / pieceLength);

/** The answers a response for bytes [start, end] of a file is pulled in. */
function answers(start: number, end: number, layout: { pieceLength?: number; fileOffset?: number }): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let at = start; at <= end; ) {
    const stop = streamChunkEnd(at, end, layout);
    expect(stop).toBeGreaterThan(at);
    out.push([at, stop]);
    at = stop;
  }
  return out;
}

describe("the streaming worker's answers", () => {
  it('are the 256 KiB steps of a file that starts on a piece boundary, the range end coming first', () => {
    const layout = { pieceLength: 262_144, fileOffset: 0 };
    expect(answers(0, 3 * STREAM_CHUNK_BYTES - 1, layout)).toEqual([[0, 262_144], [262_144, 524_288], [524_288, 786_432]]);
    expect(answers(1_000, 300_000, layout)).toEqual([[1_000, 262_144], [262_144, 300_001]]);
    expect(streamChunkEnd(0, 999, layout)).toBe(1_000);
  });

  it("for a file that starts mid-piece (a private share's records, a later file of a torrent), each lies in one piece and one 256 KiB step", () => {
    for (const [pieceLength, fileOffset] of [[262_128, 317], [262_144, 1_234_567]] as const) {
      const layout = { pieceLength, fileOffset };
      const list = answers(5_000, 40_000_000, layout);
      for (const [from, to] of list) {
        expect(pieceOf(fileOffset, pieceLength, to - 1)).toBe(pieceOf(fileOffset, pieceLength, from));
        expect(Math.floor((to - 1) / STREAM_CHUNK_BYTES)).toBe(Math.floor(from / STREAM_CHUNK_BYTES));
        // Each ends where a piece or a step ends (or the range does).
        expect((fileOffset + to) % pieceLength === 0 || to % STREAM_CHUNK_BYTES === 0 || to === 40_000_001).toBe(true);
      }
      // No more than two answers per step: the file is not cut finer than its pieces and steps need.
      expect(list.length).toBeLessThanOrEqual(2 * Math.ceil(40_000_000 / STREAM_CHUNK_BYTES) + 2);
    }
  });

  it('are plain 256 KiB steps when the page does not say how the file lies in pieces', () => {
    expect(streamChunkEnd(10, 10_000_000, {})).toBe(STREAM_CHUNK_BYTES);
  });
});
