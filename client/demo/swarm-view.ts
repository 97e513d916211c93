/**
 * Multi-tab mode: this tab as one peer of a demo swarm. It shows what the chapter describes, live:
 * its pieces and each neighbour's, who it unchokes (regular or optimistic) and who unchokes it,
 * countdowns to the next rechoke and optimistic rotation, the copies histogram, and the bounds for
 * the limits in force — its own sliders, and its neighbours' limits as they advertise them.
 */
import { LitElement, css, html, nothing } from 'lit';
import { focusRing } from '../ui/focus-ring.ts';
import { formatBytes, formatRate } from '../../shared/format.ts';
import type { BrowserClient } from '../browser/client.ts';
import type { SwarmSession } from '../engine/session.ts';
import type { PeerStats, RechokeEvent, TorrentStats } from '../engine/torrent.ts';
import '../ui/piece-map.ts';
import { swarmBounds } from './bounds.ts';
import { explainBounds, explainChoking, explainRarest } from './explain.ts';
import './histogram.ts';
import { fromAdvert, joinHash, toAdvert, type JoinLink, type PeerLimits } from './settings.ts';

const REFRESH_MS = 200;
/** Slider range, KiB/s; 0 means no limit. */
const MAX_LIMIT_KIB = 4096;
const LIMIT_STEP_KIB = 64;

const seconds = (s: number) => (Number.isFinite(s) ? `${s.toFixed(1)} s` : '—');
const limitText = (bytesPerS: number) => (bytesPerS > 0 ? formatRate(bytesPerS) : 'no limit');

/** Our relation to a neighbour, in the chapter's words. */
export function unchokeLabel(p: PeerStats): string {
  if (p.amChoking) return 'choked';
  return p.optimistic ? 'optimistic unchoke' : 'unchoked';
}

export class DemoSwarmView extends LitElement {
  static override properties = { client: { attribute: false }, link: { attribute: false }, stats: { state: true }, limits: { state: true }, error: { state: true } };
  static override styles = [
    focusRing,
    css`
    :host { display: block; }
    section { background: white; border-radius: 8px; padding: 0.8rem 1rem; margin: 0.8rem 0; }
    h3 { margin: 0 0 0.5rem; }
    .grid { display: grid; grid-template-columns: 1fr 1fr; gap: 0 1.5rem; }
    label { display: block; margin: 0.3rem 0; }
    input[type=range] { width: 100%; }
    table { width: 100%; border-collapse: collapse; font-size: 0.9rem; }
    td, th { text-align: left; padding: 0.2rem 0.4rem; border-bottom: 1px solid #eee; vertical-align: middle; }
    .optimistic { color: #b86e00; font-weight: 600; }
    .unchoked { color: #2e7d4a; font-weight: 600; }
    .choked { color: #888; }
    .big { font-size: 1.3rem; font-weight: 600; }
    .explain { color: #444; font-size: 0.9rem; border-left: 3px solid #c9d6ea; padding-left: 0.8rem; }
    .error { color: #a11; }
    input.link { width: 100%; font-family: monospace; }
  `,
  ];

