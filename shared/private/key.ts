/**
 * The key of a private share: 32 random bytes that live only in the share link (the magnet's
 * `x.tsk` parameter, itself inside the app link's #fragment, which browsers never send to a server).
 * Two keys are derived from it with HKDF, so that the one the signalling MAC uses can never decrypt
 * content: an AES-256-GCM key for the records and an HMAC-SHA-256 key for DTLS fingerprints.
 * Everything goes through WebCrypto, which Node 20 and every browser we support have.
 */
import { toHex } from '../bytes.ts';
import { TabswarmError } from '../errors.ts';

export const LINK_KEY_BYTES = 32;
/** The magnet parameter that carries the key (BEP 9 leaves `x.` names to clients). */
export const LINK_KEY_PARAM = 'x.tsk';
const HKDF_CONTENT_INFO = 'tabswarm/private/v1/content';
const HKDF_SIGNAL_INFO = 'tabswarm/private/v1/signal';

export interface PrivateKeys {
  /** AES-256-GCM: the records. */
  content: CryptoKey;
  /** HMAC-SHA-256: offers' and answers' DTLS fingerprints. */
  signal: CryptoKey;
}

/** WebCrypto, or a clear error where a page has none (plain-http pages other than localhost). */
export function subtleCrypto(): SubtleCrypto {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new TabswarmError('PRIVATE_UNSUPPORTED', 'Private links need WebCrypto, which browsers give only to secure pages: open Tabswarm over https (or on localhost).');
  return subtle;
}

export function newLinkKey(): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(LINK_KEY_BYTES));
}

/** base64url without padding: 43 characters for 32 bytes, safe in a URL and a fragment. */
export function encodeLinkKey(key: Uint8Array): string {
  let binary = '';
  for (const b of key) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

export function decodeLinkKey(text: string): Uint8Array {
  const bad = () => new TabswarmError('PRIVATE_KEY_INVALID', `The link's key is damaged: it should be ${Math.ceil((LINK_KEY_BYTES * 4) / 3)} characters of base64url. Copy the whole link again, including everything after "#".`);
  if (!/^[A-Za-z0-9_-]+$/.test(text)) throw bad();
  let binary: string;
  try {
    binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  } catch {
    throw bad();
  }
  if (binary.length !== LINK_KEY_BYTES) throw bad();
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

export async function deriveKeys(linkKey: Uint8Array): Promise<PrivateKeys> {
  const subtle = subtleCrypto();
  const master = await subtle.importKey('raw', linkKey as Uint8Array<ArrayBuffer>, 'HKDF', false, ['deriveKey']);
  const hkdf = (info: string): HkdfParams => ({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: new TextEncoder().encode(info) });
  const content = await subtle.deriveKey(hkdf(HKDF_CONTENT_INFO), master, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  const signal = await subtle.deriveKey(hkdf(HKDF_SIGNAL_INFO), master, { name: 'HMAC', hash: 'SHA-256', length: 256 }, false, ['sign', 'verify']);
  return { content, signal };
}

/**
 * The sealed file's name (and so the torrent's): from the key, so sealing the same files again with
 * the same key makes the same torrent (a restarted seeder keeps its link), and it says nothing of
 * the content.
 */
export async function sealedFileName(linkKey: Uint8Array): Promise<string> {
  const label = new TextEncoder().encode('tabswarm-private-name\n');
  const input = new Uint8Array(label.length + linkKey.length);
  input.set(label);
  input.set(linkKey, label.length);
  const digest = new Uint8Array(await subtleCrypto().digest('SHA-256', input));
  return `tabswarm-private-${toHex(digest.subarray(0, 8))}`;
}

/** A link whose key does not open its share: said the same way whichever part failed to open. */
export function wrongKeyError(): TabswarmError {
  return new TabswarmError('PRIVATE_KEY_WRONG', "This link's key does not open the share: the link was cut short or changed, or the key is another share's. Ask the sharer for the link again.");
}
