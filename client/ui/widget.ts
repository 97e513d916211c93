/**
 * `<tabswarm-file magnet="…" tracker="wss://…">`: one script tag on any site downloads a shared
 * file peer to peer and shows it. The tracker (and ICE config) default to the origin this script
 * was loaded from. Audio and video play while they download (widget-media.ts picks how), with the
 * media attributes `autoplay`, `muted`, `loop`, `poster` and `controls` (on unless
 * `controls="false"`). Events: `progress` (detail: stats), `done` (detail: {name, blob}), `error`
 * (detail: {code, message}), `play-ready` (detail: {mode}), `stall` (detail: {currentTime}). Style
 * with CSS custom properties (--tabswarm-accent, --tabswarm-radius, --tabswarm-font) and
 * ::part(progress | button | media | text | name | status).
 */
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { focusRing } from './focus-ring.ts';
import { formatBytes } from '../../shared/format.ts';
import { isTabswarmError } from '../../shared/errors.ts';
import { BrowserClient } from '../browser/client.ts';
import type { TorrentStats } from '../engine/torrent.ts';
import './content-preview.ts';
import type { StoredFile } from '../browser/save.ts';
import { saveFile } from './save-file.ts';
import { configUrlFor, trackerForOrigin } from '../../shared/endpoints.ts';
import { contentKind } from './content-kind.ts';
import { startWidgetMedia, type WidgetMedia } from './widget-media.ts';
import { startStreaming, type StreamView } from '../browser/stream-server.ts';

const SCRIPT_ORIGIN = new URL(import.meta.url).origin;
const REFRESH_MS = 500;

/** One engine per page, however many widgets it holds. */
const clients = new Map<string, Promise<BrowserClient>>();
function clientFor(tracker: string): Promise<BrowserClient> {
  let c = clients.get(tracker);
  if (!c) {
    c = BrowserClient.create({ trackers: [tracker], configUrl: configUrlFor(tracker) });
    clients.set(tracker, c);
  }
  return c;
}

export function defaultTracker(): string {
  return trackerForOrigin(SCRIPT_ORIGIN);
}

/** `controls` is on unless the page says `controls="false"` (a player without controls cannot be started). */
const controlsAttribute = { fromAttribute: (v: string | null) => v === null || v !== 'false' };

export class TabswarmFile extends LitElement {
  static override properties = {
    magnet: {},
    tracker: {},
    autoplay: { type: Boolean },
    muted: { type: Boolean },
    loop: { type: Boolean },
    poster: {},
    controls: { converter: controlsAttribute },
    stats: { state: true },
    file: { state: true },
    error: { state: true },
    media: { state: true },
    waiting: { state: true },
    view: { state: true },
  };
  static override styles = [
    focusRing,
    css`
    :host { display: block; font-family: var(--tabswarm-font, system-ui, sans-serif); border: 1px solid #ddd; border-radius: var(--tabswarm-radius, 0.5rem); padding: 0.8rem; }
    progress { width: 100%; accent-color: var(--tabswarm-accent, #2e6fd8); }
    video { width: 100%; max-height: 60vh; background: black; display: block; }
    audio { width: 100%; display: block; }
    .meta, .status { color: #666; font-size: 0.85rem; }
    button { font: inherit; border: 0; border-radius: var(--tabswarm-radius, 0.5rem); background: var(--tabswarm-accent, #2e6fd8); color: white; padding: 0.35rem 0.9rem; cursor: pointer; }
    .error { color: #a11; }
  `,
  ];

