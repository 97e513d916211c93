/**
 * Parsing `.torrent` files and bare info dictionaries (BEP 3; BEP 12 `announce-list`; BEP 19
 * `url-list`). Everything from outside is validated here, once: a missing key, a wrong type, a
 * `pieces` string that does not match the length, or an unsafe path is a TORRENT_INVALID /
 * TORRENT_UNSAFE_PATH error naming the field, never a half-parsed torrent.
 */
import { bdecode, dictionarySpans, field, isDict, type BencodeValue } from '../bencode.ts';
import { fromUtf8, toHex } from '../bytes.ts';
import { SHA1_LENGTH_BYTES } from '../constants.ts';
import { TabswarmError } from '../errors.ts';
import { sha1Sync } from '../sha1.ts';
import { unsafeComponentReason } from './paths.ts';
import type { Metainfo, TorrentFileEntry } from './types.ts';

/** Piece lengths outside this range are refused: below one block is not BitTorrent, above 64 MiB no client uses. */
export const MIN_PIECE_LENGTH_BYTES = 1;
export const MAX_PIECE_LENGTH_BYTES = 64 * 1024 * 1024;
/** A torrent with more files than this is refused before any per-file work (memory safety). */
export const MAX_FILES = 100_000;

type Dict = { [key: string]: BencodeValue };

function invalid(message: string): never {
  throw new TabswarmError('TORRENT_INVALID', `Invalid torrent: ${message}.`);
}

function requireDict(value: BencodeValue | undefined, what: string): Dict {
  if (value === undefined) invalid(`missing ${what}`);
  if (!isDict(value)) invalid(`${what} must be a dictionary`);
  return value;
}

function requireInt(dict: Dict, key: string, what: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = field(dict, key);
  if (v === undefined) invalid(`missing ${what}`);
  if (typeof v !== 'number') invalid(`${what} must be an integer`);
  if (!Number.isSafeInteger(v) || v < min || v > max) invalid(`${what} ${v} is out of range (${min}…${max})`);
  return v;
}

function requireBytes(dict: Dict, key: string, what: string): Uint8Array {
  const v = field(dict, key);
  if (v === undefined) invalid(`missing ${what}`);
  if (!(v instanceof Uint8Array)) invalid(`${what} must be a byte string`);
  return v;
}

function requireText(dict: Dict, key: string, what: string): string {
  const text = fromUtf8(requireBytes(dict, key, what));
  if (text === null) invalid(`${what} is not valid UTF-8`);
  return text;
}

function optionalText(dict: Dict, key: string): string | undefined {
  const v = field(dict, key);
  return v instanceof Uint8Array ? (fromUtf8(v) ?? undefined) : undefined;
}

function safeComponent(component: string, where: string): string {
  const reason = unsafeComponentReason(component);
  if (reason !== null) {
    throw new TabswarmError(
      'TORRENT_UNSAFE_PATH',
      `Unsafe torrent: ${where} ${reason}; such a path could write outside the download folder, so the torrent is refused.`,
    );
  }
  return component;
}

function parseFiles(list: BencodeValue | undefined): Array<{ path: string[]; length: number }> {
  if (!Array.isArray(list)) invalid('info.files must be a list');
  if (list.length === 0) invalid('info.files is empty');
  if (list.length > MAX_FILES) invalid(`info.files has ${list.length} entries (at most ${MAX_FILES})`);
  return list.map((entry, i) => {
    const f = requireDict(entry, `info.files[${i}]`);
    const length = requireInt(f, 'length', `info.files[${i}].length`, 0);
    const rawPath = field(f, 'path');
    if (rawPath === undefined) invalid(`missing info.files[${i}].path`);
    if (!Array.isArray(rawPath)) invalid(`info.files[${i}].path must be a list`);
    if (rawPath.length === 0) {
      throw new TabswarmError('TORRENT_UNSAFE_PATH', `Unsafe torrent: info.files[${i}].path is empty, so the file has no name.`);
    }
    const path = rawPath.map((c, j) => {
      const where = `info.files[${i}].path[${j}]`;
      if (!(c instanceof Uint8Array)) invalid(`${where} must be a byte string`);
      const text = fromUtf8(c);
      if (text === null) invalid(`${where} is not valid UTF-8`);
      return safeComponent(text, where);
    });
    return { path, length };
  });
}

