/**
 * Magnet links (BEP 9): `magnet:?xt=urn:btih:<hash>&dn=<name>&tr=<tracker>&ws=<web seed>&xs=<.torrent URL>`.
 * The hash may be 40 hex digits or 32 base32 characters; we always emit hex.
 */
import { fromHex, toHex } from './bytes.ts';
import { TabswarmError } from './errors.ts';
import { decodeLinkKey, LINK_KEY_PARAM } from './private/key.ts';

/** The magnet parameter of a link's expiry (BEP 9 leaves `x.` names to clients). */
export const LINK_EXPIRY_PARAM = 'x.tse';
/** The magnet parameter that lets keyless peers relay a private share's ciphertext. */
export const LINK_RELAYS_PARAM = 'x.tsr';

export interface MagnetLink {
  /** Lower-case hex info hash. */
  infoHash: string;
  /** `dn`: a display name, only a hint until the metadata arrives. */
  name?: string;
  /** `tr`, in order, each once. */
  trackers: string[];
  /** `ws` (BEP 19 web seeds), in order, each once. */
  webSeeds: string[];
  /** `xs` (exact sources): http(s) URLs of the .torrent itself, so a link works with no peer online. */
  sources: string[];
  /**
   * `x.tsk`: a private share's key (base64url, 32 bytes). It belongs in the app link's #fragment and
   * in nothing sent to a server; the tracker sees only the info hash.
   */
  privateKey?: string;
  /**
   * `x.tse`: when the link expires, in ms since 1970 (the link carries whole seconds): peers stop
   * sharing then, and the server's store deletes its copy. Set on private links.
   */
  expiresAt?: number;
  /**
   * `x.tsr=1`: the sharer lets peers without the key relay a private share's ciphertext (they can
   * carry it, not open it). Without it, private peers accept only signed connections.
   */
  relays?: boolean;
}

const MAGNET_PREFIX = 'magnet:?';
const BTIH_PREFIX = 'urn:btih:';
const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const TRACKER_SCHEMES = new Set(['ws:', 'wss:', 'http:', 'https:', 'udp:']);
const WEB_SEED_SCHEMES = new Set(['http:', 'https:']);
/** Longer links are refused before any parsing work (a magnet is a few hundred bytes in practice). */
export const MAX_MAGNET_LENGTH = 16 * 1024;

function invalid(message: string): never {
  throw new TabswarmError('MAGNET_INVALID', `Invalid magnet link: ${message}.`);
}

/** RFC 4648 base32 without padding, as BEP 9 allows for 160-bit hashes. */
function fromBase32(text: string): Uint8Array | null {
  const upper = text.toUpperCase();
  const out = new Uint8Array(Math.floor((upper.length * 5) / 8));
  let bits = 0;
  let value = 0;
  let index = 0;
  for (const ch of upper) {
    const v = BASE32_ALPHABET.indexOf(ch);
    if (v < 0) return null;
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out[index++] = (value >>> (bits - 8)) & 0xff;
      bits -= 8;
    }
  }
  return out;
}

/** Info hash from the text after `urn:btih:`, or null when it is neither 40 hex nor 32 base32. */
export function parseInfoHash(text: string): string | null {
  if (text.length === 40) {
    const bytes = fromHex(text);
    return bytes ? toHex(bytes) : null;
  }
  if (text.length === 32) {
    const bytes = fromBase32(text);
    return bytes ? toHex(bytes) : null;
  }
  return null;
}

function decodeParam(raw: string, key: string): string {
  try {
    // "+" is a space in form encoding, which some clients use for dn.
    return decodeURIComponent(key === 'dn' ? raw.replace(/\+/g, ' ') : raw);
  } catch {
    invalid(`the "${key}" parameter is not valid percent-encoding`);
  }
}

function checkUrl(url: string, schemes: Set<string>, what: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    invalid(`${what} "${url}" is not a URL`);
  }
  if (!schemes.has(parsed.protocol)) invalid(`${what} "${url}" must use ${[...schemes].join(' ')}`);
  return url;
}