  magnet = '';
  tracker = '';
  autoplay = false;
  muted = false;
  loop = false;
  poster = '';
  controls = true;
  stats: TorrentStats | null = null;
  file: StoredFile | null = null;
  error = '';
  /** How the file's audio or video plays, once chosen; null for other files. */
  media: WidgetMedia | null = null;
  waiting = false;
  /** The files as the viewer sees them (a private share's, decrypted, once its contents list is in). */
  view: StreamView | null = null;
  private timer: number | undefined;
  /** Removes this element's listeners on the current download (a new magnet, or leaving the page, drops them). */
  private unlisten: Array<() => void> = [];
  private started = '';
  private playReady = false;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopListening();
    this.media?.close();
  }

  private stopListening(): void {
    clearInterval(this.timer);
    for (const off of this.unlisten.splice(0)) off();
  }

  override updated(changed: PropertyValues<this>): void {
    if (changed.has('magnet') && this.magnet && this.magnet !== this.started) void this.start();
    const el = this.mediaElement();
    if (el && this.media && !this.media.attached) this.media.attach(el);
  }

  private mediaElement(): HTMLMediaElement | null {
    return this.renderRoot.querySelector<HTMLMediaElement>('[data-testid="stream-media"]');
  }

  private fail(err: unknown): void {
    this.error = isTabswarmError(err) ? err.message : String(err);
    this.dispatchEvent(new CustomEvent('error', { detail: { code: isTabswarmError(err) ? err.code : 'UNKNOWN', message: this.error } }));
  }

  private async start(): Promise<void> {
    this.started = this.magnet;
    this.stopListening();
    this.media?.close();
    this.media = null;
    this.playReady = false;
    this.error = '';
    this.file = null;
    this.view = null;
    try {
      const client = await clientFor(this.tracker || defaultTracker());
      // On the Tabswarm server's own pages the streaming worker starts now, while the metadata comes.
      if (location.origin === SCRIPT_ORIGIN) void startStreaming((h) => client.streamView(h));
      const session = await client.add(this.magnet);
      this.unlisten.push(client.on('error', (h, e) => h === session.torrent.infoHash && this.fail(e)));
      let finishing = false;
      let finding = false;
      const magnet = this.magnet;
      const refresh = async () => {
        this.stats = session.torrent.stats();
        this.dispatchEvent(new CustomEvent('progress', { detail: this.stats }));
        if (!this.view && !finding && session.torrent.meta) {
          // A private share's files are known from its sealed contents list: with the metadata (older shares: once the first piece is in).
          finding = true;
          client.streamView(session.torrent.infoHash).then(
            (view) => {
              if (!view || this.started !== magnet) return;
              this.view = view;
              this.media = this.chooseMedia(client, view);
            },
            (err: unknown) => this.fail(err),
          );
        }
        if (this.stats.done && !finishing) {
          finishing = true;
          clearInterval(this.timer);
          this.file = await client.file(session.torrent.infoHash, 0);
          this.media?.complete(this.file.blob);
          this.dispatchEvent(new CustomEvent('done', { detail: this.file }));
        }
      };
      this.timer = window.setInterval(() => void refresh(), REFRESH_MS);
      // The metadata (the player can start) and completion are acted on at once, not at the next refresh.
      this.unlisten.push(session.torrent.on('metadata', () => void refresh()), session.on('done', () => void refresh()));
      await refresh();
    } catch (err) {
      this.fail(err);
    }
  }

  /** Audio or video in the torrent's first file: played while it downloads where the page allows. */
  private chooseMedia(client: BrowserClient, view: StreamView): WidgetMedia | null {
    const file = view.layout.files[0]!;
    const { kind } = contentKind(file.path[file.path.length - 1]!);
    if (kind !== 'audio' && kind !== 'video') return null;
    return startWidgetMedia({ client, view, fileIndex: 0, kind, sameOrigin: location.origin === SCRIPT_ORIGIN, onChange: () => this.requestUpdate(), onError: (m) => this.fail(m) });
  }

  private onCanPlay(): void {
    if (this.playReady || !this.media) return;
    this.playReady = true;
    this.dispatchEvent(new CustomEvent('play-ready', { detail: { mode: this.media.mode } }));
  }

  private onWaiting(e: Event): void {
    const el = e.target as HTMLMediaElement;
    if (!this.playReady || el.ended) return;
    this.waiting = true;
    this.dispatchEvent(new CustomEvent('stall', { detail: { currentTime: el.currentTime } }));
  }

  private save(): void {
    if (this.file) saveFile(this.file);
  }

  private renderMedia(m: WidgetMedia) {
    if (!m.src && m.mode === 'complete-file') return html`<p class="status" part="status" data-testid="stream-fallback">Plays when the download completes: ${m.reason}.</p>`;
    const playing = () => (this.waiting = false);
    const common = { src: m.src ?? nothing, poster: this.poster || nothing };
    const media = m.kind === 'video'
      ? html`<video part="media" data-testid="stream-media" data-mode=${m.mode} aria-label=${`Play ${this.view?.layout.name ?? this.stats?.name ?? 'the video'}`} src=${common.src} poster=${common.poster} ?controls=${this.controls} ?autoplay=${this.autoplay} .muted=${this.muted} ?loop=${this.loop} playsinline preload="auto" @canplay=${this.onCanPlay} @waiting=${this.onWaiting} @playing=${playing}></video>`
      : html`<audio part="media" data-testid="stream-media" data-mode=${m.mode} aria-label=${`Play ${this.view?.layout.name ?? this.stats?.name ?? 'the audio'}`} src=${common.src} ?controls=${this.controls} ?autoplay=${this.autoplay} .muted=${this.muted} ?loop=${this.loop} preload="auto" @canplay=${this.onCanPlay} @waiting=${this.onWaiting} @playing=${playing}></audio>`;
    return html`${media}${this.waiting ? html`<p class="status" part="status" aria-live="polite" data-testid="stream-state">Waiting for peers: the next seconds are still on their way…</p>` : nothing}`;
  }

  override render() {
    const s = this.stats;
    const m = this.media;
    const progress = html`<progress part="progress" aria-label="Downloaded" .value=${s?.bytesVerified ?? 0} max=${Math.max(1, s?.length ?? 1)}></progress>
      <div class="meta">${s?.length != null ? `${formatBytes(s.bytesVerified)} of ${formatBytes(s.length)} · ` : ''}${s?.peers.length ?? 0} peers</div>`;
    return html`
      <div part="name"><strong>${this.view?.layout.name ?? s?.name ?? 'Connecting…'}</strong></div>
      ${m ? this.renderMedia(m) : nothing}
      ${this.file
        ? html`${m ? nothing : html`<tabswarm-content-preview exportparts="media, text" .blob=${this.file.blob} .name=${this.file.name}></tabswarm-content-preview>`}
            <p><button part="button" @click=${this.save}>Download ${this.file.name}</button></p>`
        : progress}
      ${this.error ? html`<p class="error" part="error">${this.error}</p>` : nothing}
    `;
  }
}

if (!customElements.get('tabswarm-file')) customElements.define('tabswarm-file', TabswarmFile);
