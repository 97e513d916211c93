/**
 * Classroom mode: N peers in this one page, run for several N, plotted against the two bounds —
 * the chapter's figure of distribution time against N, with measured points.
 */
import { LitElement, css, html, nothing } from 'lit';
import { focusRing } from '../ui/focus-ring.ts';
import { unsafeSVG } from 'lit/directives/unsafe-svg.js';
import { swarmPlot, type PlotRow } from '../../shared/distribution-plot.ts';
import { formatBytes, formatRate } from '../../shared/format.ts';
import { uniformCurves } from '../../shared/theory.ts';
import { originTracker, fetchIceServers } from '../browser/client.ts';
import { MAX_CLASSROOM_PEERS, runDistribution, type RunMode, type RunResult } from './classroom-runner.ts';
import { explainClassroom } from './explain.ts';
import { SIMULATED_SWARM } from './simulated-swarm.ts';

const MiB = 1024 * 1024;
const KiB = 1024;
const RUN_LABEL: Record<RunMode, string> = { p2p: 'P2P run', 'client-server': 'client-server run' };
export const SIMULATED_LABEL = 'simulated P2P';

/**
 * The simulator's swarms (npm run sim: the same engine on virtual time, N up to 1,000) on this
 * page's bounds: each simulated N's distribution time over D_p2p, times this page's D_p2p at that N.
 */
export function simulatedRows(F: number, us: number, ui: number): PlotRow[] {
  const { dP2p } = uniformCurves(F, us, ui);
  return SIMULATED_SWARM.points.map((p) => {
    const seconds = p.ratioToP2p * dP2p(p.N);
    return { system: SIMULATED_LABEL, N: p.N, seconds: { min: seconds, median: seconds, max: seconds } };
  });
}

/** "1, 2, 4, 8" → [1, 2, 4, 8]; null when any entry is not a whole number from 1 to the maximum. */
export function parsePeerCounts(text: string): number[] | null {
  const ns = text.split(/[\s,]+/).filter(Boolean).map(Number);
  if (ns.length === 0 || ns.some((n) => !Number.isInteger(n) || n < 1 || n > MAX_CLASSROOM_PEERS)) return null;
  return [...new Set(ns)].sort((a, b) => a - b);
}

export class DemoClassroom extends LitElement {
  static override properties = { results: { state: true }, status: { state: true }, error: { state: true }, running: { state: true }, showSimulated: { state: true } };
  static override styles = [
    focusRing,
    css`
    :host { display: block; }
    section { background: white; border-radius: 8px; padding: 0.8rem 1rem; margin: 0.8rem 0; }
    .form { display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); gap: 0.5rem 1rem; align-items: end; }
    label { display: block; }
    input[type=number], input[type=text] { width: 8rem; }
    table { border-collapse: collapse; font-size: 0.9rem; margin-top: 0.6rem; }
    td, th { padding: 0.2rem 0.6rem; border-bottom: 1px solid #eee; text-align: right; }
    .plot svg { max-width: 100%; height: auto; }
    .explain { color: #444; font-size: 0.9rem; border-left: 3px solid #c9d6ea; padding-left: 0.8rem; }
    .error { color: #a11; }
    .cpu-bound { color: #8a4b00; background: #fff4e0; border-left: 3px solid #e0a030; padding: 0.3rem 0.6rem; font-size: 0.9rem; }
  `,
  ];
  results: RunResult[] = [];
  status = '';
  error = '';
  running = false;
  fileMiB = 4;
  usKiB = 1024;
  uiKiB = 1024;
  peerCounts = '1, 2, 4, 8';
  modes: Record<RunMode, boolean> = { p2p: true, 'client-server': true };
  superSeed = true;
  /** Draw the simulator's curve (N up to 1,000) beside the runs. */
  showSimulated = false;

