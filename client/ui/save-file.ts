/**
 * Saving finished files. Where the browser has the File System Access API (Chromium on a secure
 * page) the user picks where the file — or, for several files, a folder — goes, and the data is
 * streamed there; elsewhere the browser's download flow gets the Blob.
 */
import type { StoredFile } from '../browser/save.ts';
import { writeBlob, writeToFolder } from '../browser/save.ts';

/** The pickers (not yet in TypeScript's DOM types). */
interface Pickers {
  showSaveFilePicker?(options: { suggestedName: string }): Promise<FileSystemFileHandle>;
  showDirectoryPicker?(options: { mode: 'readwrite' }): Promise<FileSystemDirectoryHandle>;
}
const pickers = (): Pickers => window as unknown as Pickers;

export const canPickFolder = (): boolean => typeof pickers().showDirectoryPicker === 'function';

const cancelled = (err: unknown): boolean => err instanceof DOMException && err.name === 'AbortError';

/** Hands a Blob to the browser's download flow under `name` (the object URL is freed a minute later). */
function download(name: string, blob: Blob): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
}

/** Saves one file: to a place the user picks where possible, else as a download. False when the user cancelled. */
export async function saveFile(file: StoredFile): Promise<boolean> {
  const pick = pickers().showSaveFilePicker;
  if (!pick) {
    download(file.name, file.blob);
    return true;
  }
  let handle: FileSystemFileHandle;
  try {
    handle = await pick.call(window, { suggestedName: file.name });
  } catch (err) {
    if (cancelled(err)) return false;
    throw err;
  }
  await writeBlob(handle, file.blob);
  return true;
}

/** Saves several files into a folder the user picks, keeping their layout. False when the user cancelled. */
export async function saveToPickedFolder(files: StoredFile[], onProgress?: (done: number, total: number) => void): Promise<boolean> {
  let folder: FileSystemDirectoryHandle;
  try {
    folder = await pickers().showDirectoryPicker!.call(window, { mode: 'readwrite' });
  } catch (err) {
    if (cancelled(err)) return false;
    throw err;
  }
  await writeToFolder(folder, files, onProgress);
  return true;
}
