import { utf8 } from '../bytes.ts';
import { INFO_HASH_LENGTH_BYTES, PEER_ID_LENGTH_BYTES } from '../constants.ts';
import { TabswarmError } from '../errors.ts';
import {
  EXTENSION_RESERVED_BIT,
  EXTENSION_RESERVED_BYTE,
  HANDSHAKE_LENGTH_BYTES,
  MessageId,
  PROTOCOL_NAME,
  type Handshake,
  type WireMessage,
} from './messages.ts';

const PROTOCOL_BYTES = utf8(PROTOCOL_NAME);

export function encodeHandshake(h: Pick<Handshake, 'infoHash' | 'peerId'> & { extended?: boolean; reserved?: Uint8Array }): Uint8Array {
  if (h.infoHash.length !== INFO_HASH_LENGTH_BYTES || h.peerId.length !== PEER_ID_LENGTH_BYTES) {
    throw new TabswarmError('WIRE_PROTOCOL_ERROR', 'A handshake needs a 20-byte info hash and a 20-byte peer id.');
  }
  const out = new Uint8Array(HANDSHAKE_LENGTH_BYTES);
  out[0] = PROTOCOL_BYTES.length;
  out.set(PROTOCOL_BYTES, 1);
  const reserved = out.subarray(1 + PROTOCOL_BYTES.length, 1 + PROTOCOL_BYTES.length + 8);
  if (h.reserved) reserved.set(h.reserved.subarray(0, 8));
  if (h.extended ?? true) reserved[EXTENSION_RESERVED_BYTE]! |= EXTENSION_RESERVED_BIT;
  out.set(h.infoHash, 28);
  out.set(h.peerId, 48);
  return out;
}

function frame(id: number, payloadLength: number): { out: Uint8Array; view: DataView } {
  const out = new Uint8Array(4 + 1 + payloadLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, 1 + payloadLength);
  out[4] = id;
  return { out, view };
}

function triple(id: number, a: number, b: number, c: number): Uint8Array {
  const { out, view } = frame(id, 12);
  view.setUint32(5, a);
  view.setUint32(9, b);
  view.setUint32(13, c);
  return out;
}

/** The 13-byte header of a piece message, so a sender can queue it before the block without copying the block. */
export function encodePieceHeader(index: number, begin: number, blockLength: number): Uint8Array {
  const out = new Uint8Array(13);
  const view = new DataView(out.buffer);
  view.setUint32(0, 9 + blockLength);
  out[4] = MessageId.piece;
  view.setUint32(5, index);
  view.setUint32(9, begin);
  return out;
}

export function encodeMessage(msg: WireMessage): Uint8Array {
  switch (msg.type) {
    case 'keep-alive':
      return new Uint8Array(4);
    case 'choke':
      return frame(MessageId.choke, 0).out;
    case 'unchoke':
      return frame(MessageId.unchoke, 0).out;
    case 'interested':
      return frame(MessageId.interested, 0).out;
    case 'not-interested':
      return frame(MessageId.notInterested, 0).out;
    case 'have': {
      const { out, view } = frame(MessageId.have, 4);
      view.setUint32(5, msg.index);
      return out;
    }
    case 'bitfield': {
      const { out } = frame(MessageId.bitfield, msg.bitfield.length);
      out.set(msg.bitfield, 5);
      return out;
    }
    case 'request':
      return triple(MessageId.request, msg.index, msg.begin, msg.length);
    case 'cancel':
      return triple(MessageId.cancel, msg.index, msg.begin, msg.length);
    case 'piece': {
      const header = encodePieceHeader(msg.index, msg.begin, msg.block.length);
      const out = new Uint8Array(13 + msg.block.length);
      out.set(header);
      out.set(msg.block, 13);
      return out;
    }
    case 'extended': {
      const { out } = frame(MessageId.extended, 1 + msg.payload.length);
      out[5] = msg.id;
      out.set(msg.payload, 6);
      return out;
    }
    case 'unknown': {
      const { out } = frame(msg.id, msg.payload.length);
      out.set(msg.payload, 5);
      return out;
    }
  }
}
