/**
 * Reading a private share: the ciphertext, as the torrent's one file, read piece by piece from
 * wherever it is stored (a folder, IndexedDB, a stream), each record authenticated and decrypted
 * on its own. So a stream seeks by opening only the records it needs.
 */
import { TabswarmError, isTabswarmError } from '../errors.ts';
import { openContents } from './contents.ts';
import { wrongKeyError } from './key.ts';
import { decodeManifest, MANIFEST_PREFIX_BYTES, manifestJsonLength, type PrivateManifest } from './manifest.ts';
import { openRecord, plainLengthOf, RECORD_CIPHER_BYTES, RECORD_PLAIN_BYTES, recordPlainBytes } from './records.ts';

/** Where the ciphertext is: its length and a way to read a range of it. */
export interface CipherSource {
  length: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** Files at offsets in pieces: what a torrent's Metainfo is to its content, and a private share's layout() to its plaintext. */
export interface ContentLayout {
  name: string;
  multiFile: boolean;
  pieceLength: number;
  files: Array<{ path: string[]; length: number; offset: number }>;
}

/** Records kept decrypted: sequential reads of a few KiB then open each record once. */
const RECORD_CACHE_ENTRIES = 4;

export class PrivateShare {
  private readonly cache = new Map<number, Promise<Uint8Array>>();
  /** Where each file's bytes start in the plaintext. */
  private readonly fileStarts: number[];

  private constructor(
    private readonly source: CipherSource,
    private readonly key: CryptoKey,
    readonly plainLength: number,
    readonly manifest: PrivateManifest,
    readonly contentOffset: number,
  ) {
    let at = contentOffset;
    this.fileStarts = manifest.files.map((f) => {
      const start = at;
      at += f.length;
      return start;
    });
  }

  /**
   * Reads and checks the manifest: from `sealedContents` (the torrent's info dictionary, contents.ts)
   * when the share has it, so no piece is needed; else from the first record. A list that does not
   * open means the link's key is not this share's.
   */
  static async open(source: CipherSource, key: CryptoKey, sealedContents: Uint8Array | null = null): Promise<PrivateShare> {
    const plainLength = plainLengthOf(source.length);
    if (plainLength === null || plainLength < MANIFEST_PREFIX_BYTES) throw new TabswarmError('PRIVATE_SHARE_INVALID', `This torrent's ${source.length} bytes are not a private share's ciphertext: the link's key belongs to another torrent, or the torrent was not made as a private share.`);
    if (sealedContents) {
      const { manifest, contentOffset } = await openContents(key, sealedContents, plainLength);
      return new PrivateShare(source, key, plainLength, manifest, contentOffset);
    }
    const probe = new PrivateShare(source, key, plainLength, { name: '', multiFile: false, files: [] }, 0);
    let prefix: Uint8Array;
    try {
      prefix = await probe.readPlain(0, MANIFEST_PREFIX_BYTES);
    } catch (err) {
      if (isTabswarmError(err, 'PRIVATE_RECORD_TAMPERED')) throw wrongKeyError();
      throw err;
    }
    const jsonLength = manifestJsonLength(prefix);
    const contentOffset = MANIFEST_PREFIX_BYTES + jsonLength;
    if (contentOffset > plainLength) throw new TabswarmError('PRIVATE_SHARE_INVALID', "This private share's contents list runs past its end; the share is damaged.");
    const manifest = decodeManifest(await probe.readPlain(MANIFEST_PREFIX_BYTES, contentOffset), plainLength - contentOffset);
    return new PrivateShare(source, key, plainLength, manifest, contentOffset);
  }

  /** Plaintext bytes [start, end) of the whole share (manifest included). */
  async readPlain(start: number, end: number): Promise<Uint8Array> {
    if (start < 0 || end > this.plainLength || start > end) throw new RangeError(`plaintext range ${start}–${end} outside 0–${this.plainLength}`);
    const out = new Uint8Array(end - start);
    let at = start;
    while (at < end) {
      const index = Math.floor(at / RECORD_PLAIN_BYTES);
      const record = await this.record(index);
      const from = at - index * RECORD_PLAIN_BYTES;
      const n = Math.min(end - at, record.length - from);
      out.set(record.subarray(from, from + n), at - start);
      at += n;
    }
    return out;
  }

  /** Bytes [start, end) of file `fileIndex`. */
  readFile(fileIndex: number, start: number, end: number): Promise<Uint8Array> {
    const file = this.manifest.files[fileIndex];
    if (!file || start < 0 || end > file.length || start > end) throw new RangeError(`range ${start}–${end} outside file ${fileIndex}`);
    const base = this.fileStarts[fileIndex]!;
    return this.readPlain(base + start, base + end);
  }

  /** The records holding file `fileIndex`'s bytes [start, end): what a stream must have to play there. */
  recordsFor(fileIndex: number, start: number, end: number): { first: number; last: number } {
    const base = this.fileStarts[fileIndex]!;
    return { first: Math.floor((base + start) / RECORD_PLAIN_BYTES), last: Math.floor((base + Math.max(start, end - 1)) / RECORD_PLAIN_BYTES) };
  }

  /**
   * The plaintext laid out as a torrent's content is: files at offsets, in "pieces" of one record's
   * plaintext — so plaintext piece i is the torrent's piece i, and whatever reads a torrent's files
   * piece by piece (a stream, a save, a .zip) reads a private share's through readRecord.
   */
  layout(): ContentLayout {
    return {
      name: this.manifest.name,
      multiFile: this.manifest.multiFile,
      pieceLength: RECORD_PLAIN_BYTES,
      files: this.manifest.files.map((f, i) => ({ path: f.path, length: f.length, offset: this.fileStarts[i]! })),
    };
  }

  /** Record `index`'s plaintext, authenticated. */
  readRecord(index: number): Promise<Uint8Array> {
    return this.record(index);
  }

  /** A file's bytes in order, a record's worth at a time (for saving). */
  async *fileChunks(fileIndex: number): AsyncGenerator<Uint8Array> {
    const length = this.manifest.files[fileIndex]!.length;
    for (let at = 0; at < length; ) {
      const base = this.fileStarts[fileIndex]! + at;
      const n = Math.min(length - at, RECORD_PLAIN_BYTES - (base % RECORD_PLAIN_BYTES));
      yield await this.readFile(fileIndex, at, at + n);
      at += n;
    }
  }

  private record(index: number): Promise<Uint8Array> {
    let hit = this.cache.get(index);
    if (hit) {
      this.cache.delete(index);
      this.cache.set(index, hit);
      return hit;
    }
    const offset = index * RECORD_CIPHER_BYTES;
    const sealedBytes = recordPlainBytes(this.plainLength, index) + (RECORD_CIPHER_BYTES - RECORD_PLAIN_BYTES);
    hit = this.source.read(offset, sealedBytes).then((sealed) => openRecord(this.key, index, this.plainLength, sealed));
    hit.catch(() => this.cache.delete(index));
    this.cache.set(index, hit);
    if (this.cache.size > RECORD_CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    return hit;
  }
}
