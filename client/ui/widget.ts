/**
 * `<tabswarm-file magnet="…" tracker="wss://…">`: one script tag on any site downloads a shared
 * file peer to peer and shows it. The tracker (and ICE config) default to the origin this script
 * was loaded from. Events: `progress` (detail: stats), `done` (detail: {name, blob}), `error`
 * (detail: {code, message}). Style with CSS custom properties (--tabswarm-accent,
 * --tabswarm-radius, --tabswarm-font) and ::part(progress | button | media | text | name).
 */
import { LitElement, css, html, nothing } from 'lit';
import { focusRing } from './focus-ring.ts';
import { formatBytes } from '../../shared/format.ts';
import { isTabswarmError } from '../../shared/errors.ts';
import { BrowserClient } from '../browser/client.ts';
import type { TorrentStats } from '../engine/torrent.ts';
import './content-preview.ts';
import type { StoredFile } from '../browser/save.ts';
import { saveFile } from './save-file.ts';
import { configUrlFor, trackerForOrigin } from '../browser/endpoints.ts';

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

export class TabswarmFile extends LitElement {
  static override properties = { magnet: {}, tracker: {}, stats: { state: true }, file: { state: true }, error: { state: true } };
  static override styles = [
    focusRing,
    css`
    :host { display: block; font-family: var(--tabswarm-font, system-ui, sans-serif); border: 1px solid #ddd; border-radius: var(--tabswarm-radius, 0.5rem); padding: 0.8rem; }
    progress { width: 100%; accent-color: var(--tabswarm-accent, #2e6fd8); }
    .meta { color: #666; font-size: 0.85rem; }
    button { font: inherit; border: 0; border-radius: var(--tabswarm-radius, 0.5rem); background: var(--tabswarm-accent, #2e6fd8); color: white; padding: 0.35rem 0.9rem; cursor: pointer; }
    .error { color: #a11; }
  `,
  ];

  magnet = '';
  tracker = '';
  stats: TorrentStats | null = null;
  file: StoredFile | null = null;
  error = '';
  private timer: number | undefined;
  private started = '';

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.timer);
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('magnet') && this.magnet && this.magnet !== this.started) void this.start();
  }

  private fail(err: unknown): void {
    this.error = isTabswarmError(err) ? err.message : String(err);
    this.dispatchEvent(new CustomEvent('error', { detail: { code: isTabswarmError(err) ? err.code : 'UNKNOWN', message: this.error } }));
  }

  private async start(): Promise<void> {
    this.started = this.magnet;
    clearInterval(this.timer);
    this.error = '';
    this.file = null;
    try {
      const client = await clientFor(this.tracker || defaultTracker());
      const session = await client.add(this.magnet);
      client.on('error', (h, e) => h === session.torrent.infoHash && this.fail(e));
      const refresh = async () => {
        this.stats = session.torrent.stats();
        this.dispatchEvent(new CustomEvent('progress', { detail: this.stats }));
        if (this.stats.done && !this.file) {
          clearInterval(this.timer);
          this.file = await client.file(session.torrent.infoHash, 0);
          this.dispatchEvent(new CustomEvent('done', { detail: this.file }));
        }
      };
      this.timer = window.setInterval(() => void refresh(), REFRESH_MS);
      await refresh();
    } catch (err) {
      this.fail(err);
    }
  }

  private save(): void {
    if (this.file) saveFile(this.file);
  }

  override render() {
    const s = this.stats;
    return html`
      <div part="name"><strong>${s?.name ?? 'Connecting…'}</strong></div>
      ${this.file
        ? html`<tabswarm-content-preview exportparts="media, text" .blob=${this.file.blob} .name=${this.file.name}></tabswarm-content-preview>
            <p><button part="button" @click=${this.save}>Download ${this.file.name}</button></p>`
        : html`<progress part="progress" aria-label="Downloaded" .value=${s?.bytesVerified ?? 0} max=${Math.max(1, s?.length ?? 1)}></progress>
            <div class="meta">${s?.length != null ? `${formatBytes(s.bytesVerified)} of ${formatBytes(s.length)} · ` : ''}${s?.peers.length ?? 0} peers</div>`}
      ${this.error ? html`<p class="error" part="error">${this.error}</p>` : nothing}
    `;
  }
}

if (!customElements.get('tabswarm-file')) customElements.define('tabswarm-file', TabswarmFile);
