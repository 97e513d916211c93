/**
 * Torrents in IndexedDB (via idb-keyval): each verified piece under its own key, and per torrent a
 * record with the info dictionary and the completion bitfield, kept apart from the bytes so a
 * reload resumes without re-hashing. Reads go through a small piece cache, so a tab serving peers
 * holds a few pieces in memory, not the file.
 */
import { createStore, del, delMany, get, keys, set, values, type UseStore } from 'idb-keyval';
import { TabswarmError } from '../../shared/errors.ts';
import type { Metainfo } from '../../shared/metainfo/types.ts';
import type { PieceStore } from '../engine/storage.ts';
import { coalescedWriter } from './coalesced-write.ts';

/** Pieces kept in memory for serving (8 × 256 KiB = 2 MiB). */
export const PIECE_CACHE_SIZE = 8;

let pieceDb: UseStore | null = null;
let torrentDb: UseStore | null = null;
// Two databases: idb-keyval keeps one object store per database.
const pieces = () => (pieceDb ??= createStore('tabswarm-pieces', 'pieces'));
const torrents = () => (torrentDb ??= createStore('tabswarm-torrents', 'torrents'));

export interface StoredTorrent {
  infoHash: string;
  name: string;
  length: number;
  infoBytes: Uint8Array;
  announce: string[];
  /** BEP 3 bitfield of verified pieces. */
  have: Uint8Array;
  addedAt: number;
}

const pieceKey = (infoHash: string, index: number) => `${infoHash}/${index}`;

function isQuotaError(err: unknown): boolean {
  return err instanceof DOMException && (err.name === 'QuotaExceededError' || err.code === 22);
}

export class IdbStore implements PieceStore {
  private readonly cache = new Map<number, Uint8Array>();
  /** This torrent's record as last read or written (read once; only this store writes it). */
  private record: StoredTorrent | null = null;
  /**
   * The completion record is saved after every verified piece; a write is a read-modify-write of
   * a record holding the info dictionary (327 KB for 16,384 pieces). Pieces verified while one is
   * being written share the next write.
   */
  private readonly writeCompletion = coalescedWriter((bitfield: Uint8Array) => this.writeRecord(bitfield));

  constructor(private readonly meta: Metainfo) {}

  private async piece(index: number): Promise<Uint8Array> {
    const hit = this.cache.get(index);
    if (hit) {
      this.cache.delete(index);
      this.cache.set(index, hit);
      return hit;
    }
    const stored = await get<Uint8Array>(pieceKey(this.meta.infoHash, index), pieces());
    if (!stored) throw new TabswarmError('STORAGE_READ_FAILED', `Piece ${index} of ${this.meta.name} is missing from this browser's storage.`);
    this.cache.set(index, stored);
    if (this.cache.size > PIECE_CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as number);
    return stored;
  }

  async read(index: number, begin: number, length: number): Promise<Uint8Array> {
    return (await this.piece(index)).subarray(begin, begin + length);
  }

  /** Runs an IndexedDB write, turning a full quota into QUOTA_EXCEEDED with the size needed. */
  private async guarded(write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (err) {
      if (isQuotaError(err)) {
        throw new TabswarmError('QUOTA_EXCEEDED', `This browser's storage is full: ${this.meta.name} needs ${this.meta.length} bytes. Free space (delete stored files in "My files") and reopen the link to resume.`);
      }
      throw new TabswarmError('STORAGE_WRITE_FAILED', `Could not store ${this.meta.name}: ${String(err)}`);
    }
  }

  async write(index: number, data: Uint8Array): Promise<void> {
    await this.guarded(() => set(pieceKey(this.meta.infoHash, index), data, pieces()));
  }

  async loadCompletion(): Promise<Uint8Array | null> {
    this.record = (await get<StoredTorrent>(this.meta.infoHash, torrents())) ?? null;
    return this.record?.have ?? null;
  }

  /** Resolves once a record holding at least this bitfield is stored. */
  saveCompletion(bitfield: Uint8Array): Promise<void> {
    return this.writeCompletion(bitfield.slice());
  }

  private async writeRecord(have: Uint8Array): Promise<void> {
    const base: StoredTorrent = this.record ?? (await get<StoredTorrent>(this.meta.infoHash, torrents())) ?? {
      infoHash: this.meta.infoHash,
      name: this.meta.name,
      length: this.meta.length,
      infoBytes: this.meta.infoBytes,
      announce: this.meta.announce,
      have,
      addedAt: Date.now(),
    };
    const next = { ...base, have };
    await this.guarded(() => set(this.meta.infoHash, next, torrents()));
    this.record = next;
  }

  async close(): Promise<void> {
    this.cache.clear();
  }
}

/** Every torrent stored in this browser. */
export async function listStored(): Promise<StoredTorrent[]> {
  return (await values<StoredTorrent>(torrents())).sort((a, b) => b.addedAt - a.addedAt);
}

export async function getStored(infoHash: string): Promise<StoredTorrent | undefined> {
  return get<StoredTorrent>(infoHash, torrents());
}

/** Deletes a torrent's pieces and record; other torrents are untouched. */
export async function deleteStored(infoHash: string): Promise<void> {
  const prefix = `${infoHash}/`;
  const mine = (await keys<string>(pieces())).filter((k) => typeof k === 'string' && k.startsWith(prefix));
  await delMany(mine, pieces());
  await del(infoHash, torrents());
}

/** Reads a stored piece straight from IndexedDB (for saving files). */
export async function readStoredPiece(infoHash: string, index: number): Promise<Uint8Array> {
  const piece = await get<Uint8Array>(pieceKey(infoHash, index), pieces());
  if (!piece) throw new TabswarmError('STORAGE_READ_FAILED', `Piece ${index} is missing from this browser's storage.`);
  return piece;
}
