/**
 * Streaming where no service worker can run (the widget on someone else's site): the file's bytes
 * are appended to a MediaSource as they arrive, in order from the playhead. A seek outside what is
 * buffered finds the Cluster that starts at or before the new time near its proportional byte
 * offset and appends from there. WebM, fragmented MP4 and MP3: MediaSource needs the codecs named,
 * which their headers give (shared/media/webm.ts, mp4.ts, mp3.ts), and places to start appending
 * from after a seek (Clusters, moof fragments, MP3 frames); other formats play once downloaded.
 */
import { findMp3Frames, readMp3Header } from '../../shared/media/mp3.ts';
import { findFragments, readMp4Header } from '../../shared/media/mp4.ts';
import { findClusters, readWebmHeader } from '../../shared/media/webm.ts';

/** What the player reads from: a file of the torrent (engine/file-stream.ts), read while it downloads. */
export interface ByteSource {
  readonly length: number;
  read(start: number, end: number, signal?: AbortSignal): Promise<Uint8Array>;
}

/** Bytes appended at a time, at most: two pieces, so video starts after the first few arrive… */
export const APPEND_CHUNK_BYTES = 512 * 1024;
/** …and at most this many seconds of the media, so audio (128 kbit/s: 512 KiB is half a minute) does not wait for half a minute's bytes first. */
export const APPEND_CHUNK_SECONDS = 4;
/** The least appended at a time, whatever the bitrate. */
export const APPEND_CHUNK_MIN_BYTES = 64 * 1024;

/** Bytes to append at a time for a file of `length` bytes lasting `durationSeconds` (null: not known). */
export function appendChunkBytes(length: number, durationSeconds: number | null): number {
  if (!durationSeconds || !(durationSeconds > 0)) return APPEND_CHUNK_BYTES;
  const bytesPerSecond = length / durationSeconds;
  return Math.min(APPEND_CHUNK_BYTES, Math.max(APPEND_CHUNK_MIN_BYTES, Math.round(bytesPerSecond * APPEND_CHUNK_SECONDS)));
}
/** Stop appending this far ahead of the playhead (the rest of the file stays in the engine's store). */
export const BUFFER_AHEAD_SECONDS = 30;
/** Drop what lies this far behind the playhead, so a long video stays within the browser's quota. */
export const KEEP_BEHIND_SECONDS = 30;
/** The bytes around a seek's estimated offset searched for a Cluster to start at. */
export const SEEK_WINDOW_BYTES = 1024 * 1024;
/** How much of the file's start is read to find its header (Tracks sit in the first kilobytes). */
export const HEADER_BYTES = [256 * 1024, 2 * 1024 * 1024] as const;
/** Seek targets this close to a buffered range count as inside it (frames are tens of ms apart). */
const IN_RANGE_SLACK_SECONDS = 0.3;
/** After a seek, a buffered range starting this soon after the target is jumped to (a Cluster may open mid-GOP). */
const GAP_JUMP_SECONDS = 10;

/** What the player needs of a container: the codecs, the duration, and where appending may (re)start. */
export interface StreamFormat {
  /** e.g. `video/webm; codecs="vp8, opus"`. */
  mime: string;
  /** Seconds, if the file says or it could be estimated. */
  durationSeconds: number | null;
  /** Where the first point to append from after the initialization segment lies. */
  firstSyncOffset: number;
  /** Points in `window` (the file's bytes from `windowOffset`) that appending can start from after a seek, with their times. */
  syncPoints(window: Uint8Array, windowOffset: number): Array<{ offset: number; seconds: number }>;
  /**
   * The bytes carry no timestamps (MP3): MediaSource numbers them itself, from the time it is told
   * before appending from a sync point (its "sequence" mode, the only one such a stream allows).
   */
  untimed?: boolean;
}

/** A container MediaSource can stream, recognised by its file name and read from the file's first bytes. */
export interface MediaSourceContainer {
  test: RegExp;
  label: string;
  /** Why a file with this name cannot stream when read() finds nothing it can use. */
  unreadable: string;
  read(head: Uint8Array, length: number): StreamFormat | null;
}

