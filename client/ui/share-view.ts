/** Share: pick or drop files (or a folder), hash them off the main thread, get a link, keep seeding. */
import { LitElement, css, html, nothing } from 'lit';
import { focusRing } from './focus-ring.ts';
import { encodeTorrentFile } from '../../shared/metainfo/torrent-file.ts';
import { formatBytes } from '../../shared/format.ts';
import type { BrowserClient } from '../browser/client.ts';
import type { SwarmSession } from '../engine/session.ts';
import type { TorrentStats } from '../engine/torrent.ts';
import { describeError } from './errors.ts';
import './qr-code.ts';
import './swarm-summary.ts';

const STATS_REFRESH_MS = 500;

export class ShareView extends LitElement {
  static override properties = { client: { attribute: false }, phase: { state: true }, done: { state: true }, total: { state: true }, link: { state: true }, error: { state: true }, stats: { state: true }, copied: { state: true } };
  static override styles = [
    focusRing,
    css`
    :host { display: block; }
    .drop { border: 2px dashed #99a; border-radius: 0.6rem; padding: 2rem; text-align: center; background: white; }
    .drop.over { border-color: #2e6fd8; background: #eef4ff; }
    .link { display: flex; gap: 0.5rem; margin: 1rem 0; }
    .link input { flex: 1; font: inherit; padding: 0.4rem; }
    .error { color: #a11; }
    progress { width: 100%; }
  `,
  ];

  client: BrowserClient | null = null;
  phase: 'idle' | 'hashing' | 'storing' | 'seeding' = 'idle';
  done = 0;
  total = 0;
  link = '';
  error = '';
  stats: TorrentStats | null = null;
  copied = false;
  private session: SwarmSession | null = null;
  private timer: number | undefined;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.timer);
  }

  private async share(files: File[]): Promise<void> {
    if (!this.client || files.length === 0) return;
    this.error = '';
    this.phase = 'hashing';
    try {
      this.session = await this.client.seed(files, (phase, done, total) => {
        this.phase = phase;
        this.done = done;
        this.total = total;
      });
      this.link = `${location.origin}/#${this.client.magnet(this.session.torrent.infoHash)}`;
      this.phase = 'seeding';
      this.timer = window.setInterval(() => (this.stats = this.session?.torrent.stats() ?? null), STATS_REFRESH_MS);
      this.stats = this.session.torrent.stats();
    } catch (err) {
      this.error = describeError(err);
      this.phase = 'idle';
    }
  }

  private onDrop(e: DragEvent): void {
    e.preventDefault();
    (e.currentTarget as HTMLElement).classList.remove('over');
    void this.share([...(e.dataTransfer?.files ?? [])]);
  }

  private async copy(): Promise<void> {
    await navigator.clipboard?.writeText(this.link).catch(() => {});
    this.copied = true;
  }

  private torrentFileUrl(): string {
    const meta = this.session?.torrent.meta;
    if (!meta) return '';
    return URL.createObjectURL(new Blob([encodeTorrentFile(meta.infoBytes, meta.announce) as Uint8Array<ArrayBuffer>], { type: 'application/x-bittorrent' }));
  }

  override render() {
    const meta = this.session?.torrent.meta;
    return html`
      <section>
        <h2>Share</h2>
        ${this.phase === 'idle'
          ? html`<div class="drop" @dragover=${(e: DragEvent) => { e.preventDefault(); (e.currentTarget as HTMLElement).classList.add('over'); }} @dragleave=${(e: DragEvent) => (e.currentTarget as HTMLElement).classList.remove('over')} @drop=${this.onDrop}>
              <p>Drop files here, or</p>
              <label>choose files <input type="file" multiple data-testid="share-input" @change=${(e: Event) => this.share([...((e.target as HTMLInputElement).files ?? [])])} /></label>
              <label>or a folder <input type="file" webkitdirectory data-testid="share-folder-input" @change=${(e: Event) => this.share([...((e.target as HTMLInputElement).files ?? [])])} /></label>
            </div>`
          : nothing}
        ${this.phase === 'hashing' || this.phase === 'storing'
          ? html`<p>${this.phase === 'hashing' ? 'Hashing' : 'Preparing to share'}… ${formatBytes(this.done)} of ${formatBytes(this.total)}</p><progress data-testid="hash-progress" aria-label=${this.phase === 'hashing' ? 'Hashing' : 'Preparing to share'} .value=${this.done} max=${Math.max(1, this.total)}></progress>`
          : nothing}
        ${this.phase === 'seeding' && meta
          ? html`<p>Sharing <strong>${meta.name}</strong> (${formatBytes(meta.length)}). Keep this tab open: peers download from it and from each other.</p>
              <div class="link"><input readonly aria-label="Share link" data-testid="share-link" .value=${this.link} /><button @click=${this.copy}>${this.copied ? 'Copied' : 'Copy link'}</button></div>
              <tabswarm-qr-code .text=${this.link}></tabswarm-qr-code>
              <p><a download=${`${meta.name}.torrent`} href=${this.torrentFileUrl()}>Download the .torrent</a></p>
              <tabswarm-swarm-summary .stats=${this.stats}></tabswarm-swarm-summary>`
          : nothing}
        ${this.error ? html`<p class="error" role="alert" data-testid="error">${this.error}</p>` : nothing}
      </section>
    `;
  }
}
customElements.define('tabswarm-share-view', ShareView);
