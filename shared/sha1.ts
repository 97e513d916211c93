/**
 * SHA-1, as BitTorrent v1 needs it for piece hashes and info hashes. Callers inject a `Sha1` so each
 * place uses the fastest it has: node:crypto in the CLI, WebCrypto in secure browser contexts, and
 * the portable @noble/hashes implementation where `crypto.subtle` is missing (plain-http LAN pages).
 */
import { sha1 as nobleSha1 } from '@noble/hashes/legacy.js';

export type Sha1 = (data: Uint8Array) => Promise<Uint8Array>;

/** Synchronous portable SHA-1, for small inputs such as the info dictionary. */
export function sha1Sync(data: Uint8Array): Uint8Array {
  return nobleSha1(data);
}

export const portableSha1: Sha1 = async (data) => nobleSha1(data);

/** WebCrypto's SHA-1 when this context has it (secure contexts and Node), else null. */
export function webCryptoSha1(): Sha1 | null {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return null;
  return async (data) => new Uint8Array(await subtle.digest('SHA-1', data as Uint8Array<ArrayBuffer>));
}

/** The best SHA-1 this context offers without Node built-ins. */
export function defaultSha1(): Sha1 {
  return webCryptoSha1() ?? portableSha1;
}
