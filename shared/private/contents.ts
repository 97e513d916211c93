/**
 * A private share's contents list, sealed into its torrent's info dictionary as well as at the
 * start of its plaintext. The info dictionary reaches a peer with the metadata (the .torrent, or
 * BEP 9 from the first peer), before any piece: so a viewer knows the names, lengths and types —
 * and a video's player gets its source — without waiting for the first 256 KiB piece, exactly as
 * for a share in the clear. The info hash covers the key, so nobody can change it unnoticed;
 * AES-GCM under the share's content key makes it readable only with the link's key.
 *
 * Shares made before this (or with a list too long to embed) have no such key: their list is read
 * from the first record, as before.
 */
import { bdecode, isDict } from '../bencode.ts';
import { TabswarmError } from '../errors.ts';
import { subtleCrypto, wrongKeyError } from './key.ts';
import { decodeManifest, encodeManifest, MANIFEST_PREFIX_BYTES, manifestJsonLength, type PrivateManifest } from './manifest.ts';
import { GCM_TAG_BYTES } from './records.ts';
import { plainLengthFor } from './seal.ts';

/** The info dictionary's key. Other BitTorrent clients ignore keys they do not know (BEP 3). */
export const CONTENTS_INFO_KEY = 'tabswarm-contents';
/**
 * Longer lists (a folder of thousands of files) stay only in the first record: the info dictionary
 * travels whole to every peer (BEP 9, 16 KiB at a time) before anything else.
 */
export const MAX_EMBEDDED_CONTENTS_BYTES = 64 * 1024;
/**
 * The sealed list is padded to a multiple of this, so its size (which relays and the server's
 * store see) tells little of how many files there are or how long their names are.
 */
export const CONTENTS_PAD_BYTES = 1024;
/**
 * Records use nonces whose first four bytes are zero (records.ts); this one's are 0,0,0,1, so under
 * one content key no nonce is ever used twice.
 */
const CONTENTS_NONCE = new Uint8Array([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
const AAD_LABEL = new TextEncoder().encode('tabswarm-private-contents-v1');

function additionalData(plainLength: number): Uint8Array<ArrayBuffer> {
  const aad = new Uint8Array(AAD_LABEL.length + 8);
  aad.set(AAD_LABEL);
  new DataView(aad.buffer).setBigUint64(AAD_LABEL.length, BigInt(plainLength));
  return aad;
}

/** The list sealed for the info dictionary; null when it is too long to embed. `plainLength`: the whole share's plaintext (list and files). */
export async function sealContents(key: CryptoKey, manifest: PrivateManifest, plainLength: number): Promise<Uint8Array | null> {
  const encoded = encodeManifest(manifest);
  const padded = new Uint8Array(Math.ceil(encoded.length / CONTENTS_PAD_BYTES) * CONTENTS_PAD_BYTES);
  if (padded.length + GCM_TAG_BYTES > MAX_EMBEDDED_CONTENTS_BYTES) return null;
  padded.set(encoded);
  const sealed = await subtleCrypto().encrypt({ name: 'AES-GCM', iv: CONTENTS_NONCE, additionalData: additionalData(plainLength), tagLength: GCM_TAG_BYTES * 8 }, key, padded);
  return new Uint8Array(sealed);
}

/** What a private share's torrent adds to its info dictionary: the sealed list, or nothing when it is too long to embed. */
export async function contentsInfo(key: CryptoKey, manifest: PrivateManifest): Promise<Record<string, Uint8Array>> {
  const sealed = await sealContents(key, manifest, plainLengthFor(manifest));
  return sealed ? { [CONTENTS_INFO_KEY]: sealed } : {};
}

/** The sealed list in a torrent's info dictionary, or null when it has none. */
export function sealedContentsOf(infoBytes: Uint8Array): Uint8Array | null {
  let info;
  try {
    info = bdecode(infoBytes);
  } catch {
    return null; // the torrent's own parser has said what is wrong with it
  }
  const v = isDict(info) ? info[CONTENTS_INFO_KEY] : undefined;
  return v instanceof Uint8Array && v.length <= MAX_EMBEDDED_CONTENTS_BYTES ? v : null;
}

/**
 * Opens the list; `contentOffset` is where the files' bytes start in the plaintext (the same list
 * is at its start). A list that does not authenticate means the link's key is not this share's.
 */
export async function openContents(key: CryptoKey, sealed: Uint8Array, plainLength: number): Promise<{ manifest: PrivateManifest; contentOffset: number }> {
  let padded: Uint8Array;
  try {
    padded = new Uint8Array(await subtleCrypto().decrypt({ name: 'AES-GCM', iv: CONTENTS_NONCE, additionalData: additionalData(plainLength), tagLength: GCM_TAG_BYTES * 8 }, key, sealed as Uint8Array<ArrayBuffer>));
  } catch {
    throw wrongKeyError();
  }
  const jsonLength = manifestJsonLength(padded);
  const contentOffset = MANIFEST_PREFIX_BYTES + jsonLength;
  if (contentOffset > padded.length || contentOffset > plainLength) throw new TabswarmError('PRIVATE_SHARE_INVALID', "This private share's contents list runs past its end; the share is damaged.");
  return { manifest: decodeManifest(padded.subarray(MANIFEST_PREFIX_BYTES, contentOffset), plainLength - contentOffset), contentOffset };
}
