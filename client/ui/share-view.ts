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
/** A private link's lifetimes to choose from: peers stop sharing it then, and the server deletes its copy. */
const EXPIRY_CHOICES: ReadonlyArray<readonly [string, number]> = [
  ['never', 0],
  ['in 1 hour', 3_600_000],
  ['in 1 day', 86_400_000],
  ['in 7 days', 7 * 86_400_000],
];
const PHASE_LABEL = { sealing: 'Encrypting', hashing: 'Hashing', storing: 'Preparing to share' } as const;
type Phase = 'idle' | 'starting' | 'sealing' | 'hashing' | 'storing' | 'seeding';

export class ShareView extends LitElement {
  static override properties = { client: { attribute: false }, phase: { state: true }, done: { state: true }, total: { state: true }, link: { state: true }, error: { state: true }, stats: { state: true }, copied: { state: true }, keep: { state: true }, privateLink: { state: true }, allowRelays: { state: true }, expiresIn: { state: true }, sharedName: { state: true } };
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
    .keep { background: white; border: 1px solid #dde; border-radius: 0.5rem; padding: 0.6rem 0.8rem; margin: 1rem 0; }
    .keep p { margin: 0.4rem 0 0; }
    .private { margin: 0.6rem 0 0; }
    .private small { display: block; color: #555; }
  `,
  ];

  client: BrowserClient | null = null;
  phase: Phase = 'idle';
  /** Share privately: the files and their names are encrypted in this tab, the key only in the link. */
  privateLink = false;
  /**
   * A private share that peers without the key may carry (its ciphertext, which they cannot open):
   * more sources for a link shared with few people, at no cost to what the key protects.
   */
  allowRelays = false;
  /** A private link's lifetime in ms (0: no expiry). */
  expiresIn = 0;
  /** What the user shared, by its own name (a private share's torrent has an opaque one). */
  sharedName = '';
  done = 0;
  total = 0;
  link = '';
  error = '';
  stats: TorrentStats | null = null;
  copied = false;
  /** Keeping the file on the server's store: not asked, uploading (pieces), kept (until), or failed. */
  keep: { state: 'off' } | { state: 'uploading'; done: number; total: number } | { state: 'kept'; until: number } | { state: 'failed'; message: string } = { state: 'off' };
  private session: SwarmSession | null = null;
  private timer: number | undefined;
  /**
   * Files chosen before this tab's client was ready (it first asks the server for its settings,
   * which a busy machine can take seconds to answer): shared the moment it is, never dropped.
   */
  private waiting: File[] = [];

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.timer);
  }

  override updated(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('client') && this.client && this.waiting.length > 0) {
      const files = this.waiting;
      this.waiting = [];
      void this.share(files);
    }
  }

  private async share(files: File[]): Promise<void> {
    if (files.length === 0) return;
    if (!this.client) {
      this.waiting = files;
      this.phase = 'starting';
      return;
    }
    this.error = '';
    this.phase = this.privateLink ? 'sealing' : 'hashing';
    this.sharedName = files.length === 1 ? files[0]!.name : files[0]?.webkitRelativePath.split('/')[0] || `${files.length} files`;
    try {
      this.session = await this.client.seed(
        files,
        (phase, done, total) => {
          this.phase = phase;
          this.done = done;
          this.total = total;
        },
        { private: this.privateLink, ...(this.privateLink && this.expiresIn > 0 ? { expiresAt: Date.now() + this.expiresIn } : {}), ...(this.privateLink && this.allowRelays ? { allowRelays: true } : {}) },
      );
      this.link = `${location.origin}/#${this.client.magnet(this.session.torrent.infoHash)}`;
      this.phase = 'seeding';
      // The share stopping (its link expired, storage failed) is said here, where the sharer looks.
      const infoHash = this.session.torrent.infoHash;
      this.client.on('error', (h, e) => {
        if (h === infoHash) this.error = e.code === 'LINK_EXPIRED' ? `The link expired, so this tab stopped sharing it (as you chose). ${e.message.slice(0, e.message.indexOf(':'))}.` : describeError(e);
      });
      this.timer = window.setInterval(() => (this.stats = this.session?.torrent.stats() ?? null), STATS_REFRESH_MS);
      this.stats = this.session.torrent.stats();
    } catch (err) {
      this.error = describeError(err);
      this.phase = 'idle';
    }
  }

  /** When the shared link expires, for people (empty when it does not). */
  private expiry(): string {
    const at = this.session ? this.client?.linkExpiry(this.session.torrent.infoHash) : undefined;
    return at === undefined ? '' : new Date(at).toLocaleString();
  }

  private onDrop(e: DragEvent): void {
    e.preventDefault();
    (e.currentTarget as HTMLElement).classList.remove('over');
    void this.share([...(e.dataTransfer?.files ?? [])]);
  }

  /** "Keep available after I close this tab": upload to the server's store, then the link names it. */
  private async keepOnServer(): Promise<void> {
    const session = this.session;
    if (!this.client || !session) return;
    this.keep = { state: 'uploading', done: 0, total: session.torrent.meta?.pieceCount ?? 0 };
    try {
      const kept = await this.client.keepOnServer(session.torrent.infoHash, (done, total) => (this.keep = { state: 'uploading', done, total }));
      this.link = `${location.origin}/#${this.client.magnet(session.torrent.infoHash)}`;
      this.copied = false;
      this.keep = { state: 'kept', until: kept.expiresAt };
    } catch (err) {
      this.keep = { state: 'failed', message: describeError(err) };
    }
  }

