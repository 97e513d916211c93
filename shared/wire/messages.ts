/**
 * The BitTorrent peer wire protocol as one type per message (BEP 3, BEP 10 extended messages).
 * Layout on the wire, after the handshake: <length:u32 BE><id:u8><payload>, length 0 = keep-alive.
 */
import { BLOCK_LENGTH_BYTES } from '../constants.ts';

/** BEP 3 message ids, then BEP 10's. */
export const MessageId = {
  choke: 0,
  unchoke: 1,
  interested: 2,
  notInterested: 3,
  have: 4,
  bitfield: 5,
  request: 6,
  piece: 7,
  cancel: 8,
  /** BEP 10 */
  extended: 20,
} as const;

/** BEP 3 handshake: <19>"BitTorrent protocol"<reserved:8><info_hash:20><peer_id:20>. */
export const PROTOCOL_NAME = 'BitTorrent protocol';
export const HANDSHAKE_LENGTH_BYTES = 1 + PROTOCOL_NAME.length + 8 + 20 + 20;
/** BEP 10: bit 0x10 of reserved byte 5 says "I speak the extension protocol". */
export const EXTENSION_RESERVED_BYTE = 5;
export const EXTENSION_RESERVED_BIT = 0x10;
/** BEP 10: extended message id 0 is the extension handshake. */
export const EXTENDED_HANDSHAKE_ID = 0;

/**
 * The largest frame we accept (length prefix excluded). A piece message is 9 bytes of header plus a
 * 16 KiB block; a BEP 9 data message carries a small bencoded dict before its 16 KiB of metadata.
 * 1 KiB of headroom covers both; anything bigger is a peer trying to make us buffer.
 */
export const MAX_FRAME_PAYLOAD_BYTES = BLOCK_LENGTH_BYTES + 1024;

export interface Handshake {
  infoHash: Uint8Array;
  peerId: Uint8Array;
  /** The 8 reserved bytes as received (other extensions live here too). */
  reserved: Uint8Array;
  /** BEP 10 support, from the reserved bits. */
  extended: boolean;
}

export type WireMessage =
  | { type: 'keep-alive' }
  | { type: 'choke' }
  | { type: 'unchoke' }
  | { type: 'interested' }
  | { type: 'not-interested' }
  | { type: 'have'; index: number }
  | { type: 'bitfield'; bitfield: Uint8Array }
  | { type: 'request'; index: number; begin: number; length: number }
  | { type: 'piece'; index: number; begin: number; block: Uint8Array }
  | { type: 'cancel'; index: number; begin: number; length: number }
  | { type: 'extended'; id: number; payload: Uint8Array }
  /** Ids we do not implement (BEP 5 port, BEP 6 fast…): passed up so the peer can ignore them. */
  | { type: 'unknown'; id: number; payload: Uint8Array };

export type WireMessageType = WireMessage['type'];
