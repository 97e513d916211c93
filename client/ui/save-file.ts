/**
 * Saving finished files. One file goes through the browser's own download flow (no dialog, the
 * usual downloads folder); the Blob is assembled from stored pieces, so no copy is built in memory.
 * Several files can also go into a folder the user picks, in one step, where the browser has the
 * File System Access API (Chromium on a secure page): each file is streamed to disk along its path.
 */
import type { StoredFile } from '../browser/save.ts';
import { writeToFolder } from '../browser/save.ts';
import { zipStream } from '../browser/zip.ts';
import { TabswarmError } from '../../shared/errors.ts';
import type { ContentLayout } from '../../shared/private/open.ts';

/** The folder and save-file pickers (not yet in TypeScript's DOM types). */
interface FolderPicker {
  showDirectoryPicker?(options: { mode: 'readwrite' }): Promise<FileSystemDirectoryHandle>;
  showSaveFilePicker?(options: { suggestedName: string; types?: Array<{ description: string; accept: Record<string, string[]> }> }): Promise<FileSystemFileHandle>;
}
const picker = (): FolderPicker => window as unknown as FolderPicker;

export const canPickFolder = (): boolean => typeof picker().showDirectoryPicker === 'function';

/** Hands a file to the browser's download flow (the object URL is freed a minute later). */
export function saveFile(file: StoredFile): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(file.blob);
  a.download = file.name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
}

/** Saves several files into a folder the user picks, keeping their layout. False when the user cancelled. */
export async function saveToPickedFolder(files: StoredFile[], onProgress?: (done: number, total: number) => void): Promise<boolean> {
  let folder: FileSystemDirectoryHandle;
  try {
    folder = await picker().showDirectoryPicker!.call(window, { mode: 'readwrite' });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') return false; // the user closed the picker
    throw err;
  }
  await writeToFolder(folder, files, onProgress);
  return true;
}

/**
 * Saves a torrent's files as NAME.zip. Where the browser can open a file for writing (File System
 * Access), the archive streams from storage straight into it: nothing is held in memory, whatever
 * the size, and a failure aborts the write, leaving nothing half-written. Elsewhere the archive is
 * collected into a Blob (which the browser may keep on disk) and handed to the download flow.
 * Resolves false when the user closed the picker.
 */
export async function saveZip(meta: ContentLayout, read: (index: number) => Promise<Uint8Array>, onProgress?: (done: number, total: number) => void): Promise<boolean> {
  const name = `${meta.name}.zip`;
  const savePicker = picker().showSaveFilePicker;
  if (typeof savePicker !== 'function') {
    const blob = await new Response(zipStream(meta, read, onProgress)).blob();
    saveFile({ name, path: [name], blob: new Blob([blob], { type: 'application/zip' }) });
    return true;
  }
  let handle: FileSystemFileHandle;
  try {
    handle = await savePicker.call(window, { suggestedName: name, types: [{ description: 'ZIP archive', accept: { 'application/zip': ['.zip'] } }] });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') return false;
    throw err;
  }
  const out = await handle.createWritable();
  try {
    // pipeTo closes the file when the archive ends and aborts it (discarding the write) on error.
    await zipStream(meta, read, onProgress).pipeTo(out);
  } catch (err) {
    const full = err instanceof DOMException && err.name === 'QuotaExceededError';
    throw new TabswarmError(full ? 'DISK_FULL' : 'STORAGE_WRITE_FAILED', `Could not save ${name}: ${full ? 'the disk is full' : String(err)}. Nothing was left half-written; free some space or pick another place and try again.`);
  }
  return true;
}
