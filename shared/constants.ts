/** Protocol constants fixed by the design (see ../shared/GUIDE.md §2). Units are in the names. */

/** Every torrent we create uses 256 KiB pieces (BEP 3 leaves the size to the creator; we fix it). */
export const PIECE_LENGTH_BYTES = 262_144;
/** Peers request 16 KiB blocks; BEP 3 clients commonly drop peers that ask for more. */
export const BLOCK_LENGTH_BYTES = 16_384;
/** A SHA-1 digest, the unit of the `pieces` string and of info hashes. */
export const SHA1_LENGTH_BYTES = 20;
/** Info hashes and peer ids are 20 raw bytes. */
export const INFO_HASH_LENGTH_BYTES = 20;
export const PEER_ID_LENGTH_BYTES = 20;

/** BEP 9: metadata is exchanged in 16 KiB pieces. */
export const METADATA_PIECE_LENGTH_BYTES = 16_384;
/** Refuse info dictionaries larger than this from peers (a 1 TiB torrent at 256 KiB pieces is ~80 MiB of hashes; 16 MiB is far beyond any torrent we make). */
export const MAX_METADATA_BYTES = 16 * 1024 * 1024;

/** BEP 3 choking rhythm. Tests pass their own; these are the protocol's defaults. */
export const RECHOKE_INTERVAL_MS = 10_000;
export const OPTIMISTIC_UNCHOKE_INTERVAL_MS = 30_000;
export const REGULAR_UNCHOKE_SLOTS = 4;

/** Default tracker re-announce interval handed to clients, in seconds (WebTorrent's trackers use 120). */
export const ANNOUNCE_INTERVAL_S = 120;

/** The default port of `npm start`: app and tracker on one port. */
export const DEFAULT_PORT = 8080;
