/**
 * The teaching demo at /demo: a landing page that creates a multi-tab demo swarm (or, with a join
 * link in the address, this tab joins one), and classroom mode below it.
 */
import { LitElement, css, html } from 'lit';
import { focusRing } from '../ui/focus-ring.ts';
import { BrowserClient } from '../browser/client.ts';
import './classroom-view.ts';
import { DEFAULT_DEMO_MIB, demoBytes, demoEngineOptions, joinHash, parseJoinHash, type JoinLink } from './settings.ts';
import './swarm-view.ts';

const MiB = 1024 * 1024;
const MAX_DEMO_MIB = 256;

/** One engine per tab; its clock (fast or not) is fixed when the tab first joins. */
let clientFor: { fast: boolean; client: Promise<BrowserClient> } | null = null;
function demoClient(fast: boolean): Promise<BrowserClient> {
  if (!clientFor || clientFor.fast !== fast) clientFor = { fast, client: BrowserClient.create({ engine: demoEngineOptions(fast) }) };
  return clientFor.client;
}

export class DemoPage extends LitElement {
  static override properties = { link: { state: true }, client: { state: true }, creating: { state: true }, error: { state: true } };
  static override styles = [
    focusRing,
    css`
    :host { display: block; }
    section { background: white; border-radius: 8px; padding: 0.8rem 1rem; margin: 0.8rem 0; }
    .error { color: #a11; }
  `,
  ];
  link: JoinLink | null = parseJoinHash(location.hash);
  client: BrowserClient | null = null;
  creating = '';
  error = '';
  fileMiB = DEFAULT_DEMO_MIB;
  fast = true;
  private readonly onHash = () => {
    this.link = parseJoinHash(location.hash);
    void this.connectClient();
  };

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.onHash);
    void this.connectClient();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.onHash);
  }

  private async connectClient(): Promise<void> {
    if (!this.link) return;
    try {
      this.client = await demoClient(this.link.fast);
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    }
  }

  private async create(): Promise<void> {
    if (!(this.fileMiB > 0 && this.fileMiB <= MAX_DEMO_MIB)) return void (this.error = `Choose a size from 1 to ${MAX_DEMO_MIB} MiB.`);
    this.error = '';
    try {
      const client = await demoClient(this.fast);
      const file = new File([demoBytes(Math.round(this.fileMiB * MiB), Date.now())], `demo-${this.fileMiB}MiB.bin`);
      const session = await client.seed([file], (phase, done, total) => (this.creating = `${phase === 'hashing' ? 'Hashing' : 'Storing'}… ${Math.round((100 * done) / Math.max(1, total))}%`));
      this.creating = '';
      location.hash = joinHash({ magnet: client.magnet(session.torrent.infoHash), fast: this.fast });
    } catch (err) {
      this.creating = '';
      this.error = err instanceof Error ? err.message : String(err);
    }
  }

  override render() {
    if (this.link) {
      return html`<p><a href="/demo">← demo home</a></p>
        <tabswarm-demo-swarm .client=${this.client} .link=${this.link}></tabswarm-demo-swarm>`;
    }
    return html`
      <section>
        <h2>Multi-tab swarm</h2>
        <p>Create a demo swarm: this tab becomes its seeder and shows a join link. Every tab that opens the link — here, in other
          browsers, on other machines — joins as a peer and shows the swarm from where it stands.</p>
        <label>File size (MiB) <input type="number" min="1" max=${MAX_DEMO_MIB} data-testid="demo-size" .value=${String(this.fileMiB)} @change=${(e: Event) => (this.fileMiB = Number((e.target as HTMLInputElement).value))} /></label>
        <label><input type="checkbox" data-testid="fast-clock" .checked=${this.fast} @change=${(e: Event) => (this.fast = (e.target as HTMLInputElement).checked)} /> fast clock (rechoke every 1 s, optimistic unchoke every 3 s)</label>
        <button data-testid="create-swarm" ?disabled=${this.creating !== ''} @click=${() => void this.create()}>Create a demo swarm</button>
        ${this.creating ? html`<span>${this.creating}</span>` : ''}
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      </section>
      <h2>Classroom: N peers in this tab</h2>
      <tabswarm-demo-classroom></tabswarm-demo-classroom>
    `;
  }
}
customElements.define('tabswarm-demo', DemoPage);