  private async run(): Promise<void> {
    const ns = parsePeerCounts(this.peerCounts);
    const modes = (Object.keys(this.modes) as RunMode[]).filter((m) => this.modes[m]);
    if (!ns) return void (this.error = `N must be whole numbers from 1 to ${MAX_CLASSROOM_PEERS}, separated by commas.`);
    if (modes.length === 0) return void (this.error = 'Choose P2P, client-server, or both.');
    if (!(this.fileMiB > 0 && this.usKiB > 0 && this.uiKiB > 0)) return void (this.error = 'F, u_s and u_i must be above zero.');
    this.error = '';
    this.running = true;
    this.results = [];
    const iceServers = await fetchIceServers();
    try {
      for (const mode of modes) {
        for (const N of ns) {
          this.status = `${RUN_LABEL[mode]}, N = ${N}: starting…`;
          const r = await runDistribution(
            { F: Math.round(this.fileMiB * MiB), us: this.usKiB * KiB, ui: this.uiKiB * KiB, N, mode, superSeed: this.superSeed, tracker: originTracker(), iceServers },
            (done, total) => (this.status = `${RUN_LABEL[mode]}, N = ${N}: ${done} of ${total} peers finished`),
          );
          this.results = [...this.results, r];
        }
      }
      this.status = 'Done.';
    } catch (err) {
      this.error = `The run stopped: ${err instanceof Error ? err.message : String(err)}`;
      this.status = '';
    } finally {
      this.running = false;
    }
  }

  private plot() {
    const sim = this.showSimulated && SIMULATED_SWARM.points.length > 0;
    if (this.results.length === 0 && !sim) return nothing;
    const { F, us, ui } = this.results[0] ?? { F: Math.round(this.fileMiB * MiB), us: this.usKiB * KiB, ui: this.uiKiB * KiB };
    const rows: PlotRow[] = this.results.map((r) => ({ system: RUN_LABEL[r.mode], N: r.N, seconds: { min: r.seconds, median: r.seconds, max: r.seconds } }));
    if (!sim) return html`<div class="plot" data-testid="plot">${unsafeSVG(swarmPlot(rows, uniformCurves(F, us, ui)))}</div>`;
    // Out to N = 1,000 the client-server bound leaves the page: the time axis stops at a few times
    // the slowest P2P point, and N is spaced logarithmically.
    const simRows = simulatedRows(F, us, ui);
    const p2pTimes = [...simRows, ...rows.filter((r) => r.system === RUN_LABEL.p2p)].map((r) => r.seconds.max);
    const svg = swarmPlot([...rows, ...simRows], uniformCurves(F, us, ui), { logN: true, maxSeconds: Math.max(...p2pTimes) * 3 });
    return html`<div class="plot" data-testid="plot">${unsafeSVG(svg)}</div>
      <p><small data-testid="simulated-note">${SIMULATED_LABEL}: the same engine in the swarm simulator (npm run sim), every peer uploading alike, 50 ms round trips, measured as time over D<sub>p2p</sub> for a ${SIMULATED_SWARM.fileMiB} MiB file (commit ${SIMULATED_SWARM.commit}, ${SIMULATED_SWARM.date.slice(0, 10)}) and drawn on this page's bounds. Simulated, not run in this browser.</small></p>`;
  }

