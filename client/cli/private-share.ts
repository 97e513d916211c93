/**
 * Private shares on the command line: sealing a file or folder into the one opaque file a private
 * torrent describes, and unsealing a downloaded one into the real files.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import { TabswarmError } from '../../shared/errors.ts';
import { contentsInfo, PrivateShare, sealedFileName, sealShare, type PrivateManifest } from '../../shared/private/index.ts';
import type { FsInput } from './fs-input.ts';
import { progressBar } from './progress.ts';

export function manifestOf(input: FsInput): PrivateManifest {
  return { name: input.name, multiFile: input.multiFile, files: input.files.map((f) => ({ path: input.multiFile ? f.path : [input.name], length: f.length })) };
}

async function writeAll(path: string, chunks: AsyncIterable<Uint8Array>): Promise<void> {
  const out = createWriteStream(path);
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => {});
  try {
    for await (const chunk of chunks) {
      if (!out.write(chunk)) await Promise.race([once(out, 'drain'), failed]);
    }
    out.end();
    await Promise.race([once(out, 'finish'), failed]);
  } catch (err) {
    out.destroy();
    await rm(path, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC') throw new TabswarmError('DISK_FULL', `The disk is full while writing ${path}; free some space and try again.`);
    if (err instanceof TabswarmError) throw err;
    throw new TabswarmError('STORAGE_WRITE_FAILED', `Cannot write ${path} (${code ?? String(err)}).`);
  }
}

/**
 * Seals `input` into `dir/sealedName(key)` (written under a temporary name, renamed when whole);
 * returns that path, and the keys its torrent's info dictionary carries (the sealed contents list).
 */
export async function sealToFile(input: FsInput, dir: string, linkKey: Uint8Array, content: CryptoKey): Promise<{ path: string; extraInfo: Record<string, Uint8Array> }> {
  const manifest = manifestOf(input);
  const path = join(dir, await sealedFileName(linkKey));
  const partial = `${path}.part`;
  const bar = progressBar('sealing');
  await writeAll(partial, sealShare({ manifest, content, contents: input.files.map((f) => () => f.stream()), onProgress: (done, all) => bar.update(done, all) }));
  bar.finish();
  await rename(partial, path);
  return { path, extraInfo: await contentsInfo(content, manifest) };
}

/** Writes every file of an opened share below `outDir` (each under a temporary name until whole); returns the top-level path. */
export async function unsealToFolder(share: PrivateShare, outDir: string): Promise<string> {
  const { manifest } = share;
  const top = join(outDir, manifest.name);
  const bar = progressBar('decrypting');
  const total = manifest.files.reduce((s, f) => s + f.length, 0);
  let done = 0;
  for (const [i, file] of manifest.files.entries()) {
    const path = manifest.multiFile ? join(top, ...file.path) : top;
    await mkdir(dirname(path), { recursive: true });
    const partial = `${path}.tabswarm-part`;
    async function* counted(): AsyncGenerator<Uint8Array> {
      for await (const chunk of share.fileChunks(i)) {
        done += chunk.length;
        bar.update(done, total);
        yield chunk;
      }
    }
    await writeAll(partial, counted());
    await rename(partial, path);
  }
  bar.finish();
  return top;
}
