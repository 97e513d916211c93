/**
 * Creating a BitTorrent v1 torrent from content. Storage-agnostic: the caller hands us each file's
 * path, length and a byte stream (node:fs in the CLI, File.stream() in a tab), and a SHA-1.
 * The result must match what other tools make from the same content: the vectors made by
 * mktorrent are the proof (test/unit/metainfo-vectors.test.ts).
 */
import { bencodeBytes } from '../bencode.ts';
import { compareBytes, utf8 } from '../bytes.ts';
import { PIECE_LENGTH_BYTES } from '../constants.ts';
import { TabswarmError } from '../errors.ts';
import type { Sha1 } from '../sha1.ts';
import { PieceHasher } from './piece-hasher.ts';
import { parseTorrent } from './parse.ts';
import { unsafeComponentReason } from './paths.ts';
import type { Metainfo } from './types.ts';

export interface CreateInputFile {
  /** Path below the torrent's folder; for a single-file torrent, ignored (the name is used). */
  path: string[];
  length: number;
  /** The file's bytes, in order, in chunks of any size. */
  stream(): AsyncIterable<Uint8Array>;
}

export interface CreateTorrentOptions {
  /** The file name (single file) or folder basename (multi-file). */
  name: string;
  files: CreateInputFile[];
  /** A folder is multi-file even if it holds one file; a lone file is single-file. */
  multiFile: boolean;
  sha1: Sha1;
  announce?: string[];
  urlList?: string[];
  comment?: string;
  createdBy?: string;
  /** Seconds since the epoch; omitted when undefined. */
  creationDate?: number;
  pieceLength?: number;
  /**
   * More keys for the info dictionary (they enter the info hash, so nobody can change them
   * unnoticed; clients ignore keys they do not know). A private share's sealed contents list.
   */
  extraInfo?: Record<string, Uint8Array>;
  /** Called after each hashed piece with bytes hashed so far and the total. */
  onProgress?: (hashedBytes: number, totalBytes: number) => void;
  signal?: AbortSignal;
}

/** What BEP 3 defines in the info dictionary: an extra key may not replace them. */
const STANDARD_INFO_KEYS = new Set(['name', 'piece length', 'pieces', 'length', 'files', 'private', 'md5sum']);

export interface CreatedTorrent {
  torrentBytes: Uint8Array;
  metainfo: Metainfo;
}

/**
 * Order of multi-file entries. BEP 3 does not fix one, but the info hash depends on it, so we use
 * mktorrent's: byte order (strcmp) of the whole "/"-joined UTF-8 path. That differs from comparing
 * component by component when a name holds a byte below "/" ("a.txt" sorts before "a/b").
 */
export function comparePaths(a: readonly string[], b: readonly string[]): number {
  return compareBytes(utf8(a.join('/')), utf8(b.join('/')));
}

function checkName(component: string, what: string): void {
  const reason = unsafeComponentReason(component);
  if (reason !== null) throw new TabswarmError('TORRENT_UNSAFE_PATH', `Cannot create a torrent: ${what} ${reason}.`);
}

export async function createTorrent(opts: CreateTorrentOptions): Promise<CreatedTorrent> {
  const pieceLength = opts.pieceLength ?? PIECE_LENGTH_BYTES;
  checkName(opts.name, 'the name');
  if (opts.files.length === 0) throw new TabswarmError('INPUT_EMPTY', `Cannot create a torrent: "${opts.name}" holds no files.`);
  if (!opts.multiFile && opts.files.length !== 1) {
    throw new TabswarmError('TORRENT_INVALID', 'Cannot create a torrent: a single-file torrent takes exactly one file.');
  }
  const files = opts.multiFile ? [...opts.files].sort((a, b) => comparePaths(a.path, b.path)) : opts.files;
  if (opts.multiFile) for (const f of files) for (const c of f.path) checkName(c, `the path "${f.path.join('/')}"`);
  const total = files.reduce((sum, f) => sum + f.length, 0);
  if (total === 0) throw new TabswarmError('INPUT_EMPTY', `Cannot create a torrent: "${opts.name}" is empty (0 bytes).`);

  const hasher = new PieceHasher(pieceLength, opts.sha1);
  let hashed = 0;
  let lastPieces = 0;
  for (const file of files) {
    let seen = 0;
    for await (const chunk of file.stream()) {
      opts.signal?.throwIfAborted();
      seen += chunk.length;
      if (seen > file.length) break;
      await hasher.update(chunk);
      hashed += chunk.length;
      if (opts.onProgress && hasher.pieceCount !== lastPieces) {
        lastPieces = hasher.pieceCount;
        opts.onProgress(hashed, total);
      }
    }
    // A file that changed size while we read it would give a torrent that matches no copy of it.
    if (seen !== file.length) {
      throw new TabswarmError(
        'INPUT_UNREADABLE',
        `Cannot create a torrent: "${file.path.join('/')}" changed size while being read (${file.length} → ${seen} bytes); try again when it is stable.`,
      );
    }
  }
  const pieces = await hasher.finish();
  opts.onProgress?.(total, total);

  // Keys are sorted by the bencode encoder, as BEP 3 requires; only these keys enter the info hash.
  const info: Record<string, unknown> = { name: opts.name, 'piece length': pieceLength, pieces };
  for (const [key, value] of Object.entries(opts.extraInfo ?? {})) {
    if (STANDARD_INFO_KEYS.has(key)) throw new TabswarmError('TORRENT_INVALID', `Cannot create a torrent: "${key}" is a standard info key, not an extra one.`);
    info[key] = value;
  }
  if (opts.multiFile) info.files = files.map((f) => ({ length: f.length, path: f.path }));
  else info.length = total;

  const torrent: Record<string, unknown> = { info };
  const announce = opts.announce ?? [];
  if (announce.length > 0) torrent.announce = announce[0];
  if (announce.length > 1) torrent['announce-list'] = announce.map((url) => [url]);
  // BEP 19 allows a string or a list; one web seed is written as a string, as mktorrent -w does.
  if (opts.urlList && opts.urlList.length === 1) torrent['url-list'] = opts.urlList[0];
  else if (opts.urlList && opts.urlList.length > 1) torrent['url-list'] = opts.urlList;
  if (opts.comment !== undefined) torrent.comment = opts.comment;
  if (opts.createdBy !== undefined) torrent['created by'] = opts.createdBy;
  if (opts.creationDate !== undefined) torrent['creation date'] = opts.creationDate;

  const torrentBytes = bencodeBytes(torrent);
  // Parse what we wrote: one code path decides what a valid torrent is, and this proves ours are.
  return { torrentBytes, metainfo: parseTorrent(torrentBytes) };
}
