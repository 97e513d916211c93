/** The share link as a QR code, drawn on a canvas (uqr computes the modules; no markup is injected). */
import { LitElement, css, html } from 'lit';
import { encode } from 'uqr';

/** Pixels per module, and the quiet zone the QR standard asks for (4 modules). */
const SCALE_PX = 4;
const QUIET_MODULES = 4;

export class QrCode extends LitElement {
  static override properties = { text: {} };
  static override styles = css`
    canvas { image-rendering: pixelated; width: 10rem; height: 10rem; }
  `;
  text = '';

  override updated(): void {
    const canvas = this.renderRoot.querySelector('canvas');
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || !this.text) return;
    const { data, size } = encode(this.text, { ecc: 'M', border: 0 });
    const side = (size + 2 * QUIET_MODULES) * SCALE_PX;
    canvas.width = side;
    canvas.height = side;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, side, side);
    ctx.fillStyle = '#000';
    data.forEach((row, y) => row.forEach((dark, x) => dark && ctx.fillRect((x + QUIET_MODULES) * SCALE_PX, (y + QUIET_MODULES) * SCALE_PX, SCALE_PX, SCALE_PX)));
  }

  override render() {
    return html`<canvas data-testid="share-qr" role="img" aria-label="QR code of the share link"></canvas>`;
  }
}
customElements.define('tabswarm-qr-code', QrCode);
