/**
 * The server's store: whole torrents uploaded piece by piece, each piece checked against the
 * torrent's SHA-1 before a byte of it is written, kept until they expire. One folder per torrent
 * (named by its info hash): `torrent` (the .torrent as posted), `data` (the content, concatenated,
 * as the pieces run), `have` (the verified pieces' bitfield) and `meta.json` (when it expires).
 * An upload is resumable: posting the same torrent again answers with what is already stored.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Bitfield } from '../../shared/bitfield.ts';
import { parseTorrent, pieceHash, pieceSize, type Metainfo } from '../../shared/metainfo/index.ts';
import type { StoreErrorCode, StoreLimits } from '../../shared/store-api.ts';
import type { StoreConfig } from './options.ts';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    /** The HTTP status it is answered with. */
    readonly status: number,
  ) {
    super(message);
  }
}

interface Entry {
  meta: Metainfo;
  /** The .torrent as posted (served for magnet links' xs=). */
  torrent: Uint8Array;
  have: Bitfield;
  createdAt: number;
  expiresAt: number;
  /** Writes of the have file, one after another (pieces arrive in parallel). */
  haveWrite: Promise<void>;
}

export interface StoredFile {
  /** The content file and where this torrent file's bytes lie in it. */
  path: string;
  offset: number;
  length: number;
  name: string;
}

const INFO_HASH = /^[0-9a-f]{40}$/;

export class FileStore {
  private readonly entries = new Map<string, Entry>();

  private constructor(
    private readonly config: StoreConfig,
    private readonly now: () => number,
  ) {}

  /** Opens the folder (creating it), taking up what an earlier run stored; drops what has expired. */
  static async open(config: StoreConfig, now: () => number = Date.now): Promise<FileStore> {
    const store = new FileStore(config, now);
    await mkdir(config.dir, { recursive: true });
    for (const name of await readdir(config.dir)) {
      if (!INFO_HASH.test(name)) continue;
      const dir = join(config.dir, name);
      try {
        const torrent = new Uint8Array(await readFile(join(dir, 'torrent')));
        const meta = parseTorrent(torrent);
        const have = new Bitfield(meta.pieceCount, new Uint8Array(await readFile(join(dir, 'have'))));
        const { createdAt, expiresAt } = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as { createdAt: number; expiresAt: number };
        if (meta.infoHash !== name) throw new Error('misfiled');
        store.entries.set(name, { meta, torrent, have, createdAt, expiresAt, haveWrite: Promise.resolve() });
      } catch {
        // Half-written by a crash (or not ours): nothing in it can be trusted to serve.
        await rm(dir, { recursive: true, force: true });
      }
    }
    await store.sweep();
    return store;
  }

  get limits(): StoreLimits {
    return { maxFileBytes: this.config.maxFileBytes, maxTotalBytes: this.config.maxTotalBytes, expiryMs: this.config.expiryMs };
  }

  /** Bytes the stored torrents take (their full length, stored or still to come). */
  get usedBytes(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.meta.length;
    return n;
  }

  /**
   * Starts (or resumes) storing a torrent. `expiresAt` (ms): the uploader's own expiry, kept when it
   * is sooner than the server's — and applied to a copy already begun, which it can only shorten.
   */
  async begin(torrentBytes: Uint8Array, opts: { expiresAt?: number } = {}): Promise<{ meta: Metainfo; have: Bitfield; expiresAt: number }> {
    if (opts.expiresAt !== undefined && !(Number.isFinite(opts.expiresAt) && opts.expiresAt > this.now())) {
      throw new StoreError('STORE_EXPIRY_INVALID', `The requested expiry (${String(opts.expiresAt)} ms since 1970) has passed or is not a time: the link has expired, so the server keeps no copy of it.`, 400);
    }
    let meta: Metainfo;
    try {
      meta = parseTorrent(torrentBytes);
    } catch (err) {
      throw new StoreError('STORE_TORRENT_INVALID', `That is not a valid .torrent: ${(err as Error).message}`, 400);
    }
    await this.sweep();
    const existing = this.entries.get(meta.infoHash);
    if (existing) {
      if (opts.expiresAt !== undefined && opts.expiresAt < existing.expiresAt) {
        existing.expiresAt = opts.expiresAt;
        await writeFile(join(this.dirOf(meta.infoHash), 'meta.json'), JSON.stringify({ createdAt: existing.createdAt, expiresAt: existing.expiresAt }));
      }
      return { meta: existing.meta, have: existing.have, expiresAt: existing.expiresAt };
    }
    if (meta.length > this.config.maxFileBytes) {
      throw new StoreError('STORE_FILE_TOO_LARGE', `${meta.name} is ${meta.length} bytes; this server keeps files of at most ${this.config.maxFileBytes} bytes.`, 413);
    }
    if (this.usedBytes + meta.length > this.config.maxTotalBytes) {
      throw new StoreError('STORE_FULL', `The server's store is full (${this.usedBytes} of ${this.config.maxTotalBytes} bytes used); ${meta.name} does not fit. Try again after older files expire.`, 507);
    }
    const dir = this.dirOf(meta.infoHash);
    const partial = `${dir}.partial`;
    await rm(partial, { recursive: true, force: true });
    await mkdir(partial, { recursive: true });
    const createdAt = this.now();
    const expiresAt = Math.min(createdAt + this.config.expiryMs, opts.expiresAt ?? Infinity);
    const have = new Bitfield(meta.pieceCount);
    await writeFile(join(partial, 'torrent'), torrentBytes);
    await writeFile(join(partial, 'have'), have.bytes);
    await writeFile(join(partial, 'meta.json'), JSON.stringify({ createdAt, expiresAt }));
    // The content file at its full length, sparse: pieces are written where they belong.
    const data = await open(join(partial, 'data'), 'w');
    await data.truncate(meta.length);
    await data.close();
    // Renamed into place whole, so a crash never leaves a folder that looks complete.
    await rename(partial, dir);
    this.entries.set(meta.infoHash, { meta, torrent: torrentBytes.slice(), have, createdAt, expiresAt, haveWrite: Promise.resolve() });
    return { meta, have, expiresAt };
  }