  client: BrowserClient | null = null;
  link: JoinLink | null = null;
  stats: TorrentStats | null = null;
  limits: PeerLimits = { up: 0, down: 0, seeder: false };
  error = '';
  private session: SwarmSession | null = null;
  private timer: number | undefined;
  private joinedAt = 0;
  private finishedAfter: number | null = null;
  /** Every run of this tab's choker, for the countdown's history and for tests. */
  readonly rechokes: RechokeEvent[] = [];

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.timer);
  }

  override updated(changed: Map<string, unknown>): void {
    if ((changed.has('client') || changed.has('link')) && this.client && this.link && !this.session) void this.join();
  }

  private async join(): Promise<void> {
    try {
      this.session = await this.client!.add(this.link!.magnet);
    } catch (err) {
      this.error = String(err instanceof Error ? err.message : err);
      return;
    }
    const torrent = this.session.torrent;
    // The tab that already holds the whole file when it joins is the seeder (the one that created the swarm).
    this.limits = { up: torrent.limits.uploadLimit, down: torrent.limits.downloadLimit, seeder: torrent.done };
    torrent.setAdvert(toAdvert(this.limits));
    torrent.on('rechoke', (e) => this.rechokes.push(e));
    this.joinedAt = performance.now();
    this.timer = window.setInterval(() => this.refresh(), REFRESH_MS);
    this.refresh();
  }

  private refresh(): void {
    if (!this.session) return;
    this.stats = this.session.torrent.stats();
    if (this.stats.done && this.finishedAfter === null && !this.limits.seeder) this.finishedAfter = (performance.now() - this.joinedAt) / 1000;
  }

  private setLimit(which: 'up' | 'down', kib: number): void {
    if (!this.session) return;
    const bytes = kib * 1024;
    this.limits = { ...this.limits, [which]: bytes };
    this.session.torrent.setLimits(which === 'up' ? { uploadLimit: bytes } : { downloadLimit: bytes });
    this.session.torrent.setAdvert(toAdvert(this.limits));
  }

  private neighbours(s: TorrentStats): Array<{ peer: PeerStats; limits: PeerLimits | null }> {
    return s.peers.filter((p) => p.id !== null).map((peer) => ({ peer, limits: fromAdvert(peer.advert) }));
  }

  private renderLimits() {
    const slider = (which: 'up' | 'down', label: unknown) => html`<label>
      ${label}: <b data-testid=${`${which}-value`}>${limitText(this.limits[which])}</b>
      <input type="range" data-testid=${`${which}-limit`} min="0" max=${MAX_LIMIT_KIB} step=${LIMIT_STEP_KIB} .value=${String(this.limits[which] / 1024)}
        @input=${(e: Event) => this.setLimit(which, Number((e.target as HTMLInputElement).value))} />
    </label>`;
    return html`<section>
      <h3>This tab: ${this.limits.seeder ? html`<span data-testid="role">the seeder (the chapter's server)</span>` : html`<span data-testid="role">a peer</span>`}</h3>
      ${slider('up', this.limits.seeder ? html`Upload u<sub>s</sub>` : html`Upload u<sub>i</sub>`)}
      ${slider('down', html`Download d<sub>i</sub>`)}
      <small>0 = no limit. Your neighbours see these at once.</small>
    </section>`;
  }

  private renderBounds(s: TorrentStats) {
    const F = s.length ?? 0;
    const known = this.neighbours(s).filter((n) => n.limits !== null).map((n) => n.limits!);
    const b = swarmBounds(F, this.limits, known);
    const elapsed = this.finishedAfter ?? (performance.now() - this.joinedAt) / 1000;
    return html`<section>
      <h3>The bounds for the limits in force</h3>
      ${b
        ? html`<div class="grid">
            <div>F = ${formatBytes(F)}, N = <span data-testid="n">${b.N}</span> peers<br />
              u<sub>s</sub> = ${limitText(Number.isFinite(b.dist.us) ? b.dist.us : 0)}, Σu<sub>i</sub> = ${limitText(b.dist.ui.some((u) => !Number.isFinite(u)) ? 0 : b.dist.ui.reduce((a, c) => a + c, 0))}, d<sub>min</sub> = ${limitText(Number.isFinite(b.dist.dMin) ? b.dist.dMin : 0)}</div>
            <div>client-server D<sub>cs</sub> ≥ <span class="big" data-testid="d-cs" data-seconds=${b.dCs}>${seconds(b.dCs)}</span><br />
              peer-to-peer D<sub>p2p</sub> ≥ <span class="big" data-testid="d-p2p" data-seconds=${b.dP2p}>${seconds(b.dP2p)}</span></div>
          </div>`
        : html`<p>No seeder among your neighbours yet: its upload is the formula's u<sub>s</sub>.</p>`}
      <p>${this.limits.seeder ? 'Seeding.' : s.done ? html`<b data-testid="done">Finished in ${seconds(elapsed)}</b>` : html`Downloading for ${seconds(elapsed)}…`}</p>
      <div class="explain">${explainBounds}</div>
    </section>`;
  }

  private renderChoking(s: TorrentStats) {
    const now = Date.now();
    const neighbours = this.neighbours(s);
    return html`<section>
      <h3>Choking</h3>
      <p>Next rechoke in <b data-testid="next-rechoke">${Math.max(0, (s.choker.nextMs - now) / 1000).toFixed(1)} s</b>,
        next optimistic rotation in <b data-testid="next-optimistic">${Math.max(0, (s.choker.nextOptimisticMs - now) / 1000).toFixed(1)} s</b>.</p>
      <table>
        <tr><th>neighbour</th><th>their pieces</th><th>I give them</th><th>they give me</th><th>↓ from / ↑ to</th><th>their limits</th></tr>
        ${neighbours.map(({ peer, limits }) => html`<tr data-testid="neighbour">
          <td>${limits?.seeder ? 'seeder' : 'peer'} ${peer.id!.slice(-6)}</td>
          <td style="min-width:8rem"><tabswarm-piece-map .have=${peer.bitfield} .legend=${false}></tabswarm-piece-map></td>
          <td class=${peer.amChoking ? 'choked' : peer.optimistic ? 'optimistic' : 'unchoked'} data-testid="i-unchoke">${unchokeLabel(peer)}</td>
          <td class=${peer.peerChoking ? 'choked' : 'unchoked'}>${peer.peerChoking ? 'choked' : 'unchoked'}</td>
          <td>${formatRate(peer.downloadRate)} / ${formatRate(peer.uploadRate)}</td>
          <td>${limits ? `↑ ${limitText(limits.up)}, ↓ ${limitText(limits.down)}` : 'not a demo tab'}</td>
        </tr>`)}
      </table>
      <div class="explain">${explainChoking}</div>
    </section>`;
  }

  private renderPieces(s: TorrentStats) {
    return html`<section>
      <h3>Pieces</h3>
      <p>Mine (${s.piecesHave} of ${s.pieceCount ?? '?'}):</p>
      <tabswarm-piece-map .have=${s.have} .requested=${new Set(s.inProgress)}></tabswarm-piece-map>
      <p>Copies of each piece here and among my ${s.peers.length} neighbours:</p>
      <tabswarm-availability-histogram .availability=${s.availability} .maxCopies=${s.peers.length + 1}></tabswarm-availability-histogram>
      <div class="explain">${explainRarest}</div>
    </section>`;
  }

  override render() {
    if (this.error) return html`<p class="error" role="alert">${this.error}</p>`;
    const s = this.stats;
    if (!s || !this.link) return html`<p>Joining the demo swarm…</p>`;
    const url = `${location.origin}/demo${joinHash(this.link)}`;
    return html`
      <section>
        <h3>${s.name ?? 'Demo swarm'} ${this.link.fast ? html`<small>(fast clock)</small>` : nothing}</h3>
        <label>Join link — open it in other tabs, browsers or machines: <input class="link" readonly data-testid="join-link" .value=${url} /></label>
      </section>
      ${this.renderLimits()} ${this.renderBounds(s)} ${this.renderChoking(s)} ${this.renderPieces(s)}
    `;
  }
}
customElements.define('tabswarm-demo-swarm', DemoSwarmView);
