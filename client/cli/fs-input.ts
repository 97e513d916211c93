/** Turns a path on disk into the files `createTorrent` hashes: one file, or every file below a folder. */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { CreateInputFile } from '../../shared/metainfo/index.ts';
import { TabswarmError } from '../../shared/errors.ts';

/** Large reads keep the hasher busy; 4 MiB is where node:fs stops getting faster here. */
const READ_CHUNK_BYTES = 4 * 1024 * 1024;

export interface FsInput {
  name: string;
  multiFile: boolean;
  files: CreateInputFile[];
  /** Files skipped, with why (symlinked folders: following them could loop). */
  skipped: string[];
}

function fileInput(absolute: string, path: string[], length: number): CreateInputFile {
  return { path, length, stream: () => createReadStream(absolute, { highWaterMark: READ_CHUNK_BYTES }) };
}

async function statOrFail(path: string) {
  try {
    return await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new TabswarmError('INPUT_NOT_FOUND', `No such file or folder: ${path}`);
    throw new TabswarmError('INPUT_UNREADABLE', `Cannot read ${path} (${code ?? String(err)}); check its permissions.`);
  }
}

async function walk(root: string, rel: string[], out: CreateInputFile[], skipped: string[]): Promise<void> {
  const dir = join(root, ...rel);
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw new TabswarmError('INPUT_UNREADABLE', `Cannot list ${dir} (${(err as NodeJS.ErrnoException).code}); check its permissions.`);
  }
  for (const entry of entries) {
    const path = [...rel, entry.name];
    const absolute = join(root, ...path);
    if (entry.isDirectory()) {
      await walk(root, path, out, skipped);
    } else if (entry.isFile() || entry.isSymbolicLink()) {
      const s = await statOrFail(absolute);
      if (s.isFile()) out.push(fileInput(absolute, path, s.size));
      else skipped.push(`${path.join('/')} (a link to a folder)`);
    } else {
      skipped.push(`${path.join('/')} (not a regular file)`);
    }
  }
}

export async function readFsInput(path: string): Promise<FsInput> {
  const absolute = resolve(path);
  const s = await statOrFail(absolute);
  const name = basename(absolute);
  if (s.isFile()) return { name, multiFile: false, files: [fileInput(absolute, [name], s.size)], skipped: [] };
  if (!s.isDirectory()) throw new TabswarmError('INPUT_UNREADABLE', `${path} is neither a file nor a folder.`);
  const files: CreateInputFile[] = [];
  const skipped: string[] = [];
  await walk(absolute, [], files, skipped);
  if (files.length === 0) throw new TabswarmError('INPUT_EMPTY', `The folder ${path} holds no files to share.`);
  return { name, multiFile: true, files, skipped };
}
