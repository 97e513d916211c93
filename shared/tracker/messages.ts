/**
 * The WebTorrent WebSocket tracker protocol, one type per message. It has no BEP: this file and
 * docs/tracker-protocol.md are its definition for us, and must stay in step.
 *
 * Frames are JSON text. `info_hash`, `peer_id`, `offer_id` and `to_peer_id` are 20-byte *binary
 * strings*: each char is one byte (U+0000…U+00FF), the form bittorrent-tracker and WebTorrent use.
 */

/** A 20-char string whose chars are bytes (see above). */
export type BinaryId = string;

export type AnnounceEvent = 'started' | 'stopped' | 'completed' | 'update';

/** WebRTC session descriptions exactly as simple-peer emits them with trickle off (whole SDP). */
export interface SdpOffer {
  type: 'offer';
  sdp: string;
  /** Private shares only: base64url HMAC of the SDP's DTLS fingerprints under the link's key (client/engine/signal-auth.ts). Relayed untouched. */
  tabswarm_mac?: string;
}
export interface SdpAnswer {
  type: 'answer';
  sdp: string;
  tabswarm_mac?: string;
}

export interface OfferEntry {
  offer: SdpOffer;
  offer_id: BinaryId;
}

// ── client → server ───────────────────────────────────────────────────────────────────────────

/** A peer joins, updates or leaves a swarm, and hands the tracker SDP offers to pass on. */
export interface AnnounceRequest {
  action: 'announce';
  info_hash: BinaryId;
  peer_id: BinaryId;
  numwant?: number;
  uploaded?: number;
  downloaded?: number;
  /** Bytes still missing; 0 = seeder. null (NaN in the sender's JSON) or absent = unknown, counted as leecher. */
  left?: number | null;
  event?: AnnounceEvent;
  offers?: OfferEntry[];
}

/** A peer answers an offer it was given; the tracker routes it back to the offer's owner. */
export interface AnswerRequest {
  action: 'announce';
  info_hash: BinaryId;
  peer_id: BinaryId;
  to_peer_id: BinaryId;
  offer_id: BinaryId;
  answer: SdpAnswer;
}

/** Counts for one or several swarms. */
export interface ScrapeRequest {
  action: 'scrape';
  info_hash: BinaryId[];
}

export type ClientMessage =
  | ({ kind: 'announce' } & AnnounceRequest)
  | ({ kind: 'answer' } & AnswerRequest)
  | ({ kind: 'scrape' } & ScrapeRequest);

// ── server → client ───────────────────────────────────────────────────────────────────────────

export interface AnnounceReply {
  action: 'announce';
  info_hash: BinaryId;
  /** Seconds until the next announce. */
  interval: number;
  /** Seeders (left == 0). */
  complete: number;
  /** Leechers. */
  incomplete: number;
}

/** An offer from `peer_id`, forwarded by the tracker. */
export interface OfferDelivery {
  action: 'announce';
  info_hash: BinaryId;
  peer_id: BinaryId;
  offer_id: BinaryId;
  offer: SdpOffer;
}

/** The answer to one of our offers, from `peer_id`. */
export interface AnswerDelivery {
  action: 'announce';
  info_hash: BinaryId;
  peer_id: BinaryId;
  offer_id: BinaryId;
  answer: SdpAnswer;
}

export interface ScrapeCounts {
  complete: number;
  incomplete: number;
  downloaded: number;
}

export interface ScrapeReply {
  action: 'scrape';
  /** Keyed by binary info hash. */
  files: Record<BinaryId, ScrapeCounts>;
}

export interface FailureReply {
  'failure reason': string;
  action?: 'announce' | 'scrape';
  /** Present when the failure concerns one swarm, so the client can match it (WebTorrent ignores replies for other hashes). */
  info_hash?: BinaryId;
}

export type ServerMessage =
  | ({ kind: 'announce-reply' } & AnnounceReply)
  | ({ kind: 'offer' } & OfferDelivery)
  | ({ kind: 'answer' } & AnswerDelivery)
  | ({ kind: 'scrape-reply' } & ScrapeReply)
  | ({ kind: 'failure' } & FailureReply);

/** Strips the `kind` tag before a message goes on the wire. */
export function toWire<T extends { kind: string }>(message: T): Omit<T, 'kind'> {
  const { kind: _kind, ...rest } = message;
  return rest;
}
