/**
 * Piece completion: verifies each assembled piece against its SHA-1, stores it, records it in the
 * bitfield (kept apart from the bytes, so a resume needs no re-hash), and judges who sent bad data.
 *
 * Smart ban: if one source sent every block of a failed piece, it is at fault; otherwise the blocks
 * are kept and, once the piece verifies, exactly the sources whose blocks differ are blamed, so
 * honest peers who shared a piece with a liar are not punished.
 *
 * The only writer of `have`.
 */
import { Bitfield } from '../../shared/bitfield.ts';
import { bytesEqual } from '../../shared/bytes.ts';
import { BLOCK_LENGTH_BYTES } from '../../shared/constants.ts';
import { Emitter } from '../../shared/emitter.ts';
import { TabswarmError } from '../../shared/errors.ts';
import { pieceHash, pieceSize, type Metainfo } from '../../shared/metainfo/types.ts';
import type { Sha1 } from '../../shared/sha1.ts';
import type { PieceStore } from './storage.ts';

type CompletionEvents = {
  /** The piece is verified and stored. */
  verified: [number];
  /** The piece failed its hash (or could not be hashed) and must be fetched again. */
  failed: [number, TabswarmError];
  /** This source has now sent bad data for `strikes` pieces. */
  strike: [string, number];
  /** Storage failed: the torrent cannot carry on. */
  error: [TabswarmError];
};

interface Suspect {
  begin: number;
  data: Uint8Array;
  sender: string;
}

export class Completion extends Emitter<CompletionEvents> {
  readonly have: Bitfield;
  private verifiedBytes = 0;
  /** Pieces being verified or written. */
  private unwritten = 0;
  private failures = 0;
  private readonly suspects = new Map<number, Suspect[]>();
  private readonly strikes = new Map<string, number>();
  private stopped = false;

  constructor(
    private readonly meta: Metainfo,
    private readonly store: PieceStore,
    private readonly sha1: Sha1,
    restored: Bitfield | null,
  ) {
    super();
    this.have = new Bitfield(meta.pieceCount, restored?.bytes);
    for (let i = 0; i < meta.pieceCount; i++) if (this.have.get(i)) this.verifiedBytes += pieceSize(meta, i);
  }

  /** Opens completion from what the store remembers of an earlier run. */
  static async open(meta: Metainfo, store: PieceStore, sha1: Sha1): Promise<Completion> {
    const saved = await store.loadCompletion();
    return new Completion(meta, store, sha1, saved ? Bitfield.fromWire(saved, meta.pieceCount) : null);
  }

  get bytesVerified(): number {
    return this.verifiedBytes;
  }

  get done(): boolean {
    return this.have.complete();
  }

  /** Pieces verified or being verified that the store has not taken yet. */
  get backlog(): number {
    return this.unwritten;
  }

  get hashFailures(): number {
    return this.failures;
  }

  /** Verifies, stores and records a piece; events say how it went. Never rejects. */
  async verify(index: number, data: Uint8Array, senders: readonly string[]): Promise<void> {
    this.unwritten++;
    try {
      let digest: Uint8Array | null;
      try {
        digest = await this.sha1(data);
      } catch {
        digest = null; // hashing itself failed (a worker died): no one's fault, fetch it again
      }
      if (this.stopped) return;
      if (digest === null) return this.emit('failed', index, new TabswarmError('HASH_FAILED', `Piece ${index} could not be hashed and will be downloaded again.`));
      if (!bytesEqual(digest, pieceHash(this.meta, index))) return this.onHashFailure(index, data, senders);
      try {
        await this.store.write(index, data);
        this.have.set(index);
        await this.store.saveCompletion(this.have.bytes);
      } catch (err) {
        // A full disk or quota: stop once; what is stored stays for a resume.
        if (this.stopped) return;
        this.stopped = true;
        this.emit('error', err instanceof TabswarmError ? err : new TabswarmError('STORAGE_WRITE_FAILED', `Could not store piece ${index}: ${String(err)}. Free some space and try again.`));
        return;
      }
      if (this.stopped) return;
      this.verifiedBytes += data.length;
      this.judgeSuspects(index, data);
      this.emit('verified', index);
    } finally {
      this.unwritten--;
    }
  }

  stop(): void {
    this.stopped = true;
  }

  private onHashFailure(index: number, data: Uint8Array, senders: readonly string[]): void {
    this.failures++;
    const distinct = new Set(senders);
    if (distinct.size === 1) this.strike([...distinct][0]!);
    else {
      const list = this.suspects.get(index) ?? [];
      for (let b = 0; b < senders.length; b++) {
        const begin = b * BLOCK_LENGTH_BYTES;
        list.push({ begin, data: data.slice(begin, begin + BLOCK_LENGTH_BYTES), sender: senders[b]! });
      }
      this.suspects.set(index, list);
    }
    this.emit('failed', index, new TabswarmError('PIECE_HASH_MISMATCH', `Piece ${index} failed verification and will be downloaded again.`));
  }

  private judgeSuspects(index: number, good: Uint8Array): void {
    const list = this.suspects.get(index);
    if (!list) return;
    this.suspects.delete(index);
    const guilty = new Set<string>();
    for (const s of list) if (!bytesEqual(s.data, good.subarray(s.begin, s.begin + s.data.length))) guilty.add(s.sender);
    for (const key of guilty) this.strike(key);
  }

  private strike(key: string): void {
    const n = (this.strikes.get(key) ?? 0) + 1;
    this.strikes.set(key, n);
    this.emit('strike', key, n);
  }
}