  override render() {
    const num = (label: unknown, value: number, set: (v: number) => void, testid: string) => html`<label>${label}
      <input type="number" min="0" step="any" data-testid=${testid} .value=${String(value)} ?disabled=${this.running} @change=${(e: Event) => set(Number((e.target as HTMLInputElement).value))} /></label>`;
    return html`
      <section>
        <div class="form">
          ${num(html`File F (MiB)`, this.fileMiB, (v) => (this.fileMiB = v), 'file-mib')}
          ${num(html`Seeder upload u<sub>s</sub> (KiB/s)`, this.usKiB, (v) => (this.usKiB = v), 'us-kib')}
          ${num(html`Peer upload u<sub>i</sub> (KiB/s)`, this.uiKiB, (v) => (this.uiKiB = v), 'ui-kib')}
          <label>N (peers), 1–${MAX_CLASSROOM_PEERS}
            <input type="text" data-testid="peer-counts" .value=${this.peerCounts} ?disabled=${this.running} @change=${(e: Event) => (this.peerCounts = (e.target as HTMLInputElement).value)} /></label>
          <label><input type="checkbox" data-testid="mode-p2p" .checked=${this.modes.p2p} @change=${(e: Event) => (this.modes = { ...this.modes, p2p: (e.target as HTMLInputElement).checked })} /> P2P</label>
          <label><input type="checkbox" data-testid="mode-cs" .checked=${this.modes['client-server']} @change=${(e: Event) => (this.modes = { ...this.modes, 'client-server': (e.target as HTMLInputElement).checked })} /> client-server</label>
          <label><input type="checkbox" data-testid="super-seed" .checked=${this.superSeed} @change=${(e: Event) => (this.superSeed = (e.target as HTMLInputElement).checked)} /> initial seeding</label>
          <label><input type="checkbox" data-testid="show-simulated" .checked=${this.showSimulated} @change=${(e: Event) => (this.showSimulated = (e.target as HTMLInputElement).checked)} /> show the simulated swarm, N up to 1,000</label>
          <button data-testid="run" ?disabled=${this.running} @click=${() => void this.run()}>Run</button>
        </div>
        ${this.status ? html`<p data-testid="status" aria-live="polite">${this.status}</p>` : nothing}
        ${this.error ? html`<p class="error" role="alert" data-testid="error">${this.error}</p>` : nothing}
        ${this.plot()}
        ${this.results.length > 0
          ? html`<table>
              <tr><th>run</th><th>N</th><th>measured</th><th>D<sub>p2p</sub></th><th>D<sub>cs</sub></th><th>measured / bound</th><th>seeder sent</th><th>peers sent</th></tr>
              ${this.results.map((r) => {
                const bound = r.mode === 'p2p' ? r.dP2p : r.dCs;
                return html`<tr data-testid="result" data-mode=${r.mode} data-n=${r.N} data-seconds=${r.seconds} data-dp2p=${r.dP2p} data-dcs=${r.dCs} data-seeder-uploaded=${r.seederUploaded} data-leechers-uploaded=${r.leechersUploaded} data-cpu-bound=${String(r.cpu.cpuBound)} data-late-ms=${r.lag.meanLateMs.toFixed(1)}>
                  <td>${RUN_LABEL[r.mode]}</td><td>${r.N}</td><td>${r.seconds.toFixed(1)} s</td><td>${r.dP2p.toFixed(1)} s</td><td>${r.dCs.toFixed(1)} s</td><td>${(r.seconds / bound).toFixed(2)}×${r.cpu.cpuBound ? html` <abbr title=${r.cpu.message}>(CPU-bound)</abbr>` : nothing}</td><td>${formatBytes(r.seederUploaded)}</td><td>${formatBytes(r.leechersUploaded)}</td>
                </tr>`;
              })}
            </table>
            ${this.results.filter((r) => r.cpu.cpuBound).map((r) => html`<p class="cpu-bound" role="note" data-testid="cpu-bound" data-mode=${r.mode} data-n=${r.N}>⚠ ${RUN_LABEL[r.mode]}, N = ${r.N}: ${r.cpu.message}</p>`)}
            <p><small>F = ${formatBytes(this.results[0]!.F)}, u<sub>s</sub> = ${formatRate(this.results[0]!.us)}, u<sub>i</sub> = ${formatRate(this.results[0]!.ui)}, downloads unlimited.</small></p>`
          : nothing}
        <div class="explain">${explainClassroom}</div>
      </section>
    `;
  }
}
customElements.define('tabswarm-demo-classroom', DemoClassroom);
