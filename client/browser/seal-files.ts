/**
 * A private share made in the tab: the picked files and their names sealed (shared/private/) into one
 * opaque File, which is then hashed and seeded like any other. Sealed records go into a Blob as they
 * come, so a large file is never whole in the heap (the browser may keep Blob parts on disk).
 */
import { deriveKeys, newLinkKey, sealedFileName, type PrivateKeys } from '../../shared/private/key.ts';
import type { PrivateManifest } from '../../shared/private/manifest.ts';
import { sealShare } from '../../shared/private/seal.ts';
import { contentsInfo } from '../../shared/private/contents.ts';
import { blobChunks } from './blob-chunks.ts';

/** Sealed records gathered before they join the Blob: fewer, larger parts. */
const RECORDS_PER_BLOB_PART = 16;

export interface SealedFiles {
  file: File;
  linkKey: Uint8Array;
  keys: PrivateKeys;
  /** For the torrent's info dictionary: the sealed contents list, so viewers read it with the metadata (empty when too long to embed). */
  extraInfo: Record<string, Uint8Array>;
}

export async function sealFiles(entries: ReadonlyArray<{ file: File; path: string[] }>, name: string, multiFile: boolean, onProgress?: (done: number, total: number) => void): Promise<SealedFiles> {
  const linkKey = newLinkKey();
  const keys = await deriveKeys(linkKey);
  const manifest: PrivateManifest = { name, multiFile, files: entries.map((e) => ({ path: multiFile ? e.path : [name], length: e.file.size })) };
  let blob = new Blob([]);
  let batch: Uint8Array<ArrayBuffer>[] = [];
  for await (const record of sealShare({ manifest, content: keys.content, contents: entries.map((e) => () => blobChunks(e.file)), onProgress })) {
    batch.push(record as Uint8Array<ArrayBuffer>);
    if (batch.length === RECORDS_PER_BLOB_PART) {
      blob = new Blob([blob, ...batch]);
      batch = [];
    }
  }
  blob = new Blob([blob, ...batch]);
  return { file: new File([blob], await sealedFileName(linkKey)), linkKey, keys, extraInfo: await contentsInfo(keys.content, manifest) };
}
