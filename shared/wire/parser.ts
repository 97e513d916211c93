/**
 * Incremental parser for the peer wire byte stream. Data-channel messages may split or join wire
 * messages anywhere, so the parser only ever "waits for N bytes, then decodes": first the 68-byte
 * handshake, then a 4-byte length, then that many bytes. It never throws on input: garbage becomes
 * one `error` event and the parser stops, so the caller can drop the peer and nothing else.
 */
import { bytesEqual, readUint32BE, utf8 } from '../bytes.ts';
import { BLOCK_LENGTH_BYTES } from '../constants.ts';
import { TabswarmError } from '../errors.ts';
import {
  EXTENSION_RESERVED_BIT,
  EXTENSION_RESERVED_BYTE,
  HANDSHAKE_LENGTH_BYTES,
  MAX_FRAME_PAYLOAD_BYTES,
  MessageId,
  PROTOCOL_NAME,
  type Handshake,
  type WireMessage,
} from './messages.ts';

export type ParserEvent =
  | { kind: 'handshake'; handshake: Handshake }
  | { kind: 'message'; message: WireMessage }
  | { kind: 'error'; error: TabswarmError };

export interface WireParserOptions {
  /** Start by expecting the BEP 3 handshake (default true). */
  expectHandshake?: boolean;
  /** Largest frame accepted, length prefix excluded. */
  maxFramePayload?: number;
  /** Largest bitfield accepted; the engine sets ceil(pieces / 8) once it knows the torrent. */
  maxBitfieldBytes?: number;
  /** Largest block a peer may request (BEP 3 practice: 16 KiB). */
  maxRequestLength?: number;
}

const PROTOCOL_BYTES = utf8(PROTOCOL_NAME);
const LENGTH_PREFIX_BYTES = 4;

/** Fixed payload lengths (after the id byte) of the messages that have one. */
const FIXED_PAYLOAD: Partial<Record<number, number>> = {
  [MessageId.choke]: 0,
  [MessageId.unchoke]: 0,
  [MessageId.interested]: 0,
  [MessageId.notInterested]: 0,
  [MessageId.have]: 4,
  [MessageId.request]: 12,
  [MessageId.cancel]: 12,
};

class ProtocolError extends Error {
  constructor(readonly error: TabswarmError) {
    super(error.message);
  }
}

function protocolError(message: string): never {
  throw new ProtocolError(new TabswarmError('WIRE_PROTOCOL_ERROR', `Peer protocol error: ${message}.`));
}

function tooLarge(message: string): never {
  throw new ProtocolError(new TabswarmError('WIRE_MESSAGE_TOO_LARGE', `Peer sent too much: ${message}.`));
}

export class WireParser {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private state: 'handshake' | 'length' | 'body' | 'failed';
  private bodyLength = 0;
  private readonly maxFramePayload: number;
  private maxBitfieldBytes: number;
  private readonly maxRequestLength: number;

  constructor(opts: WireParserOptions = {}) {
    this.state = opts.expectHandshake === false ? 'length' : 'handshake';
    this.maxFramePayload = opts.maxFramePayload ?? MAX_FRAME_PAYLOAD_BYTES;
    this.maxBitfieldBytes = opts.maxBitfieldBytes ?? this.maxFramePayload;
    this.maxRequestLength = opts.maxRequestLength ?? BLOCK_LENGTH_BYTES;
  }

  get failed(): boolean {
    return this.state === 'failed';
  }

  /** Bytes received but not yet forming a whole message. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Once the torrent is known, bitfields have an exact size: ceil(pieceCount / 8). */
  setMaxBitfieldBytes(bytes: number): void {
    this.maxBitfieldBytes = bytes;
  }

