/**
 * Sealing a private share: manifest and files, as one plaintext stream, cut into records and
 * encrypted one by one — a record at a time in memory, however large the files.
 */
import { TabswarmError } from '../errors.ts';
import { encodeManifest, type PrivateManifest } from './manifest.ts';
import { cipherLength, RECORD_PLAIN_BYTES, sealRecord } from './records.ts';

/** One file's bytes, in order, in chunks of any size. */
export type ByteSource = () => AsyncIterable<Uint8Array>;

export interface SealInput {
  manifest: PrivateManifest;
  /** In the manifest's order, one per file. */
  contents: ByteSource[];
  content: CryptoKey;
  /** Plaintext bytes sealed so far, of all. */
  onProgress?: (done: number, total: number) => void;
}

/** The ciphertext's length for this manifest, known before any byte is sealed. */
export function sealedLength(manifest: PrivateManifest): number {
  return cipherLength(plainLengthFor(manifest));
}

/** The share's plaintext length: its contents list and every file. */
export function plainLengthFor(manifest: PrivateManifest): number {
  return encodeManifest(manifest).length + manifest.files.reduce((s, f) => s + f.length, 0);
}

/** Yields the sealed records in order: each a 256 KiB piece but the last. */
export async function* sealShare(input: SealInput): AsyncGenerator<Uint8Array> {
  const head = encodeManifest(input.manifest);
  const total = head.length + input.manifest.files.reduce((s, f) => s + f.length, 0);
  let record = new Uint8Array(RECORD_PLAIN_BYTES);
  let fill = 0;
  let index = 0;
  let done = 0;
  async function* take(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
    let at = 0;
    while (at < bytes.length) {
      const n = Math.min(bytes.length - at, RECORD_PLAIN_BYTES - fill);
      record.set(bytes.subarray(at, at + n), fill);
      fill += n;
      at += n;
      if (fill === RECORD_PLAIN_BYTES) {
        yield await sealRecord(input.content, index++, total, record);
        done += fill;
        input.onProgress?.(done, total);
        record = new Uint8Array(RECORD_PLAIN_BYTES);
        fill = 0;
      }
    }
  }
  yield* take(head);
  for (const [i, file] of input.manifest.files.entries()) {
    let seen = 0;
    for await (const chunk of input.contents[i]!()) {
      seen += chunk.length;
      if (seen > file.length) throw new TabswarmError('INPUT_UNREADABLE', `${file.path.join('/')} grew while it was being sealed; share it again once it is written.`);
      yield* take(chunk);
    }
    if (seen !== file.length) throw new TabswarmError('INPUT_UNREADABLE', `${file.path.join('/')} changed length while it was being sealed (${seen} of ${file.length} bytes); share it again once it is written.`);
  }
  if (fill > 0 || index === 0) {
    yield await sealRecord(input.content, index++, total, record.subarray(0, fill));
    done += fill;
    input.onProgress?.(done, total);
  }
}