  private renderKeep(length: number) {
    const limits = this.client?.storeLimits;
    if (!limits) return nothing;
    const days = Math.round(limits.expiryMs / 86_400_000);
    const kept = days >= 1 ? `${days} day${days === 1 ? '' : 's'}` : `${Math.round(limits.expiryMs / 3_600_000)} hours`;
    if (length > limits.maxFileBytes) {
      return html`<div class="keep"><p>This server keeps files of up to ${formatBytes(limits.maxFileBytes)}; this one stays available only while someone shares it.</p></div>`;
    }
    const k = this.keep;
    return html`<div class="keep">
      <label><input type="checkbox" data-testid="keep-available" .checked=${k.state !== 'off' && k.state !== 'failed'} ?disabled=${k.state === 'uploading' || k.state === 'kept'} @change=${(e: Event) => (e.target as HTMLInputElement).checked && this.keepOnServer()} />
        Keep available after I close this tab</label>
      ${k.state === 'off' ? html`<p>The server keeps a copy for ${kept}, so the link works with every tab closed.</p>` : nothing}
      ${k.state === 'uploading' ? html`<p>Uploading to the server… ${k.done} of ${k.total} pieces</p><progress aria-label="Uploading to the server" data-testid="keep-progress" .value=${k.done} max=${Math.max(1, k.total)}></progress>` : nothing}
      ${k.state === 'kept' ? html`<p role="status" data-testid="keep-status">Kept on the server until ${new Date(k.until).toLocaleString()}: this link now works after you close this tab.</p>` : nothing}
      ${k.state === 'failed' ? html`<p class="error" role="alert" data-testid="keep-error">${k.message} Tick the box again to resume: pieces already on the server are not sent twice.</p>` : nothing}
    </div>`;
  }

  /** A private share open to relays: the link without its key, for people who carry it but must not open it. */
  private renderRelayLink(infoHash: string) {
    const relay = this.client?.relayMagnet(infoHash);
    if (!relay) return nothing;
    return html`<p>Relay link (no key: who opens it keeps the encrypted pieces available to others and cannot read them):</p>
      <div class="link"><input readonly aria-label="Relay link, without the key" data-testid="relay-link" .value=${`${location.origin}/#${relay}`} /></div>`;
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
              <p class="private"><label><input type="checkbox" data-testid="share-private" .checked=${this.privateLink} @change=${(e: Event) => (this.privateLink = (e.target as HTMLInputElement).checked)} /> Private link (end-to-end encrypted)</label>
                <small>The files and their names are encrypted in this tab; only people with the link can open them. The server, the tracker and relays see only ciphertext.</small>
                ${this.privateLink
                  ? html`<label>Link expires <select data-testid="share-expires" @change=${(e: Event) => (this.expiresIn = Number((e.target as HTMLSelectElement).value))}>
                      ${EXPIRY_CHOICES.map(([label, ms]) => html`<option value=${ms} ?selected=${ms === this.expiresIn}>${label}</option>`)}
                    </select></label>
                    <label><input type="checkbox" data-testid="share-allow-relays" .checked=${this.allowRelays} @change=${(e: Event) => (this.allowRelays = (e.target as HTMLInputElement).checked)} /> Let people without the key relay it</label>
                    <small>You get a second link, without the key, for helpers who keep the encrypted pieces available: they can pass them on but cannot open them.</small>`
                  : nothing}</p>
            </div>`
          : nothing}
        ${this.phase === 'starting' ? html`<p role="status" data-testid="share-starting">Connecting to the server… your files are shared as soon as this tab is ready.</p>` : nothing}
        ${this.phase === 'sealing' || this.phase === 'hashing' || this.phase === 'storing'
          ? html`<p>${PHASE_LABEL[this.phase]}… ${formatBytes(this.done)} of ${formatBytes(this.total)}</p><progress data-testid="hash-progress" aria-label=${PHASE_LABEL[this.phase]} .value=${this.done} max=${Math.max(1, this.total)}></progress>`
          : nothing}
        ${this.phase === 'seeding' && meta
          ? html`<p>Sharing <strong>${this.client?.isPrivate(meta.infoHash) ? this.sharedName : meta.name}</strong> (${formatBytes(meta.length)})${this.client?.isPrivate(meta.infoHash) ? html`, <span data-testid="private-badge">privately: end-to-end encrypted, the key is in the link after "#"${this.expiry() ? `; the link expires ${this.expiry()}` : ''}</span>` : ''}. Keep this tab open: peers download from it and from each other.</p>
              <div class="link"><input readonly aria-label="Share link" data-testid="share-link" .value=${this.link} /><button @click=${this.copy}>${this.copied ? 'Copied' : 'Copy link'}</button></div>
              ${this.renderRelayLink(meta.infoHash)}
              ${this.renderKeep(meta.length)}
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