  push(chunk: Uint8Array): ParserEvent[] {
    if (this.state === 'failed') return [];
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const events: ParserEvent[] = [];
    try {
      for (;;) {
        if (this.state === 'handshake') {
          if (this.buffered < HANDSHAKE_LENGTH_BYTES) break;
          events.push({ kind: 'handshake', handshake: this.decodeHandshake(this.take(HANDSHAKE_LENGTH_BYTES)) });
          this.state = 'length';
        } else if (this.state === 'length') {
          if (this.buffered < LENGTH_PREFIX_BYTES) break;
          const b = this.take(LENGTH_PREFIX_BYTES);
          const length = readUint32BE(b, 0);
          if (length === 0) {
            events.push({ kind: 'message', message: { type: 'keep-alive' } });
            continue;
          }
          // Judge the length before buffering the body: a peer must not make us hold gigabytes.
          const limit = Math.max(this.maxFramePayload, this.maxBitfieldBytes + 1);
          if (length > limit) tooLarge(`a ${length}-byte frame (limit ${limit})`);
          this.bodyLength = length;
          this.state = 'body';
        } else if (this.state === 'body') {
          if (this.buffered < this.bodyLength) break;
          events.push({ kind: 'message', message: this.decodeBody(this.take(this.bodyLength)) });
          this.state = 'length';
        } else {
          break;
        }
      }
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      this.state = 'failed';
      this.chunks = [];
      this.buffered = 0;
      events.push({ kind: 'error', error: err.error });
    }
    return events;
  }

  /**
   * Removes and returns the next n buffered bytes. When one pushed chunk holds them all (a whole
   * 16 KiB block inside a 64 KiB data-channel message, the common case) they come back as a view
   * into it, not a copy: the engine copies a block into its piece once, and copying it here first
   * cost a second copy and its garbage per block. Callers read what they get and do not write to it.
   */
  private take(n: number): Uint8Array {
    const first = this.chunks[0]!;
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.buffered -= n;
      return first.subarray(0, n);
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const head = this.chunks[0]!;
      const want = n - filled;
      if (head.length <= want) {
        out.set(head, filled);
        filled += head.length;
        this.chunks.shift();
      } else {
        out.set(head.subarray(0, want), filled);
        this.chunks[0] = head.subarray(want);
        filled += want;
      }
    }
    this.buffered -= n;
    return out;
  }

  private decodeHandshake(b: Uint8Array): Handshake {
    if (b[0] !== PROTOCOL_BYTES.length || !bytesEqual(b.subarray(1, 20), PROTOCOL_BYTES)) {
      protocolError('the handshake does not start with "\\x13BitTorrent protocol"');
    }
    const reserved = b.slice(20, 28);
    return {
      reserved,
      extended: (reserved[EXTENSION_RESERVED_BYTE]! & EXTENSION_RESERVED_BIT) !== 0,
      infoHash: b.slice(28, 48),
      peerId: b.slice(48, 68),
    };
  }

  private decodeBody(body: Uint8Array): WireMessage {
    const id = body[0]!;
    const payload = body.subarray(1);
    const fixed = FIXED_PAYLOAD[id];
    if (fixed !== undefined && payload.length !== fixed) {
      protocolError(`message id ${id} must carry ${fixed} payload bytes, not ${payload.length}`);
    }
    const view = new DataView(body.buffer, body.byteOffset + 1, payload.length);
    switch (id) {
      case MessageId.choke:
        return { type: 'choke' };
      case MessageId.unchoke:
        return { type: 'unchoke' };
      case MessageId.interested:
        return { type: 'interested' };
      case MessageId.notInterested:
        return { type: 'not-interested' };
      case MessageId.have:
        return { type: 'have', index: view.getUint32(0) };
      case MessageId.bitfield:
        if (payload.length > this.maxBitfieldBytes) tooLarge(`a ${payload.length}-byte bitfield (limit ${this.maxBitfieldBytes})`);
        return { type: 'bitfield', bitfield: payload };
      case MessageId.request:
      case MessageId.cancel: {
        const index = view.getUint32(0);
        const begin = view.getUint32(4);
        const length = view.getUint32(8);
        if (length === 0) protocolError(`a ${id === MessageId.request ? 'request' : 'cancel'} for 0 bytes`);
        if (length > this.maxRequestLength) tooLarge(`a request for ${length} bytes (blocks are at most ${this.maxRequestLength})`);
        return { type: id === MessageId.request ? 'request' : 'cancel', index, begin, length };
      }
      case MessageId.piece: {
        if (payload.length < 8) protocolError('a piece message shorter than its 8-byte header');
        const block = payload.subarray(8);
        if (block.length > this.maxRequestLength) tooLarge(`a ${block.length}-byte block (blocks are at most ${this.maxRequestLength})`);
        return { type: 'piece', index: view.getUint32(0), begin: view.getUint32(4), block };
      }
      case MessageId.extended:
        if (payload.length < 1) protocolError('an extended message without its extension id');
        return { type: 'extended', id: payload[0]!, payload: payload.subarray(1) };
      default:
        return { type: 'unknown', id, payload };
    }
  }
}
