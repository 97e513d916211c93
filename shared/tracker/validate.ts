/**
 * Validators that turn untrusted JSON into the tracker message types, or a TRACKER_MESSAGE_INVALID
 * error naming the field. They never throw: any JSON value (nulls, arrays, wrong types, hostile
 * keys such as "__proto__") gets a result. The server validates what clients send; the client
 * validates what the server sends.
 */
import { TabswarmError } from '../errors.ts';
import { err, ok, type Result } from '../result.ts';
import type {
  AnnounceEvent,
  ClientMessage,
  OfferEntry,
  ScrapeCounts,
  ServerMessage,
} from './messages.ts';

export interface ValidationLimits {
  /** Largest SDP accepted, in UTF-16 code units (SDP is ASCII, so bytes). */
  maxSdpLength: number;
  /** Most offers in one announce. */
  maxOffers: number;
  /** Most info hashes in one scrape. */
  maxScrapeHashes: number;
}

/** A whole-SDP offer with a few ICE candidates is 1–4 KB; 16 KiB leaves room and bounds what we relay. */
export const DEFAULT_VALIDATION_LIMITS: ValidationLimits = {
  maxSdpLength: 16 * 1024,
  maxOffers: 10,
  maxScrapeHashes: 100,
};

const ANNOUNCE_EVENTS: readonly string[] = ['started', 'stopped', 'completed', 'update'];
const ID_LENGTH = 20;

type Obj = Record<string, unknown>;

class Invalid extends Error {}

function invalid(message: string): never {
  throw new Invalid(message);
}

function get(o: Obj, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

function asObject(v: unknown, what: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) invalid(`${what} must be an object`);
  return v as Obj;
}

/** Every char a byte: the only form a binary id may take. */
function isBinaryId(v: unknown): v is string {
  if (typeof v !== 'string' || v.length !== ID_LENGTH) return false;
  for (let i = 0; i < ID_LENGTH; i++) if (v.charCodeAt(i) > 255) return false;
  return true;
}

function binaryId(o: Obj, key: string): string {
  const v = get(o, key);
  if (v === undefined) invalid(`missing ${key}`);
  if (!isBinaryId(v)) invalid(`${key} must be a 20-byte binary string`);
  return v;
}

function count(o: Obj, key: string, { nullable = false } = {}): number | null | undefined {
  const v = get(o, key);
  if (v === undefined) return undefined;
  if (v === null && nullable) return null;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) invalid(`${key} must be a non-negative number`);
  return v;
}

/** A private share's signalling MAC: an HMAC-SHA-256 in base64url (43 characters). */
const SDP_MAC_PATTERN = /^[A-Za-z0-9_-]{43}$/;

function sdp<T extends 'offer' | 'answer'>(v: unknown, type: T, what: string, limits: ValidationLimits): { type: T; sdp: string; tabswarm_mac?: string } {
  const o = asObject(v, what);
  if (get(o, 'type') !== type) invalid(`${what}.type must be "${type}"`);
  const text = get(o, 'sdp');
  if (typeof text !== 'string' || text.length === 0) invalid(`${what}.sdp must be a non-empty string`);
  if (text.length > limits.maxSdpLength) invalid(`${what}.sdp is ${text.length} bytes (limit ${limits.maxSdpLength})`);
  const mac = get(o, 'tabswarm_mac');
  if (mac === undefined) return { type, sdp: text };
  if (typeof mac !== 'string' || !SDP_MAC_PATTERN.test(mac)) invalid(`${what}.tabswarm_mac must be 43 characters of base64url`);
  return { type, sdp: text, tabswarm_mac: mac };
}

function clientMessage(json: unknown, limits: ValidationLimits): ClientMessage {
  const o = asObject(json, 'the message');
  const action = get(o, 'action');
  if (action === 'scrape') {
    const raw = get(o, 'info_hash');
    const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    if (list.length === 0) invalid('scrape needs at least one info_hash');
    if (list.length > limits.maxScrapeHashes) invalid(`scrape names ${list.length} info hashes (limit ${limits.maxScrapeHashes})`);
    for (const h of list) if (!isBinaryId(h)) invalid('info_hash must be a 20-byte binary string or a list of them');
    return { kind: 'scrape', action, info_hash: list as string[] };
  }
  if (action !== 'announce') invalid('action must be "announce" or "scrape"');

  const info_hash = binaryId(o, 'info_hash');
  const peer_id = binaryId(o, 'peer_id');
  if (get(o, 'answer') !== undefined) {
    return {
      kind: 'answer',
      action,
      info_hash,
      peer_id,
      to_peer_id: binaryId(o, 'to_peer_id'),
      offer_id: binaryId(o, 'offer_id'),
      answer: sdp(get(o, 'answer'), 'answer', 'answer', limits),
    };
  }

  const msg: ClientMessage = { kind: 'announce', action, info_hash, peer_id };
  const numwant = count(o, 'numwant');
  const uploaded = count(o, 'uploaded');
  const downloaded = count(o, 'downloaded');
  const left = count(o, 'left', { nullable: true });
  if (numwant !== undefined && numwant !== null) msg.numwant = Math.floor(numwant);
  if (uploaded !== undefined && uploaded !== null) msg.uploaded = uploaded;
  if (downloaded !== undefined && downloaded !== null) msg.downloaded = downloaded;
  if (left !== undefined) msg.left = left;

  const event = get(o, 'event');
  // bittorrent-tracker sends no event on periodic announces; some clients send "" or "update".
  if (event !== undefined && event !== null && event !== '') {
    if (typeof event !== 'string' || !ANNOUNCE_EVENTS.includes(event)) invalid(`event must be one of ${ANNOUNCE_EVENTS.join(', ')}`);
    msg.event = event as AnnounceEvent;
  }

  const offers = get(o, 'offers');
  if (offers !== undefined && offers !== null) {
    if (!Array.isArray(offers)) invalid('offers must be a list');
    if (offers.length > limits.maxOffers) invalid(`announce carries ${offers.length} offers (limit ${limits.maxOffers})`);
    msg.offers = offers.map((entry, i): OfferEntry => {
      const e = asObject(entry, `offers[${i}]`);
      const offer_id = get(e, 'offer_id');
      if (!isBinaryId(offer_id)) invalid(`offers[${i}].offer_id must be a 20-byte binary string`);
      return { offer: sdp(get(e, 'offer'), 'offer', `offers[${i}].offer`, limits), offer_id };
    });
  }
  return msg;
}

