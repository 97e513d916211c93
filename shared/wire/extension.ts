/**
 * Payloads of BEP 10 extended messages: the extension handshake (extended id 0) and BEP 9
 * `ut_metadata`, which lets a peer holding only a magnet link fetch the info dictionary.
 */
import { bdecode, bdecodePrefix, bencodeBytes, field, isDict, type BencodeValue } from '../bencode.ts';
import { concatBytes, fromUtf8 } from '../bytes.ts';
import { MAX_METADATA_BYTES, METADATA_PIECE_LENGTH_BYTES } from '../constants.ts';
import { TabswarmError } from '../errors.ts';
import { err, ok, type Result } from '../result.ts';

/** The extension names we speak, and the ids we ask peers to use for them (BEP 10 `m`). */
export const UT_METADATA = 'ut_metadata';
export const LOCAL_EXTENSION_IDS = { [UT_METADATA]: 1 } as const;

export interface ExtendedHandshake {
  /** Extension name → the id the sender wants to receive it on; 0 means "disabled" (BEP 10). */
  m: Record<string, number>;
  /** BEP 9: size of the info dictionary in bytes, when the sender has it. */
  metadataSize?: number;
  /** Client name and version. */
  v?: string;
  /** How many outstanding requests the sender queues. */
  reqq?: number;
  /**
   * Small facts a Tabswarm peer tells its neighbours (key `tabswarm`: name → integer), e.g. the
   * teaching demo's upload and download limits. Other clients ignore the key (BEP 10 allows
   * extra keys, and sending the handshake again to update it).
   */
  advert?: Record<string, number>;
}

/** An advert holds at most this many entries, each a safe integer. */
export const MAX_ADVERT_KEYS = 16;

export type MetadataMessage =
  | { msgType: 'request'; piece: number }
  | { msgType: 'data'; piece: number; totalSize: number; data: Uint8Array }
  | { msgType: 'reject'; piece: number };

const METADATA_MSG_TYPES = ['request', 'data', 'reject'] as const;

function protocolError(message: string): Result<never> {
  return err(new TabswarmError('WIRE_PROTOCOL_ERROR', `Peer protocol error: ${message}.`));
}

function decodeDict(payload: Uint8Array, what: string): Result<{ [key: string]: BencodeValue }> {
  try {
    const v = bdecode(payload);
    return isDict(v) ? ok(v) : protocolError(`${what} is not a dictionary`);
  } catch (e) {
    return protocolError(`${what} is not valid bencode (${(e as Error).message})`);
  }
}

const isId = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 255;

export function encodeExtendedHandshake(h: ExtendedHandshake): Uint8Array {
  const dict: Record<string, unknown> = { m: h.m };
  if (h.metadataSize !== undefined) dict.metadata_size = h.metadataSize;
  if (h.v !== undefined) dict.v = h.v;
  if (h.reqq !== undefined) dict.reqq = h.reqq;
  if (h.advert !== undefined) dict.tabswarm = h.advert;
  return bencodeBytes(dict);
}

export function decodeExtendedHandshake(payload: Uint8Array): Result<ExtendedHandshake> {
  const decoded = decodeDict(payload, 'the extended handshake');
  if (!decoded.ok) return decoded;
  const d = decoded.value;
  const rawM = field(d, 'm');
  const m: Record<string, number> = {};
  if (rawM !== undefined) {
    if (!isDict(rawM)) return protocolError('the extended handshake\'s "m" is not a dictionary');
    for (const name of Object.keys(rawM)) {
      const id = rawM[name];
      // Unknown extensions may use ids we cannot read; only ours must be well-formed.
      if (isId(id)) m[name] = id;
      else if (name === UT_METADATA) return protocolError(`the extended handshake gives ${UT_METADATA} an invalid id`);
    }
  }
  const out: ExtendedHandshake = { m };
  const size = field(d, 'metadata_size');
  if (size !== undefined) {
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size <= 0 || size > MAX_METADATA_BYTES) {
      return protocolError(`metadata_size must be 1…${MAX_METADATA_BYTES} bytes`);
    }
    out.metadataSize = size;
  }
  const v = field(d, 'v');
  if (v instanceof Uint8Array) {
    const text = fromUtf8(v);
    if (text !== null) out.v = text;
  }
  const reqq = field(d, 'reqq');
  if (typeof reqq === 'number' && Number.isSafeInteger(reqq) && reqq > 0) out.reqq = reqq;
  const advert = field(d, 'tabswarm');
  // Best effort: a malformed advert is dropped, not a protocol error (it is ours, not BitTorrent's).
  if (isDict(advert) && Object.keys(advert).length <= MAX_ADVERT_KEYS) {
    const entries = Object.entries(advert).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isSafeInteger(e[1]));
    out.advert = Object.fromEntries(entries);
  }
  return ok(out);
}

export function encodeMetadataMessage(msg: MetadataMessage): Uint8Array {
  const dict: Record<string, unknown> = { msg_type: METADATA_MSG_TYPES.indexOf(msg.msgType), piece: msg.piece };
  if (msg.msgType === 'data') {
    dict.total_size = msg.totalSize;
    return concatBytes([bencodeBytes(dict), msg.data]);
  }
  return bencodeBytes(dict);
}

/** Number of BEP 9 pieces for metadata of `size` bytes. */
export function metadataPieceCount(size: number): number {
  return Math.ceil(size / METADATA_PIECE_LENGTH_BYTES);
}

export function decodeMetadataMessage(payload: Uint8Array): Result<MetadataMessage> {
  let dict: BencodeValue;
  let end: number;
  try {
    ({ value: dict, end } = bdecodePrefix(payload));
  } catch (e) {
    return protocolError(`a ut_metadata message is not valid bencode (${(e as Error).message})`);
  }
  if (!isDict(dict)) return protocolError('a ut_metadata message is not a dictionary');
  const type = field(dict, 'msg_type');
  const piece = field(dict, 'piece');
  if (typeof type !== 'number' || METADATA_MSG_TYPES[type] === undefined) return protocolError('a ut_metadata message has an unknown msg_type');
  if (typeof piece !== 'number' || !Number.isSafeInteger(piece) || piece < 0 || piece >= metadataPieceCount(MAX_METADATA_BYTES)) {
    return protocolError('a ut_metadata message has an invalid piece index');
  }
  const msgType = METADATA_MSG_TYPES[type]!;
  if (msgType !== 'data') {
    if (end !== payload.length) return protocolError(`a ut_metadata ${msgType} has trailing bytes`);
    return ok({ msgType, piece });
  }
  const totalSize = field(dict, 'total_size');
  if (typeof totalSize !== 'number' || !Number.isSafeInteger(totalSize) || totalSize <= 0 || totalSize > MAX_METADATA_BYTES) {
    return protocolError(`a ut_metadata data message needs total_size 1…${MAX_METADATA_BYTES}`);
  }
  const data = payload.slice(end);
  if (data.length > METADATA_PIECE_LENGTH_BYTES) return protocolError('a ut_metadata data piece is larger than 16 KiB');
  return ok({ msgType, piece, totalSize, data });
}
