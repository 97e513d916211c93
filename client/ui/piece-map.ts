/** A canvas of pieces: have (green), requested/in flight (amber), missing (grey). */
import { LitElement, css, html } from 'lit';

const COLORS = { have: '#2e9d5b', requested: '#e0a526', missing: '#d9d9e0' } as const;

export class PieceMap extends LitElement {
  static override properties = { have: {}, requested: { attribute: false } };
  static override styles = css`
    canvas { width: 100%; height: 24px; display: block; border-radius: 4px; image-rendering: pixelated; }
  `;
  /** "1010…": our pieces. */
  have = '';
  /** Pieces in flight. */
  requested: ReadonlySet<number> = new Set();

  override updated(): void {
    const canvas = this.renderRoot.querySelector('canvas');
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || this.have.length === 0) return;
    canvas.width = Math.min(this.have.length, 2000);
    canvas.height = 1;
    const perPixel = this.have.length / canvas.width;
    for (let x = 0; x < canvas.width; x++) {
      const i = Math.floor(x * perPixel);
      ctx.fillStyle = this.have[i] === '1' ? COLORS.have : this.requested.has(i) ? COLORS.requested : COLORS.missing;
      ctx.fillRect(x, 0, 1, 1);
    }
  }

  override render() {
    return html`<canvas data-testid="piece-map" aria-label="piece map"></canvas>`;
  }
}
customElements.define('tabswarm-piece-map', PieceMap);
