/** How many pieces have 0, 1, 2, … copies among this tab and its neighbours: rarest-first evens the bars. */
import { LitElement, css, html } from 'lit';

/** counts[k] = pieces with exactly k copies. */
export function copiesHistogram(availability: number[], maxCopies: number): number[] {
  const counts = new Array<number>(maxCopies + 1).fill(0);
  for (const a of availability) counts[Math.min(a, maxCopies)]!++;
  return counts;
}

export class AvailabilityHistogram extends LitElement {
  static override properties = { availability: { attribute: false }, maxCopies: { type: Number } };
  static override styles = css`
    .bars { display: flex; align-items: flex-end; gap: 4px; height: 90px; border-bottom: 1px solid #999; }
    .bar { flex: 1; background: #3f7fd0; min-height: 1px; position: relative; }
    .bar span { position: absolute; top: -1.1rem; width: 100%; text-align: center; font-size: 0.75rem; }
    .labels { display: flex; gap: 4px; font-size: 0.75rem; color: #555; }
    .labels span { flex: 1; text-align: center; }
  `;
  availability: number[] = [];
  maxCopies = 1;

  override render() {
    const counts = copiesHistogram(this.availability, this.maxCopies);
    const top = Math.max(1, ...counts);
    return html`
      <div class="bars" data-testid="histogram" data-counts=${counts.join(',')}>
        ${counts.map((c) => html`<div class="bar" style="height:${(100 * c) / top}%"><span>${c}</span></div>`)}
      </div>
      <div class="labels">${counts.map((_, k) => html`<span>${k}</span>`)}</div>
      <small>pieces (bar height) by copies among this tab and its neighbours (axis)</small>
    `;
  }
}
customElements.define('tabswarm-availability-histogram', AvailabilityHistogram);
