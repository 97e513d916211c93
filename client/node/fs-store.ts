/**
 * Pieces on disk for the Node peer: a torrent's pieces mapped onto its files below a download
 * folder (pieces run across file boundaries). Paths were validated at parse time; we check once
 * more that each resolves inside the folder, so no torrent can write elsewhere.
 */
import { mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { TabswarmError } from '../../shared/errors.ts';
import type { Metainfo } from '../../shared/metainfo/types.ts';
import { pieceHash, pieceSize } from '../../shared/metainfo/types.ts';
import type { Sha1 } from '../../shared/sha1.ts';
import { bytesEqual } from '../../shared/bytes.ts';
import { Bitfield } from '../../shared/bitfield.ts';
import type { PieceStore } from '../engine/storage.ts';

interface Span {
  path: string;
  fileOffset: number;
  length: number;
  bufferOffset: number;
}

export function contentPaths(meta: Metainfo, root: string): string[] {
  const base = resolve(root);
  return meta.files.map((f) => {
    const target = resolve(base, ...(meta.multiFile ? [meta.name, ...f.path] : [meta.name]));
    if (!target.startsWith(base + sep)) {
      throw new TabswarmError('TORRENT_UNSAFE_PATH', `Refusing to write ${target}: it is outside ${base}.`);
    }
    return target;
  });
}

export interface FsStoreOptions {
  sha1: Sha1;
  /** The files are known to be the torrent's content (we just hashed them to create it): skip the re-check. */
  assumeComplete?: boolean;
  /** Bytes checked so far, and the total. */
  onRecheckProgress?: (doneBytes: number, totalBytes: number) => void;
}

export class FsStore implements PieceStore {
  private readonly paths: string[];
  private readonly handles = new Map<string, Promise<FileHandle>>();

  constructor(
    private readonly meta: Metainfo,
    readonly root: string,
    private readonly options: FsStoreOptions,
  ) {
    this.paths = contentPaths(meta, root);
  }

  /** The file ranges that byte range [offset, offset+length) of the torrent covers. */
  private spans(offset: number, length: number): Span[] {
    const out: Span[] = [];
    const end = offset + length;
    this.meta.files.forEach((f, i) => {
      const from = Math.max(offset, f.offset);
      const to = Math.min(end, f.offset + f.length);
      if (from < to) out.push({ path: this.paths[i]!, fileOffset: from - f.offset, length: to - from, bufferOffset: from - offset });
    });
    return out;
  }

  private handle(path: string, create: boolean): Promise<FileHandle> {
    let h = this.handles.get(path);
    if (!h) {
      h = (async () => {
        if (create) await mkdir(dirname(path), { recursive: true });
        // r+ keeps what is there (resume); w+ only when the file does not exist yet.
        try {
          return await open(path, 'r+');
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT' && create) return open(path, 'w+');
          throw err;
        }
      })();
      this.handles.set(path, h);
      h.catch(() => this.handles.delete(path));
    }
    return h;
  }

  async read(index: number, begin: number, length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    for (const s of this.spans(index * this.meta.pieceLength + begin, length)) {
      const fh = await this.handle(s.path, false);
      const { bytesRead } = await fh.read(out, s.bufferOffset, s.length, s.fileOffset);
      if (bytesRead !== s.length) throw new TabswarmError('STORAGE_READ_FAILED', `${s.path} is shorter than the torrent says; was it changed?`);
    }
    return out;
  }

  async write(index: number, data: Uint8Array): Promise<void> {
    try {
      for (const s of this.spans(index * this.meta.pieceLength, data.length)) {
        const fh = await this.handle(s.path, true);
        await fh.write(data, s.bufferOffset, s.length, s.fileOffset);
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EDQUOT') {
        throw new TabswarmError('DISK_FULL', `The disk holding ${this.root} is full: this download needs ${this.meta.length} bytes in all. Free some space and run the same command again to resume.`);
      }
      if (err instanceof TabswarmError) throw err;
      throw new TabswarmError('STORAGE_WRITE_FAILED', `Cannot write to ${this.root} (${code ?? String(err)}).`);
    }
  }

  /** Completion lives in the files themselves: what is on disk and hashes right is complete. */
  async loadCompletion(): Promise<Uint8Array | null> {
    await this.createEmptyFiles();
    const bits = new Bitfield(this.meta.pieceCount);
    const verified = this.options.assumeComplete ? Array.from({ length: this.meta.pieceCount }, (_, i) => i) : await this.recheck(this.options.sha1, this.options.onRecheckProgress);
    for (const i of verified) bits.set(i);
    return bits.bytes;
  }

  async saveCompletion(): Promise<void> {}

  /** Zero-length files are in no piece, so no write creates them: make them (and their folders) now. */
  private async createEmptyFiles(): Promise<void> {
    for (const [i, f] of this.meta.files.entries()) {
      if (f.length > 0) continue;
      const fh = await this.handle(this.paths[i]!, true);
      await fh.sync();
    }
  }

  /** Verifies whatever is already on disk (an interrupted download, or a seeder's files). */
  async recheck(sha1: Sha1, onProgress?: (done: number, total: number) => void): Promise<number[]> {
    const sizes = await Promise.all(this.paths.map((p) => stat(p).then((s) => s.size, () => -1)));
    const verified: number[] = [];
    // Nothing on disk yet: nothing to check (and nothing to report).
    if (sizes.every((s) => s < 0)) return verified;
    for (let i = 0; i < this.meta.pieceCount; i++) {
      onProgress?.(Math.min(i * this.meta.pieceLength, this.meta.length), this.meta.length);
      const length = pieceSize(this.meta, i);
      const spans = this.spans(i * this.meta.pieceLength, length);
      const present = spans.every((s) => sizes[this.paths.indexOf(s.path)]! >= s.fileOffset + s.length);
      if (!present) continue;
      try {
        if (bytesEqual(await sha1(await this.read(i, 0, length)), pieceHash(this.meta, i))) verified.push(i);
      } catch {
        /* unreadable: fetch it again */
      }
    }
    onProgress?.(this.meta.length, this.meta.length);
    return verified;
  }

  async close(): Promise<void> {
    const handles = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(handles.map((h) => h.then((fh) => fh.close(), () => {})));
  }
}

/** Where a torrent's content lies below `root` (the folder for multi-file torrents). */
export function contentRoot(meta: Metainfo, root: string): string {
  return join(resolve(root), meta.name);
}