export function parseMagnet(uri: string): MagnetLink {
  if (typeof uri !== 'string') invalid('expected text');
  const text = uri.trim();
  if (text.length > MAX_MAGNET_LENGTH) invalid(`it is longer than ${MAX_MAGNET_LENGTH} characters`);
  if (!text.toLowerCase().startsWith(MAGNET_PREFIX)) invalid('it must start with "magnet:?"');

  let infoHash: string | undefined;
  let name: string | undefined;
  let privateKey: string | undefined;
  let expiresAt: number | undefined;
  let relays = false;
  const trackers: string[] = [];
  const webSeeds: string[] = [];
  const sources: string[] = [];
  for (const part of text.slice(MAGNET_PREFIX.length).split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) invalid(`"${part.slice(0, 40)}" is not a key=value parameter`);
    // BEP 9 numbers repeated keys ("tr.1"); the number carries no meaning for us.
    const key = part.slice(0, eq).toLowerCase().replace(/\.\d+$/, '');
    const value = decodeParam(part.slice(eq + 1), key);
    if (key === 'xt') {
      if (!value.toLowerCase().startsWith(BTIH_PREFIX)) continue; // e.g. urn:btmh (v2) — not ours
      const hash = parseInfoHash(value.slice(BTIH_PREFIX.length));
      if (hash === null) invalid('the btih info hash must be 40 hex digits or 32 base32 characters');
      if (infoHash !== undefined && infoHash !== hash) invalid('it names two different btih info hashes');
      infoHash = hash;
    } else if (key === 'dn') {
      name = value;
    } else if (key === 'tr') {
      const url = checkUrl(value, TRACKER_SCHEMES, 'tracker');
      if (!trackers.includes(url)) trackers.push(url);
    } else if (key === 'ws') {
      const url = checkUrl(value, WEB_SEED_SCHEMES, 'web seed');
      if (!webSeeds.includes(url)) webSeeds.push(url);
    } else if (key === 'xs') {
      // Other exact sources (urn:sha1:…, peer addresses) are not ours to fetch; skip rather than refuse.
      if (!/^https?:/i.test(value)) continue;
      const url = checkUrl(value, WEB_SEED_SCHEMES, 'exact source');
      if (!sources.includes(url)) sources.push(url);
    } else if (key === LINK_KEY_PARAM) {
      decodeLinkKey(value); // a damaged key is named now, not as a failure to decrypt later
      if (privateKey !== undefined && privateKey !== value) invalid('it carries two different private keys');
      privateKey = value;
    } else if (key === LINK_RELAYS_PARAM) {
      relays = value === '1';
    } else if (key === LINK_EXPIRY_PARAM) {
      if (!/^\d{1,12}$/.test(value)) invalid(`its expiry (${LINK_EXPIRY_PARAM}) must be whole seconds since 1970`);
      expiresAt = Number(value) * 1000;
    }
    // Other keys (xl, x.pe, so, …) are optional hints we do not use; BEP 9 lets clients ignore them.
  }
  if (infoHash === undefined) invalid('it has no "xt=urn:btih:" info hash');
  const link: MagnetLink = { infoHash, trackers, webSeeds, sources };
  if (name !== undefined) link.name = name;
  if (privateKey !== undefined) link.privateKey = privateKey;
  if (expiresAt !== undefined) link.expiresAt = expiresAt;
  if (relays) link.relays = true;
  return link;
}

/** What buildMagnet needs: trackers and web seeds may be left out (none). */
export type MagnetInput = Omit<MagnetLink, 'trackers' | 'webSeeds' | 'sources'> & Partial<Pick<MagnetLink, 'trackers' | 'webSeeds' | 'sources'>>;

export function buildMagnet(link: MagnetInput): string {
  if (parseInfoHash(link.infoHash) === null) invalid('the info hash must be 40 hex digits');
  const params = [`xt=${BTIH_PREFIX}${link.infoHash.toLowerCase()}`];
  // A private link names nothing: its torrent's name is meaningless, and the real one is sealed.
  if (link.name !== undefined && link.privateKey === undefined) params.push(`dn=${encodeURIComponent(link.name)}`);
  for (const tr of link.trackers ?? []) params.push(`tr=${encodeURIComponent(tr)}`);
  for (const ws of link.webSeeds ?? []) params.push(`ws=${encodeURIComponent(ws)}`);
  for (const xs of link.sources ?? []) params.push(`xs=${encodeURIComponent(xs)}`);
  if (link.expiresAt !== undefined) params.push(`${LINK_EXPIRY_PARAM}=${Math.floor(link.expiresAt / 1000)}`);
  if (link.relays) params.push(`${LINK_RELAYS_PARAM}=1`);
  if (link.privateKey !== undefined) params.push(`${LINK_KEY_PARAM}=${link.privateKey}`);
  return MAGNET_PREFIX + params.join('&');
}
