/**
 * Every error Tabswarm reports carries a stable `code` a program can branch on and a message a
 * person can act on. Codes are grouped by the layer that raises them.
 */
export type ErrorCode =
  // bencode and metainfo
  | 'BENCODE_INVALID'
  | 'TORRENT_INVALID'
  | 'TORRENT_UNSAFE_PATH'
  // magnet links
  | 'MAGNET_INVALID'
  // wire protocol
  | 'WIRE_PROTOCOL_ERROR'
  | 'WIRE_MESSAGE_TOO_LARGE'
  // tracker messages
  | 'TRACKER_MESSAGE_INVALID'
  // the swarm engine
  | 'PIECE_HASH_MISMATCH'
  | 'HASH_FAILED'
  | 'METADATA_UNAVAILABLE'
  | 'PEER_BANNED'
  | 'STORAGE_READ_FAILED'
  | 'STORAGE_WRITE_FAILED'
  | 'DISK_FULL'
  | 'QUOTA_EXCEEDED'
  | 'NO_PEERS'
  | 'TRACKER_UNREACHABLE'
  | 'PEER_UNREACHABLE'
  | 'RELAY_UNAVAILABLE'
  | 'WEB_SEED_FAILED'
  // the server's store (the seed of last resort)
  | 'STORE_REFUSED'
  | 'STORE_UNREACHABLE'
  // creation from the file system
  | 'INPUT_NOT_FOUND'
  | 'INPUT_UNREADABLE'
  | 'INPUT_EMPTY'
  // private shares
  | 'PRIVATE_UNSUPPORTED'
  | 'PRIVATE_KEY_INVALID'
  | 'PRIVATE_KEY_WRONG'
  | 'PRIVATE_KEY_MISSING'
  | 'PRIVATE_SHARE_INVALID'
  | 'PRIVATE_RECORD_TAMPERED'
  | 'PRIVATE_SIGNAL_UNAUTHENTICATED'
  | 'LINK_EXPIRED';

export class TabswarmError extends Error {
  override readonly name = 'TabswarmError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isTabswarmError(err: unknown, code?: ErrorCode): err is TabswarmError {
  return err instanceof TabswarmError && (code === undefined || err.code === code);
}
