/**
 * The app at "/": sharing when the address has no fragment, downloading when it carries a link
 * (ORIGIN/#magnet:… or ORIGIN/#<40-hex info hash>), and "My files" below.
 */
import { LitElement, css, html, nothing } from 'lit';
import { focusRing } from './focus-ring.ts';
import { BrowserClient } from '../browser/client.ts';
import { describeError } from './errors.ts';
import './download-view.ts';
import './my-files.ts';
import './share-view.ts';

export function linkFromHash(hash: string): string {
  const fragment = decodeURIComponent(hash.replace(/^#/, ''));
  return fragment.startsWith('magnet:') || /^[0-9a-fA-F]{40}$/.test(fragment) ? fragment : '';
}

const BAD_LINK = 'That link is not a Tabswarm share link: it should end in #magnet:?xt=urn:btih:… or a 40-character info hash.';

export class TabswarmApp extends LitElement {
  static override properties = { client: { state: true }, link: { state: true }, error: { state: true } };
  static override styles = [
    focusRing,
    css`
    :host { display: block; }
    .error { color: #a11; }
    nav a { margin-right: 1rem; }
  `,
  ];
  client: BrowserClient | null = null;
  link = linkFromHash(location.hash);
  error = '';
  private readonly onHash = () => {
    this.link = linkFromHash(location.hash);
    this.error = location.hash.length > 1 && !this.link ? BAD_LINK : '';
  };

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.onHash);
    const ready = BrowserClient.create();
    window.tabswarm = ready;
    window.TabswarmClient = BrowserClient;
    ready.then(
      (c) => (this.client = c),
      (err) => (this.error = describeError(err)),
    );
    // An error page still loads: creation failed (no WebRTC), and the promise is observed above.
    ready.catch(() => {});
    this.onHash();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.onHash);
  }

  override render() {
    return html`
      <nav><a href="#">Share a file</a></nav>
      ${this.error ? html`<p class="error" role="alert" data-testid="error">${this.error}</p>` : nothing}
      ${this.link ? html`<tabswarm-download-view .client=${this.client} .link=${this.link}></tabswarm-download-view>` : html`<tabswarm-share-view .client=${this.client}></tabswarm-share-view>`}
      <tabswarm-my-files .client=${this.client}></tabswarm-my-files>
    `;
  }
}
customElements.define('tabswarm-app', TabswarmApp);
