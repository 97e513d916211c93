/**
 * Reading one file of a torrent while it downloads: what a media element's Range requests become.
 * A read names bytes of the file; the pieces under them, and a read-ahead window after them, become
 * the torrent's urgent pieces (requested before every other, the rest staying rarest-first), and the
 * read resolves once they are verified. A read elsewhere (a seek) moves the window at once.
 * DOM-free: the tab's service worker and the Node peer read through it alike.
 */
import { TabswarmError } from '../../shared/errors.ts';
import type { Metainfo } from '../../shared/metainfo/types.ts';
import { readAheadBytes } from './read-ahead.ts';
import type { Torrent } from './torrent.ts';

/** What a stream needs of its torrent. */
export type StreamedTorrent = Pick<Torrent, 'setUrgent' | 'hasPiece' | 'readPiece' | 'on' | 'downloadRate'>;

export interface FileStreamOptions {
  /** A fixed read-ahead; by default it is sized from the bitrate and the download rate (read-ahead.ts). */
  readAheadBytes?: number;
}

export class FileStream {
  readonly length: number;
  /** Where the file starts in the torrent's concatenated content. */
  private readonly offset: number;
  private readonly fixedReadAhead: number | null;
  /** Bytes per second of playback, once the player has said the duration. */
  private bitrate: number | null = null;
  private closed = false;

  constructor(
    private readonly torrent: StreamedTorrent,
    private readonly meta: Pick<Metainfo, 'name' | 'files' | 'pieceLength'>,
    readonly fileIndex: number,
    opts: FileStreamOptions = {},
  ) {
    const file = meta.files[fileIndex];
    if (!file) throw new TabswarmError('STORAGE_READ_FAILED', `${meta.name} has no file number ${fileIndex} (it has ${meta.files.length}).`);
    this.length = file.length;
    this.offset = file.offset;
    this.fixedReadAhead = opts.readAheadBytes === undefined ? null : Math.max(0, opts.readAheadBytes);
  }

  /** The media's duration, from the player: sizes the read-ahead to the bitrate from now on. */
  setDuration(seconds: number): void {
    this.bitrate = seconds > 0 && Number.isFinite(seconds) ? this.length / seconds : null;
  }

  /** The bytes requested ahead of each read now. */
  readAhead(): number {
    return this.fixedReadAhead ?? readAheadBytes({ bitrate: this.bitrate, downloadRate: this.torrent.downloadRate() });
  }

  /** The pieces holding bytes [start, end) of the file (torrent piece numbers). */
  piecesOf(start: number, end: number): number[] {
    if (end <= start) return [];
    const first = Math.floor((this.offset + start) / this.meta.pieceLength);
    const last = Math.floor((this.offset + end - 1) / this.meta.pieceLength);
    return Array.from({ length: last - first + 1 }, (_, k) => first + k);
  }

  /** Bytes [start, end) of the file, once their pieces are verified; `end` is capped at the file's length. */
  async read(start: number, end: number, signal?: AbortSignal): Promise<Uint8Array> {
    end = Math.min(end, this.length);
    if (!Number.isInteger(start) || start < 0 || start > end) throw new TabswarmError('STORAGE_READ_FAILED', `Cannot read bytes ${start}–${end} of a ${this.length}-byte file.`);
    const needed = this.piecesOf(start, end);
    // Urgent: the bytes asked for, then the read-ahead after them (a seek replaces the whole window).
    this.torrent.setUrgent([...needed, ...this.piecesOf(end, Math.min(this.length, end + this.readAhead())).filter((i) => !needed.includes(i))]);
    await this.whenVerified(needed, signal);
    const out = new Uint8Array(end - start);
    let at = 0;
    for (const index of needed) {
      const pieceStart = index * this.meta.pieceLength;
      const from = Math.max(this.offset + start, pieceStart) - pieceStart;
      const to = Math.min(this.offset + end, pieceStart + this.meta.pieceLength) - pieceStart;
      out.set(await this.torrent.readPiece(index, from, to - from), at);
      at += to - from;
    }
    return out;
  }

  /**
   * Playback is about to start at the beginning: the first window is made urgent now, before the
   * player's first request arrives, so the first requests sent to peers are for those pieces.
   */
  prime(): void {
    if (!this.closed) this.torrent.setUrgent(this.piecesOf(0, Math.min(this.length, this.readAhead())));
  }

  /** The stream is no longer read: its pieces are no longer urgent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.torrent.setUrgent([]);
  }

  private whenVerified(pieces: number[], signal?: AbortSignal): Promise<void> {
    const missing = new Set(pieces.filter((i) => !this.torrent.hasPiece(i)));
    if (missing.size === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const off = this.torrent.on('piece', (i) => {
        missing.delete(i);
        if (missing.size > 0) return;
        cleanup();
        resolve();
      });
      const onAbort = () => {
        cleanup();
        reject(new TabswarmError('STORAGE_READ_FAILED', 'The read was abandoned (the player moved on).'));
      };
      const cleanup = () => {
        off();
        signal?.removeEventListener('abort', onAbort);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
