/** Download: open a share link, watch it arrive (progress, rates, peers, ETA, piece map), then save or view it. */
import { LitElement, css, html, nothing } from 'lit';
import { focusRing } from './focus-ring.ts';
import { formatBytes } from '../../shared/format.ts';
import type { BrowserClient } from '../browser/client.ts';
import type { StoredFile } from '../browser/save.ts';
import type { SwarmSession } from '../engine/session.ts';
import type { TorrentStats } from '../engine/torrent.ts';
import { describeError } from './errors.ts';
import { canPickFolder, saveFile, saveToPickedFolder, saveZip } from './save-file.ts';
import './content-preview.ts';
import './swarm-summary.ts';
import { mediaFiles } from './stream-player.ts';
import { startStreaming, type StreamView } from '../browser/stream-server.ts';
import type { PlaybackOnMap } from './piece-map-summary.ts';

const STATS_REFRESH_MS = 500;
/** After this long without a peer, say so (the link may be old, or the sharer gone). */
const NO_PEERS_HINT_MS = 10_000;

export class DownloadView extends LitElement {
  static override properties = { client: { attribute: false }, link: {}, view: { state: true }, stats: { state: true }, error: { state: true }, notice: { state: true }, files: { state: true }, saving: { state: true }, streaming: { state: true }, playback: { state: true } };
  static override styles = [
    focusRing,
    css`
    :host { display: block; }
    .error { color: #a11; }
    .notice { color: #7a5b00; }
    ul { padding-left: 1.2rem; }
    button { font: inherit; padding: 0.35rem 0.9rem; }
  `,
  ];

