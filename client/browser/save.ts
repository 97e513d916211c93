/**
 * Finished files as Blobs built from stored pieces, one piece at a time, so saving a large file
 * needs no copy of it in the heap; and writing them to disk through the File System Access API
 * (a file or a whole folder the user picked), which streams the Blob's parts to the file.
 */
import { TabswarmError } from '../../shared/errors.ts';
import type { ContentLayout } from '../../shared/private/open.ts';

export interface StoredFile {
  name: string;
  /** Where the file goes in a folder: the torrent's name, then the file's path inside it (one component for a single-file torrent). */
  path: string[];
  blob: Blob;
}

/** Pieces read ahead while a file's Blob is assembled. */
const READ_AHEAD_PIECES = 8;

/** Reads piece `index` of a layout (a stored torrent piece, or a private share's decrypted record). */
export type LayoutPieceReader = (index: number) => Promise<Uint8Array>;

/** File `fileIndex` of a layout as a Blob, one piece at a time. */
export async function layoutFileBlob(layout: ContentLayout, fileIndex: number, read: LayoutPieceReader): Promise<StoredFile> {
  const file = layout.files[fileIndex];
  if (!file) throw new TabswarmError('STORAGE_READ_FAILED', `The torrent has no file number ${fileIndex}.`);
  const parts: BlobPart[] = [];
  const first = Math.floor(file.offset / layout.pieceLength);
  const last = file.length === 0 ? first - 1 : Math.floor((file.offset + file.length - 1) / layout.pieceLength);
  // A few reads ahead: IndexedDB reads (and a private share's decryption) overlap instead of queueing.
  const pending: Array<Promise<Uint8Array>> = [];
  let next = first;
  for (let i = first; i <= last; i++) {
    while (next <= last && next < i + READ_AHEAD_PIECES) {
      const p = read(next++);
      p.catch(() => {}); // a failure is thrown where it is awaited, in order
      pending.push(p);
    }
    const piece = await pending.shift()!;
    const pieceStart = i * layout.pieceLength;
    const from = Math.max(0, file.offset - pieceStart);
    const to = Math.min(piece.length, file.offset + file.length - pieceStart);
    // Each part becomes its own Blob, which the browser may keep on disk rather than in the heap.
    parts.push(new Blob([piece.subarray(from, to) as Uint8Array<ArrayBuffer>]));
  }
  const name = file.path.at(-1) ?? layout.name;
  const path = layout.multiFile ? [layout.name, ...file.path] : [layout.name];
  return { name, path, blob: new Blob(parts, { type: 'application/octet-stream' }) };
}

/** Writes a Blob to a file the user chose. Nothing half-written is left: on failure the write is aborted. */
export async function writeBlob(handle: FileSystemFileHandle, blob: Blob): Promise<void> {
  const out = await handle.createWritable();
  try {
    await out.write(blob);
    await out.close();
  } catch (err) {
    await out.abort().catch(() => {});
    const full = err instanceof DOMException && err.name === 'QuotaExceededError';
    throw new TabswarmError(full ? 'DISK_FULL' : 'STORAGE_WRITE_FAILED', `Could not save ${handle.name}: ${full ? 'the disk is full' : String(err)}. Nothing was left half-written; free some space or pick another place and try again.`);
  }
}

/** Writes files into a folder, creating subfolders along each file's path. */
export async function writeToFolder(folder: FileSystemDirectoryHandle, files: StoredFile[], onProgress?: (filesDone: number, total: number) => void): Promise<void> {
  let done = 0;
  for (const file of files) {
    let dir = folder;
    for (const part of file.path.slice(0, -1)) dir = await dir.getDirectoryHandle(part, { create: true });
    await writeBlob(await dir.getFileHandle(file.path.at(-1)!, { create: true }), file.blob);
    onProgress?.(++done, files.length);
  }
}
