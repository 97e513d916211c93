/** Shows a finished file inline when it is an inert kind (see content-kind.ts); nothing else. */
import { LitElement, css, html, nothing } from 'lit';
import { focusRing } from './focus-ring.ts';
import { TEXT_PREVIEW_BYTES, contentKind } from './content-kind.ts';

export class ContentPreview extends LitElement {
  static override properties = { blob: { attribute: false }, name: {}, text: { state: true }, url: { state: true } };
  static override styles = [
    focusRing,
    css`
    :host { display: block; margin-top: 1rem; }
    img, video { max-width: 100%; max-height: 60vh; display: block; }
    pre { white-space: pre-wrap; word-break: break-word; background: #f4f4f6; padding: 0.75rem; border-radius: 0.4rem; max-height: 50vh; overflow: auto; }
  `,
  ];

  blob: Blob | null = null;
  name = '';
  text = '';
  url = '';

  override async willUpdate(changed: Map<string, unknown>): Promise<void> {
    if (!changed.has('blob')) return;
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = '';
    this.text = '';
    if (!this.blob) return;
    const { kind, mime } = contentKind(this.name);
    if (kind === 'text') {
      // Shown through Lit's text binding: escaped, never parsed as markup.
      this.text = await this.blob.slice(0, TEXT_PREVIEW_BYTES).text();
    } else if (kind !== 'none') {
      this.url = URL.createObjectURL(new Blob([this.blob], { type: mime }));
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.url) URL.revokeObjectURL(this.url);
  }

  override render() {
    const { kind } = contentKind(this.name);
    if (kind === 'image' && this.url) return html`<img part="media" data-testid="preview-image" src=${this.url} alt=${this.name} />`;
    if (kind === 'video' && this.url) return html`<video part="media" controls src=${this.url}></video>`;
    if (kind === 'audio' && this.url) return html`<audio part="media" controls src=${this.url}></audio>`;
    if (kind === 'text' && this.text) return html`<pre part="text" data-testid="preview-text">${this.text}</pre>`;
    return nothing;
  }
}
customElements.define('tabswarm-content-preview', ContentPreview);
