/**
 * What the piece map shows, in words and in shape as well as colour (WCAG 1.4.1: colour is never
 * the only signal): a piece we have fills the bar's full height, one downloading fills half, a
 * missing one is a thin baseline.
 */
export type PieceState = 'have' | 'requested' | 'missing';

/** Of the map's height (rows of the canvas): have 4, downloading 2, missing 1. */
export const PIECE_ROWS = 4;
export const ROWS_FILLED: Record<PieceState, number> = { have: 4, requested: 2, missing: 1 };
export const PIECE_COLORS: Record<PieceState, string> = { have: '#2e9d5b', requested: '#b7791f', missing: '#8a8a99' };
/** The legend's glyphs draw the same shapes: full block, lower half block, lower one-eighth block. */
export const PIECE_GLYPHS: Record<PieceState, string> = { have: '█', requested: '▄', missing: '▁' };

export function pieceState(have: string, requested: ReadonlySet<number>, i: number): PieceState {
  return have[i] === '1' ? 'have' : requested.has(i) ? 'requested' : 'missing';
}

export interface PieceCounts {
  have: number;
  requested: number;
  missing: number;
  total: number;
}

export function countPieces(have: string, requested: ReadonlySet<number>): PieceCounts {
  const counts = { have: 0, requested: 0, missing: 0, total: have.length };
  for (let i = 0; i < have.length; i++) counts[pieceState(have, requested, i)]++;
  return counts;
}

/** The map's text alternative, e.g. "Pieces: 40 of 64 stored, 4 downloading, 20 missing". */
export function describePieces(c: PieceCounts): string {
  if (c.total === 0) return 'Pieces: not known yet';
  return `Pieces: ${c.have} of ${c.total} stored, ${c.requested} downloading, ${c.missing} missing`;
}

/** What the player holds: pieces (first, last inclusive) its buffered time ranges cover, and the playhead's piece. */
export interface PlaybackOnMap {
  buffered: ReadonlyArray<readonly [number, number]>;
  playhead: number | null;
}

export const PLAYBACK_COLOR = '#2e6fd8';
export const PLAYHEAD_COLOR = '#111';
/** Rows above the bar where the buffered band is drawn (so it never hides a piece's state). */
export const PLAYBACK_ROWS = 2;

/**
 * The pieces under a media element's buffered time ranges, assuming a steady bitrate (a time's
 * byte is its share of the file): a picture of what the player holds, not an exact index.
 */
export function playbackOnMap(
  ranges: ReadonlyArray<readonly [number, number]>,
  currentTime: number,
  durationSeconds: number,
  file: { offset: number; length: number },
  pieceLength: number,
): PlaybackOnMap {
  if (!(durationSeconds > 0) || !Number.isFinite(durationSeconds) || file.length === 0) return { buffered: [], playhead: null };
  const piece = (seconds: number) => {
    const byte = Math.min(file.length - 1, Math.max(0, Math.floor((seconds / durationSeconds) * file.length)));
    return Math.floor((file.offset + byte) / pieceLength);
  };
  return { buffered: ranges.filter(([a, b]) => b > a).map(([a, b]) => [piece(a), piece(b)] as const), playhead: piece(currentTime) };
}

export function describePlayback(p: PlaybackOnMap): string {
  if (p.buffered.length === 0) return '';
  const spans = p.buffered.map(([a, b]) => (a === b ? `piece ${a + 1}` : `pieces ${a + 1}–${b + 1}`)).join(', ');
  return `; the player has buffered ${spans}${p.playhead === null ? '' : ` and is playing piece ${p.playhead + 1}`}`;
}
