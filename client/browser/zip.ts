/**
 * A torrent's files as one .zip, streamed: each file's bytes are read from storage a piece at a
 * time as the archive is consumed, so no file — let alone the folder — is ever held in memory.
 * client-zip writes the archive (stored, not compressed: shared files are mostly compressed
 * already, and storing keeps the archive's speed at the disk's), switching to ZIP64 for files and
 * archives past 4 GiB. DOM-free: the reader of pieces is injected (IndexedDB in a tab, anything in tests).
 */
import { makeZip, predictLength } from 'client-zip';
import type { Metainfo } from '../../shared/metainfo/types.ts';

/** Reads one whole stored piece. */
export type PieceReader = (index: number) => Promise<Uint8Array>;

type ZipMeta = Pick<Metainfo, 'name' | 'files' | 'pieceLength' | 'multiFile' | 'creationDate'>;

/** Where each file goes in the archive: under the torrent's folder, as unzipping it should recreate. */
export function zipEntryName(meta: Pick<Metainfo, 'name' | 'multiFile'>, path: readonly string[]): string {
  return meta.multiFile ? [meta.name, ...path].join('/') : meta.name;
}

/** The bytes of file `fileIndex`, pulled piece by piece from `read` as the consumer asks for them. */
export function fileStream(meta: ZipMeta, fileIndex: number, read: PieceReader): ReadableStream<Uint8Array> {
  const file = meta.files[fileIndex]!;
  const end = file.offset + file.length;
  let position = file.offset;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (position >= end) {
        controller.close();
        return;
      }
      const index = Math.floor(position / meta.pieceLength);
      const pieceStart = index * meta.pieceLength;
      const piece = await read(index);
      const to = Math.min(piece.length, end - pieceStart);
      controller.enqueue(piece.subarray(position - pieceStart, to));
      position = pieceStart + to;
    },
  });
}

function entries(meta: ZipMeta, read: PieceReader) {
  const lastModified = meta.creationDate !== undefined ? new Date(meta.creationDate * 1000) : new Date();
  return meta.files.map((f, i) => ({ name: zipEntryName(meta, f.path), size: f.length, lastModified, input: fileStream(meta, i, read) }));
}

/** Exact size of the archive in bytes (for progress, and for a save picker's free-space check). */
export function zipLength(meta: ZipMeta): number {
  return Number(predictLength(meta.files.map((f) => ({ name: zipEntryName(meta, f.path), size: f.length }))));
}

/** The archive as a stream; `onProgress(bytesOut, total)` follows what has been consumed. */
export function zipStream(meta: ZipMeta, read: PieceReader, onProgress?: (done: number, total: number) => void): ReadableStream<Uint8Array> {
  const total = zipLength(meta);
  let done = 0;
  const zip = makeZip(entries(meta, read));
  if (!onProgress) return zip;
  return zip.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        done += chunk.length;
        onProgress(done, total);
        controller.enqueue(chunk);
      },
    }),
  );
}
