/**
 * A private share's ciphertext: the plaintext cut into records, each sealed with AES-256-GCM, one
 * record per 256 KiB piece exactly (a record's plaintext is a piece less GCM's 16-byte tag). So any
 * piece decrypts on its own — a stream can seek, a web seed or the server's store serves pieces
 * unchanged — and a piece's SHA-1 covers exactly one record.
 *
 * The nonce is the record's index (a key encrypts one share, each index once, so no nonce repeats);
 * the additional data binds the index and the share's plaintext length, so records swapped,
 * replayed at another position, or a ciphertext cut short fail to authenticate.
 */
import { PIECE_LENGTH_BYTES } from '../constants.ts';
import { TabswarmError } from '../errors.ts';
import { subtleCrypto } from './key.ts';

export const GCM_TAG_BYTES = 16;
export const RECORD_CIPHER_BYTES = PIECE_LENGTH_BYTES;
export const RECORD_PLAIN_BYTES = RECORD_CIPHER_BYTES - GCM_TAG_BYTES;
const NONCE_BYTES = 12;
const AAD_LABEL = new TextEncoder().encode('tabswarm-private-v1');

export function recordCount(plainLength: number): number {
  return Math.max(1, Math.ceil(plainLength / RECORD_PLAIN_BYTES));
}

export function cipherLength(plainLength: number): number {
  return plainLength + recordCount(plainLength) * GCM_TAG_BYTES;
}

/** The plaintext length a ciphertext of this length holds; null when no plaintext gives that length. */
export function plainLengthOf(cipherBytes: number): number | null {
  const records = Math.ceil(cipherBytes / RECORD_CIPHER_BYTES);
  const plain = cipherBytes - records * GCM_TAG_BYTES;
  return records > 0 && plain >= 0 && cipherLength(plain) === cipherBytes ? plain : null;
}

/** Plaintext bytes in record `index` of a share of `plainLength` bytes. */
export function recordPlainBytes(plainLength: number, index: number): number {
  return Math.min(RECORD_PLAIN_BYTES, plainLength - index * RECORD_PLAIN_BYTES);
}

function nonce(index: number): Uint8Array<ArrayBuffer> {
  const n = new Uint8Array(NONCE_BYTES);
  new DataView(n.buffer).setBigUint64(4, BigInt(index));
  return n;
}

function additionalData(index: number, plainLength: number): Uint8Array<ArrayBuffer> {
  const aad = new Uint8Array(AAD_LABEL.length + 16);
  aad.set(AAD_LABEL);
  const view = new DataView(aad.buffer);
  view.setBigUint64(AAD_LABEL.length, BigInt(index));
  view.setBigUint64(AAD_LABEL.length + 8, BigInt(plainLength));
  return aad;
}

export async function sealRecord(key: CryptoKey, index: number, plainLength: number, plain: Uint8Array): Promise<Uint8Array> {
  const sealed = await subtleCrypto().encrypt({ name: 'AES-GCM', iv: nonce(index), additionalData: additionalData(index, plainLength), tagLength: GCM_TAG_BYTES * 8 }, key, plain as Uint8Array<ArrayBuffer>);
  return new Uint8Array(sealed);
}

/**
 * Opens one record. A record that does not authenticate is either tampered with or sealed under
 * another key; the caller tells which (record 0 failing first means a wrong key).
 */
export async function openRecord(key: CryptoKey, index: number, plainLength: number, sealed: Uint8Array): Promise<Uint8Array> {
  try {
    const plain = await subtleCrypto().decrypt({ name: 'AES-GCM', iv: nonce(index), additionalData: additionalData(index, plainLength), tagLength: GCM_TAG_BYTES * 8 }, key, sealed as Uint8Array<ArrayBuffer>);
    return new Uint8Array(plain);
  } catch {
    throw new TabswarmError('PRIVATE_RECORD_TAMPERED', `Piece ${index} of this private share does not authenticate: it was changed after it was sealed (or the link's key is not this share's). Nothing from it was used.`);
  }
}
