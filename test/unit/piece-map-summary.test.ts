/** The piece map's text alternative and its shapes: colour is never the only signal. */
import { describe, expect, it } from 'vitest';
import { PIECE_GLYPHS, ROWS_FILLED, countPieces, describePieces, pieceState } from '../../client/ui/piece-map-summary.ts';

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
