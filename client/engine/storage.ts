/**
 * Where verified pieces live. The engine writes whole verified pieces and reads blocks to serve;
 * piece completion (the bitfield) is stored apart from the bytes, so a restart needs no re-hash
 * where the store can keep it (IndexedDB, a file beside the data).
 */
import { Bitfield } from '../../shared/bitfield.ts';

export interface PieceStore {
  /** Bytes [begin, begin+length) of a verified piece. */
  read(index: number, begin: number, length: number): Promise<Uint8Array>;
  /** Stores a verified piece. A full disk rejects with a TabswarmError QUOTA_EXCEEDED / DISK_FULL. */
  write(index: number, data: Uint8Array): Promise<void>;
  /** Pieces known complete from an earlier run (null: unknown, the engine must verify). */
  loadCompletion(): Promise<Uint8Array | null>;
  saveCompletion(bitfield: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** Pieces in memory: for tests, and for small shares made in a tab. */
export class MemoryStore implements PieceStore {
  readonly pieces = new Map<number, Uint8Array>();
  private completion: Uint8Array | null = null;

  /** A store already holding every piece of `data`, marked complete: a seeder's. */
  static filled(meta: { pieceCount: number; pieceLength: number }, data: Uint8Array): MemoryStore {
    const store = new MemoryStore();
    const all = new Bitfield(meta.pieceCount);
    for (let i = 0; i < meta.pieceCount; i++) {
      store.pieces.set(i, data.slice(i * meta.pieceLength, (i + 1) * meta.pieceLength));
      all.set(i);
    }
    store.completion = all.bytes.slice();
    return store;
  }

  async read(index: number, begin: number, length: number): Promise<Uint8Array> {
    const piece = this.pieces.get(index);
    if (!piece) throw new Error(`piece ${index} is not stored`);
    return piece.subarray(begin, begin + length);
  }

  async write(index: number, data: Uint8Array): Promise<void> {
    this.pieces.set(index, data.slice());
  }

  async loadCompletion(): Promise<Uint8Array | null> {
    return this.completion;
  }

  async saveCompletion(bitfield: Uint8Array): Promise<void> {
    this.completion = bitfield.slice();
  }

  async close(): Promise<void> {}
}
