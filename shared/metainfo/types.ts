/** A parsed BitTorrent v1 torrent: what every other layer needs, with the exact bytes it came from. */

export interface TorrentFileEntry {
  /** Path components below the torrent's folder; for a single-file torrent, `[name]`. Each is a safe component. */
  path: string[];
  length: number;
  /** Byte offset of this file in the torrent's concatenated content (pieces run across files). */
  offset: number;
}

export interface Metainfo {
  /** Lower-case hex SHA-1 of `infoBytes`. */
  infoHash: string;
  infoHashBytes: Uint8Array;
  /** The bencoded info dictionary exactly as in the source (what `ut_metadata` serves). */
  infoBytes: Uint8Array;
  name: string;
  pieceLength: number;
  /** Number of pieces; `pieceHash(i)` gives each 20-byte SHA-1. */
  pieceCount: number;
  /** The concatenated 20-byte piece hashes (the info dictionary's `pieces`). */
  pieces: Uint8Array;
  /** Total content length in bytes. */
  length: number;
  /** True when the info dictionary has `files` (a folder), false for `length` (one file). */
  multiFile: boolean;
  files: TorrentFileEntry[];
  /** `announce` followed by every `announce-list` URL not already named, in order. */
  announce: string[];
  /** BEP 19 web seeds from `url-list`. */
  urlList: string[];
  createdBy?: string;
  creationDate?: number;
  comment?: string;
}

export function pieceHash(meta: Pick<Metainfo, 'pieces'>, index: number): Uint8Array {
  return meta.pieces.subarray(index * 20, index * 20 + 20);
}

/** Length of piece `index`: `pieceLength` except for the last, which holds the remainder. */
export function pieceSize(meta: Pick<Metainfo, 'length' | 'pieceLength' | 'pieceCount'>, index: number): number {
  if (index < meta.pieceCount - 1) return meta.pieceLength;
  return meta.length - meta.pieceLength * (meta.pieceCount - 1);
}
