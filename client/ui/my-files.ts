/** "My files": torrents stored in this browser, with delete. */
import { LitElement, css, html, nothing } from 'lit';
import { focusRing } from './focus-ring.ts';
import { formatBytes } from '../../shared/format.ts';
import type { BrowserClient } from '../browser/client.ts';
import type { StoredTorrent } from '../browser/idb-store.ts';

export class MyFiles extends LitElement {
  static override properties = { client: { attribute: false }, items: { state: true } };
  static override styles = [
    focusRing,
    css`
    li { margin: 0.3rem 0; }
    button { margin-left: 0.5rem; }
  `,
  ];
  client: BrowserClient | null = null;
  items: StoredTorrent[] = [];

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('client')) void this.refresh();
  }

  async refresh(): Promise<void> {
    this.items = (await this.client?.list()) ?? [];
  }

  private async deleteTorrent(infoHash: string): Promise<void> {
    await this.client?.remove(infoHash);
    await this.refresh();
  }

  override render() {
    if (this.items.length === 0) return nothing;
    return html`<section>
      <h2>My files</h2>
      <ul data-testid="my-files">
        ${this.items.map((t) => {
          const have = [...t.have].reduce((n, b) => n + popcount(b), 0);
          return html`<li>
            <a href=${`#${t.infoHash}`}>${t.name}</a> — ${formatBytes(t.length)}${have * 262_144 < t.length ? ' (incomplete)' : ''}
            <button @click=${() => this.deleteTorrent(t.infoHash)}>Delete</button>
          </li>`;
        })}
      </ul>
    </section>`;
  }
}

function popcount(b: number): number {
  let n = 0;
  for (let x = b; x; x >>= 1) n += x & 1;
  return n;
}
customElements.define('tabswarm-my-files', MyFiles);
