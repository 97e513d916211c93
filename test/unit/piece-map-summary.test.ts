/** The piece map's text alternative and its shapes: colour is never the only signal. */
import { describe, expect, it } from 'vitest';
import { PIECE_GLYPHS, ROWS_FILLED, countPieces, describePieces, describePlayback, pieceState, playbackOnMap } from '../../client/ui/piece-map-summary.ts';

describe('piece map summary', () => {
  it('counts stored, downloading and missing pieces and says so in words', () => {
    const counts = countPieces('1100100', new Set([2, 3, 4]));
    expect(counts).toEqual({ have: 3, requested: 2, missing: 2, total: 7 });
    expect(describePieces(counts)).toBe('Pieces: 3 of 7 stored, 2 downloading, 2 missing');
    expect(describePieces(countPieces('', new Set()))).toBe('Pieces: not known yet');
  });

  it('a piece we have is "have" even while a request for it is still out', () => {
    expect(pieceState('1', new Set([0]), 0)).toBe('have');
  });

  it('each state has its own height and glyph, not only its own colour', () => {
    expect(new Set(Object.values(ROWS_FILLED)).size).toBe(3);
    expect(new Set(Object.values(PIECE_GLYPHS)).size).toBe(3);
  });
});

describe('playback on the piece map', () => {
  const PIECE = 256 * 1024;
  it("maps a player's buffered time ranges and playhead to pieces of its file, at the file's place in the torrent", () => {
    // A 100 s, 40-piece file starting 10 pieces into the torrent.
    const file = { offset: 10 * PIECE, length: 40 * PIECE };
    const p = playbackOnMap([[0, 10], [50, 75]], 5, 100, file, PIECE);
    expect(p).toEqual({ buffered: [[10, 14], [30, 40]], playhead: 12 });
    expect(describePlayback(p)).toBe('; the player has buffered pieces 11–15, pieces 31–41 and is playing piece 13');
    // The end of the file stays inside it.
    expect(playbackOnMap([[99, 100]], 100, 100, file, PIECE).playhead).toBe(49);
  });

  it('says nothing before the duration is known or while nothing is buffered', () => {
    expect(playbackOnMap([[0, 10]], 0, NaN, { offset: 0, length: PIECE }, PIECE)).toEqual({ buffered: [], playhead: null });
    expect(describePlayback({ buffered: [], playhead: 3 })).toBe('');
  });
});
