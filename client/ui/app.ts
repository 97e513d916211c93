/**
 * The app at "/": sharing when the address has no fragment, downloading when it carries a link
 * (ORIGIN/#magnet:… or ORIGIN/#<40-hex info hash>), and "My files" below.
 */
import { LitElement, css, html, nothing } from 'lit';
import { focusRing } from './focus-ring.ts';
import { BrowserClient } from '../browser/client.ts';
import { describeError } from './errors.ts';
import { SharingControl } from '../browser/sharing-control.ts';
import { hiddenTitle, isTransferring } from '../browser/transfer-activity.ts';
import { WakeLockKeeper } from '../browser/wake-lock.ts';
import './download-view.ts';
import './sharing-panel.ts';
import './my-files.ts';
import './share-view.ts';

export function linkFromHash(hash: string): string {
  const fragment = decodeURIComponent(hash.replace(/^#/, ''));
  return fragment.startsWith('magnet:') || /^[0-9a-fA-F]{40}$/.test(fragment) ? fragment : '';
}

/** How often the tab checks whether files are moving (for the wake lock and the hidden-tab warning). */
const ACTIVITY_CHECK_MS = 1_000;

const BAD_LINK = 'That link is not a Tabswarm share link: it should end in #magnet:?xt=urn:btih:… or a 40-character info hash.';

export class TabswarmApp extends LitElement {
  static override properties = { client: { state: true }, link: { state: true }, error: { state: true }, sharing: { state: true }, backgroundNotice: { state: true } };
  static override styles = [
    focusRing,
    css`
    :host { display: block; }
    .error { color: #a11; }
    .notice { color: #7a5b00; }
    nav a { margin-right: 1rem; }
  `,
  ];
  client: BrowserClient | null = null;
  link = linkFromHash(location.hash);
  error = '';
  sharing: SharingControl | null = null;
  /** Shown after the tab was hidden during a transfer: the browser may have slowed it meanwhile. */
  backgroundNotice = '';
  private readonly wakeLock = new WakeLockKeeper();
  private activityTimer: number | undefined;
  private transferring = false;
  private readonly pageTitle = document.title;
  private readonly onVisibility = () => {
    if (document.visibilityState === 'hidden') {
      if (this.transferring) {
        document.title = hiddenTitle(this.pageTitle);
        this.backgroundNotice = 'This tab went to the background during a transfer. Browsers slow background tabs (and may suspend them), so keep it open, and visible when you can, until files finish.';
      }
    } else document.title = this.pageTitle;
  };
  private readonly onHash = () => {
    this.link = linkFromHash(location.hash);
    this.error = location.hash.length > 1 && !this.link ? BAD_LINK : '';
  };

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.onHash);
    document.addEventListener('visibilitychange', this.onVisibility);
    const ready = BrowserClient.create();
    window.tabswarm = ready;
    window.TabswarmClient = BrowserClient;
    window.tabswarmWakeLock = this.wakeLock;
    ready.then(
      (c) => {
        this.client = c;
        this.sharing = new SharingControl(c);
        this.activityTimer = window.setInterval(() => this.checkActivity(), ACTIVITY_CHECK_MS);
      },
      (err) => (this.error = describeError(err)),
    );
    // An error page still loads: creation failed (no WebRTC), and the promise is observed above.
    ready.catch(() => {});
    this.onHash();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.onHash);
    document.removeEventListener('visibilitychange', this.onVisibility);
    clearInterval(this.activityTimer);
    this.wakeLock.update(false);
  }

  /** Files moving: keep the screen awake; stopped: let it sleep (and clear a hidden tab's warning title). */
  private checkActivity(): void {
    if (!this.client) return;
    this.transferring = isTransferring([...this.client.sessions.values()].map((s) => s.torrent.stats()));
    this.wakeLock.update(this.transferring);
    if (!this.transferring && document.title !== this.pageTitle) document.title = this.pageTitle;
  }

  override render() {
    return html`
      <nav><a href="#">Share a file</a></nav>
      ${this.error ? html`<p class="error" role="alert" data-testid="error">${this.error}</p>` : nothing}
      ${this.backgroundNotice ? html`<p class="notice" role="status" data-testid="background-notice">${this.backgroundNotice} <button @click=${() => (this.backgroundNotice = '')}>Dismiss</button></p>` : nothing}
      ${this.link ? html`<tabswarm-download-view .client=${this.client} .link=${this.link}></tabswarm-download-view>` : html`<tabswarm-share-view .client=${this.client}></tabswarm-share-view>`}
      <tabswarm-sharing-panel .control=${this.sharing}></tabswarm-sharing-panel>
      <tabswarm-my-files .client=${this.client}></tabswarm-my-files>
    `;
  }
}
customElements.define('tabswarm-app', TabswarmApp);
