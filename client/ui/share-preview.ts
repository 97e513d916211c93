/**
 * The placeholder front page until the full app lands: pick a file, and it is hashed into a torrent
 * in this tab with the same shared code the CLI uses, showing its info hash and magnet link.
 */
import { LitElement, css, html } from 'lit';
import { buildMagnet } from '../../shared/magnet.ts';
import { createTorrent } from '../../shared/metainfo/index.ts';
import { defaultSha1 } from '../../shared/sha1.ts';
import { isTabswarmError } from '../../shared/errors.ts';
import { browserInputFile } from './browser-file.ts';

export class SharePreview extends LitElement {
  static override properties = {
    status: { state: true },
    infoHash: { state: true },
    magnet: { state: true },
    error: { state: true },
    progress: { state: true },
  };

  static override styles = css`
    :host { display: block; padding: 1rem; border: 2px dashed #99a; border-radius: 0.5rem; background: white; }
    code { word-break: break-all; }
    progress { width: 100%; }
    .error { color: #a11; }
  `;

  status = 'Choose a file to see its share link.';
  infoHash = '';
  magnet = '';
  error = '';
  progress = 0;

  private async onPick(event: Event): Promise<void> {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    this.error = '';
    this.infoHash = '';
    this.magnet = '';
    this.status = `Hashing ${file.name}…`;
    try {
      const { metainfo } = await createTorrent({
        name: file.name,
        files: [browserInputFile(file)],
        multiFile: false,
        sha1: defaultSha1(),
        onProgress: (done, total) => (this.progress = done / total),
      });
      this.infoHash = metainfo.infoHash;
      this.magnet = buildMagnet({ infoHash: metainfo.infoHash, name: metainfo.name, trackers: [], webSeeds: [] });
      this.status = `${metainfo.name}: ${metainfo.pieceCount} pieces.`;
    } catch (err) {
      this.error = isTabswarmError(err) ? err.message : `Could not hash the file: ${String(err)}`;
      this.status = '';
    }
  }

  override render() {
    return html`
      <label>Share a file: <input type="file" data-testid="share-input" @change=${this.onPick} /></label>
      <p data-testid="status">${this.status}</p>
      ${this.progress > 0 && this.progress < 1 ? html`<progress data-testid="progress" .value=${this.progress} max="1"></progress>` : ''}
      ${this.infoHash ? html`<p>Info hash: <code data-testid="info-hash">${this.infoHash}</code></p><p>Magnet: <code data-testid="magnet">${this.magnet}</code></p>` : ''}
      ${this.error ? html`<p class="error" data-testid="error">${this.error}</p>` : ''}
    `;
  }
}

customElements.define('tabswarm-share-preview', SharePreview);