const CONTAINERS: MediaSourceContainer[] = [
  {
    test: /\.webm$/i,
    label: 'WebM',
    unreadable: 'its WebM header names codecs MediaSource cannot be told about',
    read(head) {
      const h = readWebmHeader(head);
      return h && { mime: h.mime, durationSeconds: h.durationSeconds, firstSyncOffset: h.firstClusterOffset, syncPoints: (w, at) => findClusters(w, at, h.timestampScaleNs) };
    },
  },
  {
    test: /\.(mp4|m4v|m4a)$/i,
    label: 'fragmented MP4',
    unreadable: 'it is not a fragmented MP4 (its samples are indexed in one moov box, which MediaSource cannot take piecewise), or it names codecs MediaSource cannot be told about',
    read(head, length) {
      const h = readMp4Header(head);
      if (!h) return null;
      // A fragmented MP4 written as it was recorded (empty moov) gives no duration: estimated from its first fragments' bytes per second.
      let durationSeconds = h.durationSeconds;
      if (durationSeconds === null) {
        const f = findFragments(head, 0, h.timescales);
        if (f.length >= 2 && f[f.length - 1]!.seconds > f[0]!.seconds) {
          const bytesPerSecond = (f[f.length - 1]!.offset - f[0]!.offset) / (f[f.length - 1]!.seconds - f[0]!.seconds);
          durationSeconds = f[0]!.seconds + (length - f[0]!.offset) / bytesPerSecond;
        }
      }
      return { mime: h.mime, durationSeconds, firstSyncOffset: h.firstFragmentOffset, syncPoints: (w, at) => findFragments(w, at, h.timescales) };
    },
  },
  {
    test: /\.mp3$/i,
    label: 'MP3',
    unreadable: 'no MPEG audio Layer III frames were found at its start',
    read(head, length) {
      const h = readMp3Header(head, length);
      return h && { mime: h.mime, durationSeconds: h.durationSeconds, firstSyncOffset: h.firstFrameOffset, syncPoints: (w, at) => findMp3Frames(w, at, h), untimed: true };
    },
  },
];

/** The formats MediaSource streams, as a person reads them: "WebM, fragmented MP4 and MP3". */
export const MEDIA_SOURCE_FORMATS = CONTAINERS.map((c) => c.label).join(', ').replace(/, ([^,]*)$/, ' and $1');

/** The container a file of this name is in, if MediaSource can stream it (null: it plays once complete). */
export function mediaSourceContainer(name: string): MediaSourceContainer | null {
  return CONTAINERS.find((c) => c.test.test(name)) ?? null;
}

/** The stream format of a file in `container` read through `source`, or why it cannot stream this way. */
export async function probeMediaSource(source: ByteSource, container: MediaSourceContainer): Promise<{ format: StreamFormat } | { reason: string }> {
  if (typeof MediaSource === 'undefined') return { reason: 'this browser has no MediaSource' };
  for (const n of HEADER_BYTES) {
    const format = container.read(await source.read(0, Math.min(source.length, n)), source.length);
    if (format) {
      if (!MediaSource.isTypeSupported(format.mime)) return { reason: `this browser cannot play ${format.mime} through MediaSource` };
      return { format };
    }
    if (n >= source.length) break;
  }
  return { reason: container.unreadable };
}

export class MediaSourcePlayer {
  private readonly mediaSource = new MediaSource();
  private buffer: SourceBuffer | null = null;
  private appendAt = 0;
  private seekTarget: number | null = null;
  private jumpAfterSeek: number | null = null;
  private read = new AbortController();
  private wake: (() => void) | null = null;
  private closed = false;
  private readonly url: string;
  /** Bytes appended at a time (appendChunkBytes): fixed by the file's length and duration. */
  private readonly chunkBytes: number;
  private readonly listeners: Array<[string, () => void]>;