  client: BrowserClient | null = null;
  link = '';
  stats: TorrentStats | null = null;
  error = '';
  notice = '';
  files: StoredFile[] = [];
  /** What saving is doing now ("" when idle). */
  saving = '';
  /** The stream player plays this torrent's media (so the finished file needs no second player). */
  streaming = false;
  /** What the stream player has buffered, for the piece map. */
  playback: PlaybackOnMap | null = null;
  /** The files as the user sees them, to stream (a private share's once its contents list has arrived). */
  view: StreamView | null = null;
  private session: SwarmSession | null = null;
  private timer: number | undefined;
  /** Removes this view's listeners on the current session (a new link, or leaving the page, drops them). */
  private unlisten: Array<() => void> = [];
  private startedAt = 0;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopListening();
  }

  private stopListening(): void {
    clearInterval(this.timer);
    for (const off of this.unlisten.splice(0)) off();
  }

  override updated(changed: Map<string, unknown>): void {
    if ((changed.has('link') || changed.has('client')) && this.client && this.link) void this.open();
  }

  private async open(): Promise<void> {
    this.stopListening();
    // A link may hold audio or video: the streaming worker starts now, while the metadata comes.
    void startStreaming((h) => this.client!.streamView(h));
    this.error = '';
    this.notice = '';
    this.files = [];
    this.view = null;
    try {
      this.session = await this.client!.add(this.link);
    } catch (err) {
      this.error = describeError(err);
      return;
    }
    const session = this.session;
    this.startedAt = Date.now();
    this.unlisten.push(session.on('warning', (w) => {
      if (w.code === 'TRACKER_UNREACHABLE' || w.code === 'PRIVATE_SIGNAL_UNAUTHENTICATED') this.notice = `${w.message}`;
      // Only news while nobody is connected: with peers, one that cannot be reached costs little.
      if (w.code === 'PEER_UNREACHABLE' && session.torrent.peerCount === 0) this.notice = w.message;
      if (w.code === 'PRIVATE_KEY_MISSING') this.error = w.message;
    }));
    this.unlisten.push(session.on('tracker', (t) => {
      if (t.connected && this.notice.startsWith('Lost the tracker')) this.notice = '';
    }));
    this.unlisten.push(this.client!.on('error', (infoHash, e) => {
      if (infoHash === session.torrent.infoHash) this.error = e.message;
    }));
    const refresh = () => {
      this.stats = session.torrent.stats();
      if (this.stats.peers.length === 0 && !this.stats.done && Date.now() - this.startedAt > NO_PEERS_HINT_MS && !this.notice) {
        this.notice = 'No peers yet: the person who shared this needs to keep their tab open. Waiting…';
      } else if (this.stats.peers.length > 0 && (this.notice.startsWith('No peers') || this.notice.startsWith('Could not connect to a peer'))) this.notice = '';
      if (this.stats.done && this.files.length === 0) void this.loadFiles();
    };
    refresh();
    this.timer = window.setInterval(refresh, STATS_REFRESH_MS);
    // The player appears the moment the metadata does (a private share's, once its contents list is in), not at the next refresh.
    const findView = () => {
      if (!session.torrent.meta) return;
      this.client!.streamView(session.torrent.infoHash).then(
        (v) => this.session === session && (this.view = v),
        (err: unknown) => this.session === session && (this.error = describeError(err)),
      );
    };
    this.unlisten.push(session.torrent.on('metadata', () => (refresh(), findView())));
    findView();
  }

  private async loadFiles(): Promise<void> {
    const meta = this.session?.torrent.meta;
    if (!meta) return;
    this.files = await this.client!.files(meta.infoHash);
  }

  private save(file: StoredFile): void {
    saveFile(file);
  }

  /** Every file into one .zip, streamed from storage, with progress; a closed picker is no error. */
  private async saveAllAsZip(): Promise<void> {
    const infoHash = this.session?.torrent.infoHash;
    if (!infoHash) return;
    this.error = '';
    this.saving = 'Saving .zip…';
    try {
      const { layout, read } = await this.client!.layout(infoHash);
      const saved = await saveZip(layout, read, (done, total) => (this.saving = `Saving .zip… ${formatBytes(done)} of ${formatBytes(total)}`));
      this.saving = saved ? 'Saved.' : '';
    } catch (err) {
      this.saving = '';
      this.error = describeError(err);
    }
  }

  /** Every file into a folder the user picks, with progress; a closed picker is no error. */
  private async saveAll(): Promise<void> {
    this.error = '';
    this.saving = 'Saving…';
    try {
      const saved = await saveToPickedFolder(this.files, (done, total) => (this.saving = `Saving… ${done} of ${total} files`));
      this.saving = saved ? 'Saved.' : '';
    } catch (err) {
      this.saving = '';
      this.error = describeError(err);
    }
  }

  /** Audio or video in the torrent: the stream player shows it from the start (and keeps it once done). */
  private streamable(): boolean {
    return !!this.view && mediaFiles(this.view.layout).length > 0;
  }

  private isPrivate(): boolean {
    return !!this.session && !!this.client?.isPrivate(this.session.torrent.infoHash);
  }

  override render() {
    const s = this.stats;
    return html`
      <section>
        <h2>${this.view?.layout.name ?? (this.isPrivate() ? 'Private share' : (s?.name ?? 'Download'))}</h2>
        ${this.isPrivate() ? html`<p data-testid="private-badge">Private: end-to-end encrypted. Only people with this link can open it.</p>` : nothing}
        ${this.session && this.client?.isRelayOnly(this.session.torrent.infoHash) ? html`<p data-testid="relay-badge">You are relaying a private share: these are its encrypted pieces, which this link cannot open. Keep this tab open to pass them on; the sharer's link, with its key, opens them.</p>` : nothing}
        ${s?.length != null ? html`<p>${formatBytes(s.length)}${this.view?.layout.multiFile ? ` in ${this.view.layout.files.length} files` : ''}</p>` : nothing}
        ${this.streamable() ? html`<tabswarm-stream-player .client=${this.client} .view=${this.view} @stream-support=${(e: CustomEvent<{ ok: boolean }>) => (this.streaming = e.detail.ok)} @stream-buffered=${(e: CustomEvent<PlaybackOnMap>) => (this.playback = e.detail)}></tabswarm-stream-player>` : nothing}
        <tabswarm-swarm-summary .stats=${s} .playback=${this.playback}></tabswarm-swarm-summary>
        ${this.notice ? html`<p class="notice" data-testid="notice">${this.notice}</p>` : nothing}
        ${this.error ? html`<p class="error" role="alert" data-testid="error">${this.error}</p>` : nothing}
        ${this.files.length === 1
          ? html`<p><button data-testid="save" @click=${() => this.save(this.files[0]!)}>Save ${this.files[0]!.name}</button></p>
              ${this.streaming ? nothing : html`<tabswarm-content-preview .blob=${this.files[0]!.blob} .name=${this.files[0]!.name}></tabswarm-content-preview>`}`
          : nothing}
        ${this.files.length > 1
          ? html`<p>
              <button data-testid="save-zip" @click=${() => void this.saveAllAsZip()}>Save all as .zip</button>
              ${canPickFolder() ? html`<button data-testid="save-all" @click=${() => void this.saveAll()}>Save all ${this.files.length} files to a folder…</button>` : nothing}
            </p>`
          : nothing}
        ${this.saving ? html`<p data-testid="saving" aria-live="polite">${this.saving}</p>` : nothing}
        ${this.files.length > 1
          ? html`<ul>
              ${this.files.map((f, i) => html`<li>${f.path.slice(1).join('/')} (${formatBytes(f.blob.size)}) <button data-testid=${i === 0 ? 'save' : `save-${i}`} @click=${() => this.save(f)}>Save</button></li>`)}
            </ul>`
          : nothing}
      </section>
    `;
  }
}
customElements.define('tabswarm-download-view', DownloadView);
