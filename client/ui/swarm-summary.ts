/** The numbers under a torrent: progress bar, rates, peers, ETA, copies in the swarm. */
import { LitElement, css, html } from 'lit';
import { formatBytes, formatEta, formatRate } from '../../shared/format.ts';
import type { PeerStats, TorrentStats } from '../engine/torrent-stats.ts';
import './piece-map.ts';
import type { PlaybackOnMap } from './piece-map-summary.ts';

/** How one connection reaches us, in words: a relayed one costs the server's bandwidth and adds a hop. */
export function routeLabel(p: PeerStats): string {
  if (p.origin) return 'web seed (HTTP)';
  if (p.route === 'relayed') return 'relayed (TURN)';
  if (p.route === 'direct') return 'direct';
  return 'connecting…';
}

/** Complete copies among connected peers and us: the rarest piece's count. */
export function copiesInSwarm(s: TorrentStats): number {
  return s.availability.length === 0 ? 0 : Math.min(...s.availability);
}

function relayed(s: TorrentStats): number {
  return s.peers.filter((p) => p.route === 'relayed').length;
}

export class SwarmSummary extends LitElement {
  static override properties = { stats: { attribute: false }, playback: { attribute: false } };
  static override styles = css`
    :host { display: block; }
    progress { width: 100%; height: 1rem; }
    details { font-size: 0.9rem; color: #555; }
    details ul { margin: 0.2rem 0; padding-left: 1.2rem; }
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
      ${s.peers.length === 0
        ? ''
        : html`<details data-testid="peer-list">
            <summary>Connections${relayed(s) > 0 ? ` (${relayed(s)} through a relay)` : ''}</summary>
            <ul>
              ${s.peers.map((p) => html`<li data-testid="peer-route" data-route=${p.origin ? 'origin' : (p.route ?? 'unknown')}>${p.id ? p.id.slice(16, 24) : p.key}: ${routeLabel(p)} · ↓ ${formatRate(p.downloadRate)} ↑ ${formatRate(p.uploadRate)}</li>`)}
            </ul>
          </details>`}
      <tabswarm-piece-map .have=${s.have} .requested=${new Set(s.inProgress)} .playback=${this.playback}></tabswarm-piece-map>
    `;
  }
}
customElements.define('tabswarm-swarm-summary', SwarmSummary);
