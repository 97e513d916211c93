/** The numbers under a torrent: progress bar, rates, peers, ETA, copies in the swarm. */
import { LitElement, css, html } from 'lit';
import { formatBytes, formatEta, formatRate } from '../../shared/format.ts';
import type { TorrentStats } from '../engine/torrent.ts';
import './piece-map.ts';
import type { PlaybackOnMap } from './piece-map-summary.ts';

/** Complete copies among connected peers and us: the rarest piece's count. */
export function copiesInSwarm(s: TorrentStats): number {
  return s.availability.length === 0 ? 0 : Math.min(...s.availability);
}

export class SwarmSummary extends LitElement {
  static override properties = { stats: { attribute: false }, playback: { attribute: false } };
  static override styles = css`
    :host { display: block; }
    progress { width: 100%; height: 1rem; }
    .numbers { display: flex; flex-wrap: wrap; gap: 0.4rem 1.2rem; color: #555; font-size: 0.9rem; margin: 0.4rem 0; }
  `;
  stats: TorrentStats | null = null;
  /** What a playing stream has buffered (the piece map marks it). */
  playback: PlaybackOnMap | null = null;

  override render() {
    const s = this.stats;
    if (!s) return html``;
    const length = s.length ?? 0;
    const left = length - s.bytesVerified;
    return html`
      <progress data-testid="progress" part="progress" aria-label="Downloaded" .value=${s.bytesVerified} max=${Math.max(1, length)}></progress>
      <div class="numbers">
        <span>${s.length === null ? 'fetching metadata from peers…' : `${formatBytes(s.bytesVerified)} of ${formatBytes(length)}`}</span>
        <span>↓ ${formatRate(s.downloadRate)}</span>
        <span>↑ ${formatRate(s.uploadRate)}</span>
        <span data-testid="peers">${s.peers.length} peer${s.peers.length === 1 ? '' : 's'}</span>
        ${s.done ? html`<span>${copiesInSwarm(s)} complete cop${copiesInSwarm(s) === 1 ? 'y' : 'ies'} in the swarm</span>` : html`<span>ETA ${formatEta(s.downloadRate > 0 ? left / s.downloadRate : Infinity)}</span>`}
      </div>
      <tabswarm-piece-map .have=${s.have} .requested=${new Set(s.inProgress)} .playback=${this.playback}></tabswarm-piece-map>
    `;
  }
}
customElements.define('tabswarm-swarm-summary', SwarmSummary);
