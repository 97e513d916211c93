/**
 * How `<tabswarm-file>` plays audio or video while it downloads, best first:
 *  - 'service-worker': on the Tabswarm server's own pages, the streaming service worker answers the
 *    media element's Range requests (any format the browser plays, any seek);
 *  - 'media-source': on another site, where our worker cannot stand in front of the page, a WebM,
 *    a fragmented MP4 or an MP3 is appended to a MediaSource as it arrives (browser/media-source-player.ts);
 *  - 'complete-file': anything else plays once downloaded, and the widget says why.
 */
import type { BrowserClient } from '../browser/client.ts';
import { MEDIA_SOURCE_FORMATS, MediaSourcePlayer, mediaSourceContainer, probeMediaSource, type StreamFormat } from '../browser/media-source-player.ts';
import { primeStream, setStreamDuration, startStreaming, streamUrl, type StreamView } from '../browser/stream-server.ts';
import { FileStream } from '../engine/file-stream.ts';

export type WidgetMediaMode = 'deciding' | 'service-worker' | 'media-source' | 'complete-file';

export interface WidgetMediaOptions {
  client: BrowserClient;
  /** The files as played: a torrent's, or a private share's decrypted ones (BrowserClient.streamView). */
  view: StreamView;
  fileIndex: number;
  kind: 'audio' | 'video';
  /** The page is on the Tabswarm server's origin, where the streaming worker can run. */
  sameOrigin: boolean;
  /** The mode or the source changed: render again. */
  onChange: () => void;
  onError: (message: string) => void;
}

export interface WidgetMedia {
  readonly kind: 'audio' | 'video';
  readonly mode: WidgetMediaMode;
  /** The media element's src (null while deciding, and for MediaSource, which sets it itself). */
  readonly src: string | null;
  /** Why the file plays only once downloaded ('complete-file'). */
  readonly reason: string;
  readonly attached: boolean;
  /** The rendered media element: MediaSource playback starts on it. */
  attach(el: HTMLMediaElement): void;
  /** The whole file has arrived. */
  complete(blob: Blob): void;
  close(): void;
}

export function startWidgetMedia(o: WidgetMediaOptions): WidgetMedia {
  const m = new ChosenMedia(o);
  void m.decide();
  return m;
}

class ChosenMedia implements WidgetMedia {
  mode: WidgetMediaMode = 'deciding';
  src: string | null = null;
  reason = '';
  attached = false;
  readonly kind: 'audio' | 'video';
  private el: HTMLMediaElement | null = null;
  private header: StreamFormat | null = null;
  private stream: FileStream | null = null;
  private player: MediaSourcePlayer | null = null;
  private blobUrl: string | null = null;
  private closed = false;

  constructor(private readonly o: WidgetMediaOptions) {
    this.kind = o.kind;
  }

  /** What the service worker streams this file from. */
  private view(): StreamView {
    return this.o.view;
  }

  async decide(): Promise<void> {
    const { o } = this;
    const file = o.view.layout.files[o.fileIndex]!;
    const name = file.path[file.path.length - 1]!;
    const reasons: string[] = [];
    if (o.sameOrigin) {
      primeStream(this.view(), o.fileIndex); // the first pieces come first, while the worker starts
      const s = await startStreaming((h) => o.client.streamView(h));
      if (s.ok) return this.become('service-worker', streamUrl(o.view.infoHash, o.fileIndex, name));
      reasons.push(s.reason);
    }
    const container = mediaSourceContainer(name);
    if (container) {
      this.stream = new FileStream(o.view.torrent, o.view.layout, o.fileIndex);
      const probe = await probeMediaSource(this.stream, container).catch((err: Error) => ({ reason: err.message }));
      if ('format' in probe) {
        this.header = probe.format;
        if (probe.format.durationSeconds) this.stream.setDuration(probe.format.durationSeconds);
        this.become('media-source', null);
        this.startPlayer();
        return;
      }
      reasons.push(probe.reason);
      this.stream.close();
    } else if (!o.sameOrigin) {
      reasons.push(`on another site only ${MEDIA_SOURCE_FORMATS} stream (through MediaSource), and this is ${name.split('.').pop()?.toUpperCase() ?? 'another format'}`);
    }
    this.reason = reasons.join('; ');
    this.become('complete-file', this.blobUrl);
  }

  private become(mode: WidgetMediaMode, src: string | null): void {
    if (this.closed) return;
    this.mode = mode;
    this.src = src;
    this.o.onChange();
  }

  attach(el: HTMLMediaElement): void {
    this.el = el;
    // Through the service worker, the stream's read-ahead follows the bitrate the element learns.
    el.addEventListener('durationchange', () => this.mode === 'service-worker' && setStreamDuration(this.view(), this.o.fileIndex, el.duration));
    this.attached = true;
    this.startPlayer();
  }

  private startPlayer(): void {
    if (this.closed || this.player || !this.el || !this.header || !this.stream) return;
    this.player = new MediaSourcePlayer(this.el, this.stream, this.header, this.o.onError);
  }

  complete(blob: Blob): void {
    if (this.mode === 'service-worker' || this.mode === 'media-source' || this.closed) return;
    this.blobUrl = URL.createObjectURL(blob);
    if (this.mode === 'complete-file') this.become('complete-file', this.blobUrl);
  }

  close(): void {
    this.closed = true;
    this.player?.close();
    this.stream?.close();
    if (this.blobUrl) URL.revokeObjectURL(this.blobUrl);
  }
}