  status(infoHash: string): { meta: Metainfo; have: Bitfield; expiresAt: number } | null {
    const e = this.live(infoHash);
    return e ? { meta: e.meta, have: e.have, expiresAt: e.expiresAt } : null;
  }

  torrentBytes(infoHash: string): Uint8Array | null {
    return this.live(infoHash)?.torrent ?? null;
  }

  /** Verifies one piece against the torrent's hash and writes it; a piece that does not match is refused and nothing is written. */
  async putPiece(infoHash: string, index: number, bytes: Uint8Array): Promise<void> {
    const e = this.live(infoHash);
    if (!e) throw new StoreError('STORE_NOT_FOUND', `Nothing is being stored for ${infoHash}: post its .torrent to ${'/store'} first.`, 404);
    const { meta } = e;
    if (!Number.isInteger(index) || index < 0 || index >= meta.pieceCount) {
      throw new StoreError('STORE_PIECE_INVALID', `${meta.name} has pieces 0 to ${meta.pieceCount - 1}, not ${index}.`, 400);
    }
    const size = pieceSize(meta, index);
    if (bytes.length !== size) throw new StoreError('STORE_PIECE_INVALID', `Piece ${index} of ${meta.name} is ${size} bytes, not ${bytes.length}.`, 400);
    const digest = createHash('sha1').update(bytes).digest();
    if (!Buffer.from(pieceHash(meta, index)).equals(digest)) {
      throw new StoreError('STORE_PIECE_MISMATCH', `Piece ${index} of ${meta.name} does not match the torrent's hash: refused, nothing written. The copy it came from is damaged.`, 422);
    }
    if (e.have.get(index)) return;
    let data: FileHandle | null = null;
    try {
      data = await open(join(this.dirOf(infoHash), 'data'), 'r+');
      await data.write(bytes, 0, bytes.length, index * meta.pieceLength);
      await data.sync();
    } finally {
      await data?.close();
    }
    e.have.set(index);
    const haveBytes = e.have.bytes.slice();
    e.haveWrite = e.haveWrite.then(() => writeFile(join(this.dirOf(infoHash), 'have'), haveBytes));
    await e.haveWrite;
  }

  /** A file of a complete stored torrent, by its path below the web seed URL (null: not here, or not complete). */
  file(infoHash: string, path: readonly string[]): StoredFile | null {
    const e = this.live(infoHash);
    if (!e || e.have.count() !== e.meta.pieceCount) return null;
    const { meta } = e;
    const wanted = meta.multiFile ? (path[0] === meta.name ? path.slice(1) : null) : path.length === 1 && path[0] === meta.name ? [meta.name] : null;
    if (!wanted) return null;
    const f = meta.files.find((x) => x.path.length === wanted.length && x.path.every((c, i) => c === wanted[i]));
    if (!f) return null;
    return { path: join(this.dirOf(infoHash), 'data'), offset: f.offset, length: f.length, name: f.path[f.path.length - 1]! };
  }

  /** Deletes what has expired. */
  async sweep(): Promise<number> {
    const now = this.now();
    let removed = 0;
    for (const [hash, e] of this.entries) {
      if (e.expiresAt > now) continue;
      this.entries.delete(hash);
      await rm(this.dirOf(hash), { recursive: true, force: true });
      removed++;
    }
    return removed;
  }

  private live(infoHash: string): Entry | null {
    const e = this.entries.get(infoHash);
    return e && e.expiresAt > this.now() ? e : null;
  }

  private dirOf(infoHash: string): string {
    return join(this.config.dir, infoHash);
  }
}
