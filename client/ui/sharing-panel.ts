/**
 * The sharing controls: upload and download limits, "pause sharing", and "don't share on metered
 * connections" (with what the browser says about this connection). Saved as they change.
 */
import { LitElement, css, html } from 'lit';
import { focusRing } from './focus-ring.ts';
import type { SharingControl } from '../browser/sharing-control.ts';
import { KIB, parseKibField } from '../browser/sharing-settings.ts';


export class SharingPanel extends LitElement {
  static override properties = { control: { attribute: false }, invalid: { state: true } };
  static override styles = [
    focusRing,
    css`
      :host { display: block; margin: 1rem 0; }
      fieldset { border: 1px solid #ccd; border-radius: 0.5rem; }
      label { display: block; margin: 0.4rem 0; }
      input[type='text'] { width: 6rem; font: inherit; }
      .state { font-weight: 600; }
      .hint, .error { font-size: 0.85rem; }
      .hint { color: #555; }
      .error { color: #a11; }
    `,
  ];
  control: SharingControl | null = null;
  invalid = '';
  private off: (() => void) | null = null;

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('control')) {
      this.off?.();
      this.off = this.control?.on('change', () => this.requestUpdate()) ?? null;
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.off?.();
  }

  private setLimit(field: 'uploadLimit' | 'downloadLimit', e: Event): void {
    const input = e.target as HTMLInputElement;
    const bytes = parseKibField(input.value);
    if (bytes === null) {
      this.invalid = `${field === 'uploadLimit' ? 'Upload' : 'Download'} limit: give a whole number of KiB/s, or leave it empty for no limit.`;
      return;
    }
    this.invalid = '';
    this.control?.update({ [field]: bytes });
  }

  private stateText(): string {
    const state = this.control?.state;
    if (!state) return '';
    if (state.share) return 'Sharing: peers can download from this tab.';
    return state.reason === 'paused' ? 'Sharing paused: this tab uploads nothing (downloads go on).' : 'Not sharing: this connection is metered (downloads go on).';
  }

  override render() {
    const c = this.control;
    if (!c) return html``;
    const s = c.settings;
    const metered = c.metered;
    const kib = (bytes: number) => (bytes === 0 ? '' : String(Math.round(bytes / KIB)));
    return html`<details data-testid="sharing-settings">
      <summary>Sharing settings</summary>
      <fieldset>
        <legend>Limits and sharing</legend>
        <label>Upload limit (KiB/s, empty for none) <input type="text" inputmode="numeric" data-testid="upload-limit" .value=${kib(s.uploadLimit)} @change=${(e: Event) => this.setLimit('uploadLimit', e)} /></label>
        <label>Download limit (KiB/s, empty for none) <input type="text" inputmode="numeric" data-testid="download-limit" .value=${kib(s.downloadLimit)} @change=${(e: Event) => this.setLimit('downloadLimit', e)} /></label>
        <label><input type="checkbox" data-testid="pause-sharing" .checked=${s.pauseSharing} @change=${(e: Event) => c.update({ pauseSharing: (e.target as HTMLInputElement).checked })} /> Pause sharing</label>
        <label><input type="checkbox" data-testid="no-metered" .checked=${s.noSharingWhenMetered} @change=${(e: Event) => c.update({ noSharingWhenMetered: (e.target as HTMLInputElement).checked })} /> Don't share on metered connections</label>
        <p class="hint" data-testid="metered-hint">${metered === null ? 'This browser does not say whether the connection is metered.' : metered ? 'This connection is metered (data saver or mobile data).' : 'This connection is not metered.'}</p>
        ${this.invalid ? html`<p class="error" role="alert">${this.invalid}</p>` : ''}
      </fieldset>
    </details>
    <p class="state" role="status" data-testid="sharing-state">${this.stateText()}</p>`;
  }
}
customElements.define('tabswarm-sharing-panel', SharingPanel);
