/**
 * Plays a torrent's audio or video while it downloads: a native media element whose source is the
 * streaming service worker (browser/stream-server.ts), so the browser's own player seeks with Range
 * requests and the engine fetches the pieces under the playhead first. Says when playback waits for
 * peers, and — where no service worker can run — that the file plays once downloaded.
 */
import { LitElement, css, html, nothing } from 'lit';
import { focusRing } from './focus-ring.ts';
import type { BrowserClient } from '../browser/client.ts';
import { primeStream, setStreamDuration, startStreaming, streamUrl, type StreamSupport, type StreamView } from '../browser/stream-server.ts';
import type { ContentLayout } from '../../shared/private/open.ts';
import { contentKind } from './content-kind.ts';
import { playbackOnMap } from './piece-map-summary.ts';

/** The files of a torrent a media element can play, with their index. */
export function mediaFiles(layout: ContentLayout): Array<{ index: number; name: string; kind: 'audio' | 'video' }> {
  const out: Array<{ index: number; name: string; kind: 'audio' | 'video' }> = [];
  layout.files.forEach((f, index) => {
    const name = f.path[f.path.length - 1]!;
    const { kind } = contentKind(name);
    if (kind === 'audio' || kind === 'video') out.push({ index, name, kind });
  });
  return out;
}

export class StreamPlayer extends LitElement {
  static override properties = { client: { attribute: false }, view: { attribute: false }, support: { state: true }, selected: { state: true }, waiting: { state: true } };
  static override styles = [
    focusRing,
    css`
    :host { display: block; margin: 1rem 0; }
    video { width: 100%; max-height: 70vh; background: black; border-radius: 0.4rem; }
    audio { width: 100%; }
    .state { color: #555; font-size: 0.9rem; }
  `,
  ];

  client: BrowserClient | null = null;
  /** What to play: a torrent's files, or a private share's decrypted ones (BrowserClient.streamView). */
  view: StreamView | null = null;
  support: StreamSupport | null = null;
  selected = 0;
  waiting = false;

  override connectedCallback(): void {
    super.connectedCallback();
    const client = this.client;
    const view = this.view;
    const torrent = view ? client?.sessions.get(view.infoHash)?.torrent : undefined;
    const first = view ? mediaFiles(view.layout)[0] : undefined;
    // The first file's first pieces come first, while the worker starts (the page plays it first).
    if (torrent && view && first && !torrent.done) primeStream(view, first.index);
    if (client) {
      void startStreaming((h) => client.streamView(h)).then((s) => {
        this.support = s;
        // The page shows the finished file itself where the player cannot stream.
        this.dispatchEvent(new CustomEvent('stream-support', { detail: s, bubbles: true, composed: true }));
      });
    }
  }

  override render() {
    const view = this.view;
    if (!view) return nothing;
    const layout = view.layout;
    const files = mediaFiles(layout);
    if (files.length === 0) return nothing;
    if (!this.support) return html`<p class="state">Preparing the player…</p>`;
    if (!this.support.ok) return html`<p class="state" data-testid="stream-fallback">Plays when the download completes: ${this.support.reason}.</p>`;
    const file = files[Math.min(this.selected, files.length - 1)]!;
    const src = streamUrl(view.infoHash, file.index, file.name);
    const onWaiting = () => (this.waiting = true);
    const onPlaying = () => (this.waiting = false);
    const onDuration = (e: Event) => setStreamDuration(view, file.index, (e.target as HTMLMediaElement).duration);
    // What the element has buffered, as pieces, for the piece map (on progress and as it plays).
    const onBuffered = (e: Event) => {
      const m = e.target as HTMLMediaElement;
      const ranges = Array.from({ length: m.buffered.length }, (_, i) => [m.buffered.start(i), m.buffered.end(i)] as const);
      const detail = playbackOnMap(ranges, m.currentTime, m.duration, layout.files[file.index]!, layout.pieceLength);
      this.dispatchEvent(new CustomEvent('stream-buffered', { detail, bubbles: true, composed: true }));
    };
    return html`
      ${files.length > 1
        ? html`<label>Play <select data-testid="stream-file" @change=${(e: Event) => (this.selected = Number((e.target as HTMLSelectElement).value))}>
            ${files.map((f, i) => html`<option value=${i} ?selected=${i === this.selected}>${f.name}</option>`)}
          </select></label>`
        : nothing}
      ${file.kind === 'video'
        ? html`<video data-testid="stream-media" controls preload="metadata" src=${src} aria-label=${`Play ${file.name}`} @waiting=${onWaiting} @stalled=${onWaiting} @playing=${onPlaying} @durationchange=${onDuration} @progress=${onBuffered} @timeupdate=${onBuffered}></video>`
        : html`<audio data-testid="stream-media" controls preload="metadata" src=${src} aria-label=${`Play ${file.name}`} @waiting=${onWaiting} @stalled=${onWaiting} @playing=${onPlaying} @durationchange=${onDuration} @progress=${onBuffered} @timeupdate=${onBuffered}></audio>`}
      <p class="state" aria-live="polite" data-testid="stream-state">${this.waiting ? 'Waiting for peers: the next seconds are still on their way…' : 'Plays while it downloads; seeking fetches that part first.'}</p>
    `;
  }
}
customElements.define('tabswarm-stream-player', StreamPlayer);
