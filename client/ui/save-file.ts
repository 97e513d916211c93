/**
 * Saving finished files. One file goes through the browser's own download flow (no dialog, the
 * usual downloads folder); the Blob is assembled from stored pieces, so no copy is built in memory.
 * Several files can also go into a folder the user picks, in one step, where the browser has the
 * File System Access API (Chromium on a secure page): each file is streamed to disk along its path.
 */
import type { StoredFile } from '../browser/save.ts';
import { writeToFolder } from '../browser/save.ts';

/** The folder picker (not yet in TypeScript's DOM types). */
interface FolderPicker {
  showDirectoryPicker?(options: { mode: 'readwrite' }): Promise<FileSystemDirectoryHandle>;
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
