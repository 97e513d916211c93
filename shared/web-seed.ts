/**
 * BEP 19 web seeds: where a torrent's bytes live on a plain HTTP server, and which byte ranges of
 * which URLs make up a piece. Pure functions over the metainfo.
 *
 * URL rules (BEP 19): for a single-file torrent a URL is the file itself, unless it ends in "/",
 * when the torrent's name is appended; for a multi-file torrent the name and then each path
 * component are appended (after a "/", added when missing), every component percent-encoded.
 */
import type { Metainfo } from './metainfo/types.ts';

type Layout = Pick<Metainfo, 'name' | 'multiFile' | 'files' | 'pieceLength' | 'length'>;

/** Web seeds we can fetch from: http and https URLs only (a torrent may list others). */
export function usableWebSeeds(urls: readonly string[]): string[] {
  return [...new Set(urls)].filter((u) => {
    try {
      const p = new URL(u).protocol;
      return p === 'http:' || p === 'https:';
    } catch {
      return false;
    }
  });
}

/** The URL of file `fileIndex` on web seed `base`. */
export function webSeedFileUrl(base: string, meta: Pick<Metainfo, 'name' | 'multiFile' | 'files'>, fileIndex: number): string {
  const file = meta.files[fileIndex];
  if (!file) throw new RangeError(`no file ${fileIndex}`);
  if (!meta.multiFile) return base.endsWith('/') ? `${base}${encodeURIComponent(meta.name)}` : base;
  const folder = base.endsWith('/') ? base : `${base}/`;
  return `${folder}${[meta.name, ...file.path].map(encodeURIComponent).join('/')}`;
}

/** A byte range of one file: [start, end) in the file's own offsets. */
export interface FileRange {
  fileIndex: number;
  start: number;
  end: number;
}

/** The ranges that make up bytes [begin, begin + length) of piece `index`: one per file it crosses (empty files skipped). */
export function pieceRanges(meta: Layout, index: number, begin = 0, length?: number): FileRange[] {
  const from = index * meta.pieceLength + begin;
  const to = Math.min(meta.length, length === undefined ? (index + 1) * meta.pieceLength : from + length);
  const ranges: FileRange[] = [];
  for (let i = 0; i < meta.files.length; i++) {
    const f = meta.files[i]!;
    const start = Math.max(from, f.offset);
    const end = Math.min(to, f.offset + f.length);
    if (start < end) ranges.push({ fileIndex: i, start: start - f.offset, end: end - f.offset });
  }
  return ranges;
}
