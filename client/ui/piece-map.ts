/**
 * A bar of pieces: have (green, full height), downloading (amber, half height), missing (grey,
 * a thin baseline), with a text alternative and, unless `legend` is off, a legend with counts.
 * While a stream plays, a blue band above the bar marks the pieces the player has buffered and a
 * dark line the playhead.
 */
import { LitElement, css, html, nothing } from 'lit';
import { PIECE_COLORS, PIECE_GLYPHS, PIECE_ROWS, PLAYBACK_COLOR, PLAYBACK_ROWS, PLAYHEAD_COLOR, ROWS_FILLED, countPieces, describePieces, describePlayback, pieceState, type PlaybackOnMap } from './piece-map-summary.ts';

/** More pieces than this share a column of the canvas (the first piece of the column decides). */
const MAX_COLUMNS = 2000;

export class PieceMap extends LitElement {
  static override properties = { have: {}, requested: { attribute: false }, legend: { type: Boolean }, playback: { attribute: false } };
  static override styles = css`
    canvas { width: 100%; height: 24px; display: block; image-rendering: pixelated; background: #fff; }
    .legend { font-size: 0.8rem; color: #444; margin: 0.2rem 0 0; }
    .legend span { margin-right: 0.8rem; }
  `;
  /** "1010…": our pieces. */
  have = '';
  /** Pieces in flight. */
  requested: ReadonlySet<number> = new Set();
  /** Show the legend with counts (the demo's per-peer rows turn it off; the text alternative stays). */
  legend = true;
  /** What a playing stream has buffered, if one plays. */
  playback: PlaybackOnMap | null = null;

  override updated(): void {
    const canvas = this.renderRoot.querySelector('canvas');
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || this.have.length === 0) return;
    canvas.width = Math.min(this.have.length, MAX_COLUMNS);
    const top = this.playback ? PLAYBACK_ROWS : 0;
    canvas.height = PIECE_ROWS + top;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    const perColumn = this.have.length / canvas.width;
    for (let x = 0; x < canvas.width; x++) {
      const state = pieceState(this.have, this.requested, Math.floor(x * perColumn));
      ctx.fillStyle = PIECE_COLORS[state];
      ctx.fillRect(x, top + PIECE_ROWS - ROWS_FILLED[state], 1, ROWS_FILLED[state]);
    }
    if (!this.playback) return;
    const column = (piece: number) => Math.floor(piece / perColumn);
    ctx.fillStyle = PLAYBACK_COLOR;
    for (const [a, b] of this.playback.buffered) ctx.fillRect(column(a), 0, Math.max(1, column(b) - column(a) + 1), 1);
    if (this.playback.playhead !== null) {
      ctx.fillStyle = PLAYHEAD_COLOR;
      ctx.fillRect(column(this.playback.playhead), 0, 1, canvas.height);
    }
  }

  override render() {
    const counts = countPieces(this.have, this.requested);
    const playback = this.playback ? describePlayback(this.playback) : '';
    return html`<canvas data-testid="piece-map" role="img" aria-label=${describePieces(counts) + playback}></canvas>
      ${this.legend && counts.total > 0
        ? html`<p class="legend" aria-hidden="true">
            <span style="color:${PIECE_COLORS.have}">${PIECE_GLYPHS.have}</span> ${counts.have} stored
            <span style="color:${PIECE_COLORS.requested}">${PIECE_GLYPHS.requested}</span> ${counts.requested} downloading
            <span style="color:${PIECE_COLORS.missing}">${PIECE_GLYPHS.missing}</span> ${counts.missing} missing
            ${playback ? html`<span style="color:${PLAYBACK_COLOR}">▔</span> buffered for playback` : nothing}
          </p>`
        : nothing}`;
  }
}
customElements.define('tabswarm-piece-map', PieceMap);
