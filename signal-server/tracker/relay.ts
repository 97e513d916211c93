/**
 * Signalling between tracker processes: an offer forwarded to a peer connected elsewhere, and the
 * answer on its way back. The offer binding (who may answer, who gets the answer) lives in the
 * process of the peer the offer went to, which is where its answer comes from.
 */
import type { BinaryId, SdpAnswer, SdpOffer } from '../../shared/tracker/messages.ts';

export interface OfferRelay {
  kind: 'offer';
  infoHash: BinaryId;
  /** The peer the offer is for; connected to the receiving process. */
  toPeerId: BinaryId;
  fromPeerId: BinaryId;
  fromNode: string;
  /** The offering connection in `fromNode`, echoed back with the answer. */
  fromConn: number;
  offerId: BinaryId;
  offer: SdpOffer;
}

export interface AnswerRelay {
  kind: 'answer';
  infoHash: BinaryId;
  /** The offerer, connected to the receiving process through `toConn`. */
  toPeerId: BinaryId;
  toConn: number;
  fromPeerId: BinaryId;
  offerId: BinaryId;
  answer: SdpAnswer;
}

export type Relay = OfferRelay | AnswerRelay;

const isId = (v: unknown): v is string => typeof v === 'string' && v.length === 20;
const isSdp = (v: unknown, type: 'offer' | 'answer'): boolean =>
  typeof v === 'object' && v !== null && (v as { type?: unknown }).type === type && typeof (v as { sdp?: unknown }).sdp === 'string';

/** Checks a message read from the bus: other processes are ours, but a version mismatch must not crash one. */
export function parseRelay(text: string): Relay | undefined {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || !isId(v.infoHash) || !isId(v.toPeerId) || !isId(v.fromPeerId) || !isId(v.offerId)) return undefined;
  if (v.kind === 'offer' && typeof v.fromNode === 'string' && Number.isInteger(v.fromConn) && isSdp(v.offer, 'offer')) return v as unknown as OfferRelay;
  if (v.kind === 'answer' && Number.isInteger(v.toConn) && isSdp(v.answer, 'answer')) return v as unknown as AnswerRelay;
  return undefined;
}