function wrap<T>(fn: () => T): Result<T> {
  try {
    return ok(fn());
  } catch (e) {
    if (e instanceof Invalid) return err(new TabswarmError('TRACKER_MESSAGE_INVALID', `Invalid tracker message: ${e.message}.`));
    return err(new TabswarmError('TRACKER_MESSAGE_INVALID', `Invalid tracker message: ${String(e)}.`));
  }
}

/** What the server accepts from a peer. */
export function validateClientMessage(json: unknown, limits: ValidationLimits = DEFAULT_VALIDATION_LIMITS): Result<ClientMessage> {
  return wrap(() => clientMessage(json, limits));
}

function scrapeCounts(v: unknown, what: string): ScrapeCounts {
  const o = asObject(v, what);
  const n = (key: string): number => {
    const x = get(o, key);
    return typeof x === 'number' && Number.isFinite(x) && x >= 0 ? x : invalid(`${what}.${key} must be a non-negative number`);
  };
  return { complete: n('complete'), incomplete: n('incomplete'), downloaded: get(o, 'downloaded') === undefined ? 0 : n('downloaded') };
}

function serverMessage(json: unknown, limits: ValidationLimits): ServerMessage {
  const o = asObject(json, 'the message');
  const failure = get(o, 'failure reason');
  if (failure !== undefined) {
    if (typeof failure !== 'string') invalid('failure reason must be a string');
    const msg: ServerMessage = { kind: 'failure', 'failure reason': failure };
    const action = get(o, 'action');
    if (action === 'announce' || action === 'scrape') msg.action = action;
    const hash = get(o, 'info_hash');
    if (isBinaryId(hash)) msg.info_hash = hash;
    return msg;
  }
  const action = get(o, 'action');
  if (action === 'scrape') {
    const files = asObject(get(o, 'files'), 'files');
    const out: Record<string, ScrapeCounts> = {};
    for (const key of Object.keys(files)) {
      if (!isBinaryId(key)) invalid('files must be keyed by 20-byte binary info hashes');
      out[key] = scrapeCounts(files[key], 'files entry');
    }
    return { kind: 'scrape-reply', action, files: out };
  }
  if (action !== 'announce') invalid('action must be "announce" or "scrape"');
  const info_hash = binaryId(o, 'info_hash');
  if (get(o, 'offer') !== undefined) {
    return {
      kind: 'offer',
      action,
      info_hash,
      peer_id: binaryId(o, 'peer_id'),
      offer_id: binaryId(o, 'offer_id'),
      offer: sdp(get(o, 'offer'), 'offer', 'offer', limits),
    };
  }
  if (get(o, 'answer') !== undefined) {
    return {
      kind: 'answer',
      action,
      info_hash,
      peer_id: binaryId(o, 'peer_id'),
      offer_id: binaryId(o, 'offer_id'),
      answer: sdp(get(o, 'answer'), 'answer', 'answer', limits),
    };
  }
  const interval = count(o, 'interval');
  const complete = count(o, 'complete');
  const incomplete = count(o, 'incomplete');
  if (interval == null || complete == null || incomplete == null) invalid('an announce reply needs interval, complete and incomplete');
  return { kind: 'announce-reply', action, info_hash, interval, complete, incomplete };
}

/** What the client accepts from a tracker. */
export function validateServerMessage(json: unknown, limits: ValidationLimits = DEFAULT_VALIDATION_LIMITS): Result<ServerMessage> {
  return wrap(() => serverMessage(json, limits));
}

/** JSON.parse that never throws, for frames from the network. */
export function parseJsonFrame(text: string): Result<unknown> {
  try {
    return ok(JSON.parse(text) as unknown);
  } catch {
    return err(new TabswarmError('TRACKER_MESSAGE_INVALID', 'Invalid tracker message: the frame is not JSON.'));
  }
}