/** Two entries must not claim the same file, nor a file and a folder of one name ("a" and "a/b"). */
function checkDistinctPaths(files: ReadonlyArray<{ path: string[] }>): void {
  const filesSeen = new Set<string>();
  const foldersSeen = new Set<string>();
  for (const { path } of files) {
    const key = path.join('\0');
    if (filesSeen.has(key) || foldersSeen.has(key)) invalid(`the path "${path.join('/')}" is used twice`);
    filesSeen.add(key);
    for (let n = 1; n < path.length; n++) {
      const folder = path.slice(0, n).join('\0');
      if (filesSeen.has(folder)) invalid(`"${path.slice(0, n).join('/')}" is both a file and a folder`);
      foldersSeen.add(folder);
    }
  }
}

/**
 * Validates a bencoded info dictionary and computes its info hash. Used for `.torrent` files and for
 * metadata fetched from peers (BEP 9), so both paths accept exactly the same torrents.
 */
export function parseInfo(infoBytes: Uint8Array): Omit<Metainfo, 'announce' | 'urlList'> {
  const info = requireDict(decodeOrInvalid(infoBytes), 'info dictionary');
  const name = safeComponent(requireText(info, 'name', 'info.name'), 'info.name');
  const pieceLength = requireInt(info, 'piece length', 'info["piece length"]', MIN_PIECE_LENGTH_BYTES, MAX_PIECE_LENGTH_BYTES);
  const pieces = requireBytes(info, 'pieces', 'info.pieces');
  if (pieces.length % SHA1_LENGTH_BYTES !== 0) {
    invalid(`info.pieces is ${pieces.length} bytes, not a multiple of ${SHA1_LENGTH_BYTES}`);
  }

  const hasLength = field(info, 'length') !== undefined;
  const hasFiles = field(info, 'files') !== undefined;
  if (hasLength && hasFiles) invalid('info has both "length" and "files"');
  if (!hasLength && !hasFiles) invalid('missing info.length (one file) or info.files (a folder)');

  const raw = hasFiles ? parseFiles(field(info, 'files')) : [{ path: [name], length: requireInt(info, 'length', 'info.length', 0) }];
  if (hasFiles) checkDistinctPaths(raw);

  let offset = 0;
  const files: TorrentFileEntry[] = raw.map((f) => {
    const entry = { path: f.path, length: f.length, offset };
    offset += f.length;
    return entry;
  });
  const length = offset;
  if (!Number.isSafeInteger(length)) invalid('the total length is too large');
  if (length === 0) invalid('the torrent has no content (total length 0)');

  const pieceCount = pieces.length / SHA1_LENGTH_BYTES;
  const expected = Math.ceil(length / pieceLength);
  if (pieceCount !== expected) {
    invalid(`info.pieces holds ${pieceCount} hashes but ${length} bytes in ${pieceLength}-byte pieces need ${expected}`);
  }

  const infoHashBytes = sha1Sync(infoBytes);
  return {
    infoHash: toHex(infoHashBytes),
    infoHashBytes,
    infoBytes: infoBytes.slice(),
    name,
    pieceLength,
    pieceCount,
    pieces: pieces.slice(),
    length,
    multiFile: hasFiles,
    files,
  };
}

function urlStrings(value: BencodeValue | undefined): string[] {
  if (value instanceof Uint8Array) {
    const s = fromUtf8(value);
    return s ? [s] : [];
  }
  if (Array.isArray(value)) return value.flatMap((v) => urlStrings(v));
  return [];
}

function decodeOrInvalid<T>(bytes: Uint8Array, decode: (b: Uint8Array) => T = bdecode as (b: Uint8Array) => T): T {
  try {
    return decode(bytes);
  } catch (err) {
    if (err instanceof TabswarmError) invalid(`not valid bencode (${err.message.replace(/\.$/, "")})`);
    throw err;
  }
}

/** Parses a whole `.torrent` file. The info hash covers the info dictionary's original bytes. */
export function parseTorrent(torrentBytes: Uint8Array): Metainfo {
  const dict = requireDict(decodeOrInvalid(torrentBytes), 'top-level dictionary');
  const spans = decodeOrInvalid(torrentBytes, dictionarySpans);
  const span = spans.get('info');
  if (!span) invalid('missing info dictionary');
  const meta = parseInfo(torrentBytes.subarray(span.start, span.end));

  // BEP 12: announce-list is a list of tiers; we keep every URL once, announce first.
  const announce = [...new Set([...urlStrings(field(dict, 'announce')), ...urlStrings(field(dict, 'announce-list'))])];
  const urlList = [...new Set(urlStrings(field(dict, 'url-list')))];
  const creationDate = field(dict, 'creation date');
  const result: Metainfo = { ...meta, announce, urlList };
  const createdBy = optionalText(dict, 'created by');
  const comment = optionalText(dict, 'comment');
  if (createdBy !== undefined) result.createdBy = createdBy;
  if (comment !== undefined) result.comment = comment;
  if (typeof creationDate === 'number') result.creationDate = creationDate;
  return result;
}
