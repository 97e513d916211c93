/**
 * The server's store (the seed of last resort), as both sides see it: its URL paths, what its
 * answers say, and the error codes it refuses with. The server verifies every piece against the
 * torrent's hashes as it arrives; the stored files are then served as a BEP 19 web seed.
 */

/** POST a .torrent here to open (or resume) an upload. */
export const STORE_PATH = '/store';
/**
 * `POST /store?expires=<unix seconds>`: delete the copy then, if that is sooner than the server's own
 * expiry (a private link's expiry: the ciphertext goes when the link does). Never extends it.
 */
export const STORE_EXPIRES_PARAM = 'expires';
/** Stored content, as a web seed: `${origin}${FILES_PATH}/${infoHash}/` + the torrent's name and paths. */
export const FILES_PATH = '/files';

/** A .torrent posted to the store, at most (the info dictionary of a 16k-piece torrent is ~330 KB). */
export const STORE_MAX_TORRENT_BYTES = 4 * 1024 * 1024;

export type StoreErrorCode =
  | 'STORE_DISABLED'
  | 'STORE_TORRENT_INVALID'
  | 'STORE_FILE_TOO_LARGE'
  | 'STORE_FULL'
  | 'STORE_NOT_FOUND'
  | 'STORE_PIECE_INVALID'
  | 'STORE_PIECE_MISMATCH'
  | 'STORE_EXPIRY_INVALID';

/** What the store says about one stored torrent. */
export interface StoreStatus {
  infoHash: string;
  name: string;
  length: number;
  pieceCount: number;
  /** Verified pieces as "1010…". */
  have: string;
  complete: boolean;
  /** The web seed URL for links and torrents (BEP 19: ends in "/", the name is appended). */
  webSeed: string;
  /** The .torrent's URL, for a magnet link's xs=: its metadata with no peer online. */
  torrentUrl: string;
  /** When the server deletes it (ms since the epoch). */
  expiresAt: number;
}

/** What /config says of the store: absent when the deployment has none. */
export interface StoreLimits {
  maxFileBytes: number;
  maxTotalBytes: number;
  expiryMs: number;
}

export interface StoreErrorBody {
  error: { code: StoreErrorCode; message: string };
}

export function storePiecePath(infoHash: string, index: number): string {
  return `${STORE_PATH}/${infoHash}/pieces/${index}`;
}

export function storeStatusPath(infoHash: string): string {
  return `${STORE_PATH}/${infoHash}`;
}

export function storeTorrentPath(infoHash: string): string {
  return `${STORE_PATH}/${infoHash}/torrent`;
}

/**
 * The web seed path of a stored torrent: for one file, the file's own URL; for a folder, the folder
 * URL ending in "/" (BEP 19 appends the name and paths). A single file is named by its own URL, not
 * a folder URL, because WebTorrent uses a single-file torrent's web seed URL as it is.
 */
export function webSeedPath(meta: { infoHash: string; name: string; multiFile: boolean }): string {
  return meta.multiFile ? `${FILES_PATH}/${meta.infoHash}/` : `${FILES_PATH}/${meta.infoHash}/${encodeURIComponent(meta.name)}`;
}
