/** Finished files as Blobs built from stored pieces, one piece at a time, so saving a large file needs no copy of it in the heap. */
import { TabswarmError } from '../../shared/errors.ts';
import type { Metainfo } from '../../shared/metainfo/types.ts';
import { readStoredPiece } from './idb-store.ts';

export async function fileBlob(meta: Metainfo, fileIndex: number): Promise<{ name: string; blob: Blob }> {
  const file = meta.files[fileIndex];
  if (!file) throw new TabswarmError('STORAGE_READ_FAILED', `The torrent has no file number ${fileIndex}.`);
  const parts: BlobPart[] = [];
  const first = Math.floor(file.offset / meta.pieceLength);
  const last = file.length === 0 ? first - 1 : Math.floor((file.offset + file.length - 1) / meta.pieceLength);
  for (let i = first; i <= last; i++) {
    const piece = await readStoredPiece(meta.infoHash, i);
    const pieceStart = i * meta.pieceLength;
    const from = Math.max(0, file.offset - pieceStart);
    const to = Math.min(piece.length, file.offset + file.length - pieceStart);
    // Each part becomes its own Blob, which the browser may keep on disk rather than in the heap.
    parts.push(new Blob([piece.subarray(from, to) as Uint8Array<ArrayBuffer>]));
  }
  const name = file.path.at(-1) ?? meta.name;
  return { name, blob: new Blob(parts, { type: 'application/octet-stream' }) };
}