  constructor(
    private readonly media: HTMLMediaElement,
    private readonly source: ByteSource,
    private readonly header: StreamFormat,
    private readonly onError: (message: string) => void = () => {},
  ) {
    this.url = URL.createObjectURL(this.mediaSource);
    this.chunkBytes = appendChunkBytes(source.length, header.durationSeconds);
    this.listeners = [
      ['seeking', () => this.onSeeking()],
      ['timeupdate', () => this.poke()],
      ['waiting', () => this.jumpSmallGap()],
    ];
    for (const [type, fn] of this.listeners) media.addEventListener(type, fn);
    this.mediaSource.addEventListener('sourceopen', () => void this.run(), { once: true });
    media.src = this.url;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.read.abort();
    this.poke();
    for (const [type, fn] of this.listeners) this.media.removeEventListener(type, fn);
    URL.revokeObjectURL(this.url);
  }

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => (this.wake = resolve));
  }

  private onSeeking(): void {
    const t = this.media.currentTime;
    if (this.bufferedAhead(t) > 0) return;
    this.seekTarget = t;
    this.read.abort(); // the chunk being waited for is no longer the one wanted
    this.poke();
  }

  /** Seconds buffered from `t` on, if `t` is inside (or just before) a buffered range; else 0. */
  private bufferedAhead(t: number): number {
    const r = this.buffer?.buffered;
    if (!r) return 0;
    for (let i = 0; i < r.length; i++) if (t >= r.start(i) - IN_RANGE_SLACK_SECONDS && t <= r.end(i)) return r.end(i) - t;
    return 0;
  }

  /** Playback waits at a gap a Cluster that opened mid-GOP left: move to where the pictures are. */
  private jumpSmallGap(): void {
    const r = this.buffer?.buffered;
    if (!r) return;
    const t = this.media.currentTime;
    const limit = this.jumpAfterSeek !== null ? GAP_JUMP_SECONDS : IN_RANGE_SLACK_SECONDS;
    for (let i = 0; i < r.length; i++) {
      if (r.start(i) > t && r.start(i) - t <= limit) {
        this.jumpAfterSeek = null;
        this.media.currentTime = r.start(i);
        return;
      }
    }
  }

  private async run(): Promise<void> {
    try {
      const sb = (this.buffer = this.mediaSource.addSourceBuffer(this.header.mime));
      sb.mode = this.header.untimed ? 'sequence' : 'segments';
      if (this.header.durationSeconds) this.mediaSource.duration = this.header.durationSeconds;
      await this.pump(sb);
    } catch (err) {
      if (!this.closed) this.onError(`Streaming stopped: ${(err as Error).message}`);
    }
  }

  private async pump(sb: SourceBuffer): Promise<void> {
    while (!this.closed) {
      if (this.seekTarget !== null) {
        const t = this.seekTarget;
        this.seekTarget = null;
        this.read = new AbortController();
        const at = await this.locate(t, this.read.signal).catch(() => null);
        if (at === null) continue; // another seek came first
        await settled(sb);
        if (this.mediaSource.readyState === 'open') sb.abort();
        // Untimed bytes (MP3) are numbered from here on; a stream already ended reopens when told.
        if (this.header.untimed && this.mediaSource.readyState !== 'closed') sb.timestampOffset = at.seconds;
        this.appendAt = at.offset;
        this.jumpAfterSeek = t;
        continue;
      }
      if (this.appendAt >= this.source.length) {
        await settled(sb);
        if (this.mediaSource.readyState === 'open' && this.seekTarget === null) this.mediaSource.endOfStream();
        await this.idle();
        continue;
      }
      if (this.appendAt > 0 && this.bufferedAhead(this.media.currentTime) >= BUFFER_AHEAD_SECONDS) {
        await this.idle();
        continue;
      }
      const end = Math.min(this.source.length, this.appendAt + this.chunkBytes);
      let bytes: Uint8Array;
      try {
        bytes = await this.source.read(this.appendAt, end, this.read.signal);
      } catch (err) {
        if (this.read.signal.aborted) {
          this.read = new AbortController();
          continue;
        }
        throw err;
      }
      if (this.seekTarget !== null) continue;
      await this.evict(sb, KEEP_BEHIND_SECONDS);
      try {
        await append(sb, bytes);
      } catch (err) {
        if ((err as DOMException).name !== 'QuotaExceededError') throw err;
        await this.evict(sb, 1); // full: keep only the last second behind the playhead, then again
        await append(sb, bytes);
      }
      this.appendAt = end;
      if (this.jumpAfterSeek !== null && this.media.seeking) this.jumpSmallGap();
    }
  }

  private async evict(sb: SourceBuffer, keepBehind: number): Promise<void> {
    const until = this.media.currentTime - keepBehind;
    if (sb.buffered.length === 0 || sb.buffered.start(0) >= until) return;
    await settled(sb);
    sb.remove(0, until);
    await settled(sb);
  }

  /** A sync point (Cluster, fragment, frame) starting at or before `t`, near where `t` falls in the file's bytes. */
  private async locate(t: number, signal: AbortSignal): Promise<{ offset: number; seconds: number }> {
    const first = this.header.firstSyncOffset;
    const start = { offset: first, seconds: 0 };
    const duration = this.header.durationSeconds ?? this.media.duration;
    if (!(duration > 0) || t <= 0) return start;
    const estimate = first + Math.floor((t / duration) * (this.source.length - first));
    let lo = Math.max(first, estimate - SEEK_WINDOW_BYTES / 2);
    for (;;) {
      const window = await this.source.read(lo, Math.min(this.source.length, lo + SEEK_WINDOW_BYTES), signal);
      const before = this.header.syncPoints(window, lo).filter((c) => c.seconds <= t);
      if (before.length > 0) return before[before.length - 1]!;
      if (lo === first) return start;
      lo = Math.max(first, lo - SEEK_WINDOW_BYTES);
    }
  }
}

function settled(sb: SourceBuffer): Promise<void> {
  return sb.updating ? new Promise((r) => sb.addEventListener('updateend', () => r(), { once: true })) : Promise.resolve();
}

async function append(sb: SourceBuffer, bytes: Uint8Array): Promise<void> {
  await settled(sb);
  await new Promise<void>((resolve, reject) => {
    const done = () => {
      sb.removeEventListener('error', fail);
      resolve();
    };
    const fail = () => {
      sb.removeEventListener('updateend', done);
      reject(new Error('the browser could not decode part of the file'));
    };
    sb.addEventListener('updateend', done, { once: true });
    sb.addEventListener('error', fail, { once: true });
    sb.appendBuffer(bytes as Uint8Array<ArrayBuffer>);
  });
}
